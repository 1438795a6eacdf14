"""`make scan`: the wapiti web vulnerability scanner, logged in, against a throw-away demo; fails on any 500.

Not part of `make test` (a scan takes minutes and attacks every form): run it before a release, or after
adding pages. It seeds a small demo in ``var/scan.sqlite3``, serves it with DEBUG off, logs in as the
coordination through both steps (password, then a backup code) and as a référent, runs wapiti with each
session cookie, and fails if the server answered 500 even once (read in the server's own log, which
wapiti's report may not say). Wapiti lives in its own virtualenv, ``var/wapiti/`` (``pip install wapiti3``).
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PORT = int(os.environ.get("SCAN_PORT", "8099"))
BASE = f"http://127.0.0.1:{PORT}"
WAPITI = os.environ.get("WAPITI", str(VAR / "wapiti" / "bin" / "wapiti"))
MAX_SCAN_SECONDS = os.environ.get("SCAN_SECONDS", "900")
ENV = {
    **os.environ,
    "DATABASE_URL": f"sqlite:///{VAR / 'scan.sqlite3'}",
    "PLIE_ENV": "dev",
    "DEBUG": "0",
    "SITE_URL": BASE,
}
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def manage(*args, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=capture, text=True
    )
    return result.stdout


def login(email, password, code=None):
    """The session cookie of a real login (both steps), as a browser would get it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(path, data):
        token = next(c.value for c in jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(f"{BASE}{path}", data=body, headers={"Referer": f"{BASE}{path}"})
        return opener.open(request)

    opener.open(f"{BASE}/compte/connexion/")
    post("/compte/connexion/", {"username": email, "password": password})
    if code:
        opener.open(f"{BASE}/compte/double-authentification/")
        post("/compte/double-authentification/", {"code": code})
    page = opener.open(f"{BASE}/").read().decode()
    assert "Se déconnecter" in page, f"la connexion de {email} a échoué"
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def main():
    VAR.mkdir(exist_ok=True)
    if not Path(WAPITI).exists():
        subprocess.run([sys.executable, "-m", "venv", str(VAR / "wapiti")], check=True)
        subprocess.run([str(VAR / "wapiti" / "bin" / "pip"), "install", "--quiet", "wapiti3"], check=True)
    (VAR / "scan.sqlite3").unlink(missing_ok=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("load_communes")
    manage("load_referentiels", "--activate", "niort")
    printed = manage("seed_demo", "--participants", "60", capture=True)
    code = re.search(r"coordination@\S+\s+2e étape : code de secours (\w+)", printed).group(1)
    email_domain = re.search(r"coordination@(\S+)", printed).group(1)
    password = re.search(r"mot de passe : ([^)]+)\)", printed).group(1)

    log = (VAR / "scan-server.log").open("w")
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"], cwd=ROOT, env=ENV, stdout=log, stderr=log
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{BASE}/healthz/")
                break
            except OSError:
                time.sleep(0.5)
        sessions = {
            "coordination": login(f"coordination@{email_domain}", password, code),
            "referent": login(f"referent@{email_domain}", password),
        }
        for who, cookie in sessions.items():
            report = VAR / f"wapiti-{who}.json"
            subprocess.run(
                [
                    WAPITI,
                    "-u", f"{BASE}/",
                    "-C", cookie,
                    "--scope", "folder",
                    "-x", f"{BASE}/compte/deconnexion/",
                    "-x", f"{BASE}/compte/double-authentification/*",
                    "--max-scan-time", MAX_SCAN_SECONDS,
                    # Its out-of-band probes (SSRF, Log4Shell) stay on this machine: no request leaves it.
                    "--endpoint", f"{BASE}/",
                    "--dns-endpoint", "localhost",
                    "--flush-session",
                    "-f", "json",
                    "-o", str(report),
                ],
                check=False,
            )  # fmt: skip
            anomalies = json.loads(report.read_text()).get("anomalies", {})
            print(f"{who} : {sum(len(v) for v in anomalies.values())} anomalie(s) signalée(s) par wapiti")
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    errors = [line for line in (VAR / "scan-server.log").read_text().splitlines() if '" 500 ' in line]
    print(f"Réponses 500 du serveur : {len(errors)}")
    for line in errors[:20]:
        print("  ", line)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
