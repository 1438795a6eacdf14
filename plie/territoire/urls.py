from django.urls import path

from plie.territoire import views

app_name = "territoire"

urlpatterns = [
    path("", views.commune_list, name="list"),
    path("<str:insee>/", views.commune_edit, name="edit"),
]
