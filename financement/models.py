"""Figures kept for the funders: a daily photograph of the parcours by state.

The file active changes every day; funders' dashboards (a later step) draw its curve from these
rows, which no later correction of a parcours can rewrite.
"""

from django.db import models

from parcours.workflow import Etat


class InstantaneEtats(models.Model):
    date = models.DateField("date")
    etat = models.CharField("état", max_length=20, choices=Etat.choices)
    nombre = models.PositiveIntegerField("nombre de parcours")
    calcule_le = models.DateTimeField("calculé le", auto_now=True)

    class Meta:
        verbose_name = "photographie quotidienne des parcours"
        verbose_name_plural = "photographies quotidiennes des parcours"
        ordering = ["-date", "etat"]
        constraints = [models.UniqueConstraint(fields=["date", "etat"], name="instantane_unique_date_etat")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} — {self.get_etat_display()} : {self.nombre}"
