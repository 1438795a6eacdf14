from django.apps import AppConfig


class AccesConfig(AppConfig):
    name = "plie.acces"
    label = "acces"
    verbose_name = "Journal des accès aux dossiers"
