"""Brevo's transactional SMS API (https://developers.brevo.com/reference/send-transac-sms).

``POST /v3/transactionalSMS/send`` (the former ``/v3/transactionalSMS/sms`` is deprecated since
May 2025) with the ``api-key`` header; the answer holds ``messageId``. The message is found again
by our tag in the unaggregated events, ``GET /v3/transactionalSMS/statistics/events?tags=…``.
"""

import json

from plie.sms import http
from plie.sms.base import SMS, ErreurPermanente, Fournisseur
from plie.sms.gsm import est_gsm7

URL_PUBLIQUE = "https://api.brevo.com"
# A claim is reconciled minutes after it was made: a week of events is more than enough.
JOURS_RECHERCHES = 7


def numero_brevo(numero: str) -> str:
    """Brevo wants the country code and the digits, without « + » (E.164 +33612345678 → 33612345678)."""
    chiffres = numero.strip().removeprefix("+").replace(" ", "")
    if chiffres.startswith("00"):
        chiffres = chiffres[2:]
    if not chiffres.isdigit() or not 6 <= len(chiffres) <= 15:
        raise ErreurPermanente("Numéro de mobile invalide pour Brevo.")
    return chiffres


class Brevo(Fournisseur):
    nom = "brevo"

    def __init__(self, config):
        self.base = (config.get("api_url") or URL_PUBLIQUE).rstrip("/")
        self.entetes = {"api-key": config["api_key"], "accept": "application/json"}
        self.delais = http.delais(config)

    def envoyer(self, sms: SMS) -> str:
        corps = {
            "sender": sms.expediteur,
            "recipient": numero_brevo(sms.numero),
            "content": sms.texte,
            "type": "transactional",
            "tag": sms.tag,
            "unicodeEnabled": not est_gsm7(sms.texte),
        }
        url = f"{self.base}/v3/transactionalSMS/send"
        reponse = http.appeler("Brevo", "POST", url, json=corps, headers=self.entetes, timeout=self.delais)
        identifiant = (http.json_ou_erreur("Brevo", reponse) or {}).get("messageId")
        if identifiant in (None, ""):
            raise ErreurPermanente("Brevo a accepté le SMS sans en donner l'identifiant.")
        return str(identifiant)

    def retrouver(self, tag: str) -> str | None:
        reponse = http.appeler(
            "Brevo",
            "GET",
            f"{self.base}/v3/transactionalSMS/statistics/events",
            params={"tags": json.dumps([tag]), "days": JOURS_RECHERCHES, "limit": 100, "sort": "asc"},
            headers=self.entetes,
            timeout=self.delais,
        )
        for evenement in (http.json_ou_erreur("Brevo", reponse) or {}).get("events") or []:
            if evenement.get("tag") == tag and evenement.get("messageId"):
                return str(evenement["messageId"])
        return None
