from parcours.models.accueil import (
    CanalContact,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    StatutRendezVous,
    TentativeContact,
)
from parcours.models.cer import Contrat, ContratError, EvenementContrat, StatutContrat
from parcours.models.diagnostic import (
    AutonomieNumerique,
    Diagnostic,
    FreinDiagnostic,
    NatureDiagnostic,
    NiveauFormation,
    NiveauFrein,
)
from parcours.models.etapes import Etape, EvenementEtape
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
    "Contrat",
    "ContratError",
    "Diagnostic",
    "Etat",
    "EvenementContrat",
    "FreinDiagnostic",
    "Etape",
    "EvenementEtape",
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
    "StatutContrat",
    "StatutRendezVous",
    "TentativeContact",
    "TransitionParcours",
]
