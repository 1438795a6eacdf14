"""Background work: the schedule lives in the repo and a real worker runs it."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError
from django.utils import timezone

from financement.models import InstantaneEtats
from financement.services import photographier_file_active
from financement.tasks import photographier_file_active as photographier_task
from parcours.models import Etat
from plie.celery import app
from tests.factories import ParcoursFactory


def test_every_scheduled_task_exists():
    assert app.conf.beat_schedule, "no periodic job"
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"{name}: unknown task {entry['task']}"


def test_photograph_is_idempotent(niort):
    ParcoursFactory.create_batch(2, etat=Etat.ACCOMPAGNEMENT)
    ParcoursFactory(etat=Etat.VEILLE)
    photographier_file_active()
    ParcoursFactory(etat=Etat.VEILLE)
    photographier_file_active()
    today = timezone.localdate()
    rows = dict(InstantaneEtats.objects.filter(date=today).values_list("etat", "nombre"))
    assert InstantaneEtats.objects.filter(date=today).count() == len(Etat)
    assert rows[Etat.ACCOMPAGNEMENT] == 2
    assert rows[Etat.VEILLE] == 2
    assert rows[Etat.SORTI] == 0


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_scheduled_task(niort, real_worker):
    """Through the configured broker: Redis in CI, kombu's filesystem transport otherwise."""
    ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        photographier_task.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _photographed():
            time.sleep(0.2)
    assert InstantaneEtats.objects.get(date=timezone.localdate(), etat=Etat.ACCOMPAGNEMENT).nombre == 1


def _photographed():
    # SQLite's shared in-memory test database locks a table while the worker thread writes it.
    try:
        return InstantaneEtats.objects.count() == len(Etat)
    except OperationalError:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_outbox_once(real_worker):
    """An email written in a transaction leaves through the broker once committed, and only once."""
    from django.core import mail
    from django.db import transaction

    from plie.notifications.models import Message
    from plie.notifications.services import envoyer_email
    from plie.notifications.tasks import envoyer_message

    with start_worker(real_worker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            email = envoyer_email(
                ["Prescripteur@Exemple.fr"],
                "PLIE : test du worker",
                "emails/prescription_complement.txt",
                {"prescription": {"nom_complet": "DUPONT Marie", "question_complement": "Adresse ?"}, "lien": "/"},
            )
            assert not Message.objects.filter(envoye_le__isnull=False).exists()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _sent(email.pk):
            time.sleep(0.2)
        envoyer_message.delay(email.pk)  # a retry, or a second worker, finds it sent
        time.sleep(1)
    email.refresh_from_db()
    assert email.envoye_le is not None and email.tentatives == 1
    [message] = [m for m in mail.outbox if m.subject == "PLIE : test du worker"]
    assert message.to == ["prescripteur@exemple.fr"] and "Adresse ?" in message.body


def _sent(pk):
    from plie.notifications.models import Message

    try:
        return Message.objects.filter(pk=pk, envoye_le__isnull=False).exists()
    except OperationalError:
        return False


def test_an_email_of_a_cause_is_written_once(db):
    """A cause that runs twice (a retried step) finds its email written: the outbox keeps one row."""
    from plie.notifications.models import Message
    from plie.notifications.services import envoyer_email

    contexte = {"prescription": {"nom_complet": "DUPONT Marie", "question_complement": "Adresse ?"}, "lien": "/"}
    first = envoyer_email(["a@exemple.fr"], "PLIE : test", "emails/prescription_complement.txt", contexte, cle="x:1")
    again = envoyer_email(["a@exemple.fr"], "PLIE : test", "emails/prescription_complement.txt", contexte, cle="x:1")
    assert again.pk == first.pk
    assert Message.objects.filter(cle="service:x:1").count() == 1
    other = envoyer_email(["a@exemple.fr"], "PLIE : test", "emails/prescription_complement.txt", contexte)
    assert other.cle.startswith("service:") and other.pk != first.pk
