from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from plie.notifications.models import EmailSortant


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def envoyer_email_sortant(self, email_id):
    """Send one outbox row, at most once: the row is locked and marked in the same transaction."""
    with transaction.atomic():
        email = EmailSortant.objects.select_for_update().filter(pk=email_id, envoye_le__isnull=True).first()
        if email is None:
            return False  # already sent (a retry, a second worker) or deleted
        try:
            EmailMessage(email.sujet, email.corps, settings.DEFAULT_FROM_EMAIL, email.destinataires).send()
        except OSError as error:
            email.tentatives += 1
            email.derniere_erreur = str(error)[:2000]
            email.save(update_fields=["tentatives", "derniere_erreur"])
            raise self.retry(exc=error) from error
        email.tentatives += 1
        email.envoye_le = timezone.now()
        email.derniere_erreur = ""
        email.save(update_fields=["tentatives", "envoye_le", "derniere_erreur"])
    return True


@shared_task
def renvoyer_emails_en_attente():
    """Periodic safety net: rows whose task was lost (broker down at commit time) are queued again."""
    cutoff = timezone.now() - timezone.timedelta(minutes=10)
    ids = list(
        EmailSortant.objects.filter(envoye_le__isnull=True, cree_le__lt=cutoff, tentatives__lt=5).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        envoyer_email_sortant.delay(pk)
    return len(ids)
