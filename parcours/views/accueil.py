"""The accueil pages: fix the first appointment, log a contact attempt."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from parcours import accueil
from parcours.forms import PremierRdvForm, TentativeContactForm
from parcours.models import Parcours
from parcours.workflow import TRANSITIONS, TransitionError
from plie import permissions
from plie.acces.journal import journalise
from plie.redirects import safe_next
from plie.referentiel.models import Referentiel

# The parameters of the rules, as the forms name them.
FORM_FIELD = {"date_premier_rdv": "date", "debut": "date"}


def _parcours(request, pk):
    return get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent", "prescripteur"), pk=pk
    )


def _next_or_detail(request, parcours):
    """Back where the person came from (their home page, say), or to the parcours."""
    return redirect(safe_next(request, reverse("parcours:detail", args=[parcours.pk])))


def _add_error(form, error):
    field = FORM_FIELD.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


@journalise("parcours")
def premier_rdv(request, pk):
    parcours = _parcours(request, pk)
    transition = TRANSITIONS["accueillir"]
    if not permissions.can_apply_transition(request.user, parcours, transition):
        raise Http404("Action indisponible pour ce parcours.")
    referentiel = Referentiel.objects.active_or_none()
    duree = referentiel and (referentiel.duree_diagnostic_minutes or referentiel.duree_entretien_minutes)
    form = PremierRdvForm(parcours, request.POST or None, duree_initiale=duree or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rdv = accueil.fixer_premier_rdv(
                parcours,
                by=request.user,
                debut=data["debut"],
                lieu=data["lieu"],
                lieu_precision=data["lieu_precision"],
                modalite=data["modalite"],
                duree_minutes=data["duree_minutes"],
            )
        except TransitionError as error:
            _add_error(form, error)
        else:
            message = f"Premier rendez-vous fixé le {rdv.debut_local:%d/%m/%Y à %H:%M}."
            if accueil.adresse_prescripteur(parcours):
                message += " Le prescripteur en est informé par email."
            messages.success(request, message)
            return redirect("parcours:detail", pk=parcours.pk)
    return render(
        request,
        "parcours/accueil_premier_rdv.html",
        {
            "parcours": parcours,
            "form": form,
            "delai": accueil.delai_premier_contact(parcours, referentiel),
            "tentatives": parcours.tentatives_contact.de_l_accueil(parcours).journal(),
            "sensitive": permissions.can_view_sensitive(request.user, parcours),
            "invite": accueil.prescripteur_invite(parcours),
            "prescripteur_informe": accueil.adresse_prescripteur(parcours) is not None,
        },
    )


@journalise("parcours")
def tentative_contact(request, pk):
    parcours = _parcours(request, pk)
    if not permissions.can_log_contact_attempt(request.user, parcours):
        raise Http404("Action indisponible pour ce parcours.")
    form = TentativeContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accueil.noter_tentative(
                parcours,
                by=request.user,
                canal=data["canal"],
                abouti=data["abouti"],
                date=data["date"],
                commentaire=data["commentaire"],
            )
        except TransitionError as error:
            _add_error(form, error)
        else:
            messages.success(request, "Tentative de contact notée.")
            return _next_or_detail(request, parcours)
    return render(
        request,
        "parcours/accueil_tentative.html",
        {
            "parcours": parcours,
            "form": form,
            "next": safe_next(request, ""),
            # Always true today (logging an attempt needs it); kept so the numbers follow the rule.
            "sensitive": permissions.can_view_sensitive(request.user, parcours),
        },
    )
