"""The contract's pages: the contract of a parcours, its draft, each step, and its PDF."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from parcours import cer
from parcours.cer_forms import ContratForm
from parcours.cer_transitions import ETAPES
from parcours.models import ContratError, Parcours, StatutContrat
from parcours.models.cer import TRANSITIONS
from plie import pdf, permissions
from plie.acces.journal import journalise
from plie.acces.models import Action
from plie.referentiel.models import Referentiel


def _parcours(request, pk):
    parcours = get_object_or_404(
        Parcours.objects.visible_to(request.user).select_related("participant", "referent", "referent__structure"),
        pk=pk,
    )
    if not permissions.can_view_contrat(request.user, parcours):
        raise Http404("Contrat réservé au référent, à la coordination et au bureau insertion quand il est RUP.")
    return parcours


def _referentiel():
    """The contract's name and rules come from the active référentiel; without one there is no contract page."""
    referentiel = Referentiel.objects.active_or_none()
    if referentiel is None:
        raise Http404("Aucun référentiel n'est actif : la coordination doit en activer un.")
    return referentiel


def _add_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


@journalise("parcours")
def contrat(request, pk):
    parcours = _parcours(request, pk)
    referentiel = _referentiel()
    courant = cer.contrat_en_cours(parcours)
    etapes = []
    if courant is not None:
        etapes = [
            ETAPES[t.name]
            for t in cer.etapes_prevues(courant, referentiel)
            if permissions.can_apply_contrat_step(request.user, courant, t)
        ]
    return render(
        request,
        "parcours/contrat.html",
        {
            "parcours": parcours,
            "contrat": courant,
            "fin": cer.date_fin(courant) if courant else None,
            "evenements": courant.evenements.select_related("auteur") if courant else [],
            "etapes": [(e.url(parcours), TRANSITIONS[e.name]) for e in etapes],
            "rang": cer.rang_minimum(parcours, referentiel),
            "honores": cer.rdv_honores(parcours),
            "referentiel": referentiel,
            "modifiable": courant is not None
            and courant.statut == StatutContrat.BROUILLON
            and permissions.can_write_contrat(request.user, parcours),
            "redigeable": (courant is None or courant.statut == StatutContrat.REFUSE)
            and permissions.can_write_contrat(request.user, parcours),
        },
    )


@journalise("parcours")
def contrat_rediger(request, pk):
    """Write the draft, or edit it until it is signed."""
    parcours = _parcours(request, pk)
    if not permissions.can_write_contrat(request.user, parcours):
        raise Http404("Le contrat ne se rédige pas à ce stade du parcours.")
    courant = cer.contrat_en_cours(parcours)
    if courant is not None and courant.statut == StatutContrat.REFUSE:
        courant = None  # a refused integration leaves room for a new contract
    if courant is not None and courant.statut != StatutContrat.BROUILLON:
        raise Http404("Un contrat signé ne se modifie plus.")
    form = ContratForm(request.POST or None, instance=courant, parcours=parcours)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = _enregistrer(form, parcours, courant, request.user)
        except ContratError as error:
            _add_error(form, error)
        else:
            if saved:
                messages.success(request, "Contrat enregistré.")
                return redirect("parcours:contrat", pk=parcours.pk)
    referentiel = _referentiel()
    return render(
        request, "parcours/contrat_form.html", {"parcours": parcours, "form": form, "referentiel": referentiel}
    )


def _enregistrer(form, parcours, courant, by) -> bool:
    """Write the new draft, or save the edited one unless someone changed it meanwhile (False)."""
    data = form.cleaned_data
    if courant is None:
        cer.rediger(parcours, by, **{name: data[name] for name in cer.CHAMPS})
    elif form.sans_conflit():
        saved = form.save(commit=False)
        saved._history_user = by
        saved.save()
    else:
        return False
    cer.conditionner_rsa(parcours, data["cer_conditionne_rsa"], by)
    return True


@journalise("parcours")
def contrat_etape(request, pk, etape):
    parcours = _parcours(request, pk)
    page = ETAPES.get(etape)
    courant = cer.contrat_en_cours(parcours)
    referentiel = _referentiel()
    if (
        page is None
        or courant is None
        or not permissions.can_apply_contrat_step(request.user, courant, TRANSITIONS[etape])
        or (request.method != "POST" and TRANSITIONS[etape] not in cer.etapes_prevues(courant, referentiel))
    ):
        # A step the référentiel does not provide is still refused with its reason when posted.
        raise Http404("Étape indisponible pour ce contrat.")
    form = page.form_class(request.POST if request.method == "POST" else None)  # a confirmation posts nothing
    if request.method == "POST" and form.is_valid():
        try:
            page.appliquer(courant, request.user, referentiel, **form.cleaned_data)
        except ContratError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"{TRANSITIONS[etape].label} : c'est enregistré.")
            return redirect("parcours:contrat", pk=parcours.pk)
    return render(
        request,
        "parcours/contrat_etape.html",
        {"parcours": parcours, "contrat": courant, "form": form, "page": page, "transition": TRANSITIONS[etape]},
    )


@journalise("parcours", action=Action.TELECHARGEMENT)
def contrat_pdf(request, pk):
    parcours = _parcours(request, pk)
    courant = cer.contrat_en_cours(parcours)
    if courant is None:
        raise Http404("Aucun contrat pour ce parcours.")
    referentiel = _referentiel()
    contenu = pdf.rendre_pdf(
        "pdf/contrat.html",
        {"parcours": parcours, "contrat": courant, "fin": cer.date_fin(courant), "referentiel": referentiel},
        request=request,
    )
    return pdf.reponse_pdf(contenu, f"contrat-parcours-{parcours.pk}.pdf")
