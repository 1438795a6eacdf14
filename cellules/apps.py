from django.apps import AppConfig


class CellulesConfig(AppConfig):
    name = "cellules"
    verbose_name = "Cellules de suivi"
