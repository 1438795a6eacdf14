from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _ensure_criteres(sender, apps=global_apps, **kwargs):
    """The criteria after every migrate and every ``flush`` (which empties reference rows)."""
    from plie.referentiel.criteres import ensure_criteres

    try:  # the migrated state's model, as contenttypes does: its table is the one that exists now
        model = apps.get_model("referentiel", "CriterePublic")
    except LookupError:  # migrated back before the criteria joined the référentiel
        return
    ensure_criteres(model)


class ReferentielConfig(AppConfig):
    name = "plie.referentiel"
    label = "referentiel"
    verbose_name = "Référentiel"

    def ready(self):
        post_migrate.connect(_ensure_criteres, sender=self)
