from django.urls import path

from parcours.views import suspensions

app_name = "suspensions"

urlpatterns = [
    path("parcours/<int:pk>/ajouter/", suspensions.suspension_create, name="ajouter"),
    path("parcours/<int:pk>/<int:suspension>/modifier/", suspensions.suspension_edit, name="modifier"),
    path("parcours/<int:pk>/<int:suspension>/supprimer/", suspensions.suspension_delete, name="supprimer"),
]
