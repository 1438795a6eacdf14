from parcours.models.parcours import (
    Etat,
    MotifVeille,
    Parcours,
    PeriodeVeille,
    TransitionParcours,
)
from parcours.models.participant import CriterePublic, Participant, Sexe

__all__ = [
    "CriterePublic",
    "Etat",
    "MotifVeille",
    "Parcours",
    "Participant",
    "PeriodeVeille",
    "Sexe",
    "TransitionParcours",
]
