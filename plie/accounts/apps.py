from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "plie.accounts"
    label = "accounts"
    verbose_name = "Comptes et structures"
