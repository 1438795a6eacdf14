"""The référent enters, changes and deletes their own expenses (changes and deletion until the coordination
decides). Others get a 403 on the entry page, a 404 on someone else's expense."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from financement import depenses as regles
from financement.forms import DepenseForm
from financement.models import DepenseAtelier
from plie import permissions


def _retour(annee):
    return f"{reverse('depenses:budget')}?annee={annee}"


def depense_create(request):
    user = request.user
    if not permissions.can_add_depense_atelier(user):
        raise PermissionDenied
    referentiel = regles.referentiel_actif()
    depense = DepenseAtelier(referent=user, cree_par=user, date=timezone.localdate())
    form = DepenseForm(request.POST or None, request.FILES or None, instance=depense, referentiel=referentiel)
    if request.method == "POST" and form.is_valid():
        try:
            regles.ajouter(form.instance, user, form.cleaned_data.get("fichier"))
        except regles.DepenseError as error:
            form.refuser(error)
        else:
            messages.success(
                request,
                f"Dépense enregistrée : {regles.euros(depense.montant)} le {depense.date:%d/%m/%Y}, à valider par la "
                "coordination.",
            )
            return redirect(_retour(depense.date.year))
    budget = regles.budget(user, timezone.localdate().year, referentiel)
    return render(
        request,
        "depenses/depense_form.html",
        {"form": form, "depense": None, "budget": budget, "retour": _retour(timezone.localdate().year)},
    )


def _depense(request, pk):
    depense = get_object_or_404(regles.depenses_visibles(request.user).select_related("referent"), pk=pk)
    if not permissions.can_edit_depense_atelier(request.user, depense):
        raise Http404("Cette dépense ne se modifie plus.")
    return depense


def depense_edit(request, pk):
    depense = _depense(request, pk)
    referentiel = regles.referentiel_actif()
    form = DepenseForm(request.POST or None, request.FILES or None, instance=depense, referentiel=referentiel)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.sans_conflit()
                if saved:
                    regles.modifier(
                        form.instance,
                        request.user,
                        form.cleaned_data.get("fichier"),
                        retirer_justificatif=form.cleaned_data.get("retirer_justificatif", False),
                    )
        except regles.DepenseError as error:
            form.refuser(error)
            saved = False
        if saved:
            messages.success(request, f"Dépense du {depense.date:%d/%m/%Y} enregistrée.")
            return redirect(_retour(depense.date.year))
    return render(
        request,
        "depenses/depense_form.html",
        {
            "form": form,
            "depense": depense,
            "budget": regles.budget(depense.referent, depense.date.year, referentiel),
            "retour": _retour(depense.date.year),
        },
    )


def depense_delete(request, pk):
    depense = _depense(request, pk)
    retour = _retour(depense.date.year)
    if request.method == "POST":
        try:
            regles.supprimer(depense, request.user)
        except regles.DepenseError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Dépense supprimée : {regles.euros(depense.montant)} le {depense.date:%d/%m/%Y}."
            )
        return redirect(retour)
    return render(request, "depenses/depense_delete.html", {"depense": depense, "retour": retour})
