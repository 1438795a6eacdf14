from django.urls import path

from prescriptions.transitions import DECISIONS
from prescriptions.views import coordination, detail, prescripteur, validation

app_name = "prescriptions"

urlpatterns = [
    path("", prescripteur.mes_prescriptions, name="mine"),
    path("nouvelle/", prescripteur.prescription_create, name="create"),
    path("a-traiter/", coordination.queue, name="queue"),
    path("validations/", validation.validations_bureau_insertion, name="validations"),
    path("<int:pk>/", detail.prescription_detail, name="detail"),
    path("<int:pk>/modifier/", prescripteur.prescription_edit, name="edit"),
    path("<int:pk>/supprimer/", prescripteur.prescription_delete, name="delete"),
    path("<int:pk>/doublons/", coordination.doublons, name="doublons"),
    path("<int:pk>/doublons/rattacher/<int:participant_pk>/", coordination.rattacher, name="rattacher"),
    path(
        "<int:pk>/doublons/ecarter/<slug:kind>/<int:other_pk>/",
        coordination.ecarter,
        name="ecarter",
    ),
    path(
        "<int:pk>/validation/<slug:organisme>/demander/",
        coordination.demander_validation,
        name="demander_validation",
    ),
    path("<int:pk>/validation/<slug:organisme>/avis/", validation.avis, name="avis"),
    # The decisions sharing one page (complement/, refus/): their paths come from their declared entry.
    *(
        path(f"<int:pk>/{page.chemin}/", coordination.decision, {"name": page.name}, name=page.url_name)
        for page in DECISIONS
        if page.generique
    ),
    path("<int:pk>/acceptation/", coordination.acceptation, name="acceptation"),
]
