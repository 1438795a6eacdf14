from parcours.models.accueil import (
    CanalContact,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    StatutRendezVous,
    TentativeContact,
)
from parcours.models.diagnostic import (
    AutonomieNumerique,
    Diagnostic,
    FreinDiagnostic,
    NatureDiagnostic,
    NiveauFormation,
    NiveauFrein,
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
    "AutonomieNumerique",
    "CanalContact",
    "Diagnostic",
    "Etat",
    "FreinDiagnostic",
    "Modalite",
    "MotifVeille",
    "NatureDiagnostic",
    "NiveauFormation",
    "NiveauFrein",
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
