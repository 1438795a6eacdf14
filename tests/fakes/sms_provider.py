"""A fake SMS provider on 127.0.0.1 speaking the part of Brevo's and OVHcloud's APIs we use.

The outside world, faked as a real HTTP server (never a mock of our code): it checks Brevo's key
and OVHcloud's signature, records every accepted message by tag, answers the lookups by tag, and
can be scripted, one action per send request, to fail the ways a provider fails:

- ``"ok"`` (the default): accepted, recorded, answered;
- ``"500"``, ``"400"``, ``"429:<seconds>"`` (with Retry-After): refused, nothing recorded;
- ``"suspendu"``: never answers (the client times out), nothing recorded;
- ``"accepte_suspendu"``: recorded, then never answers (a worker killed between the provider's
  acceptance and our commit sees exactly this);
- ``"accepte_coupe"``: recorded, then the connection is closed without an answer.
"""

import hashlib
import itertools
import json
import socket
import threading
from collections import defaultdict, deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CLE_BREVO = "xkeysib-faux-fournisseur"
OVH = {
    "ovh_application_key": "ak-faux",
    "ovh_application_secret": "as-faux-secret",
    "ovh_consumer_key": "ck-faux",
    "ovh_service": "sms-ab12345-1",
}


class FauxFournisseur:
    def __init__(self):
        self.acceptes = defaultdict(list)  # tag → the messages accepted under it
        self.requetes = []  # (method, path) of every request, in order
        self.script = deque()
        self._verrou = threading.Lock()
        self._liberer = threading.Event()
        self._ids = itertools.count(1_511_882_900_176_220)
        self.serveur = ThreadingHTTPServer(("127.0.0.1", 0), _gestionnaire(self))
        self.serveur.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.serveur.server_address[1]}"
        self._fil = threading.Thread(target=self.serveur.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- life ---
    def demarrer(self):
        self._fil.start()
        return self

    def arreter(self):
        self._liberer.set()
        self.serveur.shutdown()
        self.serveur.server_close()

    def config(self, backend):
        """settings.SMS pointing at this server."""
        return {"backend": backend, "api_url": self.url, "api_key": CLE_BREVO, "webhook_secret": "", **OVH}

    def env(self, backend):
        """The same, as the environment of a worker process (plie/env.py)."""
        return {
            "SMS_BACKEND": backend,
            "SMS_API_URL": self.url,
            "SMS_API_KEY": CLE_BREVO,
            **{f"SMS_{cle.upper()}": valeur for cle, valeur in OVH.items()},
        }

    # --- scripting and reports ---
    def programmer(self, *actions):
        with self._verrou:
            self.script.extend(actions)

    def compte(self, tag) -> int:
        with self._verrou:
            return len(self.acceptes.get(tag, ()))

    def comptes(self) -> dict:
        with self._verrou:
            return {tag: len(messages) for tag, messages in self.acceptes.items()}

    def total(self) -> int:
        with self._verrou:
            return sum(len(messages) for messages in self.acceptes.values())

    def envois_tentes(self) -> int:
        with self._verrou:
            return sum(1 for methode, chemin in self.requetes if methode == "POST")

    def _action(self):
        with self._verrou:
            return self.script.popleft() if self.script else "ok"

    def _accepter(self, tag, message) -> str:
        with self._verrou:
            identifiant = str(next(self._ids))
            self.acceptes[tag].append({**message, "id": identifiant})
            return identifiant

    def _ids_du_tag(self, tag) -> list[str]:
        with self._verrou:
            return [message["id"] for message in self.acceptes.get(tag, ())]


def signature_ovh(secret, consommateur, methode, url, corps, horodatage):
    texte = "+".join([secret, consommateur, methode, url, corps, horodatage])
    return "$1$" + hashlib.sha1(texte.encode("utf-8")).hexdigest()


def _gestionnaire(faux):
    class Gestionnaire(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs
        # One segment per answer, sent at once: headers and body written apart, Nagle's algorithm
        # and the client's delayed ACK would add 40 ms to every answer (no real API does that).
        disable_nagle_algorithm = True
        wbufsize = 64 * 1024

        def log_message(self, *args):
            pass

        def _repondre(self, statut, corps, entetes=None):
            donnees = json.dumps(corps).encode()
            self.send_response(statut)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(donnees)))
            for nom, valeur in (entetes or {}).items():
                self.send_header(nom, valeur)
            self.end_headers()
            self.wfile.write(donnees)
            self.wfile.flush()

        def _corps(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self):
            self._traiter("GET")

        def do_POST(self):
            self._traiter("POST")

        def _traiter(self, methode):
            with faux._verrou:
                faux.requetes.append((methode, self.path))
            corps = self._corps()
            chemin = urlsplit(self.path)
            requete = parse_qs(chemin.query)
            service = f"/1.0/sms/{OVH['ovh_service']}"
            if chemin.path.startswith("/v3/"):
                if self.headers.get("api-key") != CLE_BREVO:
                    return self._repondre(401, {"code": "unauthorized", "message": "Key not found"})
                if methode == "POST" and chemin.path == "/v3/transactionalSMS/send":
                    return self._envoi_brevo(corps)
                if methode == "GET" and chemin.path == "/v3/transactionalSMS/statistics/events":
                    return self._evenements_brevo(requete)
            elif chemin.path.startswith("/1.0/"):
                erreur = self._verifier_ovh(methode, corps)
                if erreur:
                    return self._repondre(*erreur)
                if methode == "POST" and chemin.path == f"{service}/jobs":
                    return self._envoi_ovh(corps)
                if methode == "GET" and chemin.path == f"{service}/outgoing":
                    return self._repondre(200, [int(i) for i in faux._ids_du_tag(requete.get("tag", [""])[0])])
            return self._repondre(404, {"message": "Not found"})

        # --- Brevo ---
        def _envoi_brevo(self, corps):
            donnees = json.loads(corps)
            destinataire = str(donnees.get("recipient", ""))
            if not destinataire.isdigit():
                return self._repondre(400, {"code": "invalid_parameter", "message": "Invalid phone number"})
            message = {
                "api": "brevo",
                "numero": destinataire,
                "expediteur": donnees.get("sender"),
                "texte": donnees.get("content"),
                "type": donnees.get("type"),
                "unicode": donnees.get("unicodeEnabled"),
            }
            return self._selon_script(
                donnees.get("tag"), message, lambda identifiant: (201, {"messageId": int(identifiant)})
            )

        def _evenements_brevo(self, requete):
            brut = requete.get("tags", ["[]"])[0]
            try:
                tags = json.loads(brut)
            except ValueError:
                tags = brut.split(",")
            evenements = [
                {
                    "phoneNumber": message["numero"],
                    "date": datetime.now(UTC).isoformat(),
                    "messageId": message["id"],
                    "event": "sent",
                    "tag": tag,
                }
                for tag in tags
                for message in list(faux.acceptes.get(tag, ()))
            ]
            return self._repondre(200, {"events": evenements})

        # --- OVHcloud ---
        def _verifier_ovh(self, methode, corps):
            h = self.headers
            if h.get("X-Ovh-Application") != OVH["ovh_application_key"]:
                return 403, {"errorCode": "INVALID_KEY", "message": "Invalid application key"}
            attendue = signature_ovh(
                OVH["ovh_application_secret"],
                h.get("X-Ovh-Consumer", ""),
                methode,
                faux.url + self.path,
                corps.decode("utf-8"),
                h.get("X-Ovh-Timestamp", ""),
            )
            if h.get("X-Ovh-Consumer") != OVH["ovh_consumer_key"] or h.get("X-Ovh-Signature") != attendue:
                return 400, {"errorCode": "INVALID_SIGNATURE", "message": "Invalid signature"}
            return None

        def _envoi_ovh(self, corps):
            donnees = json.loads(corps)
            [destinataire] = donnees.get("receivers") or [""]
            if not destinataire.startswith(("+", "00")):
                return self._repondre(
                    200, {"ids": [], "invalidReceivers": [destinataire], "validReceivers": [], "totalCreditsRemoved": 0}
                )
            message = {
                "api": "ovh",
                "numero": destinataire,
                "expediteur": donnees.get("sender"),
                "texte": donnees.get("message"),
                "no_stop_clause": donnees.get("noStopClause"),
            }
            return self._selon_script(
                donnees.get("tag"),
                message,
                lambda identifiant: (
                    200,
                    {
                        "ids": [int(identifiant)],
                        "invalidReceivers": [],
                        "validReceivers": [destinataire],
                        "totalCreditsRemoved": 1,
                        "tag": donnees.get("tag"),
                    },
                ),
            )

        # --- the script ---
        def _selon_script(self, tag, message, reponse):
            action = faux._action()
            if action == "500":
                return self._repondre(500, {"message": "Internal error"})
            if action == "400":
                return self._repondre(400, {"code": "invalid_parameter", "message": "Sender is not valid"})
            if action.startswith("429:"):
                return self._repondre(429, {"message": "Too many requests"}, {"Retry-After": action.split(":", 1)[1]})
            if action == "suspendu":
                faux._liberer.wait(60)
                self.close_connection = True
                return None
            identifiant = faux._accepter(tag, message)
            if action == "accepte_suspendu":
                faux._liberer.wait(60)
                self.close_connection = True
                return None
            if action == "accepte_coupe":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return None
            return self._repondre(*reponse(identifiant))

    return Gestionnaire
