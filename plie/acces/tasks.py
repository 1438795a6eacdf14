from celery import shared_task

from plie.acces.purge import purger_journal


@shared_task
def purger_journal_des_acces():
    return purger_journal()
