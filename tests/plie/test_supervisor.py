"""`make run` (plie/supervisor.py): web, worker and beat start together and stop together on Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from plie import supervisor

ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes():
    """{pid: (ppid, pgid, state)} of every live process, read from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":  # a zombie has exited already
            found[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0])
    return found


def _answers(port):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/compte/connexion/", timeout=2)
    except urllib.error.HTTPError:
        return True  # any HTTP answer means the server is up
    except OSError:
        return False
    return True


def _wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()


def test_ctrl_c_stops_web_worker_and_beat(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6"),
        "PLIE_ENV": "dev",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "plie.supervisor", "--port", str(port), "--schedule", str(tmp_path / "beat")],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own group, like the foreground group of a terminal
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: _answers(port), 60), "the web server never answered"
        children = {pid: info for pid, info in _processes().items() if info[0] == process.pid}
        assert len(children) == 3, children  # web, worker, beat
        groups = {info[1] for info in children.values()}

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        process.wait(timeout=20)

        def all_gone():
            return not any(info[1] in groups for info in _processes().values())

        assert _wait_for(all_gone, 10), "some of web, worker, beat (or their children) still run"
        assert not _answers(port)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_emails_links_use_the_port_served_unless_site_url_is_set():
    assert supervisor.environment(8001, {})["SITE_URL"] == "http://localhost:8001"
    assert supervisor.environment(8001, {"SITE_URL": ""})["SITE_URL"] == "http://localhost:8001"
    kept = {"SITE_URL": "https://plie.example.org"}
    assert supervisor.environment(8001, kept)["SITE_URL"] == "https://plie.example.org"


def test_make_run_passes_the_port_to_the_supervisor_and_site_url():
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "PORT=8001"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in dry_run.splitlines() if "plie.supervisor" in line)
    assert 'SITE_URL="${SITE_URL:-http://localhost:8001}"' in line
    assert "--port 8001" in line


def test_an_email_link_uses_site_url(db, settings, niort):
    from plie.notifications.services import envoyer_email
    from tests.factories import PrescriptionFactory

    settings.SITE_URL = "http://localhost:8001"
    email = envoyer_email(
        ["cd@example.org"],
        "Validation demandée",
        "emails/validation_demandee.txt",
        {"prescription": PrescriptionFactory(), "lien": "/prescriptions/1/"},
    )
    assert "http://localhost:8001/prescriptions/1/" in email.corps
