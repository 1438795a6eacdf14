"""The prescription's state machine: a referral from its draft to the coordination's decision.

A prescription is the referral document. The person becomes a participant, with a parcours,
only when the coordination accepts it and designates the référent: a refused referral leaves no
participant record behind (collect only what the mission needs).
"""

from django.db import models

from plie.accounts.models import Role
from plie.workflow import Transition, TransitionError, table


class Statut(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    ENVOYEE = "envoyee", "Reçue"
    EN_EXAMEN = "en_examen", "En cours d'examen"
    COMPLEMENT_DEMANDE = "complement_demande", "Complément demandé"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"


# Waiting for the coordination (the queue), and still open to a decision.
STATUTS_A_TRAITER = frozenset({Statut.ENVOYEE, Statut.EN_EXAMEN})
STATUTS_EN_COURS = frozenset({Statut.ENVOYEE, Statut.EN_EXAMEN, Statut.COMPLEMENT_DEMANDE})
STATUTS_MODIFIABLES = frozenset({Statut.BROUILLON, Statut.COMPLEMENT_DEMANDE})
STATUTS_DECIDES = frozenset({Statut.ACCEPTEE, Statut.REFUSEE})

PRESCRIPTEURS = frozenset({Role.PRESCRIPTEUR, Role.BUREAU_INSERTION})
COORDINATION = frozenset({Role.COORDINATION})


class MotifRefus(models.TextChoices):
    HORS_PUBLIC = "hors_public", "Ne relève pas des publics du PLIE"
    HORS_TERRITOIRE = "hors_territoire", "Réside hors du territoire du PLIE"
    DEJA_ACCOMPAGNE = "deja_accompagne", "Déjà accompagné(e) (doublon de suivi)"
    VALIDATION_REFUSEE = "validation_refusee", "Validation refusée par France Travail ou le bureau insertion"
    NON_VOLONTAIRE = "non_volontaire", "La personne ne souhaite pas entrer dans le PLIE"
    AUTRE_ORIENTATION = "autre_orientation", "Une autre orientation est plus adaptée"
    INJOIGNABLE = "injoignable", "Personne injoignable, sans réponse du prescripteur"
    AUTRE = "autre", "Autre motif"


class PrescriptionError(TransitionError):
    """A step refused by its guard. The message is French and shown as is, next to ``field``."""


TRANSITIONS = table(
    Transition(
        "envoyer",
        "Envoyer la prescription",
        frozenset({Statut.BROUILLON, Statut.COMPLEMENT_DEMANDE}),
        Statut.ENVOYEE,
        PRESCRIPTEURS,
    ),
    # Any step of the coordination on a received prescription (identity check, validation
    # request) starts its examination: the prescripteur then reads « En cours d'examen ».
    Transition("examiner", "Commencer l'examen", frozenset({Statut.ENVOYEE}), Statut.EN_EXAMEN, COORDINATION),
    Transition(
        "demander_complement",
        "Demander un complément au prescripteur",
        frozenset({Statut.ENVOYEE, Statut.EN_EXAMEN}),
        Statut.COMPLEMENT_DEMANDE,
        COORDINATION,
    ),
    Transition("refuser", "Refuser", frozenset(STATUTS_EN_COURS), Statut.REFUSEE, COORDINATION),
    Transition(
        "accepter",
        "Accepter et désigner le référent",
        frozenset({Statut.ENVOYEE, Statut.EN_EXAMEN}),
        Statut.ACCEPTEE,
        COORDINATION,
    ),
)
