from parcours.models.absence_referent import AbsenceReferent, NatureAbsence
from parcours.models.accueil import CANAUX_ACCUEIL, CanalContact, TentativeContact
from parcours.models.ateliers import (
    Atelier,
    AtelierError,
    InscriptionAtelier,
    Periodicite,
    PresenceAtelier,
    SeanceAtelier,
    StatutPresence,
    StatutSeance,
    TransitionSeance,
)
from parcours.models.cer import Contrat, ContratError, EvenementContrat, StatutContrat
from parcours.models.convocations import Convocation, MoyenReponse, ReponseConvocation
from parcours.models.demandes import (
    MACHINE_DEMANDE,
    TRANSITIONS_DEMANDE,
    Demande,
    DemandeError,
    StatutDemande,
    TransitionDemande,
    TypeDemande,
)
from parcours.models.diagnostic import (
    AutonomieNumerique,
    Diagnostic,
    FreinDiagnostic,
    NatureDiagnostic,
    NiveauFormation,
    NiveauFrein,
)
from parcours.models.emargement import LotEmargement, StatutLot
from parcours.models.etapes import Etape, EvenementEtape
from parcours.models.parcours import (
    Etat,
    MotifVeille,
    Parcours,
    PeriodeVeille,
    TransitionParcours,
)
from parcours.models.participant import Participant, Sexe
from parcours.models.rendez_vous import (
    CLOTURES as CLOTURES_RDV,
)
from parcours.models.rendez_vous import (
    MACHINE_RDV,
    TRANSITIONS_RDV,
    ConfirmationDistance,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    RendezVousError,
    StatutRendezVous,
    TransitionRendezVous,
)
from parcours.models.signatures import Signataire, Signature, SignatureError
from parcours.models.suspensions import MotifSuspension, SuspensionMesure

__all__ = [
    "Convocation",
    "MoyenReponse",
    "ReponseConvocation",
    "ConfirmationDistance",
    "Demande",
    "DemandeError",
    "MACHINE_DEMANDE",
    "MotifSuspension",
    "StatutDemande",
    "SuspensionMesure",
    "TRANSITIONS_DEMANDE",
    "TransitionDemande",
    "TypeDemande",
    "Atelier",
    "AtelierError",
    "InscriptionAtelier",
    "LotEmargement",
    "Periodicite",
    "PresenceAtelier",
    "SeanceAtelier",
    "Signataire",
    "Signature",
    "SignatureError",
    "StatutLot",
    "StatutPresence",
    "StatutSeance",
    "TransitionSeance",
    "AbsenceReferent",
    "AutonomieNumerique",
    "CANAUX_ACCUEIL",
    "CLOTURES_RDV",
    "MACHINE_RDV",
    "TRANSITIONS_RDV",
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
    "NatureAbsence",
    "NatureDiagnostic",
    "NiveauFormation",
    "NiveauFrein",
    "ObjetRendezVous",
    "Parcours",
    "Participant",
    "PeriodeVeille",
    "RendezVous",
    "RendezVousError",
    "Sexe",
    "StatutContrat",
    "StatutRendezVous",
    "TentativeContact",
    "TransitionParcours",
    "TransitionRendezVous",
]
