"""The étapes of a parcours: their types, the category each type counts in, and their state machine.

An étape is one step of the person's parcours (N §III.c-d, C §II.1, III.1.2): a diagnostic, a
training, an immersion, a job… Each type counts in one **category**, the one Caen's monthly tableau
de bord reports (C §III.1.4: « formation, activités préparatoires à l'emploi, accompagnement
renforcé seul », and people in employment) and the rhythm rule asks about (C §III.1.3: people in an
étape emploi, formation or in an operation of the PLIE get a monthly check by any means).

The transitions are applied by the methods of :class:`parcours.models.Etape` through the workflow
kernel (:mod:`plie.workflow`), which locks, checks, saves and writes an ``EvenementEtape`` row.
"""

from django.db import models

from plie.accounts.models import Role
from plie.workflow import Transition, TransitionError, table

__all__ = [
    "ACTEURS",
    "CATEGORIES",
    "ETATS_COMMENCES",
    "ETATS_TERMINES",
    "TRANSITIONS",
    "TYPES_EN_ACTION",
    "CategorieEtape",
    "EtapeError",
    "EtatEtape",
    "TypeEtape",
    "categorie_de",
    "types_de",
]


class TypeEtape(models.TextChoices):
    DIAGNOSTIC = "diagnostic", "Diagnostic, bilan"
    PROJET_PROFESSIONNEL = "projet_professionnel", "Projet professionnel"
    REMOBILISATION = "remobilisation", "Remobilisation"
    LEVEE_FREIN = "levee_frein", "Levée de frein"
    FORMATION_PREQUALIFIANTE = "formation_prequalifiante", "Formation pré-qualifiante"
    FORMATION_QUALIFIANTE = "formation_qualifiante", "Formation qualifiante"
    IMMERSION = "immersion", "PMSMP, immersion"
    EMPLOI_IAE = "emploi_iae", "Emploi dans l'insertion par l'activité économique (IAE)"
    EMPLOI_AIDE = "emploi_aide", "Emploi aidé (hors IAE)"
    EMPLOI_CLASSIQUE = "emploi_classique", "Emploi classique"
    CLAUSE_INSERTION = "clause_insertion", "Mission en clause d'insertion"
    CREATION_ACTIVITE = "creation_activite", "Création d'activité"
    OPERATION_PLIE = "operation_plie", "Opération du PLIE"
    AUTRE = "autre", "Autre"


class CategorieEtape(models.TextChoices):
    """In this order: a person in several étapes at once counts in the first one (see ``categorie_de``)."""

    EMPLOI = "emploi", "Emploi"
    FORMATION = "formation", "Formation"
    PREPARATOIRE = "preparatoire", "Activité préparatoire à l'emploi"
    ACCOMPAGNEMENT_SEUL = "accompagnement_seul", "Accompagnement renforcé seul"


T, C = TypeEtape, CategorieEtape
CATEGORIES = {
    T.DIAGNOSTIC: C.ACCOMPAGNEMENT_SEUL,
    T.PROJET_PROFESSIONNEL: C.PREPARATOIRE,
    T.REMOBILISATION: C.PREPARATOIRE,
    T.LEVEE_FREIN: C.PREPARATOIRE,
    T.FORMATION_PREQUALIFIANTE: C.FORMATION,
    T.FORMATION_QUALIFIANTE: C.FORMATION,
    T.IMMERSION: C.PREPARATOIRE,
    # C annexe 2: contracts in ACI, AI and ETTI are étapes of the parcours, not exits.
    T.EMPLOI_IAE: C.EMPLOI,
    T.EMPLOI_AIDE: C.EMPLOI,
    T.EMPLOI_CLASSIQUE: C.EMPLOI,
    T.CLAUSE_INSERTION: C.EMPLOI,
    T.CREATION_ACTIVITE: C.EMPLOI,
    # An operation of the PLIE's programme (C §II.1: at least one a year) prepares for employment.
    T.OPERATION_PLIE: C.PREPARATOIRE,
    T.AUTRE: C.ACCOMPAGNEMENT_SEUL,
}
assert set(CATEGORIES) == set(TypeEtape), "Chaque type d'étape a sa catégorie."

# "In an étape emploi, formation or an operation" (C §III.1.3): what a later rhythm rule asks.
TYPES_EN_ACTION = frozenset({t for t, c in CATEGORIES.items() if c in {C.EMPLOI, C.FORMATION}} | {T.OPERATION_PLIE})


def types_de(*categories) -> list[str]:
    return sorted(t for t, c in CATEGORIES.items() if c in categories)


def categorie_de(types) -> CategorieEtape:
    """The category a person counts in, given the types of the étapes they are in at one date."""
    found = {CATEGORIES[TypeEtape(t)] for t in types}
    return next((c for c in CategorieEtape if c in found), CategorieEtape.ACCOMPAGNEMENT_SEUL)


class EtatEtape(models.TextChoices):
    PREVUE = "prevue", "Prévue"
    EN_COURS = "en_cours", "En cours"
    REALISEE = "realisee", "Réalisée"
    ABANDONNEE = "abandonnee", "Abandonnée"


ETATS_TERMINES = frozenset({EtatEtape.REALISEE, EtatEtape.ABANDONNEE})
# The states of an étape that was (or is) lived: a date inside its dates counts as « in the étape ».
ETATS_COMMENCES = frozenset({EtatEtape.EN_COURS, EtatEtape.REALISEE, EtatEtape.ABANDONNEE})


class EtapeError(TransitionError):
    """A step refused by its guard. The message is French and shown as is, next to ``field``."""


# The parcours's référent and the coordination plan and follow the étapes (DOMAIN §2).
ACTEURS = frozenset({Role.REFERENT, Role.COORDINATION})

TRANSITIONS = table(
    # Two ways to create an étape: planned, or already begun when it is recorded.
    Transition("planifier", "Planifier l'étape", frozenset(), EtatEtape.PREVUE, ACTEURS),
    Transition(
        "enregistrer_en_cours", "Enregistrer une étape déjà commencée", frozenset(), EtatEtape.EN_COURS, ACTEURS
    ),
    Transition("commencer", "Commencer l'étape", frozenset({EtatEtape.PREVUE}), EtatEtape.EN_COURS, ACTEURS),
    Transition("terminer", "Terminer l'étape", frozenset({EtatEtape.EN_COURS}), EtatEtape.REALISEE, ACTEURS),
    Transition(
        "abandonner",
        "Abandonner l'étape",
        frozenset({EtatEtape.PREVUE, EtatEtape.EN_COURS}),
        EtatEtape.ABANDONNEE,
        ACTEURS,
        needs_motif=True,
    ),
)
