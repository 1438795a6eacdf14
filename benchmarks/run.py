"""Benchmarks: how long the heavy paths take at the size of a large PLIE.

Run with ``make bench`` (a throw-away database: var/bench.sqlite3 unless DATABASE_URL is set), e.g.
``BENCH_PARTICIPANTS=100000 DATABASE_URL=postgres://…/plie_bench make bench`` for a large PLIE.
The demo is seeded in bulk (participants, prescriptions, parcours in every state, transitions log),
plus an access log of several rows per parcours. For each main page of each role it prints the
queries and the median and p95 of BENCH_REPEAT requests, beside a trivial logged-in page measured
in the same run, one request of it after each request of a page (target: every main page's p95
within 3× the trivial page's). Deep pages are
measured too (they walk the indexes that match the orderings). Then the émargement sheets: one sheet,
a batch of one référent's month (BENCH_SHEETS, 60 by default), the same HTML drawn by bare WeasyPrint,
and whether libharfbuzz-subset0 is there. Last, the outbox: 10 000 due SMS through real Celery workers
to a fake provider on 127.0.0.1 (benchmarks/outbox.py, PostgreSQL only). Timings are read, not tested.
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
# What to measure: BENCH_ONLY=pages measures the pages alone (a few minutes less when one page is worked on).
PARTS = set(os.environ.get("BENCH_ONLY", "pages,emargement,outbox").split(","))
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


# --- émargement sheets: the PDF pipeline (plie/pdf.py) against bare WeasyPrint, in the same run -------

SHEETS = int(os.environ.get("BENCH_SHEETS", "60"))  # the batch: one référent's month, at least 50 sheets


def harfbuzz_subset_status():
    """Whether Debian's libharfbuzz-subset0 is installed (dpkg) and whether WeasyPrint loaded it."""
    import subprocess

    from weasyprint.text import ffi

    try:
        status = subprocess.run(["dpkg", "-s", "libharfbuzz-subset0"], capture_output=True, text=True).stdout
        installed = "Status: install ok installed" in status
        version = next((line.split(": ", 1)[1] for line in status.splitlines() if line.startswith("Version:")), "")
    except FileNotFoundError:  # not a Debian system
        installed, version = None, ""
    loaded = getattr(ffi, "harfbuzz_subset", None) is not None
    return installed, version, loaded


def seed_emargement_month(premier_jour):
    """SHEETS parcours given to the demo référent, each with a month like a real one: an entretien held
    and signed by both, one missed, one planned, two remote contacts and an exchange with a partner."""
    import datetime

    from django.utils import timezone

    from parcours.models import Parcours, RendezVous, Signature, TentativeContact
    from tests.factories import _png_signature

    referent = User.objects.get(email="referent@demo.plie.localhost")
    ids = list(Parcours.objects.exclude(referent=None).order_by("pk").values_list("pk", flat=True)[:SHEETS])
    Parcours.objects.filter(pk__in=ids).update(referent=referent)

    def at(day, hour):
        return timezone.make_aware(datetime.datetime.combine(premier_jour.replace(day=day), datetime.time(hour)))

    rdv = []
    contacts = []
    for pk in ids:
        common = {"parcours_id": pk, "objet": "entretien", "modalite": "presentiel", "lieu_precision": "Bureau 2"}
        rdv += [
            RendezVous(
                **common,
                debut=at(3, 10),
                statut="honore",
                duree_reelle_minutes=45,
                cloture_le=at(3, 11),
                sujet="Point sur la recherche d'emploi",
            ),
            RendezVous(**common, debut=at(12, 14), statut="absent", cloture_le=at(12, 15)),
            RendezVous(**common, debut=at(24, 9), duree_minutes=60),
        ]
        contacts += [
            TentativeContact(
                parcours_id=pk, date=at(6, 11), canal="telephone", abouti=True, objet="Relance", duree_minutes=15
            ),
            TentativeContact(
                parcours_id=pk, date=at(7, 16), canal="email", abouti=True, objet="Offres", duree_minutes=10
            ),
            TentativeContact(
                parcours_id=pk, date=at(8, 9), canal="partenaire", partenaire="CCAS", objet="Logement", duree_minutes=30
            ),
        ]
    rdv = RendezVous.objects.bulk_create(rdv)
    TentativeContact.objects.bulk_create(contacts)
    image = _png_signature()
    Signature.objects.bulk_create(
        Signature(
            rendez_vous=r,
            signataire=signataire,
            referent=referent if signataire == "referent" else None,
            image=image,
            recueillie_par=referent,
            session_empreinte="0" * 64,
        )
        for r in rdv
        if r.statut == "honore"
        for signataire in ("participant", "referent")
    )
    return referent


def median_ms(func, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_emargement():
    """One sheet, a batch of SHEETS (sheets per second on one core), the same HTML drawn by bare
    WeasyPrint (a fresh stylesheet and font configuration each time, as a view calling it directly does),
    the ratio, and the cost of two options. Targets: within 1.2× bare WeasyPrint, ≥ 7 sheets/s per core."""
    import datetime

    from django.utils import timezone
    from weasyprint import CSS, HTML

    from parcours import emargement
    from parcours.models import LotEmargement
    from parcours.tasks import produire_lot_emargement
    from plie import pdf
    from plie.referentiel.models import Referentiel

    premier_jour = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    referent = seed_emargement_month(premier_jour)
    referentiel = Referentiel.objects.active_or_none()
    debut, fin = emargement.mois(premier_jour)
    parcours = list(emargement.parcours_du_mois(referent, premier_jour).select_related("referent__structure"))
    template = "pdf/emargement_individuelle.html"

    def contexte(feuille):
        return {"feuille": feuille, "referentiel": referentiel}

    def bare(source):
        return HTML(string=source, base_url=pdf.STATIC_DIR.as_uri() + "/").write_pdf(
            stylesheets=[CSS(filename=str(pdf.STYLESHEET))]
        )

    one = parcours[0]
    source = pdf.rendre_html(template, contexte(emargement.feuille_individuelle(one, debut, fin)))
    pdf.ecrire(pdf.document_html(source))  # the process's first sheet loads the stylesheet and fonts
    bare(source)
    # Interleaved, so both see the same load of the machine.
    ours_times, bare_times = [], []
    for _ in range(REPEAT):
        ours_times.append(median_ms(lambda: pdf.ecrire(pdf.document_html(source)), 1))
        bare_times.append(median_ms(lambda: bare(source), 1))
    ours_ms, bare_ms = statistics.median(ours_times), statistics.median(bare_times)
    full_ms = median_ms(
        lambda: pdf.rendre_pdf(template, contexte(emargement.feuille_individuelle(one, debut, fin))), REPEAT
    )
    options = {
        name: median_ms(lambda o=o: pdf.document_html(source).write_pdf(**{**pdf.OPTIONS, **o}), REPEAT)
        for name, o in [
            ("uncompressed_pdf=True", {"uncompressed_pdf": True}),
            ("full_fonts=True (no subsetting)", {"full_fonts": True}),
            ("optimize_images=True", {"optimize_images": True}),
        ]
    }
    sizes = {
        "default": len(pdf.ecrire(pdf.document_html(source))),
        "full_fonts=True (no subsetting)": len(
            pdf.document_html(source).write_pdf(**{**pdf.OPTIONS, "full_fonts": True})
        ),
        "uncompressed_pdf=True": len(pdf.document_html(source).write_pdf(**{**pdf.OPTIONS, "uncompressed_pdf": True})),
    }

    # The batch, as the Celery task builds it (rows in four queries, each sheet laid out, one merged PDF).
    started = time.perf_counter()
    feuilles = emargement.feuilles_individuelles(parcours, debut, fin)
    documents = [pdf.document(template, contexte(f)) for f in feuilles]
    merged = pdf.fusionner(documents)
    batch_s = time.perf_counter() - started
    sources = [pdf.rendre_html(template, contexte(f)) for f in feuilles]
    started = time.perf_counter()
    for s in sources:
        bare(s)
    bare_batch_s = time.perf_counter() - started
    # And the task itself, end to end (its file written to the private storage).
    lot = LotEmargement.objects.create(referent=referent, mois=premier_jour, demande_par=referent)
    started = time.perf_counter()
    produire_lot_emargement(lot.pk)
    task_s = time.perf_counter() - started
    lot.refresh_from_db()

    installed, version, loaded = harfbuzz_subset_status()
    n = len(parcours)
    print(f"\nÉmargement sheets ({premier_jour:%m/%Y}, {n} sheets of the demo référent, {REPEAT} runs each, one core)")
    etat = {True: f"installed {version}", False: "NOT installed", None: "unknown (no dpkg)"}[installed]
    print(f"libharfbuzz-subset0: {etat}; WeasyPrint {'uses' if loaded else 'does NOT use'} it to subset the fonts")
    print(f"| {'measure':<62} | {'value':>12} |")
    print(f"|{'-' * 64}|{'-' * 14}|")
    rows = [
        ("one sheet, PDF from its HTML: plie.pdf (median ms)", f"{ours_ms:.1f}"),
        ("one sheet, same HTML, bare WeasyPrint (median ms)", f"{bare_ms:.1f}"),
        ("ratio plie.pdf / bare WeasyPrint (target ≤ 1.2)", f"{ours_ms / bare_ms:.2f}"),
        ("one sheet with its queries and template (median ms)", f"{full_ms:.1f}"),
        *((f"one sheet, {name} (median ms)", f"{ms:.1f}") for name, ms in options.items()),
        *((f"one sheet PDF size, {name} (kB)", f"{size / 1000:.0f}") for name, size in sizes.items()),
        (f"batch of {n} sheets, one merged PDF: plie.pdf (s)", f"{batch_s:.2f}"),
        ("batch: sheets per second, one core (target ≥ 7)", f"{n / batch_s:.1f}"),
        (f"batch: same {n} HTML, bare WeasyPrint, {n} PDFs (s)", f"{bare_batch_s:.2f}"),
        ("batch: sheets per second, bare WeasyPrint", f"{n / bare_batch_s:.1f}"),
        (f"Celery task end to end ({lot.faites} sheets, file written) (s)", f"{task_s:.2f}"),
        ("merged PDF size (kB)", f"{len(merged) / 1000:.0f}"),
    ]
    for label, value in rows:
        print(f"| {label:<62} | {value:>12} |")


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
    if "emargement" in PARTS:
        bench_emargement()
    if "outbox" in PARTS:
        from benchmarks.outbox import bench_outbox

        bench_outbox()


if __name__ == "__main__":
    main()
