from parcours.models.accueil import CANAUX_ACCUEIL, CanalContact, TentativeContact
from parcours.models.parcours import (
    Etat,
    MotifVeille,
    Parcours,
    PeriodeVeille,
    TransitionParcours,
)
from parcours.models.participant import CriterePublic, Participant, Sexe
from parcours.models.rendez_vous import (
    CLOTURES as CLOTURES_RDV,
)
from parcours.models.rendez_vous import (
    MACHINE_RDV,
    TRANSITIONS_RDV,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    RendezVousError,
    StatutRendezVous,
    TransitionRendezVous,
)

__all__ = [
    "CANAUX_ACCUEIL",
    "CLOTURES_RDV",
    "MACHINE_RDV",
    "TRANSITIONS_RDV",
    "CanalContact",
    "CriterePublic",
    "Etat",
    "Modalite",
    "MotifVeille",
    "ObjetRendezVous",
    "Parcours",
    "Participant",
    "PeriodeVeille",
    "RendezVous",
    "RendezVousError",
    "Sexe",
    "StatutRendezVous",
    "TentativeContact",
    "TransitionParcours",
    "TransitionRendezVous",
]
