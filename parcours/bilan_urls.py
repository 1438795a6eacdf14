"""The bilans intermédiaires (parcours.views.bilans): ``bilans:demande`` (a request's pk) serves the PDF
stored with a measure-renewal request; ``bilans:apercu`` (a parcours's pk) draws the measure in progress."""

from django.urls import path

from parcours.views import bilans

app_name = "bilans"

urlpatterns = [
    path("<int:pk>/", bilans.demande, name="demande"),
    path("parcours/<int:pk>/", bilans.apercu, name="apercu"),
]
