from django.apps import AppConfig


class TerritoireConfig(AppConfig):
    name = "plie.territoire"
    label = "territoire"
    verbose_name = "Territoire"
