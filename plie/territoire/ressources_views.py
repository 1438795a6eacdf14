"""The catalogue of the ressources du territoire: the coordination keeps it, référents read and search it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from plie import permissions
from plie.listes import paginer
from plie.referentiel.models import Referentiel
from plie.territoire.forms import RessourceChoiceField, RessourceForm, RessourceSearchForm, ressources_proposees
from plie.territoire.models import RessourceTerritoire


def _catalogue():
    """The active PLIE's ressources (none while no référentiel is active)."""
    return RessourceTerritoire.objects.du_referentiel(Referentiel.objects.active_or_none())


def _require_manage(user):
    if not permissions.can_manage_ressources(user):
        raise PermissionDenied


def ressource_list(request):
    if not permissions.can_view_ressources(request.user):
        raise PermissionDenied
    form = RessourceSearchForm(request.GET)
    rows = _catalogue().select_related("structure")
    if not permissions.can_manage_ressources(request.user):
        rows = rows.actives()  # référents read what they may propose
        form.fields.pop("active")
    rows = form.filtrer(rows).order_by("nom", "pk")
    return render(
        request,
        "territoire/ressource_list.html",
        {
            "form": form,
            "referentiel": Referentiel.objects.active_or_none(),
            "can_manage": permissions.can_manage_ressources(request.user),
            **paginer(request, rows),
        },
    )


def ressource_edit(request, pk=None):
    _require_manage(request.user)
    referentiel = Referentiel.objects.active_or_none()
    if pk is not None:
        ressource = get_object_or_404(_catalogue(), pk=pk)
    elif referentiel is None:
        messages.error(request, "Aucun référentiel n'est actif : le catalogue ne peut pas encore être complété.")
        return redirect("ressources:list")
    else:
        ressource = RessourceTerritoire(referentiel=referentiel)
    form = RessourceForm(request.POST or None, instance=ressource)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.sans_conflit()
            if saved:
                ressource = form.save(commit=False)
                ressource._history_user = request.user
                ressource.save()
        if saved:
            messages.success(request, f"La ressource « {ressource.nom} » est enregistrée.")
            return redirect("ressources:list")
    return render(request, "territoire/ressource_edit.html", {"form": form, "ressource": ressource})


def ressource_activation(request, pk, action):
    """GET asks for confirmation, POST applies: deactivate or reactivate a ressource."""
    _require_manage(request.user)
    ressource = get_object_or_404(_catalogue(), pk=pk, active=(action == "desactiver"))
    if request.method == "POST":
        ressource.active = action != "desactiver"
        ressource._history_user = request.user
        ressource.save(update_fields=["active", "modifie_le"])
        etat = "réactivée" if ressource.active else "désactivée : elle n'est plus proposée dans les étapes"
        messages.success(request, f"La ressource « {ressource.nom} » est {etat}.")
        return redirect("ressources:list")
    return render(
        request,
        "territoire/ressource_activation.html",
        {"ressource": ressource, "action": action, "etapes": ressource.etapes.count()},
    )


@require_GET
def ressource_options(request):
    """The <option>s of the étape form's ressource list for what is typed (htmx; the form works without)."""
    if not permissions.can_view_ressources(request.user):
        raise PermissionDenied
    texte = request.GET.get("recherche_ressource", "")[:100]
    choisie = request.GET.get("ressource", "")
    referentiel = Referentiel.objects.active_or_none()
    trouvees = ressources_proposees(referentiel, texte)
    # The ressource already chosen stays in the list (an edited étape keeps even a deactivated one).
    garder = _catalogue().filter(pk=choisie).values_list("pk", flat=True).first() if choisie.isdigit() else None
    field = RessourceChoiceField(queryset=ressources_proposees(referentiel, texte, garder=garder), required=False)
    field.empty_label = "Aucune"
    options = [(str(value), label) for value, label in field.choices]
    return render(
        request,
        "territoire/ressource_options.html",
        {"options": options, "choisie": choisie, "aucune": bool(texte) and not trouvees.exists()},
    )
