"""The coordination's steps: the queue, duplicates, validations requested, decisions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parcours.models import Participant
from parcours.workflow import TransitionError
from plie import permissions
from plie.acces.journal import journalise
from plie.accounts.models import Structure
from plie.listes import paginer
from plie.referentiel.models import NoActiveReferentiel, Referentiel
from prescriptions import decisions, dedoublonnage, validations
from prescriptions.forms import PrescriptionSearchForm
from prescriptions.models import Organisme, Prescription
from prescriptions.proposition import proposer_referents
from prescriptions.transitions import ACCEPTATION, PAGES
from prescriptions.views.detail import visible_prescription
from prescriptions.workflow import STATUTS_EN_COURS, PrescriptionError, Statut

QUEUE_STATUTS = [s for s in Statut if s != Statut.BROUILLON]

PROPOSITIONS_AFFICHEES = 15  # référents proposed on the acceptance page before « voir tous »


def _coordination_only(request):
    if not permissions.can_instruct_prescriptions(request.user):
        raise PermissionDenied


def _instructed(request, pk):
    """The prescription, for the coordination only (404 for those who may not see it, 403 otherwise)."""
    prescription = visible_prescription(request, pk)
    _coordination_only(request)
    return prescription


def queue(request):
    _coordination_only(request)
    form = PrescriptionSearchForm(
        request.GET, statuts=QUEUE_STATUTS, structures=Structure.objects.prescripteurs(), tous_statuts="En cours"
    )
    prescriptions = Prescription.objects.visible_to(request.user)
    if "statut" not in form.valeurs():
        prescriptions = prescriptions.en_cours()
    prescriptions = form.filtrer(prescriptions).select_related("structure", "prescripteur", "commune")
    # The oldest referral waits longest: first in the queue.
    listing = paginer(request, prescriptions.order_by("envoyee_le", "id"))
    page = listing["page_obj"]
    return render(
        request,
        "prescriptions/queue.html",
        {
            "form": form,
            **listing,
            "doublons": dedoublonnage.doublons_possibles(page.object_list),
            "counts": {
                "a_traiter": Prescription.objects.a_traiter().count(),
                "complement": Prescription.objects.filter(statut=Statut.COMPLEMENT_DEMANDE).count(),
            },
        },
    )


def _choisi(form):
    """The référent ticked in the form sent back (an id), or None."""
    value = form["referent"].value()
    return int(value) if str(value or "").isdigit() else None


def _closed(request, prescription, transition):
    """A decision page for a prescription that no longer accepts it: say so and go back."""
    if prescription.statut in transition.sources:
        return None
    if prescription.statut == Statut.COMPLEMENT_DEMANDE:
        messages.info(request, "La prescription attend le complément demandé au prescripteur.")
    else:
        messages.info(request, f"La prescription est « {prescription.get_statut_display()} » : la décision est prise.")
    return redirect("prescriptions:detail", pk=prescription.pk)


def _fail(request, error, pk):
    messages.error(request, error.message)
    return redirect("prescriptions:detail", pk=pk)


@journalise("prescription")
def doublons(request, pk):
    """Candidates side by side with the referral; link to one, or declare them different."""
    prescription = _instructed(request, pk)
    if prescription.statut not in STATUTS_EN_COURS:
        return redirect("prescriptions:detail", pk=pk)
    return render(
        request,
        "prescriptions/doublons.html",
        {"prescription": prescription, "candidats": dedoublonnage.candidats(prescription)},
    )


@require_POST
@journalise("prescription")
def rattacher(request, pk, participant_pk):
    prescription = _instructed(request, pk)
    participant = get_object_or_404(Participant, pk=participant_pk)
    found = dedoublonnage.candidats(prescription, pour_compter=True)
    if participant.pk not in {c.objet.pk for c in found if c.est_participant}:
        raise Http404("Cette personne n'est pas un doublon possible de la prescription.")
    try:
        dedoublonnage.rattacher(prescription, request.user, participant)
    except PrescriptionError as error:
        return _fail(request, error, pk)
    messages.success(request, f"Prescription rattachée à {participant.nom_complet} : ce sera une re-entrée.")
    return redirect("prescriptions:doublons", pk=pk)


@require_POST
@journalise("prescription")
def ecarter(request, pk, kind, other_pk):
    prescription = _instructed(request, pk)
    found = {
        (("participant" if c.est_participant else "prescription"), c.objet.pk): c
        for c in dedoublonnage.candidats(prescription)
    }
    candidat = found.get((kind, other_pk))
    if candidat is None:
        raise Http404("Ce doublon possible n'existe pas.")
    try:
        dedoublonnage.ecarter(prescription, request.user, candidat.objet)
    except PrescriptionError as error:
        return _fail(request, error, pk)
    messages.success(request, "C'est noté : il s'agit d'une autre personne.")
    return redirect("prescriptions:doublons", pk=pk)


@require_POST
@journalise("prescription")
def demander_validation(request, pk, organisme):
    prescription = _instructed(request, pk)
    if organisme not in Organisme.values:
        raise Http404
    try:
        validations.demander_validation(prescription, request.user, organisme, Referentiel.objects.active())
    except PrescriptionError as error:
        return _fail(request, error, pk)
    except NoActiveReferentiel as error:
        messages.error(request, str(error))
        return redirect("prescriptions:detail", pk=pk)
    messages.success(request, f"Validation demandée à {Organisme(organisme).label}.")
    return redirect("prescriptions:detail", pk=pk)


@journalise("prescription")
def decision(request, pk, name):
    """A decision with its own small form (a complement asked, a refusal): the page its entry declares."""
    prescription = _instructed(request, pk)
    page = PAGES[name]
    if closed := _closed(request, prescription, page.transition):
        return closed
    form = page.form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            page.appliquer(prescription, request.user, **form.cleaned_data)
        except PrescriptionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, page.succes)
            return redirect("prescriptions:detail", pk=pk)
    return render(request, page.template, {"prescription": prescription, "form": form, "page": page})


@journalise("prescription")
def acceptation(request, pk):
    """The référent proposal (distance and load, with the figures) and the acceptance."""
    prescription = _instructed(request, pk)
    if closed := _closed(request, prescription, ACCEPTATION.transition):
        return closed
    referentiel = Referentiel.objects.active_or_none()
    if referentiel is None:
        messages.error(request, "Aucun référentiel n'est actif : chargez-en un avant d'accepter une prescription.")
        return redirect("prescriptions:detail", pk=pk)
    commune = (
        prescription.participant.commune
        if prescription.participant and not prescription.commune
        else prescription.commune
    )
    propositions = proposer_referents(commune, referentiel)
    form = ACCEPTATION.form_class(propositions, request.POST or None)
    checklist = decisions.checklist(prescription, referentiel)
    if request.method == "POST" and form.is_valid():
        proposition = form.cleaned_data["referent"]
        try:
            parcours = ACCEPTATION.appliquer(
                prescription,
                request.user,
                referent=proposition.referent,
                referentiel=referentiel,
                justification=form.cleaned_data["justification"],
                rang=proposition.rang,
                confirme=form.cleaned_data["confirme"],
            )
        except (TransitionError, NoActiveReferentiel) as error:
            message = getattr(error, "message", str(error))
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                f"Prescription acceptée : {parcours.participant.nom_complet} est orienté(e) vers "
                f"{proposition.referent.get_full_name()}.",
            )
            return redirect("parcours:detail", pk=parcours.pk)
    # The best ranked, a screen of them, unless all are asked for or the one chosen is further down.
    choisi = _choisi(form)
    tous = request.GET.get("tous") == "1" or choisi in [p.referent.pk for p in propositions[PROPOSITIONS_AFFICHEES:]]
    return render(
        request,
        ACCEPTATION.template,
        {
            "prescription": prescription,
            "form": form,
            "propositions": propositions if tous else propositions[:PROPOSITIONS_AFFICHEES],
            "propositions_total": len(propositions),
            "choisi": choisi,
            "checklist": checklist,
            "a_verifier": [v for v in checklist if v.resultat == "a_verifier" and v.confirmable],
            "bloquantes": [v for v in checklist if v.bloquante],
            "referentiel": referentiel,
            "commune": commune,
        },
    )
