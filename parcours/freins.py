"""The freins (obstacles to employment) the PLIE works on (N §III.c, C §II.1): one vocabulary.

The prescripteur ticks those they observed; the référent's diagnostic grades each theme
(:mod:`parcours.models.diagnostic`).
Health is a yes/no flag, never a diagnosis; it is declared sensitive in :mod:`plie.sensitive`.
"""

from django.db import models


class Frein(models.TextChoices):
    MOBILITE = "mobilite", "Mobilité"
    SANTE = "sante", "Santé"
    LOGEMENT = "logement", "Logement"
    GARDE_ENFANTS = "garde_enfants", "Garde d'enfants"
    LANGUE = "langue", "Langue, illettrisme"
    NUMERIQUE = "numerique", "Numérique"
    RESSOURCES = "ressources", "Financier (ressources, budget)"
    ADMINISTRATIF = "administratif", "Démarches administratives"
    JUSTICE = "justice", "Justice"
    FAMILIAL = "familial", "Situation familiale"
    QUALIFICATION = "qualification", "Qualification, expérience"
    AUTRE = "autre", "Autre"
