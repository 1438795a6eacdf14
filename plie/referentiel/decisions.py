"""The kinds of decision a référent may ask about a parcours: a vocabulary of the référentiel, which says
who decides each (``Referentiel.demandes_en_cellule``: the monthly cellule de suivi, or the PLIE team).

The requests themselves live with the parcours (:mod:`parcours.models.demandes`); the référentiel names
the kinds without importing them (it never imports parcours).
"""

from django.db import models


class TypeDemande(models.TextChoices):
    ENTREE_VEILLE = "entree_veille", "Mise en veille"
    RENOUVELLEMENT_VEILLE = "renouvellement_veille", "Renouvellement de la veille"
    FIN_VEILLE = "fin_veille", "Fin de la veille"
    RENOUVELLEMENT_MESURE = "renouvellement_mesure", "Renouvellement de la mesure"
    DEROGATION_DISTANCE = "derogation_distance", "Accompagnement à distance (dérogation)"
    REORIENTATION = "reorientation", "Réorientation vers un autre référent"
