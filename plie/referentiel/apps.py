from django.apps import AppConfig


class ReferentielConfig(AppConfig):
    name = "plie.referentiel"
    label = "referentiel"
    verbose_name = "Référentiel"
