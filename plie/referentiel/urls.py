from django.urls import path

from plie.referentiel import views

app_name = "referentiel"

urlpatterns = [
    path("", views.referentiel_detail, name="detail"),
    path("modifier/", views.referentiel_edit, name="edit"),
    path("convocations/", views.convocations_edit, name="convocations"),
    path("convocations/apercu/", views.convocations_apercu, name="convocations_apercu"),
]
