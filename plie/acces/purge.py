"""The purge of the access log (the one DELETE the table accepts) and of the lockout's login records."""

import datetime

import pgtrigger
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from plie.acces.models import PURGE_TRIGGER, AccesDossier


def purger_journal(maintenant=None):
    """Delete the rows older than ``ACCESS_LOG_RETENTION_DAYS``; return how many went.

    Idempotent: a second run finds nothing older than the limit and deletes nothing.
    """
    limite = (maintenant or timezone.now()) - datetime.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    with transaction.atomic(), pgtrigger.ignore(PURGE_TRIGGER):
        deleted, _ = AccesDossier.objects.anterieurs_a(limite).delete()
        # django-axes' records of logins (address, browser) are kept no longer than the journal.
        AccessLog.objects.filter(attempt_time__lt=limite).delete()
        AccessAttempt.objects.filter(attempt_time__lt=limite).delete()
    return deleted
