"""The PLIE's own administration: structures, référents' posts, places, accounts (coordination)."""

from django.urls import path

from plie.accounts import structures_views

urlpatterns = [
    path("structures/", structures_views.structure_list, name="structure_list"),
    path("structures/nouvelle/", structures_views.structure_edit, name="structure_create"),
    path("structures/<int:pk>/", structures_views.structure_edit, name="structure_edit"),
]
