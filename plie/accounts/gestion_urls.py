"""The PLIE's own administration: structures, référents' posts, places, accounts (coordination)."""

from django.urls import path

from plie.accounts import postes_views, structures_views, users_views

urlpatterns = [
    path("structures/", structures_views.structure_list, name="structure_list"),
    path("structures/nouvelle/", structures_views.structure_edit, name="structure_create"),
    path("structures/<int:pk>/", structures_views.structure_edit, name="structure_edit"),
    path("lieux/", postes_views.lieu_list, name="lieu_list"),
    path("lieux/nouveau/", postes_views.lieu_edit, name="lieu_create"),
    path("lieux/<int:pk>/", postes_views.lieu_edit, name="lieu_edit"),
    path("referents/<int:pk>/poste/", postes_views.poste_edit, name="poste_edit"),
    path(
        "compte/utilisateurs/<int:pk>/desactiver/",
        users_views.user_activation,
        {"action": "desactiver"},
        name="user_deactivate",
    ),
    path(
        "compte/utilisateurs/<int:pk>/reactiver/",
        users_views.user_activation,
        {"action": "reactiver"},
        name="user_reactivate",
    ),
    path("referents/<int:pk>/vacance/", postes_views.vacance_declare, name="vacance_declare"),
]
