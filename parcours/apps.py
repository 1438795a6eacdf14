from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_criteres(sender, **kwargs):
    from parcours.criteres import ensure_criteres
    from parcours.models import CriterePublic

    ensure_criteres(CriterePublic)


class ParcoursConfig(AppConfig):
    name = "parcours"
    verbose_name = "Parcours"

    def ready(self):
        # Also after a flush (transactional tests, benchmarks), which empties reference rows.
        post_migrate.connect(_ensure_criteres, sender=self)
