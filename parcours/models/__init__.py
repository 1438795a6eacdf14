from parcours.models.accueil import (
    CanalContact,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    StatutRendezVous,
    TentativeContact,
)
from parcours.models.parcours import (
    Etat,
    MotifVeille,
    Parcours,
    PeriodeVeille,
    TransitionParcours,
)
from parcours.models.participant import Participant, Sexe

__all__ = [
    "CanalContact",
    "Etat",
    "Modalite",
    "MotifVeille",
    "ObjetRendezVous",
    "Parcours",
    "Participant",
    "PeriodeVeille",
    "RendezVous",
    "Sexe",
    "StatutRendezVous",
    "TentativeContact",
    "TransitionParcours",
]
