"""How an exit is classified: the référentiel's table of rules (conditions → class).

Each PLIE classifies exits differently (a CDD is positive from 6 months at half-time in Niort,
from 6 months at 20 h a week in Caen…). The table is data attached to the référentiel; a later
step evaluates it against an exit's facts, first matching rule wins.
"""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


class SituationSortie(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé (hors IAE)"
    CONTRAT_AIDE_IAE = "contrat_aide_iae", "Contrat aidé en IAE (ACI, AI, ETTI)"
    CDD_INCLUSION = "cdd_inclusion", "CDD d'inclusion (CUI-PEC)"
    CDI_INCLUSION = "cdi_inclusion", "CDI d'inclusion (seniors)"
    CDDI = "cddi", "CDD d'insertion (CDDI)"
    ALTERNANCE = "alternance", "Alternance (professionnalisation, apprentissage)"
    SAISONNIER = "saisonnier", "Contrat saisonnier"
    CREATION = "creation", "Création d'entreprise"
    FORMATION = "formation", "Formation"
    ASSOCIATION_INTERMEDIAIRE = "association_intermediaire", "Emploi en association intermédiaire"
    CESU = "cesu", "Chèques emploi-service universels (CESU)"
    FREINS_REDUITS = "freins_reduits", "Sans emploi ni formation, freins levés"
    ABANDON = "abandon", "Abandon, rupture volontaire du parcours"
    SANS_NOUVELLE = "sans_nouvelle", "Sans nouvelle"
    NON_RESPECT = "non_respect", "Non-respect des engagements"
    REORIENTATION = "reorientation", "Réorientation"
    INSERTION_SOCIALE = "insertion_sociale", "Insertion sociale prioritaire"
    ABSENCE_PLUS_VALUE = "absence_plus_value", "Absence de plus-value de l'accompagnement"
    DEMENAGEMENT = "demenagement", "Déménagement"
    DECES = "deces", "Décès"
    RETRAITE = "retraite", "Retraite"
    SANTE = "sante", "Santé"
    MATERNITE = "maternite", "Maternité"
    LONGUE_MALADIE = "longue_maladie", "Longue maladie"
    INDISPONIBILITE = "indisponibilite", "Indisponibilité"
    AUTRE = "autre", "Autre"


class ClasseSortie(models.TextChoices):
    POSITIVE = "positive", "Sortie positive"
    DYNAMIQUE = "dynamique", "Sortie dynamique"
    REDUCTION_FREINS = "reduction_freins", "Réduction des freins"
    AUTRE = "autre", "Autre sortie"
    ETAPE = "etape", "Étape de parcours (pas une sortie)"


# The vocabulary of conditions a rule may state: key → (French label, type).
# Minimums are inclusive, maximums exclusive ("moins de 6 mois" is duree_mois_max = 6).
CONDITIONS = {
    "duree_mois_min": ("durée d'au moins (mois)", float),
    "duree_mois_max": ("durée de moins de (mois)", float),
    "duree_mois_plus_de": ("durée de plus de (mois)", float),
    "heures_hebdo_min": ("au moins (heures par semaine)", float),
    "heures_hebdo_max": ("moins de (heures par semaine)", float),
    "quotite_min": ("au moins (part d'un temps plein)", float),
    "quotite_max": ("moins de (part d'un temps plein)", float),
    "temps_plein": ("à temps plein", bool),
    "temps_partiel_choisi": ("temps partiel choisi", bool),
    "meme_employeur": ("dans la même entreprise", bool),
    "continu": ("sans interruption", bool),
    "mois_emploi_12_derniers_min": ("mois en emploi sur les 12 derniers mois (au moins)", float),
    "heures_6_derniers_mois_min": ("heures sur les 6 derniers mois (au moins)", float),
    "clause_insertion": ("dans le cadre des clauses d'insertion", bool),
    "age_min": ("âge d'au moins (ans)", float),
    "anciennete_mois_min": ("ancienneté dans la structure d'au moins (mois)", float),
    "qualifiante": ("formation qualifiante ou certifiante", bool),
    "heures_formation_min": ("formation d'au moins (heures)", float),
    "titre_obtenu": ("titre ou diplôme obtenu", bool),
    "mois_depuis_debut_min": ("mois écoulés depuis le début du contrat ou de la formation (au moins)", float),
    "activite_verifiee": ("démarrage de l'activité vérifié", bool),
    "validation_instance": ("validée par l'instance du PLIE (cellule, commission)", bool),
    "souhaite_quitter_plie": ("la personne souhaite arrêter l'accompagnement", bool),
}


def validate_situations(situations):
    if not isinstance(situations, list):
        raise ValidationError("Les situations forment une liste.")
    unknown = [s for s in situations if s not in SituationSortie.values]
    if unknown:
        raise ValidationError(f"Situation(s) inconnue(s) : {', '.join(map(str, unknown))}.")


def validate_conditions(conditions):
    """Refuse unknown keys, wrong types and empty ranges, with French messages."""
    if not isinstance(conditions, dict):
        raise ValidationError("Les conditions forment un dictionnaire clé → valeur.")
    errors = []
    for key, value in conditions.items():
        if key not in CONDITIONS:
            errors.append(f"Condition inconnue : « {key} ».")
            continue
        label, kind = CONDITIONS[key]
        if kind is bool and not isinstance(value, bool):
            errors.append(f"« {label} » vaut vrai ou faux.")
        elif kind is float and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            errors.append(f"« {label} » est un nombre positif.")
    for low, high in [
        ("duree_mois_min", "duree_mois_max"),
        ("heures_hebdo_min", "heures_hebdo_max"),
        ("quotite_min", "quotite_max"),
    ]:
        if not errors and low in conditions and high in conditions and conditions[low] >= conditions[high]:
            errors.append(f"« {CONDITIONS[low][0]} » doit être inférieur à « {CONDITIONS[high][0]} ».")
    if errors:
        raise ValidationError(errors)


class RegleSortie(models.Model):
    referentiel = models.ForeignKey("referentiel.Referentiel", on_delete=models.CASCADE, related_name="regles_sortie")
    ordre = models.PositiveSmallIntegerField("ordre d'examen")
    situations = models.JSONField(
        "situations à la sortie",
        default=list,
        blank=True,
        validators=[validate_situations],
        help_text="Vide : toute situation.",
    )
    conditions = models.JSONField("conditions", default=dict, blank=True, validators=[validate_conditions])
    classe = models.CharField("classement", max_length=20, choices=ClasseSortie.choices)
    neutralisee = models.BooleanField(
        "neutralisée dans le taux de sorties positives",
        default=False,
        help_text="Sortie administrative non imputable au PLIE (décès, déménagement…).",
    )
    libelle = models.CharField("règle en clair", max_length=255)
    source = models.CharField("source", max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "règle de classement des sorties"
        verbose_name_plural = "règles de classement des sorties"
        ordering = ["referentiel", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["referentiel", "ordre"], name="regle_sortie_unique_ordre"),
            models.CheckConstraint(
                condition=~models.Q(neutralisee=True) | models.Q(classe=ClasseSortie.AUTRE),
                name="regle_sortie_neutralisee_is_autre",
                violation_error_message="Seule une « autre sortie » peut être neutralisée.",
            ),
        ]

    def __str__(self):
        return f"{self.ordre}. {self.libelle}"

    def situations_en_clair(self) -> str:
        if not self.situations:
            return "Toute situation"
        return ", ".join(SituationSortie(s).label for s in self.situations)

    def conditions_en_clair(self) -> list[str]:
        lines = []
        for key, value in self.conditions.items():
            label, kind = CONDITIONS.get(key, (key, str))
            if kind is bool:
                lines.append(label if value else f"pas {label}")
            else:
                lines.append(f"{label} : {value:g}".replace(".", ","))
        return lines
