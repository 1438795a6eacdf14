from django.urls import path

from parcours.views import ateliers

app_name = "ateliers"

urlpatterns = [
    path("", ateliers.liste, name="list"),
    path("nouveau/", ateliers.creer, name="creer"),
    path("<int:pk>/", ateliers.detail, name="detail"),
    path("<int:pk>/inviter/", ateliers.inviter, name="inviter"),
    path("invitations/<int:pk>/retirer/", ateliers.desinviter, name="desinviter"),
    path("seances/<int:pk>/", ateliers.seance, name="seance"),
    path("seances/<int:pk>/modifier/", ateliers.seance_modifier, name="seance_modifier"),
    path("seances/<int:pk>/annuler/", ateliers.seance_annuler, name="seance_annuler"),
    path("seances/<int:pk>/clore/", ateliers.seance_clore, name="seance_clore"),
]
