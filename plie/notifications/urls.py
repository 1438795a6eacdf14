from django.urls import path

from plie.notifications.views import notification_list, notification_open, notification_read_all

app_name = "notifications"

urlpatterns = [
    path("", notification_list, name="list"),
    path("<int:pk>/ouvrir/", notification_open, name="open"),
    path("tout-lu/", notification_read_all, name="read_all"),
]
