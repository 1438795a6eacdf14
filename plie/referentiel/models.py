"""The référentiel: every rule parameter that differs from one PLIE to another.

Both PLIEs run the same code; what differs (rhythm, durations, capacities, veille limits, exit
rules…) is a row of this table, loaded from presets and edited by the coordination. Rules read
these values; no code ever asks which PLIE it runs for.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from plie import sensitive
from plie.longueurs import longueur_max
from plie.referentiel.decisions import TypeDemande

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]

# The convocation SMS: a template per PLIE, its variables filled by plie.sms (never a motive, a health
# or RSA mention). {reponse} says how to answer: reply OUI/NON when the sender is a number, the link.
SMS_MODELE_MAX = 480
SMS_MODELE_DEFAUT = "PLIE : {objet} le {date} à {heure}, {lieu}, avec {referent}. {reponse} Empêchement : {telephone}"
SMS_EXPEDITEUR = re.compile(r"^[A-Za-z0-9]{1,11}$")


def validate_sms_expediteur(value):
    """The sender shown on the phone: 11 letters or digits at most (what the operators accept)."""
    if not SMS_EXPEDITEUR.match(value or ""):
        raise ValidationError(
            "L'expéditeur tient en 11 lettres ou chiffres au plus, sans espace ni accent (par exemple PLIENIORT).",
            code="sms_expediteur",
        )


def expediteur_peut_recevoir(value: str) -> bool:
    """A numeric sender is a number that can receive replies; a name cannot (it has no number)."""
    return bool(value) and value.isdigit()


# What a PLIE may set, and no more: an entretien of 25 hours or a veille of 50 years is a typo.
# Each bound is a validator of its field (forms say it next to the field) and a database check.
BORNES = {
    "rythme_initial_duree_mois": (0, 24),
    "rythme_initial_intervalle_jours": (1, 365),
    "rythme_intervalle_jours": (1, 365),
    "duree_entretien_minutes": (5, 480),
    "duree_diagnostic_minutes": (5, 480),
    "duree_mesure_mois": (1, 60),
    "duree_max_parcours_mois": (1, 120),
    "veille_duree_max_mois": (1, 36),
    "veille_renouvellements_max": (0, 12),
    "capacite_annuelle_min_par_etp": (0, 1000),
    "capacite_annuelle_max_par_etp": (1, 1000),
    "file_active_par_etp": (1, 500),
    "proposition_km_charge_pleine": (0, 500),
    "delai_premier_contact_jours": (1, 365),
    "delai_documents_cellule_jours_ouvres": (0, 60),
    "ateliers_frequence_min_jours": (1, 365),
    "budget_ateliers_par_etp": (0, 100000),
    "suivi_emploi_mois": (0, 60),
    "cer_rang_rdv_min": (1, 10),
    "absences_avant_cellule": (1, 10),
    "veille_suivi_intervalle_jours": (1, 365),
    "alerte_fin_mesure_jours": (1, 180),
    "revue_duree_parcours_mois": (1, 120),
    "revue_sans_action_mois": (1, 60),
    "convocation_delai_jours": (1, 7),
}


# Implied by referentiel_rythme_initial_coherent and the bound of the interval after: no check of its own.
BORNES_SANS_CHECK = {"rythme_initial_intervalle_jours"}


def bornes(field):
    low, high = BORNES[field]
    return [MinValueValidator(low), MaxValueValidator(high)]


def _check_bornes(field):
    low, high = BORNES[field]
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"referentiel_{field}_bornes",
        violation_error_message=f"La valeur est comprise entre {low} et {high}.",
    )


class CriterePublic(models.Model):
    """An eligibility criterion (BRSA, DELD, RQTH…). Rows are data (:mod:`plie.referentiel.criteres`).

    It belongs to the référentiel, which names the criteria a PLIE accepts; participants and
    prescriptions point at it, never the other way round.
    """

    BRSA = "brsa"
    DELD = "deld"
    RQTH = "rqth"

    code = models.SlugField("code", max_length=30, unique=True)
    libelle = models.CharField("libellé", max_length=150)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère de public"
        verbose_name_plural = "critères de public"
        ordering = ["ordre", "libelle"]

    def __str__(self):
        return self.libelle

    @property
    def sensible(self) -> bool:
        """Health or disability data (:mod:`plie.sensitive`): shown only through the one rule."""
        return self.code in sensitive.CRITERES


class NoActiveReferentiel(Exception):
    """No référentiel is active: the coordination must load or activate one."""


class ReferentielQuerySet(models.QuerySet):
    def active(self):
        try:
            return self.get(actif=True)
        except self.model.DoesNotExist:
            raise NoActiveReferentiel(
                "Aucun référentiel n'est actif : chargez-en un (manage.py load_referentiels)."
            ) from None

    def active_or_none(self):
        """For pages that show an empty state rather than fail when nothing is configured yet."""
        return self.filter(actif=True).first()


class Referentiel(models.Model):
    nom = models.CharField("nom du PLIE", max_length=150, unique=True)
    code = models.SlugField("code", max_length=50, unique=True)
    actif = models.BooleanField("référentiel actif", default=False)
    source = models.CharField(
        "document source", max_length=255, blank=True, help_text="Cahier des charges d'où viennent les valeurs."
    )
    epci_sirens = models.JSONField(
        "EPCI du territoire",
        default=list,
        help_text="SIREN des EPCI dont les communes forment le territoire du PLIE.",
    )

    # Rhythm of face-to-face entretiens.
    rythme_initial_duree_mois = models.PositiveSmallIntegerField(
        "durée de la phase initiale (mois)",
        default=0,
        help_text="Nombre de mois pendant lesquels un rythme renforcé s'applique (0 : pas de phase initiale).",
        validators=bornes("rythme_initial_duree_mois"),
    )
    rythme_initial_intervalle_jours = models.PositiveSmallIntegerField(
        "intervalle maximal entre entretiens en phase initiale (jours)",
        null=True,
        blank=True,
        validators=bornes("rythme_initial_intervalle_jours"),
    )
    rythme_intervalle_jours = models.PositiveSmallIntegerField(
        "intervalle maximal entre entretiens ensuite (jours)", validators=bornes("rythme_intervalle_jours")
    )

    rythme_tout_moyen_en_etape = models.BooleanField(
        "en étape emploi, formation ou opération, un contact par tout moyen suffit",
        default=False,
        help_text="Coché (Caen) : pendant une étape, le suivi mensuel se fait par tout moyen ; sinon un entretien "
        "en face à face reste dû au même rythme.",
    )

    # Typical durations.
    duree_entretien_minutes = models.PositiveSmallIntegerField(
        "durée moyenne d'un entretien (minutes)", validators=bornes("duree_entretien_minutes")
    )
    duree_diagnostic_minutes = models.PositiveSmallIntegerField(
        "durée minimale de l'entretien de diagnostic (minutes)",
        null=True,
        blank=True,
        validators=bornes("duree_diagnostic_minutes"),
    )

    # Measures and renewals.
    duree_mesure_mois = models.PositiveSmallIntegerField(
        "durée d'une mesure (mois)",
        null=True,
        blank=True,
        help_text="Vide : l'accompagnement n'est pas découpé en mesures renouvelables.",
        validators=bornes("duree_mesure_mois"),
    )
    duree_max_parcours_mois = models.PositiveSmallIntegerField(
        "durée maximale du parcours, renouvellements compris (mois)",
        null=True,
        blank=True,
        help_text="Vide : pas de limite de durée.",
        validators=bornes("duree_max_parcours_mois"),
    )

    # Veille.
    veille_duree_max_mois = models.PositiveSmallIntegerField(
        "durée maximale d'une veille (mois)",
        null=True,
        blank=True,
        help_text="Vide : pas de limite.",
        validators=bornes("veille_duree_max_mois"),
    )
    veille_renouvellements_max = models.PositiveSmallIntegerField(
        "renouvellements de veille autorisés",
        null=True,
        blank=True,
        help_text="Vide : pas de limite.",
        validators=bornes("veille_renouvellements_max"),
    )

    veille_suivi_intervalle_jours = models.PositiveSmallIntegerField(
        "suivi pendant la veille : contact au moins tous les (jours)",
        null=True,
        blank=True,
        help_text="Les deux cahiers des charges demandent un suivi régulier, par téléphone ou en face à face, "
        "sans chiffre. Vide : l'intervalle du rythme ensuite.",
        validators=bornes("veille_suivi_intervalle_jours"),
    )

    # Who decides the requests (parcours.demandes): the monthly cellule de suivi for these types (Niort:
    # veille in and out, renewals, reorientations, N §III.d and §V), the PLIE team as soon as asked otherwise.
    demandes_en_cellule = models.JSONField(
        "demandes décidées en cellule de suivi",
        default=list,
        blank=True,
        help_text="Types de demandes présentés à la cellule de suivi mensuelle ; les autres sont décidés par "
        "l'équipe du PLIE dès qu'ils sont demandés.",
    )
    alerte_fin_mesure_jours = models.PositiveSmallIntegerField(
        "alerte avant la fin d'une mesure ou la durée maximale (jours)",
        default=30,
        validators=bornes("alerte_fin_mesure_jours"),
        help_text="Le référent et la coordination sont prévenus ce nombre de jours avant l'échéance.",
    )
    # C §IV.1.4: no length limit, but the PLIE reviews long parcours and those with no action.
    revue_duree_parcours_mois = models.PositiveSmallIntegerField(
        "revue des parcours longs : à partir de (mois)",
        null=True,
        blank=True,
        help_text="Les parcours accompagnés depuis plus longtemps figurent dans la liste de revue. Vide : pas "
        "de revue des durées.",
        validators=bornes("revue_duree_parcours_mois"),
    )
    revue_sans_action_mois = models.PositiveSmallIntegerField(
        "revue des parcours sans étape ni opération depuis (mois)",
        null=True,
        blank=True,
        help_text="Les parcours sans étape ni opération sur cette période figurent dans la liste de revue. "
        "Vide : pas de revue.",
        validators=bornes("revue_sans_action_mois"),
    )

    # Capacity per ETP.
    capacite_annuelle_min_par_etp = models.PositiveSmallIntegerField(
        "participants par an et par ETP (minimum)",
        null=True,
        blank=True,
        validators=bornes("capacite_annuelle_min_par_etp"),
    )
    capacite_annuelle_max_par_etp = models.PositiveSmallIntegerField(
        "participants par an et par ETP (maximum)",
        null=True,
        blank=True,
        validators=bornes("capacite_annuelle_max_par_etp"),
    )
    file_active_par_etp = models.PositiveSmallIntegerField(
        "file active mensuelle par ETP", validators=bornes("file_active_par_etp")
    )

    # Admission: who may enter, what the coordination checks before designating a référent.
    criteres_eligibles = models.JSONField(
        "critères de public éligibles",
        default=list,
        blank=True,
        help_text="Codes des critères de public qui ouvrent l'accès au PLIE (au moins un doit être rempli).",
    )
    criteres_a_valider_en_cellule = models.JSONField(
        "critères à faire valider en cellule",
        default=list,
        blank=True,
        help_text="Critères qui ne suffisent qu'après validation en cellule de suivi (à vérifier).",
    )
    inscription_france_travail_obligatoire = models.BooleanField(
        "inscription à France Travail obligatoire", default=False
    )
    validation_france_travail = models.BooleanField(
        "validation de l'entrée avec France Travail",
        default=False,
        help_text="La coordination recueille l'accord de France Travail avant de désigner le référent.",
    )
    validation_bureau_insertion_rsa = models.BooleanField(
        "validation du bureau insertion pour les bénéficiaires du RSA",
        default=False,
        help_text="Le bureau insertion valide lui-même, dans la plateforme, l'entrée des bénéficiaires du RSA.",
    )
    # The contract of the accompaniment (N §III.c: CER; C §III.1.2: dossier de présentation).
    cer_libelle = models.CharField(
        "nom du contrat signé à l'entrée",
        max_length=200,
        default="Contrat d'engagement réciproque",
        help_text="Tel que le participant le lit sur le document à signer.",
    )
    cer_rang_rdv_min = models.PositiveSmallIntegerField(
        "le contrat se signe à partir du rendez-vous n°",
        default=2,
        validators=bornes("cer_rang_rdv_min"),
        help_text="Le premier quand la signature conditionne la reprise des droits RSA (case du parcours).",
    )
    cer_validation_equipe = models.BooleanField(
        "l'équipe du PLIE valide l'intégration",
        default=False,
        help_text="Coché : le contrat signé est validé (ou non) par l'équipe du PLIE, et l'entrée compte à sa "
        "validation. Décoché : l'entrée compte à la signature et est présentée à la cellule de suivi suivante.",
    )
    proposition_km_charge_pleine = models.PositiveSmallIntegerField(
        "proposition de référent : poids de la charge (km)",
        default=20,
        help_text=(
            "Pour classer les référents, une file active pleine pèse autant que ce nombre de kilomètres "
            "entre le domicile et le lieu d'accompagnement."
        ),
        validators=bornes("proposition_km_charge_pleine"),
    )

    # Delays.
    delai_premier_contact_jours = models.PositiveSmallIntegerField(
        "délai de premier contact après orientation (jours)",
        null=True,
        blank=True,
        validators=bornes("delai_premier_contact_jours"),
        help_text="Vide : le cahier des charges ne fixe pas de délai.",
    )
    delai_documents_cellule_jours_ouvres = models.PositiveSmallIntegerField(
        "remise des documents avant la cellule (jours ouvrés)",
        null=True,
        blank=True,
        help_text="Vide : pas de cellule mensuelle ou pas de délai fixé.",
        validators=bornes("delai_documents_cellule_jours_ouvres"),
    )

    # Ateliers collectifs.
    ateliers_frequence_min_jours = models.PositiveSmallIntegerField(
        "fréquence minimale des ateliers collectifs (jours)",
        null=True,
        blank=True,
        help_text="Par exemple 30 pour au moins un atelier par mois. Vide : pas d'obligation.",
        validators=bornes("ateliers_frequence_min_jours"),
    )
    ateliers_comptent_dans_rythme = models.BooleanField(
        "une présence à un atelier compte comme un entretien dans le rythme",
        default=False,
        help_text="Cochez si le cahier des charges admet qu'un atelier collectif tienne lieu de rencontre.",
    )
    budget_ateliers_par_etp = models.DecimalField(
        "budget des ateliers par ETP (€)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=bornes("budget_ateliers_par_etp"),
    )
    categories_depenses_ateliers = models.JSONField("catégories de dépenses des ateliers", default=list, blank=True)

    # Absences (N §III.d): after this many unjustified absences with no attended RDV between
    # them, the case goes to the next cellule de suivi.
    absences_avant_cellule = models.PositiveSmallIntegerField(
        "absences injustifiées avant la cellule de suivi",
        null=True,
        blank=True,
        help_text=(
            "Nombre d'absences injustifiées, sans rendez-vous honoré entre elles, qui signalent le "
            "parcours à la prochaine cellule de suivi. Vide : pas de seuil."
        ),
        validators=bornes("absences_avant_cellule"),
    )

    # Targets and control.
    objectif_part_rsa = models.PositiveSmallIntegerField(
        "objectif de bénéficiaires du RSA (%)", null=True, blank=True, validators=PERCENT
    )
    taux_controle = models.PositiveSmallIntegerField(
        "taux de contrôle par échantillon (%)", null=True, blank=True, validators=PERCENT
    )
    suivi_emploi_mois = models.PositiveSmallIntegerField(
        "suivi dans l'emploi ou la formation après une sortie positive (mois)",
        default=6,
        validators=bornes("suivi_emploi_mois"),
    )

    # Convocations (N §III.b, §III.d): sent « un à deux jours avant », inviting to confirm.
    convocation_delai_jours = models.PositiveSmallIntegerField(
        "convocation envoyée (jours avant le rendez-vous)",
        default=2,
        validators=bornes("convocation_delai_jours"),
        help_text="Le cahier des charges du Niortais dit « un à deux jours avant la date du rendez-vous ».",
    )
    convocation_heure = models.TimeField(
        "heure d'envoi des convocations",
        default=datetime.time(10, 0),
        help_text="Heure de Paris. Une convocation fixée après cette heure la veille part aussitôt.",
    )
    sms_expediteur = models.CharField(
        "expéditeur des SMS",
        max_length=11,
        default="PLIE",
        validators=[validate_sms_expediteur],
        help_text=(
            "11 lettres ou chiffres au plus. Un nom (« PLIENIORT ») ne peut pas recevoir de réponse ; un numéro "
            "(« 33644630000 ») le peut, si le fournisseur le permet."
        ),
    )
    sms_modele = models.TextField(
        "modèle du SMS de convocation",
        max_length=SMS_MODELE_MAX,
        default=SMS_MODELE_DEFAUT,
        help_text="Variables : {objet}, {date}, {heure}, {lieu}, {referent}, {telephone}, {reponse}.",
    )
    telephone_contact = models.CharField(
        "numéro à appeler en cas d'empêchement",
        max_length=20,
        blank=True,
        help_text="Vide : le téléphone du référent, s'il en a un.",
    )

    history = HistoricalRecords()
    objects = ReferentielQuerySet.as_manager()

    class Meta:
        verbose_name = "référentiel"
        constraints = [
            models.UniqueConstraint(
                fields=["actif"],
                condition=Q(actif=True),
                name="referentiel_single_active",
                violation_error_message="Un seul référentiel peut être actif à la fois.",
            ),
            models.CheckConstraint(
                condition=Q(rythme_initial_duree_mois=0, rythme_initial_intervalle_jours__isnull=True)
                | Q(
                    rythme_initial_duree_mois__gt=0,
                    # NULL compares to nothing: without isnull=False, a phase without interval passed.
                    rythme_initial_intervalle_jours__isnull=False,
                    rythme_initial_intervalle_jours__gt=0,
                    rythme_initial_intervalle_jours__lte=F("rythme_intervalle_jours"),
                ),
                name="referentiel_rythme_initial_coherent",
                violation_error_message=(
                    "Une phase initiale a un intervalle, plus court que ou égal à l'intervalle ensuite."
                ),
            ),
            models.CheckConstraint(
                condition=Q(duree_mesure_mois__isnull=True)
                | Q(duree_max_parcours_mois__isnull=True)
                | Q(duree_max_parcours_mois__gte=F("duree_mesure_mois")),
                name="referentiel_duree_max_covers_mesure",
                violation_error_message="La durée maximale du parcours couvre au moins une mesure.",
            ),
            models.CheckConstraint(
                condition=Q(capacite_annuelle_min_par_etp__isnull=True)
                | Q(capacite_annuelle_max_par_etp__isnull=True)
                | Q(capacite_annuelle_max_par_etp__gte=F("capacite_annuelle_min_par_etp")),
                name="referentiel_capacite_range",
                violation_error_message="La capacité annuelle maximale est au moins la minimale.",
            ),
            models.CheckConstraint(
                condition=Q(objectif_part_rsa__isnull=True) | Q(objectif_part_rsa__lte=100),
                name="referentiel_objectif_rsa_percent",
            ),
            models.CheckConstraint(
                condition=Q(taux_controle__isnull=True) | Q(taux_controle__lte=100),
                name="referentiel_taux_controle_percent",
            ),
            *[_check_bornes(field) for field in BORNES if field not in BORNES_SANS_CHECK],
            models.CheckConstraint(
                condition=Q(sms_expediteur__regex=SMS_EXPEDITEUR.pattern),
                name="referentiel_sms_expediteur_format",
                violation_error_message="L'expéditeur des SMS tient en 11 lettres ou chiffres au plus.",
            ),
            longueur_max("referentiel", "sms_modele", SMS_MODELE_MAX),
        ]

    def __str__(self):
        return self.nom

    def clean(self):
        super().clean()
        errors = {}
        if self.rythme_initial_duree_mois:
            if not self.rythme_initial_intervalle_jours:
                errors["rythme_initial_intervalle_jours"] = (
                    "Indiquez l'intervalle entre entretiens pendant la phase initiale."
                )
            elif self.rythme_intervalle_jours and self.rythme_initial_intervalle_jours > self.rythme_intervalle_jours:
                errors["rythme_initial_intervalle_jours"] = (
                    "Le rythme de la phase initiale doit être au moins aussi soutenu que le rythme "
                    f"ensuite ({self.rythme_intervalle_jours} jours)."
                )
        elif self.rythme_initial_intervalle_jours:
            errors["rythme_initial_duree_mois"] = "Indiquez la durée de la phase initiale, ou videz son intervalle."
        if (
            self.duree_mesure_mois
            and self.duree_max_parcours_mois
            and self.duree_max_parcours_mois < self.duree_mesure_mois
        ):
            errors["duree_max_parcours_mois"] = (
                f"La durée maximale ({self.duree_max_parcours_mois} mois) ne peut être inférieure "
                f"à une mesure ({self.duree_mesure_mois} mois)."
            )
        if self.veille_renouvellements_max is not None and self.veille_duree_max_mois is None:
            errors["veille_renouvellements_max"] = (
                "Un nombre de renouvellements n'a de sens qu'avec une durée maximale de veille."
            )
        if (
            self.capacite_annuelle_min_par_etp is not None
            and self.capacite_annuelle_max_par_etp is not None
            and self.capacite_annuelle_max_par_etp < self.capacite_annuelle_min_par_etp
        ):
            errors["capacite_annuelle_max_par_etp"] = (
                f"Le maximum annuel doit être supérieur ou égal au minimum ({self.capacite_annuelle_min_par_etp})."
            )
        if (
            self.file_active_par_etp
            and self.capacite_annuelle_max_par_etp
            and self.file_active_par_etp > self.capacite_annuelle_max_par_etp
        ):
            errors["file_active_par_etp"] = (
                "La file active mensuelle ne peut dépasser le nombre de participants accompagnés "
                f"dans l'année ({self.capacite_annuelle_max_par_etp})."
            )
        inconnus = [t for t in (self.demandes_en_cellule or []) if t not in TypeDemande.values]
        if inconnus:
            errors["demandes_en_cellule"] = f"Types de demande inconnus : {', '.join(map(str, inconnus))}."
        if self.budget_ateliers_par_etp and not self.categories_depenses_ateliers:
            errors["categories_depenses_ateliers"] = (
                "Indiquez au moins une catégorie de dépenses pour le budget des ateliers."
            )
        known = set(CriterePublic.objects.values_list("code", flat=True))
        for field in ("criteres_eligibles", "criteres_a_valider_en_cellule"):
            codes = getattr(self, field) or []
            unknown = [c for c in codes if c not in known]
            if unknown:
                errors[field] = f"Critères inconnus : {', '.join(map(str, unknown))}."
        if not self.criteres_eligibles:
            errors["criteres_eligibles"] = "Indiquez au moins un critère de public éligible."
        elif not set(self.criteres_a_valider_en_cellule or []) <= set(self.criteres_eligibles):
            errors["criteres_a_valider_en_cellule"] = "Un critère à valider en cellule est aussi un critère éligible."
        sirens = self.epci_sirens or []
        if not sirens:
            errors["epci_sirens"] = "Le territoire compte au moins un EPCI."
        elif any(not (isinstance(s, str) and s.isdigit() and len(s) == 9) for s in sirens):
            errors["epci_sirens"] = "Chaque EPCI est désigné par son SIREN à 9 chiffres."
        elif len(set(sirens)) != len(sirens):
            doubles = sorted({s for s in sirens if sirens.count(s) > 1})
            errors["epci_sirens"] = f"Chaque EPCI ne figure qu'une fois : {', '.join(doubles)} est en double."
        if errors:
            raise ValidationError(errors)

    # Rules that read the parameters. Callers never restate them.
    def intervalle_max_jours(self, mois_depuis_entree: int) -> int:
        """Longest allowed gap between two entretiens, given how long the person has been in."""
        if self.rythme_initial_duree_mois and mois_depuis_entree < self.rythme_initial_duree_mois:
            return self.rythme_initial_intervalle_jours
        return self.rythme_intervalle_jours

    def libelles_criteres(self) -> dict:
        """The labels of the eligible criteria, those needing the cellule marked as such."""
        labels = dict(CriterePublic.objects.filter(code__in=self.criteres_eligibles).values_list("code", "libelle"))
        return {
            "eligibles": [labels[c] for c in self.criteres_eligibles if c in labels],
            "en_cellule": [labels[c] for c in self.criteres_a_valider_en_cellule if c in labels],
        }

    def capacite_file_active(self, etp) -> int:
        """Monthly portfolio a référent can hold for their ETP (rounded down)."""
        return int(self.file_active_par_etp * etp)

    @property
    def description_rythme(self) -> str:
        ensuite = f"au moins un entretien tous les {self.rythme_intervalle_jours} jours"
        if self.rythme_initial_duree_mois:
            return (
                f"Un entretien au moins tous les {self.rythme_initial_intervalle_jours} jours pendant "
                f"les {self.rythme_initial_duree_mois} premiers mois, puis {ensuite}."
            )
        return ensuite[0].upper() + ensuite[1:] + "."
