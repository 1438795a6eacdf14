from django.urls import path

from plie.territoire import ressources_views as views

app_name = "ressources"

urlpatterns = [
    path("", views.ressource_list, name="list"),
    path("nouvelle/", views.ressource_edit, name="create"),
    path("options/", views.ressource_options, name="options"),
    path("<int:pk>/", views.ressource_edit, name="edit"),
    path("<int:pk>/desactiver/", views.ressource_activation, {"action": "desactiver"}, name="deactivate"),
    path("<int:pk>/reactiver/", views.ressource_activation, {"action": "reactiver"}, name="reactivate"),
]
