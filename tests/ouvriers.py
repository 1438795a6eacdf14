"""Real Celery workers as subprocesses (``celery -A plie worker``), for the outbox's exactly-once
tests and bench: separate processes with their own database connections, killable with SIGKILL."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

RACINE = Path(__file__).resolve().parent.parent


def database_url(settings_dict) -> str:
    """The URL of the database Django uses here (the test database under pytest)."""
    utilisateur = quote(settings_dict.get("USER") or "", safe="")
    mot_de_passe = quote(settings_dict.get("PASSWORD") or "", safe="")
    identite = f"{utilisateur}:{mot_de_passe}@" if mot_de_passe else (f"{utilisateur}@" if utilisateur else "")
    hote = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{identite}{hote}:{port}/{settings_dict['NAME']}"


class Ouvriers:
    """Start workers, wait until they consume, and always kill them all (``arreter``)."""

    def __init__(self, env, journaux: Path):
        self.env = {**os.environ, **env}
        self.journaux = journaux
        self.processus = {}

    def lancer(self, nom, pool="solo", concurrence=1, attendre=True, niveau="INFO"):
        journal = self.journaux / f"{nom}.log"
        commande = [
            sys.executable, "-m", "celery", "-A", "plie", "worker",
            "-P", pool, "-c", str(concurrence), "-n", f"{nom}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", niveau,
        ]  # fmt: skip
        with journal.open("wb") as sortie:
            processus = subprocess.Popen(
                commande, cwd=RACINE, env=self.env, stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processus[nom] = (processus, journal)
        if attendre:
            self.attendre_pret(nom)
        return processus

    def attendre_pret(self, nom, delai=30):
        processus, journal = self.processus[nom]
        limite = time.monotonic() + delai
        from plie.celery import app

        destination = [f"{nom}@{socket.gethostname()}"]
        while time.monotonic() < limite:
            if app.control.ping(destination=destination, timeout=0.5):
                return
            if processus.poll() is not None:
                raise RuntimeError(f"Le worker {nom} s'est arrêté :\n{journal.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"Le worker {nom} n'est pas prêt après {delai} s :\n{journal.read_text(errors='replace')}")

    def tuer(self, nom, sig=signal.SIGKILL):
        """SIGKILL the whole process group (a prefork worker's children too): no cleanup runs."""
        processus, _ = self.processus[nom]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(processus.pid, sig)
        processus.wait(timeout=10)

    def journal(self, nom) -> str:
        return self.processus[nom][1].read_text(errors="replace")

    def arreter(self):
        for nom in list(self.processus):
            self.tuer(nom)
