"""One page per prescription, showing each role what it may see and do."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from plie import permissions, sensitive
from plie.acces.journal import journalise
from plie.accounts.models import User
from plie.referentiel.models import Referentiel
from prescriptions import decisions, dedoublonnage
from prescriptions.models import Organisme, Prescription, ValidationPrescription
from prescriptions.transitions import ACCEPTATION, DECISIONS
from prescriptions.validations import validations_requises
from prescriptions.workflow import STATUTS_EN_COURS

# The people a prescription page names, read in one query (see _nommer).
PERSONNES = ("prescripteur", "identite_verifiee_par", "decidee_par")


def visible_prescription(request, pk):
    prescription = get_object_or_404(
        Prescription.objects.visible_to(request.user)
        .select_related("structure", "commune", "participant", "parcours")
        # Fetched once here, read by the page, the checklist and the proposal (4 to 6 times before).
        .prefetch_related(
            "criteres",
            Prefetch("validations", queryset=ValidationPrescription.objects.select_related("demandee_par", "avis_par")),
        ),
        pk=pk,
    )
    _nommer(prescription)
    return prescription


def _nommer(prescription):
    """The prescripteur, who checked the identity, who decided and the référent, with their structures,
    in one query. Joined to the prescription, they made a query of ten joins whose planning alone
    (3 to 9 ms on PostgreSQL) cost more than every other query of the page."""
    parcours = prescription.parcours
    ids = {getattr(prescription, f"{field}_id") for field in PERSONNES}
    if parcours is not None:
        ids.add(parcours.referent_id)
    users = User.objects.select_related("structure").in_bulk(ids - {None})
    for field in PERSONNES:
        setattr(prescription, field, users.get(getattr(prescription, f"{field}_id")))
    if parcours is not None:
        parcours.referent = users.get(parcours.referent_id)


@journalise("prescription")
def prescription_detail(request, pk):
    prescription = visible_prescription(request, pk)
    user = request.user
    visible = permissions.can_view_sensitive(user, prescription)
    validations = list(prescription.validations.all())
    context = {
        "prescription": prescription,
        "sensitive": visible,
        "criteres": sensitive.criteres_visibles(prescription.criteres.all(), visible),
        "freins": sensitive.freins_visibles(prescription.freins, visible),
        "validations": validations,
        "can_edit": permissions.can_edit_prescription(user, prescription),
        "is_author": prescription.prescripteur_id == user.pk,
        "avis_possibles": [
            v for v in validations if v.avis == "en_attente" and permissions.can_give_avis(user, v.organisme)
        ],
        "premier_rdv": None,
        "instruction": False,
        "validations_a_demander": [],
        "checklist": [],
        "en_cours": False,
        "decisions": [],
        "journal": [],
        "candidats": [],
        "candidats_non_resolus": [],
    }
    if prescription.parcours_id:
        context["premier_rdv"] = _premier_rdv(prescription.parcours)
    if permissions.can_instruct_prescriptions(user):
        context.update(_instruction(prescription, validations))
        context["decisions"] = [
            (page, page.url(prescription))
            for page in DECISIONS
            if prescription.statut in page.transition.sources and permissions.acts_as(user, page.transition)
        ]
    return render(request, "prescriptions/detail.html", context)


def _premier_rdv(parcours):
    """The first appointment, with time and place when the référent recorded them."""
    return parcours.rendez_vous.premier_rdv()


def _instruction(prescription, validations):
    referentiel = Referentiel.objects.active_or_none()
    found = dedoublonnage.candidats(prescription) if prescription.statut in STATUTS_EN_COURS else []
    context = {
        "instruction": True,
        "referentiel": referentiel,
        "candidats": found,
        "candidats_non_resolus": [c for c in found if not c.resolu],
        "journal": prescription.evenements.select_related("auteur"),
        "en_cours": prescription.statut in STATUTS_EN_COURS,
    }
    if referentiel:
        # A validation is asked for while the prescription can still be accepted (once each); waiting
        # for a complement or decided, none is offered.
        demandees = (
            {v.organisme for v in validations}
            if prescription.statut in ACCEPTATION.transition.sources
            else set(validations_requises(prescription, referentiel))
        )
        context["checklist"] = decisions.checklist(prescription, referentiel, found)
        context["validations_a_demander"] = [
            (o, Organisme(o).label) for o in validations_requises(prescription, referentiel) if o not in demandees
        ]
    return context
