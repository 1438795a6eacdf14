"""The demo's providers: the SMS is written to the worker's output (console) or to a JSON-lines file."""

import json
import sys
import threading
from pathlib import Path

from plie.sms.base import SMS, Fournisseur


class Console(Fournisseur):
    nom = "console"

    def envoyer(self, sms: SMS) -> str:
        sys.stdout.write(f"\n--- SMS de {sms.expediteur} à {sms.numero} [{sms.tag}]\n{sms.texte}\n---\n")
        sys.stdout.flush()
        return f"console:{sms.tag}"

    def retrouver(self, tag: str) -> str | None:
        return None  # the console keeps nothing: a claim left by a dead worker is sent again


class Fichier(Fournisseur):
    """One JSON line per SMS; ``retrouver`` reads the file, so a resend after a crash is avoided."""

    nom = "file"
    _verrou = threading.Lock()

    def __init__(self, path):
        self.path = Path(path)

    def envoyer(self, sms: SMS) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ligne = json.dumps(
            {"tag": sms.tag, "numero": sms.numero, "expediteur": sms.expediteur, "texte": sms.texte},
            ensure_ascii=False,
        )
        with self._verrou, self.path.open("a", encoding="utf-8") as fichier:
            fichier.write(ligne + "\n")
        return f"file:{sms.tag}"

    def lignes(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(ligne) for ligne in self.path.read_text(encoding="utf-8").splitlines() if ligne.strip()]

    def retrouver(self, tag: str) -> str | None:
        return next((f"file:{tag}" for ligne in self.lignes() if ligne["tag"] == tag), None)
