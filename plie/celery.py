"""The Celery application and the schedule of periodic jobs (kept here, read by a test)."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plie.settings")

app = Celery("plie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Photograph of the parcours by state, the base of the funders' time series. Idempotent:
    # a second run the same day rewrites the same rows, so running it often costs nothing and a
    # demo started at any hour shows today's figures.
    "photographier-file-active": {
        "task": "financement.tasks.photographier_file_active",
        "schedule": crontab(minute="*/15"),
    },
    # The outbox's sweep: convocations whose hour has come, retries whose time has come, messages
    # whose task was lost, claims a dead worker left (reconciled with the provider before any
    # resend). Idempotent: a message is claimed once, so a beat firing twice sends nothing twice.
    "convoquer": {
        "task": "parcours.tasks.convoquer",
        "schedule": crontab(minute="*/5"),
    },
    "balayer-messages": {
        "task": "plie.notifications.tasks.balayer_messages",
        "schedule": crontab(minute="*"),
    },
    # The access log keeps ACCESS_LOG_RETENTION_DAYS (12 months by default); older rows go every
    # night. Idempotent: a second run finds nothing past the limit.
    "purger-journal-des-acces": {
        "task": "plie.acces.tasks.purger_journal_des_acces",
        "schedule": crontab(hour=3, minute=17),
    },
}


@task_postrun.connect
def _close_old_connections(task=None, **kwargs):
    """After each task, what Django does after each request: close a broken connection, or one older
    than CONN_MAX_AGE, and keep the others (CELERY_DB_REUSE_MAX keeps Celery from closing them all).
    Not for a task run in place (eager, or inside a transaction): its caller's connection stays."""
    from django.db import connections

    if task is not None and getattr(task.request, "is_eager", False):
        return
    for connexion in connections.all(initialized_only=True):
        if not connexion.in_atomic_block:
            connexion.close_if_unusable_or_obsolete()


@app.on_after_configure.connect
def _create_filesystem_queue(sender, **kwargs):
    """The embedded broker (kombu's filesystem transport) needs its folders to exist."""
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = sender.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
