"""Benchmarks: how long the heavy paths take at the size of a large PLIE.

Run with ``make bench`` (a throw-away database: var/bench.sqlite3 unless DATABASE_URL is set).
Prints timings; nothing here is asserted, timings are read, not tested.
"""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plie.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from plie.accounts.models import User  # noqa: E402

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "10000"))


def timed(label, func, repeat=1):
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label:<55} {best * 1000:9.1f} ms")
    return result


def pending_pk():
    """The oldest referral waiting in the queue (its page computes duplicates and the proposal)."""
    from prescriptions.models import Prescription

    return Prescription.objects.a_traiter().order_by("envoyee_le", "id").values_list("pk", flat=True).first()


def main():
    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)  # post_migrate puts the reference rows back
    call_command("load_communes", verbosity=0, stdout=io.StringIO())
    call_command("load_referentiels", "--activate", "niort", stdout=io.StringIO())
    timed(
        f"seed_demo --participants {PARTICIPANTS}",
        lambda: call_command("seed_demo", "--participants", str(PARTICIPANTS), stdout=io.StringIO()),
    )
    client = Client(HTTP_HOST="localhost")
    for email, urls in [
        (
            "coordination@demo.plie.localhost",
            [
                "/",
                "/parcours/",
                "/parcours/?q=mar&etat=accompagnement",
                "/prescriptions/a-traiter/",
                "/prescriptions/a-traiter/?statut=acceptee",
                f"/prescriptions/{pending_pk()}/",
                f"/prescriptions/{pending_pk()}/acceptation/",
            ],
        ),
        ("referent@demo.plie.localhost", ["/", "/parcours/"]),
        ("prescripteur@demo.plie.localhost", ["/", "/prescriptions/?statut=acceptee"]),
        ("bureau-insertion@demo.plie.localhost", ["/", "/prescriptions/validations/"]),
        ("financeur@demo.plie.localhost", ["/"]),
    ]:
        client.force_login(User.objects.get(email=email))
        for url in urls:
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                response = timed(f"{email.split('@')[0]:<14} GET {url}", lambda url=url: client.get(url), repeat=5)
            assert response.status_code == 200, (url, response.status_code)
            print(f"{'':<55} {len(queries) // 5:9d} queries")


if __name__ == "__main__":
    main()
