"""The entretiens of a parcours (N §III.d, C §III.1.3): plan one, close it (held, excused, missed
without reason, cancelled) and fix the next one in the same step.

The states and transitions are :class:`parcours.models.RendezVous`'s; the rules here span the
parcours: which states take an entretien, the référent's places, the next appointment, and what an
unjustified absence sets off (:mod:`parcours.absences`).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from parcours import convocations
from parcours.accueil import verifier_lieu
from parcours.models import (
    CLOTURES_RDV,
    Etat,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    RendezVousError,
    StatutRendezVous,
)
from plie.workflow import TransitionError

# An entretien is planned once the first appointment is fixed, until the exit is validated.
ETATS_ENTRETIENS = frozenset({Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE})
# Further ahead is a typo (2062 for 2026).
DELAI_MAX = datetime.timedelta(days=366)


@dataclass(frozen=True)
class Prochain:
    """The next appointment asked for when an entretien is closed."""

    debut: datetime.datetime
    modalite: str = Modalite.PRESENTIEL
    lieu: object = None
    lieu_precision: str = ""
    duree_minutes: int | None = None


def planifier_entretien(
    parcours, by, debut, modalite=Modalite.PRESENTIEL, lieu=None, lieu_precision="", duree_minutes=None
) -> RendezVous:
    """Plan an individual entretien. Raises :class:`RendezVousError` with nothing saved."""
    if timezone.is_naive(debut):
        debut = timezone.make_aware(debut)
    if parcours.etat not in ETATS_ENTRETIENS:
        raise RendezVousError(
            f"Un entretien se planifie une fois le premier rendez-vous fixé et jusqu'à la sortie : "
            f"le parcours est « {parcours.get_etat_display()} »."
        )
    lieu_precision = (lieu_precision or "").strip()
    verifier_lieu(parcours, modalite, lieu, lieu_precision)
    if debut > timezone.now() + DELAI_MAX:
        raise RendezVousError("Un entretien se planifie dans l'année qui vient.", field="debut")
    if modalite != Modalite.PRESENTIEL:
        lieu = None  # a phone call or a video call happens nowhere in particular
    with transaction.atomic():
        rdv = RendezVous.planifier(
            by,
            parcours,
            debut,
            objet=ObjetRendezVous.ENTRETIEN,
            modalite=modalite,
            lieu=lieu,
            lieu_precision=lieu_precision,
            duree_minutes=duree_minutes,
        )
        convocations.convoquer_rdv(rdv)
    return rdv


def clore(
    rdv,
    by,
    statut,
    *,
    duree_reelle_minutes=None,
    sujet="",
    notes="",
    prochain: Prochain | None = None,
    preuve: dict | None = None,
):
    """Close ``rdv`` with ``statut`` and plan the next one, in one transaction. ``preuve``: the proof of a
    remote entretien held (means, participant's confirmation and its date: :meth:`RendezVous.honorer`).

    Returns the next appointment, or None. A refused rule raises :class:`RendezVousError`; the
    next appointment's errors name its fields with a ``prochain_`` prefix.
    """
    from parcours import absences

    name = CLOTURES_RDV.get(statut)
    if name is None:
        raise RendezVousError("Choisissez l'issue du rendez-vous.", field="statut")
    with transaction.atomic():
        if name == "honorer":
            rdv.honorer(by, duree_reelle_minutes, sujet=sujet, notes=notes, preuve=preuve)
        else:
            getattr(rdv, name)(by, notes=notes)
        if statut == StatutRendezVous.ABSENT:
            absences.apres_absence(rdv)
        if prochain is None:
            return None
        try:
            return planifier_entretien(
                rdv.parcours,
                by,
                prochain.debut,
                modalite=prochain.modalite,
                lieu=prochain.lieu,
                lieu_precision=prochain.lieu_precision,
                duree_minutes=prochain.duree_minutes,
            )
        except TransitionError as error:
            field = f"prochain_{error.field}" if error.field else None
            raise RendezVousError(f"Prochain rendez-vous : {error.message}", field=field) from None
