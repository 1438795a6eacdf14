"""The référent's diagnostic of a parcours (N §III.c, C §III.1.1): freins graded by theme, potentials,
job wishes, education level, history, mobility and digital autonomy.

One diagnostic *en cours* per parcours, edited as the accompaniment goes (simple-history keeps each
version). When the CER is signed the diagnostic in force is frozen as the *initial* one; the exit
freezes the *final* one: both are copies of the row (``nature``), so they compare field by field.
The rules that write them live in :mod:`parcours.diagnostic`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from parcours.freins import Frein
from plie import longueurs
from plie.longueurs import longueur_max

# A ROME code (Répertoire opérationnel des métiers et des emplois): a letter and four digits, K2204.
CODE_ROME = r"^[A-Z][0-9]{4}$"
DUREE_MAX_MINUTES = 480


class NatureDiagnostic(models.TextChoices):
    EN_COURS = "en_cours", "Diagnostic en cours"
    INITIAL = "initial", "Diagnostic initial (à la signature du CER)"
    FINAL = "final", "Diagnostic final (à la sortie)"


class NiveauFrein(models.TextChoices):
    AUCUN = "aucun", "Aucun"
    LEGER = "leger", "Léger"
    FORT = "fort", "Fort"
    BLOQUANT = "bloquant", "Bloquant"


class NiveauFormation(models.TextChoices):
    """The 2019 nomenclature of diploma levels (décret n° 2019-14)."""

    INFRA_3 = "infra_3", "Infra 3 : sans diplôme, brevet des collèges"
    NIVEAU_3 = "3", "Niveau 3 : CAP, BEP"
    NIVEAU_4 = "4", "Niveau 4 : baccalauréat, brevet professionnel"
    NIVEAU_5 = "5", "Niveau 5 : bac + 2 (BTS, DUT)"
    NIVEAU_6 = "6", "Niveau 6 : bac + 3 (licence, BUT)"
    NIVEAU_7 = "7", "Niveau 7 : bac + 5 (master)"
    NIVEAU_8 = "8", "Niveau 8 : doctorat"


class AutonomieNumerique(models.TextChoices):
    AUTONOME = "autonome", "Autonome (email, démarches en ligne, visioconférence)"
    AVEC_AIDE = "avec_aide", "Autonome avec de l'aide"
    NON_AUTONOME = "non_autonome", "Pas autonome"


def _in(field, values):
    return Q(**{f"{field}__in": sorted(values)})


class DiagnosticQuerySet(models.QuerySet):
    def en_cours(self):
        return self.filter(nature=NatureDiagnostic.EN_COURS)


class Diagnostic(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="diagnostics"
    )
    nature = models.CharField(
        "nature", max_length=10, choices=NatureDiagnostic.choices, default=NatureDiagnostic.EN_COURS
    )
    date_entretien = models.DateField("date de l'entretien de diagnostic", null=True, blank=True)
    duree_entretien_minutes = models.PositiveSmallIntegerField(
        "durée de l'entretien de diagnostic (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(DUREE_MAX_MINUTES)],
    )
    potentiels = models.TextField("potentiels et points d'appui", blank=True, max_length=longueurs.COMMENTAIRE)
    souhaits_metiers = models.TextField("métiers souhaités", blank=True, max_length=longueurs.COMMENTAIRE)
    code_rome = models.CharField(
        "code ROME du métier visé",
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(CODE_ROME, "Un code ROME est une lettre majuscule suivie de quatre chiffres (K2204).")
        ],
        help_text="Facultatif : une lettre et quatre chiffres, par exemple K2204.",
    )
    niveau_formation = models.CharField(
        "niveau de formation (nomenclature 2019)", max_length=10, choices=NiveauFormation.choices, blank=True
    )
    parcours_professionnel = models.TextField(
        "expériences professionnelles et formations suivies", blank=True, max_length=longueurs.MOTIF
    )
    permis_conduire = models.BooleanField("permis de conduire (B)", default=False)
    vehicule = models.BooleanField("véhicule personnel", default=False)
    autonomie_numerique = models.CharField(
        "autonomie numérique", max_length=20, choices=AutonomieNumerique.choices, blank=True
    )
    fige_le = models.DateTimeField("figé le", null=True, blank=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = DiagnosticQuerySet.as_manager()

    class Meta:
        verbose_name = "diagnostic"
        verbose_name_plural = "diagnostics"
        ordering = ["parcours", "nature"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcours", "nature"],
                name="diagnostic_one_per_nature",
                violation_error_message="Ce parcours a déjà un diagnostic de cette nature.",
            ),
            models.CheckConstraint(
                condition=_in("nature", NatureDiagnostic.values),
                name="diagnostic_nature_known",
                violation_error_message="Nature de diagnostic inconnue.",
            ),
            models.CheckConstraint(
                condition=Q(code_rome="") | Q(code_rome__regex=CODE_ROME),
                name="diagnostic_code_rome_format",
                violation_error_message="Un code ROME est une lettre majuscule suivie de quatre chiffres.",
            ),
            models.CheckConstraint(
                condition=Q(duree_entretien_minutes__isnull=True)
                | Q(duree_entretien_minutes__gte=1, duree_entretien_minutes__lte=DUREE_MAX_MINUTES),
                name="diagnostic_duree_bornee",
                violation_error_message=f"La durée est comprise entre 1 et {DUREE_MAX_MINUTES} minutes.",
            ),
            models.CheckConstraint(
                condition=Q(niveau_formation="") | _in("niveau_formation", NiveauFormation.values),
                name="diagnostic_niveau_formation_known",
                violation_error_message="Niveau de formation inconnu.",
            ),
            # A frozen copy says when it was frozen; the diagnostic in progress is never frozen.
            models.CheckConstraint(
                condition=Q(nature=NatureDiagnostic.EN_COURS, fige_le__isnull=True)
                | (~Q(nature=NatureDiagnostic.EN_COURS) & Q(fige_le__isnull=False)),
                name="diagnostic_fige_iff_not_en_cours",
                violation_error_message="Seul un diagnostic initial ou final est figé, et il l'est à une date.",
            ),
            longueur_max("diagnostic", "potentiels", longueurs.COMMENTAIRE),
            longueur_max("diagnostic", "souhaits_metiers", longueurs.COMMENTAIRE),
            longueur_max("diagnostic", "parcours_professionnel", longueurs.MOTIF),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} — parcours n° {self.parcours_id}"

    @property
    def est_fige(self) -> bool:
        return self.nature != NatureDiagnostic.EN_COURS


class FreinDiagnostic(models.Model):
    """One theme of a diagnostic, graded. Every theme has its row (« aucun » until graded)."""

    diagnostic = models.ForeignKey(
        Diagnostic, verbose_name="diagnostic", on_delete=models.CASCADE, related_name="freins"
    )
    theme = models.CharField("thème", max_length=20, choices=Frein.choices)
    niveau = models.CharField("niveau", max_length=10, choices=NiveauFrein.choices, default=NiveauFrein.AUCUN)
    commentaire = models.TextField("commentaire", blank=True, max_length=longueurs.COMMENTAIRE)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "frein du diagnostic"
        verbose_name_plural = "freins du diagnostic"
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "theme"],
                name="frein_diagnostic_one_per_theme",
                violation_error_message="Ce thème est déjà dans le diagnostic.",
            ),
            models.CheckConstraint(
                condition=_in("theme", Frein.values),
                name="frein_diagnostic_theme_known",
                violation_error_message="Thème de frein inconnu.",
            ),
            models.CheckConstraint(
                condition=_in("niveau", NiveauFrein.values),
                name="frein_diagnostic_niveau_known",
                violation_error_message="Niveau de frein inconnu.",
            ),
            longueur_max("frein_diagnostic", "commentaire", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"{self.get_theme_display()} : {self.get_niveau_display()}"
