from django.apps import AppConfig


class SortiesConfig(AppConfig):
    name = "sorties"
    verbose_name = "Sorties"
