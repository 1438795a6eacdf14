from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from plie import permissions
from plie.referentiel import convocations
from plie.referentiel.decisions import TypeDemande
from plie.referentiel.forms import ConvocationsForm, ReferentielForm
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


def _referentiel_a_regler(request):
    if not permissions.can_edit_referentiel(request.user):
        raise PermissionDenied
    return Referentiel.objects.active_or_none()


def convocations_edit(request):
    """The convocations' delay, hour, sender, contact number and SMS template, with the SMS previewed."""
    referentiel = _referentiel_a_regler(request)
    if referentiel is None:
        messages.error(request, "Aucun référentiel n'est actif : chargez les référentiels prédéfinis.")
        return redirect("referentiel:detail")
    form = ConvocationsForm(request.POST or None, instance=referentiel)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.sans_conflit()
            if saved:
                form.save()
        if saved:
            messages.success(request, "Les réglages des convocations sont enregistrés.")
            return redirect("referentiel:convocations")
    if form.is_bound:
        apercu = _apercu_saisi(request.POST, referentiel)
    else:
        apercu = convocations.apercu(referentiel.sms_modele, referentiel.sms_expediteur, referentiel.telephone_contact)
    return render(
        request,
        "referentiel/convocations.html",
        {"form": form, "referentiel": referentiel, "apercu": apercu, "variables": convocations.VARIABLES},
    )


def _apercu_saisi(data, referentiel):
    longueur = Referentiel._meta.get_field("sms_modele").max_length
    return convocations.apercu(
        data.get("sms_modele", "")[: longueur * 2],
        data.get("sms_expediteur", "")[:20],
        data.get("telephone_contact", "")[:30],
    )


@require_POST
def convocations_apercu(request):
    """The live count and preview (htmx, on every keystroke of the form): nothing is saved."""
    referentiel = _referentiel_a_regler(request)
    if referentiel is None:
        raise Http404("Aucun référentiel n'est actif.")
    return render(request, "referentiel/_apercu_sms.html", {"apercu": _apercu_saisi(request.POST, referentiel)})
