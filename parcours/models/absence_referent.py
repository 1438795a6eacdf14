"""The référent's own absences: leave, training, illness (C §IV.1: entered in the agenda).

They block the référent's days in the agenda (:mod:`parcours.agenda`) and are reported beside the
rhythm's compliance figures (N §III.d), never excused by them: :mod:`parcours.rythme` does not read them.
Whole days only, from ``debut`` to ``fin`` included.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from plie.accounts.models import Role

COMMENTAIRE_MAX = 200


class NatureAbsence(models.TextChoices):
    CONGE = "conge", "Congé"
    FORMATION = "formation", "Formation"
    MALADIE = "maladie", "Maladie"
    AUTRE = "autre", "Autre"


class AbsenceReferentQuerySet(models.QuerySet):
    def du_referent(self, referent):
        return self.filter(referent=referent)

    def entre(self, debut: datetime.date, fin: datetime.date):
        """The absences that hold at least one day of [debut, fin]."""
        return self.filter(debut__lte=fin, fin__gte=debut)

    def chevauchant(self, absence):
        """The référent's other absences sharing a day with ``absence``."""
        return self.du_referent(absence.referent_id).entre(absence.debut, absence.fin).exclude(pk=absence.pk)


class AbsenceReferent(models.Model):
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent",
        on_delete=models.CASCADE,
        related_name="absences_referent",
        limit_choices_to={"role": Role.REFERENT},
    )
    debut = models.DateField("premier jour d'absence")
    fin = models.DateField("dernier jour d'absence")
    nature = models.CharField("nature", max_length=20, choices=NatureAbsence.choices)
    commentaire = models.CharField(
        "commentaire (facultatif)",
        max_length=COMMENTAIRE_MAX,
        blank=True,
        help_text="Une précision courte (« formation PLIE à Niort »). Pas de détail médical.",
    )
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
    objects = AbsenceReferentQuerySet.as_manager()

    class Meta:
        verbose_name = "absence de référent"
        verbose_name_plural = "absences de référents"
        ordering = ["-debut", "-id"]
        indexes = [models.Index(fields=["referent", "debut"], name="absence_referent_debut_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=F("debut")),
                name="absence_referent_fin_after_debut",
                violation_error_message="Le dernier jour d'absence ne peut précéder le premier.",
            ),
            models.CheckConstraint(
                condition=Q(nature__in=NatureAbsence.values),
                name="absence_referent_nature_known",
                violation_error_message="Nature d'absence inconnue.",
            ),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}"

    @property
    def libelle(self) -> str:
        if self.debut == self.fin:
            return f"{self.get_nature_display()} le {self.debut:%d/%m/%Y}"
        return str(self)

    def couvre(self, jour: datetime.date) -> bool:
        return self.debut <= jour <= self.fin
