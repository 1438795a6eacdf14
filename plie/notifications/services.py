"""The two ways the product speaks to people: an email (through the outbox) and a notification."""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template

from plie.notifications.models import Canal, GenreMessage, Message, Notification


def envoyer_email(
    destinataires, sujet: str, template: str, contexte: dict | None = None, *, cle: str = ""
) -> Message | None:
    """Write the email to the outbox now; a Celery task sends it once the transaction commits.

    ``template`` is a text template under ``templates/``; it receives ``site_url`` besides ``contexte``.
    Nothing is written when no address is given (a structure without an email, say). ``cle``: the
    message's unique key, from its cause (event, kind, recipient): a second write returns the first
    message instead of sending it again; by default one key per call.
    """

    adresses = sorted({a.strip().lower() for a in destinataires if a and a.strip()})
    if not adresses:
        return None
    # Plain text: nothing to escape (« D'Almeida » must not become « D&#x27;Almeida »).
    context = Context({"site_url": settings.SITE_URL, **(contexte or {})}, autoescape=False)
    corps = get_template(template).template.render(context)
    champs = {"canal": Canal.EMAIL, "genre": GenreMessage.SERVICE, "destinataires": adresses, "sujet": sujet}
    if not cle:
        email = Message.objects.create(cle=f"service:{uuid.uuid4().hex}", corps=corps, **champs)
    else:
        try:
            with transaction.atomic():
                email = Message.objects.create(cle=f"service:{cle}", corps=corps, **champs)
        except IntegrityError:
            return Message.objects.get(cle=f"service:{cle}")  # its cause already wrote it: never twice
    mettre_en_envoi(email)
    return email


def mettre_en_envoi(message):
    """Queue the message's task once the transaction that wrote it commits (a rollback sends nothing;
    a lost task is found by the sweep)."""
    from plie.notifications.tasks import envoyer_message

    transaction.on_commit(lambda: envoyer_message.delay(message.pk))


def notifier(destinataire, titre: str, message: str = "", lien: str = "") -> Notification:
    # Titles quote names of any length: cut rather than fail the step that notifies.
    titre_max = Notification._meta.get_field("titre").max_length
    message_max = Notification._meta.get_field("message").max_length
    if len(titre) > titre_max:
        titre = titre[: titre_max - 1] + "…"
    if len(message) > message_max:
        message = message[: message_max - 1] + "…"
    return Notification.objects.create(destinataire=destinataire, titre=titre, message=message, lien=lien)
