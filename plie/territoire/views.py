from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from plie import permissions
from plie.listes import paginer
from plie.referentiel.models import Referentiel
from plie.territoire.forms import CommuneCentroidForm, CommuneSearchForm
from plie.territoire.models import Commune


def commune_list(request):
    if not permissions.can_edit_communes(request.user):
        raise PermissionDenied
    form = CommuneSearchForm(request.GET)
    communes = Commune.objects.all()
    referentiel = Referentiel.objects.active_or_none()
    if referentiel:
        communes = communes.in_epcis(referentiel.epci_sirens)
    communes = form.filtrer(communes).order_by("nom")
    return render(
        request, "territoire/list.html", {"form": form, "referentiel": referentiel, **paginer(request, communes, 50)}
    )


def commune_edit(request, insee):
    if not permissions.can_edit_communes(request.user):
        raise PermissionDenied
    commune = get_object_or_404(Commune, insee=insee)
    form = CommuneCentroidForm(request.POST or None, instance=commune)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.sans_conflit()
            if saved:
                form.save()
        if saved:
            messages.success(request, f"Coordonnées de {commune.nom} enregistrées.")
            return redirect("territoire:list")
    return render(request, "territoire/edit.html", {"form": form, "commune": commune})
