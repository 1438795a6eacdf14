"""Figures kept for the funders: a daily photograph of the parcours by state.

The file active changes every day; funders' dashboards (a later step) draw its curve from these
rows, which no later correction of a parcours can rewrite.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from parcours.workflow import Etat
from plie import longueurs
from plie.longueurs import longueur_max
from plie.stockage import prive


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


class StatutDepense(models.TextChoices):
    A_VALIDER = "a_valider", "À valider"
    VALIDEE = "validee", "Validée"
    REFUSEE = "refusee", "Refusée"


class DepenseAtelier(models.Model):
    """An expense of a référent's ateliers budget (N §III.d): in one of the référentiel's categories,
    validated or refused by the coordination at the monthly team meeting. The budget is the
    référentiel's amount per ETP, prorated to the post's ETP, per calendar year; the rules (remaining
    budget, the receipt's checks, validation) live in :mod:`financement.depenses`.
    """

    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="référent", on_delete=models.PROTECT, related_name="depenses_ateliers"
    )
    date = models.DateField("date de la dépense")
    montant = models.DecimalField("montant (€)", max_digits=8, decimal_places=2)
    categorie = models.CharField("catégorie", max_length=150)
    fournisseur = models.CharField("fournisseur", max_length=150)
    objet = models.CharField("objet", max_length=200, blank=True)
    atelier = models.ForeignKey(
        "parcours.Atelier",
        verbose_name="atelier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="depenses",
    )
    justificatif = models.FileField("justificatif", storage=prive, upload_to="justificatifs/%Y/", blank=True)
    justificatif_nom = models.CharField("nom du justificatif", max_length=150, blank=True)
    justificatif_type = models.CharField("type du justificatif", max_length=50, blank=True)
    statut = models.CharField("statut", max_length=20, choices=StatutDepense.choices, default=StatutDepense.A_VALIDER)
    motif_refus = models.TextField("motif du refus", blank=True, max_length=longueurs.COMMENTAIRE)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decide_le = models.DateTimeField("décidé le", null=True, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="saisi par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField("saisi le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "dépense d'atelier"
        verbose_name_plural = "dépenses d'ateliers"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["referent", "date"]), models.Index(fields=["statut", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="depense_atelier_montant_positif",
                violation_error_message="Le montant d'une dépense est positif.",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=sorted(StatutDepense.values)),
                name="depense_atelier_statut_known",
                violation_error_message="Statut de dépense inconnu.",
            ),
            models.CheckConstraint(
                condition=~Q(statut=StatutDepense.REFUSEE) | ~Q(motif_refus=""),
                name="depense_atelier_refus_a_motif",
                violation_error_message="Un refus dit pourquoi.",
            ),
            models.CheckConstraint(
                condition=Q(statut=StatutDepense.A_VALIDER) | Q(decide_le__isnull=False),
                name="depense_atelier_decision_datee",
                violation_error_message="Une dépense validée ou refusée a la date de la décision.",
            ),
            models.CheckConstraint(
                condition=Q(justificatif="") | ~Q(justificatif_type=""),
                name="depense_atelier_justificatif_type",
                violation_error_message="Un justificatif a son type vérifié.",
            ),
            longueur_max("depense_atelier", "motif_refus", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"{self.categorie} — {self.montant} € le {self.date:%d/%m/%Y}"


class TransitionDepense(models.Model):
    depense = models.ForeignKey(DepenseAtelier, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField("transition", max_length=40)
    statut_avant = models.CharField("statut avant", max_length=20, blank=True)
    statut_apres = models.CharField("statut après", max_length=20)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    motif = models.TextField("motif", blank=True, max_length=longueurs.MOTIF)
    date = models.DateTimeField("date", default=timezone.now)

    class Meta:
        verbose_name = "transition de dépense"
        ordering = ["date", "id"]
        constraints = [longueur_max("transition_depense", "motif", longueurs.MOTIF)]

    def __str__(self):
        return f"{self.transition} ({self.date:%d/%m/%Y})"
