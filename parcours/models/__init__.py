from parcours.models.accueil import (
    CanalContact,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    StatutRendezVous,
    TentativeContact,
)
from parcours.models.etapes import Etape, EvenementEtape
from parcours.models.parcours import (
    Etat,
    MotifVeille,
    Parcours,
    PeriodeVeille,
    TransitionParcours,
)
from parcours.models.participant import CriterePublic, Participant, Sexe

__all__ = [
    "CanalContact",
    "CriterePublic",
    "Etape",
    "Etat",
    "EvenementEtape",
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
