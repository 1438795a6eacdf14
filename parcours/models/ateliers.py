"""Ateliers collectifs (N §III.d): a series of sessions at a fixed time slot, run by one or two
référents ("seul ou en binôme", possibly of two opérateurs), for participants invited from the
animateurs' portfolios (the coordination may invite anyone).

- :class:`Atelier` is the series: its theme, its usual place and slot, its animateurs, its capacity.
  A one-off atelier is a series of one session.
- :class:`SeanceAtelier` is one session: its own start, end and place (a session may move or be
  cancelled on its own), its state (prévue → tenue or annulée, on the workflow kernel), what was
  done, and the moment its émargement sheet was locked.
- :class:`InscriptionAtelier` is a participant invited to the series.
- :class:`PresenceAtelier` is one participant's attendance at one session (present, absent with or
  without justification) with the time they attended: it feeds the parcours's journal, the absence
  rules and, where the référentiel says so, the rhythm.

The rules (who may animate, invite, record; the series' dates; the absence follow-up) live in
:mod:`parcours.ateliers`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plie import longueurs
from plie.longueurs import longueur_max
from plie.workflow import TransitionError

# A series: at most a year of weekly sessions; a session: at most a working day.
SEANCES_MAX = 52
CAPACITE_MAX = 50
DUREE_PRESENCE_MAX = 600


class AtelierError(TransitionError):
    """An atelier rule refused: a French message, shown next to ``field``."""


class Periodicite(models.TextChoices):
    UNIQUE = "unique", "Séance unique"
    HEBDOMADAIRE = "hebdomadaire", "Chaque semaine"
    QUINZAINE = "quinzaine", "Toutes les deux semaines"
    MENSUELLE = "mensuelle", "Chaque mois (même jour de la semaine)"


class StatutSeance(models.TextChoices):
    PREVUE = "prevue", "Prévue"
    TENUE = "tenue", "Tenue"
    ANNULEE = "annulee", "Annulée"


class StatutPresence(models.TextChoices):
    PRESENT = "present", "Présent"
    ABSENT_JUSTIFIE = "absent_justifie", "Absence justifiée"
    ABSENT_INJUSTIFIE = "absent_injustifie", "Absence non justifiée"


def _in(field, values):
    return Q(**{f"{field}__in": sorted(values)})


class AtelierQuerySet(models.QuerySet):
    def animes_par(self, user):
        return self.filter(Q(animateur=user) | Q(co_animateur=user))


class Atelier(models.Model):
    theme = models.CharField("thème", max_length=200)
    description = models.TextField("contenu prévu", blank=True, max_length=longueurs.COMMENTAIRE)
    animateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="animateur", on_delete=models.PROTECT, related_name="ateliers_animes"
    )
    co_animateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="co-animateur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ateliers_co_animes",
        help_text="En binôme : un autre référent, éventuellement d'un autre opérateur.",
    )
    lieu = models.ForeignKey(
        "accounts.LieuAccompagnement",
        verbose_name="lieu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ateliers",
    )
    lieu_precision = models.CharField("précision sur le lieu", max_length=200, blank=True)
    capacite = models.PositiveSmallIntegerField("nombre de places")
    # The series: the first session's day and the slot, repeated ``nombre_seances`` times.
    premiere_date = models.DateField("date de la première séance")
    heure_debut = models.TimeField("heure de début")
    heure_fin = models.TimeField("heure de fin")
    periodicite = models.CharField(
        "périodicité", max_length=20, choices=Periodicite.choices, default=Periodicite.UNIQUE
    )
    nombre_seances = models.PositiveSmallIntegerField("nombre de séances", default=1)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="créé par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()
    objects = AtelierQuerySet.as_manager()

    class Meta:
        verbose_name = "atelier collectif"
        verbose_name_plural = "ateliers collectifs"
        ordering = ["-premiere_date", "theme", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(co_animateur__isnull=True) | ~Q(co_animateur=F("animateur")),
                name="atelier_binome_distinct",
                violation_error_message="Le co-animateur est un autre référent que l'animateur.",
            ),
            models.CheckConstraint(
                condition=Q(capacite__gte=1, capacite__lte=CAPACITE_MAX),
                name="atelier_capacite_bornes",
                violation_error_message=f"Un atelier a de 1 à {CAPACITE_MAX} places.",
            ),
            models.CheckConstraint(
                condition=Q(heure_fin__gt=F("heure_debut")),
                name="atelier_fin_apres_debut",
                violation_error_message="L'heure de fin suit l'heure de début.",
            ),
            models.CheckConstraint(
                condition=Q(nombre_seances__gte=1, nombre_seances__lte=SEANCES_MAX),
                name="atelier_nombre_seances_bornes",
                violation_error_message=f"Une série compte de 1 à {SEANCES_MAX} séances.",
            ),
            models.CheckConstraint(
                condition=~Q(periodicite=Periodicite.UNIQUE) | Q(nombre_seances=1),
                name="atelier_unique_une_seance",
                violation_error_message="Un atelier à séance unique n'a qu'une séance.",
            ),
            models.CheckConstraint(
                condition=_in("periodicite", Periodicite.values),
                name="atelier_periodicite_known",
                violation_error_message="Périodicité inconnue.",
            ),
            longueur_max("atelier", "description", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return self.theme

    @property
    def animateur_ids(self) -> set:
        return {i for i in (self.animateur_id, self.co_animateur_id) if i}


class SeanceAtelier(models.Model):
    atelier = models.ForeignKey(Atelier, verbose_name="atelier", on_delete=models.CASCADE, related_name="seances")
    numero = models.PositiveSmallIntegerField("séance n°")
    debut = models.DateTimeField("début")
    fin = models.DateTimeField("fin")
    lieu = models.ForeignKey(
        "accounts.LieuAccompagnement",
        verbose_name="lieu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seances_atelier",
    )
    lieu_precision = models.CharField("précision sur le lieu", max_length=200, blank=True)
    statut = models.CharField("statut", max_length=20, choices=StatutSeance.choices, default=StatutSeance.PREVUE)
    motif_annulation = models.CharField("motif de l'annulation", max_length=200, blank=True)
    contenu = models.TextField("ce qui a été fait", blank=True, max_length=longueurs.COMMENTAIRE)
    # Once locked, the émargement sheet is final: no attendance change, no signature.
    emargement_clos_le = models.DateTimeField("émargement clos le", null=True, blank=True)
    emargement_clos_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="émargement clos par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "séance d'atelier"
        verbose_name_plural = "séances d'atelier"
        ordering = ["debut", "id"]
        indexes = [models.Index(fields=["debut"])]
        constraints = [
            models.UniqueConstraint(fields=["atelier", "numero"], name="seance_atelier_numero_unique"),
            models.CheckConstraint(
                condition=Q(fin__gt=F("debut")),
                name="seance_atelier_fin_apres_debut",
                violation_error_message="Une séance finit après son début.",
            ),
            models.CheckConstraint(
                condition=_in("statut", StatutSeance.values),
                name="seance_atelier_statut_known",
                violation_error_message="Statut de séance inconnu.",
            ),
            models.CheckConstraint(
                condition=~Q(statut=StatutSeance.ANNULEE) | ~Q(motif_annulation=""),
                name="seance_atelier_annulee_a_motif",
                violation_error_message="Une séance annulée a son motif.",
            ),
            models.CheckConstraint(
                condition=Q(emargement_clos_le__isnull=True) | Q(statut=StatutSeance.TENUE),
                name="seance_atelier_emargement_clos_si_tenue",
                violation_error_message="Seul l'émargement d'une séance tenue se clôt.",
            ),
            longueur_max("seance_atelier", "contenu", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"{self.atelier.theme} — séance {self.numero} du {timezone.localtime(self.debut):%d/%m/%Y}"

    @property
    def duree_minutes(self) -> int:
        return int((self.fin - self.debut).total_seconds() // 60)

    @property
    def emargement_clos(self) -> bool:
        return self.emargement_clos_le is not None


class TransitionSeance(models.Model):
    seance = models.ForeignKey(SeanceAtelier, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField("transition", max_length=40)
    statut_avant = models.CharField("statut avant", max_length=20, blank=True)
    statut_apres = models.CharField("statut après", max_length=20)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    motif = models.TextField("motif", blank=True, max_length=longueurs.MOTIF)
    date = models.DateTimeField("date", default=timezone.now)

    class Meta:
        verbose_name = "transition de séance"
        ordering = ["date", "id"]
        constraints = [longueur_max("transition_seance", "motif", longueurs.MOTIF)]

    def __str__(self):
        return f"{self.transition} ({self.date:%d/%m/%Y})"


class InscriptionAtelier(models.Model):
    atelier = models.ForeignKey(Atelier, verbose_name="atelier", on_delete=models.CASCADE, related_name="inscriptions")
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="inscriptions_atelier"
    )
    invite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="invité par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invite_le = models.DateTimeField("invité le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "invitation à un atelier"
        verbose_name_plural = "invitations aux ateliers"
        ordering = ["invite_le", "id"]
        constraints = [
            models.UniqueConstraint(fields=["atelier", "parcours"], name="inscription_atelier_unique"),
        ]

    def __str__(self):
        return f"Invitation à l'atelier {self.atelier_id}"


class PresenceAtelier(models.Model):
    seance = models.ForeignKey(SeanceAtelier, verbose_name="séance", on_delete=models.CASCADE, related_name="presences")
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="presences_atelier"
    )
    statut = models.CharField("présence", max_length=20, choices=StatutPresence.choices)
    # The time this participant attended (a late arrival, an early departure); absent: none.
    duree_minutes = models.PositiveSmallIntegerField("durée de présence (minutes)", null=True, blank=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="saisi par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "présence à une séance"
        verbose_name_plural = "présences aux séances"
        ordering = ["seance", "id"]
        indexes = [models.Index(fields=["parcours", "seance"])]
        constraints = [
            models.UniqueConstraint(fields=["seance", "parcours"], name="presence_atelier_unique"),
            models.CheckConstraint(
                condition=_in("statut", StatutPresence.values),
                name="presence_atelier_statut_known",
                violation_error_message="Présence inconnue.",
            ),
            models.CheckConstraint(
                condition=(
                    # isnull=False: a missing duration makes the comparisons unknown, which a check lets through.
                    Q(statut=StatutPresence.PRESENT)
                    & Q(duree_minutes__isnull=False, duree_minutes__gte=1, duree_minutes__lte=DUREE_PRESENCE_MAX)
                )
                | (~Q(statut=StatutPresence.PRESENT) & Q(duree_minutes__isnull=True)),
                name="presence_atelier_duree_iff_present",
                violation_error_message=(
                    f"Une personne présente a une durée de présence (1 à {DUREE_PRESENCE_MAX} minutes), "
                    "une personne absente n'en a pas."
                ),
            ),
        ]

    def __str__(self):
        return self.get_statut_display()

    def est_present(self) -> bool:
        return self.statut == StatutPresence.PRESENT
