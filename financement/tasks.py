from celery import shared_task

from financement import services


@shared_task
def photographier_file_active():
    counts = services.photographier_file_active()
    return sum(counts.values())
