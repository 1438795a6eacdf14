"""The étape pages, reached from the parcours page: add, edit, and start / finish / abandon an étape.

Only the parcours's référent and the coordination reach them (``permissions.can_view_etapes``); for
everyone else they do not exist (404). Each request is logged as an access to the parcours.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from parcours.etapes import TRANSITIONS, EtapeError
from parcours.etapes_forms import CHERCHER, EtapeForm, EtapeTransitionForm
from parcours.models import Etape, EvenementEtape, Parcours
from plie import permissions
from plie.acces.journal import journalise
from plie.conflits import SNAPSHOT_FIELD
from plie.referentiel.models import Referentiel

# The transitions asked for on the étape's own page (the creations are the « add » page): every one
# with a source state.
PAGES = frozenset(t for t in TRANSITIONS.values() if t.sources)


def etapes_du_parcours(user, parcours) -> dict:
    """The parcours page's étapes block: None for whom may not see them, else (étape, its actions) rows."""
    if not permissions.can_view_etapes(user, parcours):
        return {"etapes": None, "etapes_modifiables": False}
    modifiables = permissions.can_edit_etapes(user, parcours)
    # Why an étape was given up comes with its row (a note on the person: the block is for whom may read it).
    abandon = EvenementEtape.objects.filter(etape=OuterRef("pk"), transition="abandonner").order_by("-date", "-id")
    rows = [
        (
            etape,
            [t for t in etape.transitions_possibles() if t in PAGES] if modifiables else [],
            etape.motif_abandon or "",
        )
        for etape in parcours.etapes.frise().annotate(motif_abandon=Subquery(abandon.values("motif")[:1]))
    ]
    return {"etapes": rows, "etapes_modifiables": modifiables}


def _parcours(request, pk, *, edit=True):
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent"), pk=pk
    )
    allowed = permissions.can_edit_etapes if edit else permissions.can_view_etapes
    if not allowed(request.user, parcours):
        raise Http404("Étapes indisponibles pour ce parcours.")
    return parcours


def _retour(parcours):
    return redirect(reverse("parcours:detail", args=[parcours.pk]) + "#etapes")


def _add_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _form(request, parcours, etape):
    """The form, bound to what was posted; after « Chercher », re-shown with the matches, unsaved."""
    referentiel = Referentiel.objects.active_or_none()
    if request.method == "POST" and CHERCHER in request.POST:
        posted = request.POST
        form = EtapeForm(
            referentiel,
            instance=etape,
            initial={k: posted.get(k) for k in posted if k not in {"csrfmiddlewaretoken", CHERCHER}},
            recherche=posted.get("recherche_ressource", "")[:100],
        )
        if SNAPSHOT_FIELD in form.fields:  # the values as first seen, not as they are now
            form.initial[SNAPSHOT_FIELD] = posted.get(SNAPSHOT_FIELD, "")
        return form, False
    form = EtapeForm(referentiel, request.POST or None, instance=etape)
    return form, request.method == "POST" and form.is_valid()


@journalise("parcours")
def etape_create(request, pk):
    parcours = _parcours(request, pk)
    form, valid = _form(request, parcours, Etape(parcours=parcours))
    if valid:
        try:
            etape = Etape.planifier(request.user, parcours, commencee=form.cleaned_data["commencee"], **form.donnees())
        except EtapeError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Étape « {etape.get_type_display()} » ajoutée.")
            return _retour(parcours)
    return render(request, "parcours/etape_form.html", {"parcours": parcours, "form": form, "etape": None})


@journalise("parcours")
def etape_edit(request, pk, etape_pk):
    parcours = _parcours(request, pk)
    etape = get_object_or_404(parcours.etapes.select_related("ressource"), pk=etape_pk)
    form, valid = _form(request, parcours, etape)
    if valid:
        try:
            with transaction.atomic():
                saved = form.sans_conflit()
                if saved:
                    etape.modifier(request.user, **form.donnees())
        except EtapeError as error:
            _add_error(form, error)
        else:
            if saved:
                messages.success(request, f"Étape « {etape.get_type_display()} » enregistrée.")
                return _retour(parcours)
    return render(request, "parcours/etape_form.html", {"parcours": parcours, "form": form, "etape": etape})


@journalise("parcours")
def etape_transition(request, pk, etape_pk, transition):
    parcours = _parcours(request, pk)
    etape = get_object_or_404(parcours.etapes.select_related("ressource"), pk=etape_pk)
    if TRANSITIONS.get(transition) not in PAGES or not permissions.can_apply_etape_transition(
        request.user, etape, TRANSITIONS[transition]
    ):
        raise Http404("Action indisponible pour cette étape.")
    declared = TRANSITIONS[transition]
    form = EtapeTransitionForm(declared, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            getattr(etape, transition)(request.user, form.cleaned_data["date"], form.cleaned_data["motif"])
        except EtapeError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Étape « {etape.get_type_display()} » : {etape.get_etat_display().lower()}.")
            return _retour(parcours)
    return render(
        request,
        "parcours/etape_transition.html",
        {"parcours": parcours, "etape": etape, "form": form, "transition": declared},
    )
