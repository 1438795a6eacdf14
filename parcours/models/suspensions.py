"""The participant's leave, illness or hospitalisation: the measure clock stops (N §III.d).

A suspension postpones the end of the measure in progress and the parcours's maximum length by its
number of days (:mod:`parcours.mesure` keeps ``Parcours.date_fin_mesure`` and
``Parcours.jours_suspendus`` in step, the parcours row locked). Whole days, from ``debut`` to ``fin``
included. The référent's own absences are another table (:mod:`parcours.models.absence_referent`):
they are shown beside the clock, never deducted from it. Illness and hospitalisation are health
data (:mod:`plie.sensitive`): yes/no items, never a diagnosis.

Two suspensions of a parcours never share a day: the form refuses it, and on PostgreSQL an exclusion
constraint too (migration ``0021``, :mod:`plie.contraintes`).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


class MotifSuspension(models.TextChoices):
    CONGES = "conges", "Congés du participant"
    MALADIE = "maladie", "Maladie"
    HOSPITALISATION = "hospitalisation", "Hospitalisation"


# The longest suspension one may record at once: a year of illness is a veille or an exit, not a pause.
JOURS_MAX = 366


class SuspensionQuerySet(models.QuerySet):
    def entre(self, debut, fin):
        """The suspensions holding at least one day of [debut, fin]."""
        return self.filter(debut__lte=fin, fin__gte=debut)


class SuspensionMesure(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="suspensions"
    )
    motif = models.CharField("motif", max_length=20, choices=MotifSuspension.choices)
    debut = models.DateField("premier jour")
    fin = models.DateField("dernier jour")
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField("saisie le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = "suspension de la mesure"
        verbose_name_plural = "suspensions de la mesure"
        ordering = ["-debut", "-id"]
        indexes = [models.Index(fields=["parcours", "debut"], name="suspension_parcours_debut_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=F("debut")),
                name="suspension_fin_after_debut",
                violation_error_message="Le dernier jour ne peut précéder le premier.",
            ),
            models.CheckConstraint(
                condition=Q(fin__lt=F("debut") + datetime.timedelta(days=JOURS_MAX)),
                name="suspension_duree_max",
                violation_error_message=f"Une suspension dure au plus {JOURS_MAX} jours.",
            ),
            models.CheckConstraint(
                condition=Q(motif__in=MotifSuspension.values),
                name="suspension_motif_known",
                violation_error_message="Motif de suspension inconnu.",
            ),
        ]

    def __str__(self):
        return f"Suspension du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}"

    @property
    def jours(self) -> int:
        return (self.fin - self.debut).days + 1
