"""Benchmarks: how long the heavy paths take at the size of a large PLIE.

Run with ``make bench`` (a throw-away database: var/bench.sqlite3 unless DATABASE_URL is set), e.g.
``BENCH_PARTICIPANTS=100000 DATABASE_URL=postgres://…/plie_bench make bench`` for a large PLIE.
The demo is seeded in bulk (participants, prescriptions, parcours in every state, transitions log),
plus an access log of several rows per parcours. For each main page of each role it prints the
queries and the median and p95 of BENCH_REPEAT requests, beside a trivial logged-in page measured
in the same run, one request of it after each request of a page (target: every main page's p95
within 3× the trivial page's). Deep pages are
measured too (they walk the indexes that match the orderings). Timings are read, not tested.
"""

import io
import os
import statistics
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
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
TRIVIAL = "/compte/mot-de-passe/changer/"  # logged in, a form, no rows of the PLIE


def timed(label, func):
    started = time.perf_counter()
    result = func()
    print(f"{label:<60} {(time.perf_counter() - started):9.1f} s")
    return result


def pending_pk():
    """The oldest referral waiting in the queue (its page computes duplicates and the proposal)."""
    from prescriptions.models import Prescription

    return Prescription.objects.a_traiter().order_by("envoyee_le", "id").values_list("pk", flat=True).first()


def seed_access_log(per_parcours=3):
    """Rows in « qui a consulté ce dossier », in bulk: the log grows with every page opened."""
    from django.utils import timezone

    from parcours.models import Parcours
    from plie.acces.models import AccesDossier

    user = User.objects.get(email="coordination@demo.plie.localhost")
    now = timezone.now()
    rows = (
        AccesDossier(
            utilisateur=user,
            utilisateur_libelle=f"{user.get_full_name()} ({user.email})",
            role=user.role,
            type_objet="parcours",
            objet_id=pk,
            action="consultation",
            chemin=f"/parcours/{pk}/",
            date=now,
        )
        for pk in Parcours.objects.values_list("pk", flat=True).iterator()
        for _ in range(per_parcours)
    )
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 10000:
            AccesDossier.objects.bulk_create(batch)
            batch = []
    AccesDossier.objects.bulk_create(batch)


def login(client, email):
    """force_login, plus the verified second factor for whom must use one (as tests/conftest.py does)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from plie import permissions

    user = User.objects.get(email=email)
    client.force_login(user)
    if permissions.must_use_second_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Banc de mesure", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def p95(times):
    return statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]


def timed_get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return (time.perf_counter() - started) * 1000


def measure(client, url, trivial_times):
    """Queries of one request, then median and p95 (ms) of REPEAT requests.

    Each request of the page is followed by one of the trivial page (appended to ``trivial_times``):
    the two see the same load of the machine, and the trivial page's p95 is read over the whole run.
    """
    client.get(url)  # warm caches (templates, content types, session)
    reset_queries()  # the log keeps 9000 queries at most: a full one would count none
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Counted now: the captured list is a view of the connection's log, which the next request empties.
    queries = len(captured)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(REPEAT):
        times.append(timed_get(client, url))
        trivial_times.append(timed_get(client, TRIVIAL))
    return queries, statistics.median(times), p95(times)


def seed():
    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)  # post_migrate puts the reference rows back
    call_command("load_communes", verbosity=0, stdout=io.StringIO())
    call_command("load_referentiels", "--activate", "niort", stdout=io.StringIO())
    timed(
        f"seed_demo --participants {PARTICIPANTS}",
        lambda: call_command("seed_demo", "--participants", str(PARTICIPANTS), stdout=io.StringIO()),
    )
    timed("access log (3 rows per parcours)", seed_access_log)
    if connection.vendor == "postgresql":
        # What autovacuum does on a live database after inserts: fresh statistics, and the visibility
        # map that lets counts and deep pages read their index alone (index-only scans).
        with connection.cursor() as cursor:
            timed("VACUUM ANALYZE", lambda: cursor.execute("VACUUM ANALYZE"))


def main():
    if not os.environ.get("BENCH_SKIP_SEED"):  # set it to measure again on the rows of the last run
        seed()
    from parcours.models import Parcours
    from prescriptions.models import Prescription

    pending = pending_pk()
    parcours_pk = Parcours.objects.filter(referent__email="referent@demo.plie.localhost").values_list("pk", flat=True)[
        0
    ]
    deep_parcours = max(1, Parcours.objects.count() // 25 - 1)
    deep_queue = max(1, Prescription.objects.filter(statut="acceptee").count() // 25 - 1)
    pages = [
        (
            "coordination@demo.plie.localhost",
            [
                "/",
                "/parcours/",
                f"/parcours/?page={deep_parcours}",
                "/parcours/?q=mar&etat=accompagnement",
                "/prescriptions/a-traiter/",
                "/prescriptions/a-traiter/?statut=acceptee",
                f"/prescriptions/a-traiter/?statut=acceptee&page={deep_queue}",
                f"/prescriptions/{pending}/",
                f"/prescriptions/{pending}/acceptation/",
                "/referents/",
                f"/parcours/{parcours_pk}/",
            ],
        ),
        ("referent@demo.plie.localhost", ["/", "/parcours/", f"/parcours/{parcours_pk}/"]),
        ("prescripteur@demo.plie.localhost", ["/", "/prescriptions/?statut=acceptee"]),
        ("bureau-insertion@demo.plie.localhost", ["/", "/prescriptions/validations/"]),
        ("financeur@demo.plie.localhost", ["/"]),
    ]
    client = Client(HTTP_HOST="localhost")
    login(client, "coordination@demo.plie.localhost")
    trivial_times = []
    trivial_queries, _, _ = measure(client, TRIVIAL, trivial_times)
    rows = []
    for email, urls in pages:
        login(client, email)
        for url in urls:
            rows.append((f"{email.split('@')[0]} {url}", *measure(client, url, trivial_times)))
    trivial_p95 = p95(trivial_times)
    print(f"\n{PARTICIPANTS} participants, {connection.vendor}, {REPEAT} requests per page, each followed by")
    print(f"one of the trivial page ({len(trivial_times)} requests of it in all, read as one distribution)")
    # Medians are less noisy than p95 on shared cores: their ratio is printed too.
    print(f"| {'page':<62} | queries | median (ms) | p95 (ms) | p95 / trivial | median / trivial |")
    print(f"|{'-' * 64}|--------:|------------:|---------:|--------------:|-----------------:|")
    rows.insert(0, (f"(trivial) {TRIVIAL}", trivial_queries, statistics.median(trivial_times), trivial_p95))
    trivial_median = statistics.median(trivial_times)
    for label, count, median, page_p95 in rows:
        ratios = f"{page_p95 / trivial_p95:13.1f} | {median / trivial_median:16.1f}"
        print(f"| {label:<62} | {count:7d} | {median:11.1f} | {page_p95:8.1f} | {ratios} |")


if __name__ == "__main__":
    main()
