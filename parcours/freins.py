"""The freins (obstacles to employment) the PLIE works on (N §III.c, C §II.1): one vocabulary.

The prescripteur ticks those they observed; the référent's diagnostic (a later step) grades them.
Health is a yes/no flag, never a diagnosis, and it is shown only to those who may see health data.
"""

from django.db import models


class Frein(models.TextChoices):
    MOBILITE = "mobilite", "Mobilité"
    LOGEMENT = "logement", "Logement"
    GARDE_ENFANTS = "garde_enfants", "Garde d'enfants"
    SANTE = "sante", "Santé"
    LANGUE = "langue", "Maîtrise du français"
    NUMERIQUE = "numerique", "Usage du numérique"
    RESSOURCES = "ressources", "Ressources, budget"
    ADMINISTRATIF = "administratif", "Démarches administratives"
    QUALIFICATION = "qualification", "Qualification, expérience"


FREINS_SENSIBLES = frozenset({Frein.SANTE})


def libelles(codes, sensible_visible: bool) -> list[str]:
    """Labels of the known codes, in the vocabulary's order; health left out unless it may be seen."""
    return [f.label for f in Frein if f in codes and (sensible_visible or f not in FREINS_SENSIBLES)]
