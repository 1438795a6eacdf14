from django.urls import path

from financement.views import budget, justificatif, saisie, validation

app_name = "depenses"

urlpatterns = [
    path("", budget.budget, name="budget"),
    path("referents/<int:pk>/", budget.budget_referent, name="referent"),
    path("a-valider/", validation.a_valider, name="a_valider"),
    path("depenses/nouvelle/", saisie.depense_create, name="create"),
    path("depenses/<int:pk>/modifier/", saisie.depense_edit, name="edit"),
    path("depenses/<int:pk>/supprimer/", saisie.depense_delete, name="delete"),
    path("depenses/<int:pk>/valider/", validation.valider, name="valider"),
    path("depenses/<int:pk>/refuser/", validation.refuser, name="refuser"),
    path("depenses/<int:pk>/justificatif/", justificatif.justificatif, name="justificatif"),
]
