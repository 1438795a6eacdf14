"""The contract signed at the entry (N §III.c, C §III.1.2): write it, sign it, countersign, validate.

- ``rang_minimum``: the appointment from which it may be signed (the référentiel's, or the first
  when the signature conditions the RSA rights, a flag of the parcours);
- ``rediger`` / ``modifier``: the draft;
- ``signer``: the participant's and the référent's signatures; the diagnostic in force is frozen as
  the initial one, the bureau insertion is asked to sign when the référent is RUP, and the parcours
  enters the accompaniment, unless the PLIE's team validates the integration first (Caen);
- ``contresigner``: the bureau insertion's signature, in the product;
- ``valider_integration`` / ``refuser_integration``: the PLIE's team decides (Caen).
"""

import datetime

from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone

from parcours.diagnostic import figer
from parcours.models import (
    Contrat,
    ContratError,
    Diagnostic,
    Etat,
    NatureDiagnostic,
    RendezVous,
    StatutContrat,
    StatutRendezVous,
)
from parcours.models.cer import MACHINE
from plie.notifications.services import envoyer_email

# A contract is written once the person has been received, until the exit is proposed.
ETATS_CONTRAT = frozenset({Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, Etat.VEILLE})
CHAMPS = (
    "objectifs",
    "actions_prevues",
    "engagements_participant",
    "engagements_referent",
    "date_debut",
    "duree_mois",
)


def contrat_en_cours(parcours) -> Contrat | None:
    """The parcours's contract (a refused integration leaves room for a new one, shown instead)."""
    contrats = sorted(parcours.contrats.all(), key=lambda c: (c.statut != StatutContrat.REFUSE, c.cree_le, c.pk))
    return contrats[-1] if contrats else None


def annoter_contrat(parcours_qs):
    """The status and signature date of each parcours's contract, read in the same query (lists, dossier)."""
    contrats = (
        Contrat.objects.filter(parcours=OuterRef("pk"))
        .annotate(refuse=Case(When(statut=StatutContrat.REFUSE, then=Value(1)), default=Value(0)))
        .order_by("refuse", "-cree_le", "-pk")
    )
    return parcours_qs.annotate(
        contrat_statut=Subquery(contrats.values("statut")[:1]),
        contrat_signe_le=Subquery(contrats.values("date_signature")[:1]),
    )


def libelle_statut(statut) -> str:
    return StatutContrat(statut).label if statut else ""


def rang_minimum(parcours, referentiel) -> int:
    return 1 if parcours.cer_conditionne_rsa else referentiel.cer_rang_rdv_min


def rdv_honores(parcours) -> int:
    return RendezVous.objects.filter(parcours=parcours, statut=StatutRendezVous.HONORE).count()


def date_fin(contrat) -> datetime.date:
    from dateutil.relativedelta import relativedelta

    return contrat.date_debut + relativedelta(months=contrat.duree_mois)


def rediger(parcours, by, **champs) -> Contrat:
    if parcours.etat not in ETATS_CONTRAT:
        raise ContratError(
            f"Le contrat se rédige après le premier rendez-vous et avant la sortie : "
            f"le parcours est « {parcours.get_etat_display()} »."
        )
    contrat = Contrat(parcours=parcours, **{name: champs[name] for name in CHAMPS})
    with MACHINE.creer(contrat, "rediger", by):
        if parcours.contrats.exclude(statut=StatutContrat.REFUSE).exists():
            raise ContratError("Ce parcours a déjà un contrat : modifiez-le.")
    return contrat


def conditionner_rsa(parcours, conditionne, by):
    """Whether the signature conditions the RSA rights (then the first appointment is enough)."""
    if parcours.cer_conditionne_rsa == conditionne:
        return
    parcours.cer_conditionne_rsa = conditionne
    parcours._history_user = by
    parcours.save(update_fields=["cer_conditionne_rsa", "modifie_le"])


def signer(contrat, by, date_signature, *, referentiel):
    parcours = contrat.parcours
    today = timezone.localdate()
    with transaction.atomic():
        with MACHINE.appliquer(contrat, "signer", by):
            rang = rang_minimum(parcours, referentiel)
            honores = rdv_honores(parcours)
            if honores < rang:
                raison = (
                    "la signature conditionne la reprise des droits RSA"
                    if parcours.cer_conditionne_rsa
                    else "selon le référentiel"
                )
                raise ContratError(
                    f"Le contrat se signe à partir du rendez-vous n° {rang} ({raison}) : "
                    f"{honores} rendez-vous honoré{'s' if honores > 1 else ''} à ce jour."
                )
            if date_signature > today:
                raise ContratError("La signature ne peut être datée d'un jour à venir.", field="date_signature")
            if parcours.date_premier_rdv and date_signature < parcours.date_premier_rdv:
                raise ContratError(
                    f"La signature ne peut précéder le premier rendez-vous du {parcours.date_premier_rdv:%d/%m/%Y}.",
                    field="date_signature",
                )
            contrat.date_signature = date_signature
            contrat.signe_par_referent = parcours.referent
        if not Diagnostic.objects.filter(parcours=parcours, nature=NatureDiagnostic.INITIAL).exists():
            figer(parcours, NatureDiagnostic.INITIAL, by)
        if not referentiel.cer_validation_equipe:
            _entrer(contrat, by, referentiel)
        if parcours.rup:
            _demander_signature_bi(contrat, referentiel)
    return contrat


def contresigner(contrat, by):
    with MACHINE.appliquer(contrat, "contresigner", by):
        if not contrat.parcours.rup:
            raise ContratError("Le bureau insertion signe le contrat quand le référent est RUP.")
        if contrat.signe_bi:
            raise ContratError("Le bureau insertion a déjà signé ce contrat.")
        contrat.signe_bi_le = timezone.now()
        contrat.signe_bi_par = by
    return contrat


def _verifier_validation_equipe(referentiel):
    if not referentiel.cer_validation_equipe:
        raise ContratError("Selon le référentiel, l'entrée compte à la signature : l'équipe n'a pas à la valider.")


def valider_integration(contrat, by, *, referentiel):
    with transaction.atomic():
        with MACHINE.appliquer(contrat, "valider_integration", by):
            _verifier_validation_equipe(referentiel)
            contrat.decision_le = timezone.now()
        _entrer(contrat, by, referentiel)
    return contrat


def refuser_integration(contrat, by, motif, *, referentiel):
    with transaction.atomic():
        with MACHINE.appliquer(contrat, "refuser_integration", by, motif):
            _verifier_validation_equipe(referentiel)
            contrat.decision_le = timezone.now()
            contrat.motif_refus = motif.strip()
        parcours = contrat.parcours
        if parcours.etat in {Etat.ORIENTE, Etat.ACCUEIL}:
            parcours.annuler(by, motif=f"Intégration refusée par l'équipe du PLIE : {motif.strip()}")
    return contrat


def etapes_prevues(contrat, referentiel) -> list:
    """The steps this contract may still go through under the référentiel (permissions aside)."""
    steps = []
    for transition in MACHINE.transitions_from(contrat.statut):
        if transition.name in {"valider_integration", "refuser_integration"} and not referentiel.cer_validation_equipe:
            continue
        if transition.name == "contresigner" and (not contrat.parcours.rup or contrat.signe_bi):
            continue
        steps.append(transition)
    return steps


def _entrer(contrat, by, referentiel):
    """The entry in accompaniment dates from the signature (the parcours's own transition)."""
    parcours = contrat.parcours
    if parcours.etat == Etat.ACCUEIL:
        parcours.demarrer_accompagnement(by, date_entree=contrat.date_signature, referentiel=referentiel)


def _demander_signature_bi(contrat, referentiel):
    from prescriptions.validations import adresses_bureau_insertion

    _users, adresses = adresses_bureau_insertion()
    envoyer_email(
        adresses,
        f"PLIE : contrat à signer (parcours n° {contrat.parcours_id})",
        "emails/contrat_a_signer_bi.txt",
        {
            "contrat": contrat,
            "referentiel": referentiel,
            "lien": reverse("parcours:contrat", args=[contrat.parcours_id]),
        },
        cle=f"contrat:{contrat.pk}:signature_bureau_insertion",
    )
