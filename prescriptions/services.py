"""Steps of the coordination that span several models: duplicates, validations, the acceptance.

The acceptance is where the person becomes a participant (a new one, or the one already known
for a re-entry) with a parcours oriented towards the chosen référent; every message it implies
(référent, bureau insertion when RUP, prescripteur) leaves with it.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from parcours.models import Etat, Parcours, Participant
from plie.accounts.models import PrescripteurKind, Role, User
from plie.notifications.services import envoyer_email, notifier
from plie.referentiel.models import Referentiel
from prescriptions import eligibilite
from prescriptions.doublons import Correspondance, Force, Identite, comparer
from prescriptions.models import (
    CHAMPS_IDENTITE,
    Avis,
    CandidatEcarte,
    Organisme,
    Prescription,
    ValidationPrescription,
)
from prescriptions.workflow import STATUTS_EN_COURS, PrescriptionError, Statut

# --- duplicates ------------------------------------------------------------------------------


def identite(obj) -> Identite:
    """The comparable identity of a prescription or a participant (same field names on both)."""
    return Identite(
        nom_usage=obj.nom_usage,
        nom_naissance=obj.nom_naissance,
        prenoms=obj.prenoms,
        date_naissance=obj.date_naissance,
        telephones=(obj.telephone_mobile, obj.telephone_fixe),
        email=obj.email,
    )


@dataclass
class Candidat:
    """A known person or a pending referral that may be the same person."""

    objet: object  # Participant or Prescription
    correspondance: Correspondance
    ecarte: bool
    lie: bool

    @property
    def est_participant(self) -> bool:
        return isinstance(self.objet, Participant)

    @property
    def forte(self) -> bool:
        return self.correspondance.force == Force.FORTE

    @property
    def resolu(self) -> bool:
        return self.ecarte or self.lie


def _contact_filter(prescription):
    """Same birth date (strong signals need it) or same phone or email (weak signals)."""
    query = Q(date_naissance=prescription.date_naissance) if prescription.date_naissance else Q(pk__in=[])
    for phone in {prescription.telephone_mobile, prescription.telephone_fixe} - {""}:
        query |= Q(telephone_mobile=phone) | Q(telephone_fixe=phone)
    if prescription.email:
        query |= Q(email__iexact=prescription.email)
    return query


def candidats(prescription) -> list[Candidat]:
    """Participants (current and past parcours) and pending referrals that may be this person."""
    query = _contact_filter(prescription)
    participants_ecartes, prescriptions_ecartees = set(), set()
    for participant_id, autre_id in CandidatEcarte.objects.filter(prescription=prescription).values_list(
        "participant_id", "autre_prescription_id"
    ):
        if participant_id:
            participants_ecartes.add(participant_id)
        else:
            prescriptions_ecartees.add(autre_id)
    moi = identite(prescription)
    found = []
    for participant in Participant.objects.filter(query).select_related("commune").prefetch_related("parcours"):
        match = comparer(moi, identite(participant))
        if match:
            found.append(
                Candidat(
                    participant,
                    match,
                    ecarte=participant.pk in participants_ecartes,
                    lie=participant.pk == prescription.participant_id,
                )
            )
    autres = (
        Prescription.objects.en_cours()
        .filter(query)
        .exclude(pk=prescription.pk)
        .select_related("structure", "prescripteur", "commune")
    )
    for autre in autres:
        match = comparer(moi, identite(autre))
        if match:
            found.append(Candidat(autre, match, ecarte=autre.pk in prescriptions_ecartees, lie=False))
    found.sort(key=lambda c: (c.resolu, not c.forte, not c.est_participant))
    return found


def doublons_possibles(prescriptions) -> set[int]:
    """Ids of the given prescriptions with an unresolved strong candidate, in three queries in all.

    For the queue: it flags, the prescription's page explains.
    """
    # A decided prescription has nothing left to resolve.
    prescriptions = [p for p in prescriptions if p.date_naissance and p.statut in STATUTS_EN_COURS]
    if not prescriptions:
        return set()
    dates = {p.date_naissance for p in prescriptions}
    by_date = {}
    for participant in Participant.objects.filter(date_naissance__in=dates):
        by_date.setdefault(participant.date_naissance, []).append(("participant", participant))
    for autre in Prescription.objects.en_cours().filter(date_naissance__in=dates):
        by_date.setdefault(autre.date_naissance, []).append(("prescription", autre))
    ecartes = set()
    for row in CandidatEcarte.objects.filter(prescription__in=[p.pk for p in prescriptions]).values_list(
        "prescription_id", "participant_id", "autre_prescription_id"
    ):
        ecartes.add((row[0], "participant", row[1]) if row[1] else (row[0], "prescription", row[2]))
    flagged = set()
    for prescription in prescriptions:
        moi = identite(prescription)
        for kind, other in by_date.get(prescription.date_naissance, []):
            if (kind == "prescription" and other.pk == prescription.pk) or (prescription.pk, kind, other.pk) in ecartes:
                continue
            if kind == "participant" and other.pk == prescription.participant_id:
                continue
            match = comparer(moi, identite(other))
            if match and match.force == Force.FORTE:
                flagged.add(prescription.pk)
                break
    return flagged


def _commencer(prescription, by):
    if prescription.statut not in {Statut.ENVOYEE, Statut.EN_EXAMEN}:
        raise PrescriptionError(f"La prescription est « {prescription.get_statut_display()} » : plus rien à vérifier.")
    prescription.examiner(by)


@transaction.atomic
def rattacher(prescription, by, participant):
    """The referral is about a person already known: their new parcours will be a re-entry."""
    _commencer(prescription, by)
    prescription.participant = participant
    prescription.identite_verifiee_le = timezone.now()
    prescription.identite_verifiee_par = by
    prescription._history_user = by
    prescription.save()
    CandidatEcarte.objects.filter(prescription=prescription, participant=participant).delete()
    prescription._log(by, "identite", f"Rattachée à {participant.nom_complet} (personne déjà connue).")


@transaction.atomic
def ecarter(prescription, by, candidat):
    """Declare that a candidate is another person."""
    _commencer(prescription, by)
    if isinstance(candidat, Participant):
        if candidat.pk == prescription.participant_id:
            prescription.participant = None
            prescription.save()
        CandidatEcarte.objects.get_or_create(
            prescription=prescription, participant=candidat, defaults={"ecarte_par": by}
        )
        qui = candidat.nom_complet
    else:
        CandidatEcarte.objects.get_or_create(
            prescription=prescription, autre_prescription=candidat, defaults={"ecarte_par": by}
        )
        qui = f"la prescription de {candidat.nom_complet} ({candidat.structure})"
    prescription._log(by, "doublon_ecarte", f"{qui} : une autre personne.")


# --- validations -----------------------------------------------------------------------------


def validations_requises(prescription, referentiel) -> list[str]:
    requises = []
    if referentiel.validation_france_travail:
        requises.append(Organisme.FRANCE_TRAVAIL)
    if referentiel.validation_bureau_insertion_rsa and prescription.beneficiaire_rsa:
        requises.append(Organisme.BUREAU_INSERTION)
    return requises


def utilisateurs_bureau_insertion():
    return User.objects.filter(
        role=Role.BUREAU_INSERTION,
        is_active=True,
        structure__type_prescripteur=PrescripteurKind.BUREAU_INSERTION,
    ).select_related("structure")


def _adresses_bureau_insertion():
    users = list(utilisateurs_bureau_insertion())
    return users, [u.email for u in users] + [u.structure.email for u in users if u.structure.email]


@transaction.atomic
def demander_validation(prescription, by, organisme):
    # Only what the référentiel asks of this person: the bureau insertion never hears of someone
    # who is not an RSA beneficiary.
    if organisme not in validations_requises(prescription, Referentiel.objects.active()):
        raise PrescriptionError("Le référentiel ne prévoit pas cette validation pour cette personne.")
    _commencer(prescription, by)
    try:
        with transaction.atomic():
            validation = ValidationPrescription.objects.create(
                prescription=prescription, organisme=organisme, demandee_par=by
            )
    except IntegrityError:
        raise PrescriptionError("Cette validation est déjà demandée.") from None
    prescription._log(by, "validation_demandee", Organisme(organisme).label)
    if organisme == Organisme.BUREAU_INSERTION:
        users, adresses = _adresses_bureau_insertion()
        lien = reverse("prescriptions:detail", args=[prescription.pk])
        for user in users:
            notifier(
                user,
                f"Validation demandée : {prescription.nom_complet}",
                "Bénéficiaire du RSA orienté vers le PLIE.",
                lien,
            )
        envoyer_email(
            adresses,
            f"PLIE : validation demandée pour la prescription n° {prescription.pk}",
            "emails/validation_demandee.txt",
            {"prescription": prescription, "lien": lien},
        )
    return validation


@transaction.atomic
def rendre_avis(validation, by, avis, interlocuteur="", commentaire=""):
    """Record an agreement (FT by the coordination; the bureau insertion by its own users)."""
    validation = ValidationPrescription.objects.select_for_update().get(pk=validation.pk)
    if avis not in {Avis.FAVORABLE, Avis.DEFAVORABLE}:
        raise PrescriptionError("Choisissez un avis favorable ou défavorable.", field="avis")
    prescription = validation.prescription
    if prescription.statut not in {Statut.ENVOYEE, Statut.EN_EXAMEN, Statut.COMPLEMENT_DEMANDE}:
        raise PrescriptionError(
            f"La prescription est « {prescription.get_statut_display()} » : l'avis n'est plus attendu."
        )
    validation.avis = avis
    validation.avis_le = timezone.now()
    validation.avis_par = by
    validation.interlocuteur = (interlocuteur or "").strip()
    validation.commentaire = (commentaire or "").strip()
    validation._history_user = by
    validation.save()
    organisme, avis_label = validation.get_organisme_display(), validation.get_avis_display().lower()
    prescription._log(by, "avis", f"{organisme} : {avis_label}. {validation.commentaire}".strip())
    coordination = User.objects.filter(role=Role.COORDINATION, is_active=True)
    lien = reverse("prescriptions:detail", args=[prescription.pk])
    for user in coordination:
        notifier(
            user,
            f"Avis {avis_label} ({organisme}) : {prescription.nom_complet}",
            lien=lien,
        )
    return validation


# --- decisions -------------------------------------------------------------------------------


def checklist(prescription, referentiel, found=None):
    found = candidats(prescription) if found is None else found
    return eligibilite.verifier(prescription, referentiel, sum(1 for c in found if not c.resolu))


def demander_complement(prescription, by, question):
    with transaction.atomic():
        prescription.demander_complement(by, question)
        envoyer_email(
            [prescription.prescripteur.email],
            f"PLIE : un complément est demandé sur la prescription n° {prescription.pk}",
            "emails/prescription_complement.txt",
            {"prescription": prescription, "lien": reverse("prescriptions:detail", args=[prescription.pk])},
        )
        notifier(
            prescription.prescripteur,
            f"Complément demandé : {prescription.nom_complet}",
            prescription.question_complement,
            reverse("prescriptions:detail", args=[prescription.pk]),
        )


def refuser(prescription, by, motif_refus, commentaire=""):
    with transaction.atomic():
        prescription.refuser(by, motif_refus, commentaire)
        envoyer_email(
            [prescription.prescripteur.email],
            f"PLIE : prescription n° {prescription.pk} non retenue",
            "emails/prescription_refusee.txt",
            {"prescription": prescription, "lien": reverse("prescriptions:detail", args=[prescription.pk])},
        )


CHAMPS_CONTACT = [
    "telephone_mobile",
    "telephone_fixe",
    "email",
    "adresse",
    "code_postal",
    "commune",
    "date_inscription_france_travail",
]


def accepter(prescription, by, referent, justification="", rang=None, confirme=False):
    """Accept the referral and orient the person to ``referent``: participant, parcours, messages."""
    referentiel = Referentiel.objects.active()
    with transaction.atomic(), prescription._transition("accepter", by, justification):
        Parcours._check_referent(referent)  # a TransitionError on the « referent » field
        checks = checklist(prescription, referentiel)
        blocking = [v for v in checks if v.bloquante]
        if blocking:
            raise PrescriptionError(
                "Acceptation impossible : " + " ; ".join(f"{v.libelle} — {v.constat}" for v in blocking)
            )
        to_confirm = [v for v in checks if v.resultat == eligibilite.Resultat.A_VERIFIER]
        if to_confirm and not confirme:
            raise PrescriptionError(
                "Confirmez avoir vérifié : " + " ; ".join(v.libelle for v in to_confirm) + ".", field="confirme"
            )
        participant = prescription.participant or Participant(consentement=False)
        # A known person keeps the identity already checked; their contact details are refreshed.
        champs = CHAMPS_CONTACT if participant.pk else CHAMPS_IDENTITE + CHAMPS_CONTACT
        for field in champs:
            setattr(participant, field, getattr(prescription, field))
        participant._history_user = by
        participant.save()
        participant.criteres.set(prescription.criteres.all())
        parcours = Parcours.objects.create(
            participant=participant,
            etat=Etat.PRESCRIT,
            prescripteur=prescription.prescripteur,
            structure_prescriptrice=prescription.structure,
            rup=prescription.rup_demande,
            date_prescription=prescription.date_prescription,
        )
        motif = justification.strip()
        if rang:
            motif = f"Rang {rang} de la proposition. {motif}".strip()
        parcours.orienter(by, referent, motif=motif)
        prescription.participant = participant
        prescription.parcours = parcours
        if prescription.identite_verifiee_le is None:
            # No unresolved candidate is left (checked above): accepting confirms the identity.
            prescription.identite_verifiee_le = timezone.now()
            prescription.identite_verifiee_par = by
        prescription.decidee_le = timezone.now()
        prescription.decidee_par = by
        _messages_acceptation(prescription, parcours, referent, referentiel)
    return parcours


def _messages_acceptation(prescription, parcours, referent, referentiel):
    lien = reverse("parcours:detail", args=[parcours.pk])
    contexte = {"prescription": prescription, "parcours": parcours, "referent": referent, "referentiel": referentiel}
    notifier(
        referent,
        f"Nouvelle orientation : {prescription.nom_complet}",
        f"Prescrite par {prescription.structure}. Prenez contact avec la personne pour fixer le premier rendez-vous.",
        lien,
    )
    envoyer_email(
        [referent.email],
        f"PLIE : nouvelle orientation (parcours n° {parcours.pk})",
        "emails/orientation_referent.txt",
        {**contexte, "lien": lien},
    )
    envoyer_email(
        [prescription.prescripteur.email],
        f"PLIE : prescription n° {prescription.pk} acceptée",
        "emails/prescription_acceptee.txt",
        {**contexte, "lien": reverse("prescriptions:detail", args=[prescription.pk])},
    )
    if parcours.rup:
        # N §III.3: when the BI asked for a RUP, it is told the référent's name at once.
        _users, adresses = _adresses_bureau_insertion()
        envoyer_email(
            adresses,
            f"PLIE : référent unique de parcours désigné (prescription n° {prescription.pk})",
            "emails/rup_designe.txt",
            contexte,
        )
