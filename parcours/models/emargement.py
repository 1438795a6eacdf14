"""A batch of émargement sheets built by a Celery task: all of one référent's individual sheets for
one month, as one merged PDF (or a zip). The row carries the progress the page shows and the file,
stored in the private storage and served only through an authorised view.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from plie.stockage import prive


class StatutLot(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Terminé"
    ECHEC = "echec", "Échec"


class LotEmargement(models.Model):
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="référent", on_delete=models.CASCADE, related_name="lots_emargement"
    )
    mois = models.DateField("mois", help_text="Le premier jour du mois des feuilles.")
    statut = models.CharField("statut", max_length=20, choices=StatutLot.choices, default=StatutLot.EN_ATTENTE)
    total = models.PositiveIntegerField("feuilles à produire", default=0)
    faites = models.PositiveIntegerField("feuilles produites", default=0)
    fichier = models.FileField("fichier", storage=prive, upload_to="emargement/", blank=True)
    erreur = models.CharField("erreur", max_length=500, blank=True)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    demande_le = models.DateTimeField("demandé le", auto_now_add=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "lot de feuilles d'émargement"
        verbose_name_plural = "lots de feuilles d'émargement"
        ordering = ["-demande_le", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(faites__lte=F("total")),
                name="lot_emargement_progress_bounded",
                violation_error_message="Plus de feuilles produites qu'à produire.",
            ),
            models.CheckConstraint(
                condition=Q(mois__day=1),
                name="lot_emargement_first_of_month",
                violation_error_message="Un lot porte sur un mois, daté de son premier jour.",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=sorted(StatutLot.values)),
                name="lot_emargement_statut_known",
                violation_error_message="Statut inconnu.",
            ),
            models.CheckConstraint(
                condition=~Q(statut=StatutLot.TERMINE) | (~Q(fichier="") & Q(termine_le__isnull=False)),
                name="lot_emargement_done_has_file",
                violation_error_message="Un lot terminé a son fichier.",
            ),
        ]

    def __str__(self):
        return f"Feuilles d'émargement de {self.mois:%m/%Y}"
