from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from plie import permissions
from plie.referentiel.models import Referentiel
from plie.territoire.forms import CommuneCentroidForm, CommuneSearchForm
from plie.territoire.models import Commune


def commune_list(request):
    if not permissions.can_edit_communes(request.user):
        raise PermissionDenied
    form = CommuneSearchForm(request.GET or None)
    communes = Commune.objects.all()
    referentiel = Referentiel.objects.active_or_none()
    if referentiel:
        communes = communes.in_epcis(referentiel.epci_sirens)
    if form.is_valid():
        communes = communes.search(form.cleaned_data["q"])
        if form.cleaned_data["sans_coordonnees"]:
            communes = communes.filter(latitude__isnull=True)
    page = Paginator(communes.order_by("nom"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "territoire/list.html",
        {"form": form, "page_obj": page, "referentiel": referentiel, "querystring": query.urlencode()},
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
