"""The coordination's review pages (no namespace: the navigation names them « revue »)."""

from django.urls import path

from parcours.views.revue import revue_mesures, revue_parcours

urlpatterns = [
    path("", revue_parcours, name="revue"),
    path("mesures/", revue_mesures, name="revue_mesures"),
]
