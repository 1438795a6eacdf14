from django.urls import path

from plie.acces.views import journal

app_name = "acces"

urlpatterns = [
    path("", journal, name="journal"),
]
