from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render

from plie import permissions
from plie.referentiel.decisions import TypeDemande
from plie.referentiel.forms import ReferentielForm
from plie.referentiel.models import Referentiel
from plie.territoire.models import Commune


def referentiel_detail(request):
    if not permissions.can_view_referentiel(request.user):
        raise PermissionDenied
    referentiel = Referentiel.objects.active_or_none()
    context = {"referentiel": referentiel, "can_edit": permissions.can_edit_referentiel(request.user)}
    if referentiel:
        context.update(
            regles=referentiel.regles_sortie.all(),
            nb_communes=Commune.objects.in_epcis(referentiel.epci_sirens).count(),
            libelles_criteres=referentiel.libelles_criteres(),
            historique=referentiel.history.select_related("history_user")[:10],
            demandes_en_cellule=[
                TypeDemande(t).label for t in referentiel.demandes_en_cellule if t in TypeDemande.values
            ],
        )
    return render(request, "referentiel/detail.html", context)


def referentiel_edit(request):
    if not permissions.can_edit_referentiel(request.user):
        raise PermissionDenied
    referentiel = Referentiel.objects.active_or_none()
    if referentiel is None:
        messages.error(request, "Aucun référentiel n'est actif : chargez les référentiels prédéfinis.")
        return redirect("referentiel:detail")
    form = ReferentielForm(request.POST or None, instance=referentiel)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.sans_conflit()
            if saved:
                form.save()
        if saved:
            messages.success(request, "Le référentiel est enregistré.")
            return redirect("referentiel:detail")
    return render(request, "referentiel/edit.html", {"form": form, "referentiel": referentiel})
