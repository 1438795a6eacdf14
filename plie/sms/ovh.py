"""OVHcloud's SMS API (https://eu.api.ovh.com/console/#/sms).

``POST /1.0/sms/{serviceName}/jobs`` with ``message``, ``receivers``, ``sender``, ``tag``,
``noStopClause`` (a convocation is not advertising) and ``priority``; the answer (a
``SmsSendingReport``) holds the job ``ids`` and the ``invalidReceivers``. Every call is signed:
``X-Ovh-Signature`` = ``"$1$" + sha1(secret+consumer+METHOD+full URL+body+timestamp)`` (joined by
« + »), with ``X-Ovh-Application``, ``X-Ovh-Consumer`` and ``X-Ovh-Timestamp``. A message is found
again by our tag: ``GET /1.0/sms/{serviceName}/outgoing?tag=…`` lists the ids.
"""

import hashlib
import json
import time
from urllib.parse import quote, urlencode

from plie.sms import http
from plie.sms.base import SMS, ErreurPermanente, Fournisseur

URL_PUBLIQUE = "https://eu.api.ovh.com"


def numero_ovh(numero: str) -> str:
    """OVHcloud takes the international form « +33612345678 » (or « 0033… »): E.164 as we keep it."""
    chiffres = numero.strip().replace(" ", "")
    if chiffres.startswith("00"):
        chiffres = "+" + chiffres[2:]
    if not chiffres.startswith("+") or not chiffres[1:].isdigit() or not 6 <= len(chiffres) - 1 <= 15:
        raise ErreurPermanente("Numéro de mobile invalide pour OVHcloud.")
    return chiffres


def signature(secret, consommateur, methode, url, corps, horodatage) -> str:
    texte = "+".join([secret, consommateur, methode, url, corps, str(horodatage)])
    return "$1$" + hashlib.sha1(texte.encode("utf-8")).hexdigest()


class OVH(Fournisseur):
    nom = "ovh"

    def __init__(self, config):
        self.base = (config.get("api_url") or URL_PUBLIQUE).rstrip("/") + "/1.0"
        self.application = config["ovh_application_key"]
        self.secret = config["ovh_application_secret"]
        self.consommateur = config["ovh_consumer_key"]
        self.service = config["ovh_service"]
        self.delais = http.delais(config)

    def _appeler(self, methode, chemin, corps=None, params=None):
        url = f"{self.base}/sms/{quote(self.service, safe='')}{chemin}"
        if params:
            url += "?" + urlencode(params)
        texte = json.dumps(corps, ensure_ascii=False, separators=(",", ":")) if corps is not None else ""
        horodatage = int(time.time())
        entetes = {
            "X-Ovh-Application": self.application,
            "X-Ovh-Consumer": self.consommateur,
            "X-Ovh-Timestamp": str(horodatage),
            "X-Ovh-Signature": signature(self.secret, self.consommateur, methode, url, texte, horodatage),
            "Accept": "application/json",
        }
        if corps is not None:
            entetes["Content-Type"] = "application/json;charset=utf-8"
        reponse = http.appeler(
            "OVHcloud", methode, url, data=texte.encode("utf-8") or None, headers=entetes, timeout=self.delais
        )
        return http.json_ou_erreur("OVHcloud", reponse)

    def envoyer(self, sms: SMS) -> str:
        numero = numero_ovh(sms.numero)
        rapport = self._appeler(
            "POST",
            "/jobs",
            {
                "message": sms.texte,
                "receivers": [numero],
                "sender": sms.expediteur,
                "tag": sms.tag,
                "noStopClause": True,
                "priority": "high",
                "charset": "UTF-8",
            },
        )
        ids = (rapport or {}).get("ids") or []
        if not ids:
            if numero in ((rapport or {}).get("invalidReceivers") or []):
                raise ErreurPermanente("OVHcloud a refusé le numéro du destinataire.")
            raise ErreurPermanente("OVHcloud n'a créé aucun envoi.")
        return str(ids[0])

    def retrouver(self, tag: str) -> str | None:
        ids = self._appeler("GET", "/outgoing", params={"tag": tag})
        return str(ids[0]) if isinstance(ids, list) and ids else None
