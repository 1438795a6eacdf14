"""The participant's leave, illness or hospitalisation, reached from the dossier's « Mesure » card.

Only whom :func:`plie.permissions.can_record_suspension` allows (the parcours's référent and the
coordination, while the measure runs) reaches them; for everyone else they do not exist (404). Each
request is logged as an access to the parcours.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from parcours import suspensions
from parcours.forms_suspensions import SuspensionForm
from parcours.models import Parcours
from parcours.suspensions import SuspensionError
from plie import permissions
from plie.acces.journal import journalise


def _parcours(request, pk):
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent"), pk=pk
    )
    if not permissions.can_record_suspension(request.user, parcours):
        raise Http404("Suspensions indisponibles pour ce parcours.")
    return parcours


def _suspension(parcours, suspension_pk):
    return get_object_or_404(parcours.suspensions.all(), pk=suspension_pk)


def _retour(parcours):
    return redirect(reverse("parcours:detail", args=[parcours.pk]) + "#mesure")


def _add_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _message(parcours, quoi):
    fin = f" Fin de la mesure : {parcours.date_fin_mesure:%d/%m/%Y}." if parcours.date_fin_mesure else ""
    return f"{quoi}{fin}"


@journalise("parcours")
def suspension_create(request, pk):
    parcours = _parcours(request, pk)
    form = SuspensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suspension = suspensions.enregistrer(request.user, parcours, **form.donnees())
        except SuspensionError as error:
            _add_error(form, error)
        else:
            messages.success(request, _message(parcours, f"Suspension enregistrée ({suspension.jours} jours)."))
            return _retour(parcours)
    return render(request, "parcours/suspension_form.html", {"parcours": parcours, "form": form, "suspension": None})


@journalise("parcours")
def suspension_edit(request, pk, suspension):
    parcours = _parcours(request, pk)
    suspension = _suspension(parcours, suspension)
    form = SuspensionForm(request.POST or None, suspension=suspension)
    if request.method == "POST" and form.is_valid():
        try:
            suspensions.modifier(request.user, form.suspension_lue(), **form.donnees())
        except SuspensionError as error:
            _add_error(form, error)
        else:
            messages.success(request, _message(parcours, "Suspension modifiée."))
            return _retour(parcours)
    return render(
        request, "parcours/suspension_form.html", {"parcours": parcours, "form": form, "suspension": suspension}
    )


@journalise("parcours")
def suspension_delete(request, pk, suspension):
    parcours = _parcours(request, pk)
    suspension = _suspension(parcours, suspension)
    erreur = ""
    if request.method == "POST":
        try:
            suspensions.supprimer(request.user, suspension)
        except SuspensionError as error:
            erreur = error.message
        else:
            messages.success(request, _message(parcours, "Suspension supprimée."))
            return _retour(parcours)
    return render(
        request,
        "parcours/suspension_delete.html",
        {"parcours": parcours, "suspension": suspension, "erreur": erreur},
    )
