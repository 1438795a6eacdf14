from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "plie.notifications"
    label = "notifications"
    verbose_name = "Notifications et emails"
