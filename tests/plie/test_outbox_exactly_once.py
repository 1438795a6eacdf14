"""Exactly once, with the real parts: two ``celery worker`` processes on the PostgreSQL test
database and Redis, the fake provider over HTTP, two beats firing the sweep, and a worker killed
with SIGKILL between the provider's acceptance and our commit."""

import time

import pytest
from django.db import connection
from django.utils import timezone

from plie.celery import app
from plie.notifications.models import Message, StatutMessage
from plie.notifications.tasks import balayer_messages, envoyer_message
from tests.ouvriers import Ouvriers, database_url

M = StatutMessage
# OUTBOX_CLAIM_TIMEOUT of the workers, seconds: above their longest send (1 s to connect, 1 s to
# read), so that the sweep's batches claim in one commit and send while the claim is young.
DELAI_RECLAMATION = 4

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the workers share the test database: PostgreSQL only"
)


@pytest.fixture
def ouvriers(transactional_db, real_worker, faux_sms, tmp_path, settings):
    """Worker processes on this test's database; killed in teardown before the database is flushed."""
    app.control.purge()  # nothing left from an earlier run in our Redis database
    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "OUTBOX_CLAIM_TIMEOUT": str(DELAI_RECLAMATION),
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "SMS_CONNECT_TIMEOUT": "1",
        "SMS_READ_TIMEOUT": "1",
        "DJANGO_SETTINGS_MODULE": "plie.settings",
    }
    groupe = Ouvriers(env, tmp_path)
    groupe.faux = faux_sms
    yield groupe
    groupe.arreter()
    app.control.purge()


def _sms_dus(nombre, prefixe):
    return Message.objects.bulk_create(
        Message(
            canal="sms",
            cle=f"{prefixe}:{i}",
            numero=f"+336{i:08d}",
            corps=f"PLIE : votre rendez-vous n°{i} demain à 9h00",
            du_le=timezone.now(),
        )
        for i in range(nombre)
    )


def _attendre(condition, delai=30):
    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_two_workers_and_two_beats_send_every_message_once(ouvriers):
    ouvriers.env.update(ouvriers.faux.env("brevo"))
    messages = _sms_dus(50, "once")
    ouvriers.lancer("un", pool="prefork", concurrence=2)
    ouvriers.lancer("deux", pool="prefork", concurrence=2)
    # Each message queued three times: its own task (after commit), and two beats firing the sweep.
    for message in messages:
        envoyer_message.delay(message.pk)
    balayer_messages.delay()
    balayer_messages.delay()
    assert _attendre(lambda: Message.objects.filter(statut=M.ENVOYE).count() == 50), (
        ouvriers.journal("un")[-3000:],
        Message.objects.values_list("statut", "derniere_erreur").distinct()[:5],
    )
    time.sleep(1)  # the late duplicates of the tasks find every message sent
    assert ouvriers.faux.comptes() == {message.cle: 1 for message in messages}
    assert ouvriers.faux.envois_tentes() == 50
    assert set(Message.objects.values_list("statut", "tentatives", "fournisseur")) == {(M.ENVOYE, 1, "brevo")}
    ids = dict(Message.objects.values_list("cle", "id_fournisseur"))
    assert ids == {cle: recus[0]["id"] for cle, recus in ouvriers.faux.acceptes.items()}


def test_a_worker_killed_after_the_provider_accepted_is_reconciled_never_resent(ouvriers):
    ouvriers.env.update(ouvriers.faux.env("ovh"))
    [message] = _sms_dus(1, "tue")
    ouvriers.faux.programmer("accepte_suspendu")
    ouvriers.lancer("victime")
    envoyer_message.delay(message.pk)
    assert _attendre(lambda: ouvriers.faux.compte(message.cle) == 1), ouvriers.journal("victime")[-3000:]
    message.refresh_from_db()
    assert message.statut == M.EN_COURS
    ouvriers.tuer("victime")  # SIGKILL: the provider holds the SMS, our row says « en cours »

    ouvriers.lancer("releve")
    balayer_messages.delay()  # too early: the claim is younger than the timeout, left alone
    time.sleep(DELAI_RECLAMATION + 0.5)
    balayer_messages.delay()
    balayer_messages.delay()  # a second beat: nothing more
    assert _attendre(lambda: Message.objects.filter(pk=message.pk, statut=M.ENVOYE).exists()), ouvriers.journal(
        "releve"
    )[-3000:]
    time.sleep(1)
    message.refresh_from_db()
    assert message.tentatives == 1 and message.fournisseur == "ovh"
    assert message.id_fournisseur == ouvriers.faux.acceptes[message.cle][0]["id"]
    assert ouvriers.faux.comptes() == {message.cle: 1}
    assert ouvriers.faux.envois_tentes() == 1  # asked by tag, never sent again


def test_a_worker_killed_in_the_middle_of_a_batch_leaves_nothing_sent_twice_nor_lost(ouvriers):
    """The sweep's batch claimed 20 messages in one commit; the worker dies on the 6th, which the
    provider accepted. The 5 before are sent, the 6th is found by tag, the 14 others are not found
    and go again: every message once."""
    ouvriers.env.update(ouvriers.faux.env("brevo"))
    messages = _sms_dus(20, "lot")
    ouvriers.faux.programmer(*["ok"] * 5, "accepte_suspendu")
    ouvriers.lancer("victime")
    balayer_messages.delay()
    assert _attendre(lambda: ouvriers.faux.total() >= 6), ouvriers.journal("victime")[-3000:]
    ouvriers.tuer("victime")
    assert Message.objects.filter(statut=M.EN_COURS).exists()  # claims only the provider can settle

    ouvriers.lancer("releve")
    time.sleep(DELAI_RECLAMATION + 0.5)
    balayer_messages.delay()
    balayer_messages.delay()
    assert _attendre(lambda: Message.objects.filter(statut=M.ENVOYE).count() == 20), ouvriers.journal("releve")[-3000:]
    time.sleep(1)
    assert ouvriers.faux.comptes() == {message.cle: 1 for message in messages}
    ids = dict(Message.objects.values_list("cle", "id_fournisseur"))
    assert ids == {cle: recus[0]["id"] for cle, recus in ouvriers.faux.acceptes.items()}
