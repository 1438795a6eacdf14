"""The identity check of a referral: who it may already be, and the coordination's answer.

The rules that compare two identities are pure and live in :mod:`prescriptions.doublons`; this
module picks the candidates in the database and records the coordination's answer (same person,
or another one).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parcours.models import Participant
from prescriptions.doublons import Correspondance, Force, Identite, comparer, est_forte
from prescriptions.models import CandidatEcarte, Prescription
from prescriptions.workflow import STATUTS_EN_COURS

CHAMPS_COMPARES = (
    "nom_usage",
    "nom_naissance",
    "prenoms",
    "date_naissance",
    "telephone_mobile",
    "telephone_fixe",
    "email",
)


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


def candidats(prescription, *, pour_compter=False) -> list[Candidat]:
    """Participants (current and past parcours) and pending referrals that may be this person.

    ``pour_compter``: the caller only counts them (the checklist): their communes and parcours, which
    the pages show, are not read.
    """
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
    participants = Participant.objects.filter(query)
    if not pour_compter:
        participants = participants.select_related("commune").prefetch_related("parcours")
    for participant in participants:
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
    autres = Prescription.objects.en_cours().filter(query).exclude(pk=prescription.pk)
    if not pour_compter:
        autres = autres.select_related("structure", "prescripteur", "commune")
    for autre in autres:
        match = comparer(moi, identite(autre))
        if match:
            found.append(Candidat(autre, match, ecarte=autre.pk in prescriptions_ecartees, lie=False))
    found.sort(key=lambda c: (c.resolu, not c.forte, not c.est_participant))
    return found


def _identite_valeurs(row) -> Identite:
    """The comparable identity of a row of ``CHAMPS_COMPARES`` values (pk first)."""
    _pk, nom_usage, nom_naissance, prenoms, date_naissance, mobile, fixe, email = row
    return Identite(
        nom_usage=nom_usage,
        nom_naissance=nom_naissance,
        prenoms=prenoms,
        date_naissance=date_naissance,
        telephones=(mobile, fixe),
        email=email,
    )


def doublons_possibles(prescriptions) -> set[int]:
    """Ids of the given prescriptions with an unresolved strong candidate, in three queries in all.

    For the queue: it flags, the prescription's page explains. The people born on the same days
    (150 at 100 000 participants) are read as plain values, each identity built once.
    """
    # A decided prescription has nothing left to resolve.
    prescriptions = [p for p in prescriptions if p.date_naissance and p.statut in STATUTS_EN_COURS]
    if not prescriptions:
        return set()
    dates = {p.date_naissance for p in prescriptions}
    by_date = {}
    champs = ("pk", *CHAMPS_COMPARES)
    for kind, rows in (
        ("participant", Participant.objects.filter(date_naissance__in=dates).values_list(*champs)),
        ("prescription", Prescription.objects.en_cours().filter(date_naissance__in=dates).values_list(*champs)),
    ):
        for row in rows:
            by_date.setdefault(row[4], []).append((kind, row[0], _identite_valeurs(row)))
    ecartes = set()
    for row in CandidatEcarte.objects.filter(prescription__in=[p.pk for p in prescriptions]).values_list(
        "prescription_id", "participant_id", "autre_prescription_id"
    ):
        ecartes.add((row[0], "participant", row[1]) if row[1] else (row[0], "prescription", row[2]))
    flagged = set()
    for prescription in prescriptions:
        moi = identite(prescription)
        for kind, pk, autre in by_date.get(prescription.date_naissance, []):
            if (kind == "prescription" and pk == prescription.pk) or (prescription.pk, kind, pk) in ecartes:
                continue
            if kind == "participant" and pk == prescription.participant_id:
                continue
            if est_forte(moi, autre):
                flagged.add(prescription.pk)
                break
    return flagged


@transaction.atomic
def rattacher(prescription, by, participant):
    """The referral is about a person already known: their new parcours will be a re-entry."""
    prescription.examiner(by)
    prescription.participant = participant
    prescription.identite_verifiee_le = timezone.now()
    prescription.identite_verifiee_par = by
    prescription._history_user = by
    prescription.save()
    CandidatEcarte.objects.filter(prescription=prescription, participant=participant).delete()
    prescription.journaliser(by, "identite", f"Rattachée à {participant.nom_complet} (personne déjà connue).")


@transaction.atomic
def ecarter(prescription, by, candidat):
    """Declare that a candidate is another person."""
    prescription.examiner(by)
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
    prescription.journaliser(by, "doublon_ecarte", f"{qui} : une autre personne.")
