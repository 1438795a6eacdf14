"""The outbox's bench: BENCH_OUTBOX_MESSAGES (10 000) due SMS reminders through the real send path.

Real ``celery -A plie worker`` processes (BENCH_OUTBOX_WORKERS × BENCH_OUTBOX_CONCURRENCY, prefork)
on PostgreSQL and the configured broker (Redis), the Brevo adapter over HTTP to the fake provider
on 127.0.0.1 (tests/fakes/sms_provider.py, in this process). Two beats fire the sweep, which
queues every due message; the bench waits until every row is sent, and prints messages per
second and duplicates (the provider's count per tag above 1: must be 0). Target: ≥ 170 msg/s on a
2-core machine. Called at the end of ``benchmarks/run.py``; alone: ``python benchmarks/outbox.py``
(``make bench-outbox``).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plie.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "10000"))
WORKERS = int(os.environ.get("BENCH_OUTBOX_WORKERS", "2"))
CONCURRENCY = int(os.environ.get("BENCH_OUTBOX_CONCURRENCY", "2"))
PREFIXE = "bench:outbox:"
NIVEAU = os.environ.get("BENCH_OUTBOX_LOGLEVEL", "WARNING")  # INFO logs every task (slower)


def bench_outbox():
    if connection.vendor != "postgresql":
        print("\nOutbox: skipped, the outbox bench needs PostgreSQL (DATABASE_URL=postgres://…).")
        return None
    from celery import current_app

    from plie.notifications.models import Message, StatutMessage
    from plie.notifications.tasks import balayer_messages
    from tests.fakes.sms_provider import FauxFournisseur
    from tests.ouvriers import Ouvriers, database_url

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        print("\nOutbox: note, no REDIS_URL: the workers share kombu's filesystem broker (slow).")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    Message.objects.filter(cle__startswith=PREFIXE).delete()
    maintenant = timezone.now()
    Message.objects.bulk_create(
        (
            Message(
                canal="sms",
                cle=f"{PREFIXE}{i}",
                numero=f"+336{i:08d}",
                corps=f"PLIE : rappel, votre entretien demain à 9h00 (n°{i}). Répondez NON pour annuler.",
                du_le=maintenant,
            )
            for i in range(MESSAGES)
        ),
        batch_size=2000,
    )
    app = current_app._get_current_object()
    app.conf.task_always_eager = False
    app.control.purge()
    faux = FauxFournisseur().demarrer()
    env = {
        **faux.env("brevo"),
        "DATABASE_URL": database_url(connection.settings_dict),
        "OUTBOX_SWEEP_BATCH": str(MESSAGES),
    }
    garder = os.environ.get("BENCH_OUTBOX_LOGS")  # a folder to keep the workers' logs in
    with tempfile.TemporaryDirectory() as temporaire:
        journaux = garder or temporaire
        Path(journaux).mkdir(parents=True, exist_ok=True)
        ouvriers = Ouvriers(env, Path(journaux))
        try:
            for n in range(WORKERS):
                ouvriers.lancer(f"bench{n}", pool="prefork", concurrence=CONCURRENCY, attendre=False, niveau=NIVEAU)
            for n in range(WORKERS):
                ouvriers.attendre_pret(f"bench{n}")
            debut = time.perf_counter()
            balayer_messages.delay()
            time.sleep(1)
            balayer_messages.delay()  # a second beat: finds what is still due, sends nothing twice
            restants = MESSAGES
            limite = time.monotonic() + max(120, MESSAGES / 20)
            while restants and time.monotonic() < limite:
                time.sleep(0.25)
                restants = Message.objects.filter(cle__startswith=PREFIXE).exclude(statut=StatutMessage.ENVOYE).count()
            duree = time.perf_counter() - debut
        finally:
            ouvriers.arreter()
            faux.arreter()
            app.control.purge()
    # The bench's own messages (the seeded demo may have a due convocation too, sent along).
    comptes = {tag: n for tag, n in faux.comptes().items() if tag.startswith(PREFIXE)}
    doublons = sum(n - 1 for n in comptes.values() if n > 1)
    envoyes = MESSAGES - restants
    debit = envoyes / duree
    print(f"\nOutbox ({MESSAGES} due SMS, {WORKERS} workers × {CONCURRENCY} prefork, {connection.vendor},")
    print(f"Brevo over HTTP to the fake provider on 127.0.0.1; two beats fire the sweep; {os.cpu_count()} cores)")
    print(f"| {'measure':<62} | {'value':>12} |")
    print(f"|{'-' * 64}|{'-' * 14}|")
    for label, value in [
        ("messages sent (rows « envoyé »)", f"{envoyes}"),
        ("messages accepted by the provider", f"{sum(comptes.values())}"),
        ("duplicates (provider's count per tag above 1; must be 0)", f"{doublons}"),
        ("send requests the provider received (all messages due)", f"{faux.envois_tentes()}"),
        ("time from the first sweep to the last row sent (s)", f"{duree:.2f}"),
        ("messages per second (target ≥ 170)", f"{debit:.0f}"),
    ]:
        print(f"| {label:<62} | {value:>12} |")
    Message.objects.filter(cle__startswith=PREFIXE).delete()
    return {"debit": debit, "doublons": doublons, "restants": restants}


if __name__ == "__main__":
    resultat = bench_outbox()
    if resultat and (resultat["doublons"] or resultat["restants"]):
        sys.exit(1)
