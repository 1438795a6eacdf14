"""The outbox's tasks: one message sent after commit, and the sweep beat runs every minute.

Tasks take ids and read the row: a retry, a second worker or a second beat finds it claimed or sent
(:mod:`plie.notifications.envoi`). Nothing is scheduled days ahead: a message waits in its row
(``du_le``) until the sweep finds it due.
"""

from celery import shared_task
from django.conf import settings

from plie.notifications import envoi

# A short retry stays in the broker; a longer one waits for the sweep (``prochain_essai_le``).
COUNTDOWN_MAX = 300


@shared_task(ignore_result=True)
def envoyer_message(message_id):
    return _envoyer(message_id)


@shared_task(ignore_result=True)
def envoyer_messages(message_ids):
    """A batch of the sweep (one task per message costs more than the send itself at 10 000
    reminders): claimed in one commit, sent one by one (:func:`envoi.envoyer_lot`). A worker dying
    mid-batch leaves claims the reconciler settles by tag."""
    resultats = envoi.envoyer_lot(message_ids)
    for pk, resultat in resultats.items():
        _relancer(pk, resultat)
    return list(resultats.values())


def _envoyer(message_id):
    resultat = envoi.envoyer(message_id)
    _relancer(message_id, resultat)
    return resultat


def _relancer(message_id, resultat):
    if resultat.startswith("reporte:"):
        delai = float(resultat.split(":", 1)[1])
        if delai <= COUNTDOWN_MAX:
            envoyer_message.apply_async((message_id,), countdown=delai)


@shared_task(ignore_result=True)
def balayer_messages():
    """Reconcile the claims of dead workers, then queue every due message (emails whose task was
    lost, convocations whose hour has come, retries whose time has come), in batches."""
    regles = envoi.reconcilier()
    ids = envoi.dus(limite=getattr(settings, "OUTBOX_SWEEP_BATCH", 5000))
    taille = getattr(settings, "OUTBOX_SWEEP_CHUNK", 50)
    for debut in range(0, len(ids), taille):
        envoyer_messages.delay(ids[debut : debut + taille])
    return {"reconcilies": regles, "envoyes": len(ids)}
