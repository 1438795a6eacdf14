"""One home page per role, each useful on its own."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parcours.models import Etat, Parcours
from parcours.services import charge_referents
from plie import permissions
from plie.accounts.models import Role
from plie.referentiel.models import Referentiel


def home(request):
    user = request.user
    if user.is_superuser or user.role == Role.COORDINATION:
        return _home_coordination(request)
    if user.role == Role.REFERENT:
        return _home_referent(request)
    if user.role in {Role.PRESCRIPTEUR, Role.BUREAU_INSERTION}:
        return _home_prescripteur(request)
    if user.role == Role.OPERATEUR:
        return _home_operateur(request)
    if permissions.can_view_aggregates(user):
        return _home_financeur(request)
    raise PermissionDenied


def _counts_context():
    counts = Parcours.objects.counts_by_etat()
    return {
        "counts": [(etat, etat.label, counts[etat]) for etat in Etat],
        "total": sum(counts.values()),
    }


def _home_coordination(request):
    referentiel = Referentiel.objects.active_or_none()
    context = _counts_context()
    context["referentiel"] = referentiel
    context["charges"] = charge_referents(referentiel) if referentiel else []
    return render(request, "home/coordination.html", context)


def _home_referent(request):
    parcours = (
        Parcours.objects.visible_to(request.user)
        .ouverts()
        .select_related("participant", "participant__commune")
        .order_by("participant__nom_usage", "participant__prenoms")
    )
    page = Paginator(parcours, 25).get_page(request.GET.get("page"))
    return render(request, "home/referent.html", {"page_obj": page})


def _home_prescripteur(request):
    parcours = (
        Parcours.objects.visible_to(request.user)
        .select_related("participant", "referent")
        .order_by("-date_prescription", "-id")
    )
    page = Paginator(parcours, 25).get_page(request.GET.get("page"))
    return render(request, "home/prescripteur.html", {"page_obj": page})


def _home_operateur(request):
    referentiel = Referentiel.objects.active_or_none()
    charges = charge_referents(referentiel, structure=request.user.structure) if referentiel else []
    return render(request, "home/operateur.html", {"charges": charges, "referentiel": referentiel})


def _home_financeur(request):
    return render(request, "home/financeur.html", _counts_context())


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
