"""The parcours state machine: states, the declared transition table, and the domain error.

Each transition is applied by one method of :class:`parcours.models.Parcours` through the kernel
(:mod:`plie.workflow`), which locks, checks, saves and writes a
:class:`parcours.models.TransitionParcours` row. Who may ask for a
transition is declared here too (``actors``) and read by :mod:`plie.permissions`.
"""

from django.db import models

from plie.accounts.models import Role
from plie.workflow import Transition, TransitionError, table

__all__ = ["TRANSITIONS", "Etat", "Transition", "TransitionError", "transitions_from"]


class Etat(models.TextChoices):
    ORIENTE = "oriente", "Orienté (référent désigné)"
    ACCUEIL = "accueil", "Accueil (premier rendez-vous fixé)"
    ACCOMPAGNEMENT = "accompagnement", "En accompagnement"
    VEILLE = "veille", "En veille"
    SORTIE_PROPOSEE = "sortie_proposee", "Sortie proposée"
    SORTI = "sorti", "Sorti"
    ANNULE = "annule", "Annulé"


# A parcours is born oriented: the referral, its validations and its refusal live on the
# prescription (prescriptions.workflow), and accepting it opens the parcours (« orienter »).

# Groups of states that the rules and the database constraints speak of.
ETATS_AVEC_REFERENT = frozenset(
    {Etat.ORIENTE, Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE, Etat.SORTI}
)
ETATS_ENTRES = frozenset({Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE, Etat.SORTI})
ETATS_CLOS = frozenset({Etat.SORTI, Etat.ANNULE})
ETATS_OUVERTS = frozenset(set(Etat) - ETATS_CLOS)
# The référent's portfolio: people they are actually responsible for this month.
ETATS_FILE_ACTIVE = frozenset({Etat.ORIENTE, Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE})

COORDINATION = frozenset({Role.COORDINATION})
REFERENT_OU_COORDINATION = frozenset({Role.REFERENT, Role.COORDINATION})


TRANSITIONS = table(
    # The creation: accepting a prescription opens the parcours, oriented to its référent.
    Transition("orienter", "Désigner le référent", frozenset(), Etat.ORIENTE, COORDINATION),
    Transition(
        "accueillir",
        "Fixer le premier rendez-vous",
        frozenset({Etat.ORIENTE}),
        Etat.ACCUEIL,
        REFERENT_OU_COORDINATION,
    ),
    Transition(
        "demarrer_accompagnement",
        "Démarrer l'accompagnement (CER signé)",
        frozenset({Etat.ACCUEIL}),
        Etat.ACCOMPAGNEMENT,
        REFERENT_OU_COORDINATION,
    ),
    Transition(
        "mettre_en_veille",
        "Mettre en veille",
        frozenset({Etat.ACCOMPAGNEMENT}),
        Etat.VEILLE,
        COORDINATION,
    ),
    Transition(
        "prolonger_veille",
        "Renouveler la veille",
        frozenset({Etat.VEILLE}),
        None,
        COORDINATION,
    ),
    Transition(
        "reprendre_accompagnement",
        "Mettre fin à la veille",
        frozenset({Etat.VEILLE}),
        Etat.ACCOMPAGNEMENT,
        COORDINATION,
    ),
    Transition(
        "renouveler",
        "Renouveler la mesure",
        frozenset({Etat.ACCOMPAGNEMENT, Etat.VEILLE}),
        None,
        COORDINATION,
    ),
    # N §III « à distance »: by derogation, on the person's request, the coordination approving.
    Transition(
        "accorder_distance",
        "Accorder l'accompagnement à distance",
        frozenset({Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, Etat.VEILLE}),
        None,
        COORDINATION,
        needs_motif=True,
    ),
    Transition(
        "retirer_distance",
        "Mettre fin à l'accompagnement à distance",
        frozenset({Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, Etat.VEILLE}),
        None,
        COORDINATION,
        needs_motif=True,
    ),
    Transition(
        "proposer_sortie",
        "Proposer la sortie",
        frozenset({Etat.ACCOMPAGNEMENT, Etat.VEILLE}),
        Etat.SORTIE_PROPOSEE,
        REFERENT_OU_COORDINATION,
        needs_motif=True,
    ),
    Transition(
        "retirer_proposition_sortie",
        "Reprendre l'accompagnement (proposition de sortie retirée ou non validée)",
        frozenset({Etat.SORTIE_PROPOSEE}),
        Etat.ACCOMPAGNEMENT,
        REFERENT_OU_COORDINATION,
        needs_motif=True,
    ),
    Transition(
        "valider_sortie",
        "Valider la sortie",
        frozenset({Etat.SORTIE_PROPOSEE}),
        Etat.SORTI,
        COORDINATION,
    ),
    Transition(
        "annuler",
        "Annuler le parcours",
        frozenset({Etat.ORIENTE, Etat.ACCUEIL}),
        Etat.ANNULE,
        COORDINATION,
        needs_motif=True,
    ),
    Transition(
        "changer_referent",
        "Changer de référent",
        frozenset({Etat.ORIENTE, Etat.ACCUEIL, Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE}),
        None,
        COORDINATION,
        needs_motif=True,
    ),
)


def transitions_from(etat) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if etat in t.sources]
