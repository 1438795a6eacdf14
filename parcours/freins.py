"""The freins (obstacles to employment) the PLIE works on (N §III.c, C §II.1): one vocabulary.

The prescripteur ticks those they observed; the référent's diagnostic (a later step) grades them.
Health is a yes/no flag, never a diagnosis; it is declared sensitive in :mod:`plie.sensitive`.
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
