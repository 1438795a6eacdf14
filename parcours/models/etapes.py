"""The étapes of a parcours and their log. Vocabulary and state machine: :mod:`parcours.etapes`.

Dates: ``date_debut`` is the planned start while the étape is planned, the real one once it has begun
(``commencer`` sets it); ``date_fin_prevue`` is optional; ``date_fin`` is the real end, set when the
étape is done or abandoned, and only then. An étape abandoned before it began keeps its planned start
and ends on the day it was given up: its dates then hold no day, and it never counts as lived.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from parcours.etapes import (
    CATEGORIES,
    ETATS_COMMENCES,
    ETATS_TERMINES,
    TRANSITIONS,
    TYPES_EN_ACTION,
    CategorieEtape,
    EtapeError,
    EtatEtape,
    TypeEtape,
    categorie_de,
    types_de,
)
from plie import longueurs
from plie.longueurs import longueur_max
from plie.workflow import Machine


def _log(etape, transition, source, by, motif):
    EvenementEtape.objects.create(
        etape=etape,
        transition=transition.name,
        etat_avant=source or "",
        etat_apres=etape.etat,
        auteur=by,
        motif=motif,
    )


MACHINE = Machine(
    transitions=TRANSITIONS,
    log=_log,
    stale_message="Cette étape vient d'être modifiée par quelqu'un d'autre : rechargez la page.",
    impossible_message="Action « {label} » impossible : l'étape est « {etat} ».",
    error=EtapeError,
)


def _in(field, values):
    return Q(**{f"{field}__in": sorted(values)})


class EtapeQuerySet(models.QuerySet):
    def en_cours(self, date=None):
        """The étapes lived on ``date`` (today by default): begun on or before it, not ended before it."""
        date = date or timezone.localdate()
        return self.filter(_in("etat", ETATS_COMMENCES), date_debut__lte=date).filter(
            Q(date_fin__isnull=True) | Q(date_fin__gte=date)
        )

    def de_categorie(self, *categories):
        return self.filter(type__in=types_de(*categories))

    def en_action(self, date=None):
        """Lived on ``date`` and of a type « emploi, formation or operation » (C §III.1.3)."""
        return self.en_cours(date).filter(type__in=sorted(TYPES_EN_ACTION))

    def categories_par_parcours(self, date=None) -> dict[int, CategorieEtape]:
        """Each parcours among these étapes that is in one on ``date``, and the category it counts in
        (one query; a parcours in no étape that day is absent: it is in « accompagnement renforcé seul »)."""
        types = {}
        for parcours_id, type_ in self.en_cours(date).order_by().values_list("parcours_id", "type").distinct():
            types.setdefault(parcours_id, set()).add(type_)
        return {pk: categorie_de(found) for pk, found in types.items()}

    def frise(self):
        """The order of the parcours page and of the frise: by start, then creation."""
        return self.select_related("ressource").order_by("date_debut", "id")


class Etape(models.Model):
    parcours = models.ForeignKey(
        "parcours.Parcours", verbose_name="parcours", on_delete=models.CASCADE, related_name="etapes"
    )
    type = models.CharField("type d'étape", max_length=30, choices=TypeEtape.choices)
    # No default: an étape is created by one of its two creations (Etape.planifier).
    etat = models.CharField("état", max_length=20, choices=EtatEtape.choices)
    ressource = models.ForeignKey(
        "territoire.RessourceTerritoire",
        verbose_name="ressource du territoire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="etapes",
        help_text="L'outil ou le dispositif du territoire mobilisé, s'il y en a un.",
    )
    date_debut = models.DateField("date de début", help_text="Prévue tant que l'étape n'a pas commencé.")
    date_fin_prevue = models.DateField("date de fin prévue", null=True, blank=True)
    date_fin = models.DateField("date de fin réelle", null=True, blank=True)
    # A note on the person: shown only to whom may read sensitive data (plie.sensitive).
    commentaire = models.TextField("commentaire", blank=True, max_length=longueurs.COMMENTAIRE)

    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = EtapeQuerySet.as_manager()

    class Meta:
        verbose_name = "étape de parcours"
        verbose_name_plural = "étapes de parcours"
        ordering = ["date_debut", "id"]
        indexes = [
            models.Index(fields=["parcours", "date_debut"]),
            # « Who is in an étape on this date »: the tableau de bord and the rhythm rule.
            models.Index(fields=["type", "date_debut"], name="etape_type_debut_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in("etat", set(EtatEtape)),
                name="etape_etat_known",
                violation_error_message="État d'étape inconnu.",
            ),
            models.CheckConstraint(
                condition=_in("type", set(TypeEtape)),
                name="etape_type_known",
                violation_error_message="Type d'étape inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin_prevue__isnull=True) | Q(date_fin_prevue__gte=F("date_debut")),
                name="etape_fin_prevue_after_debut",
                violation_error_message="La fin prévue ne peut précéder le début de l'étape.",
            ),
            # The one exception: an étape given up before it began ends before its planned start.
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=F("date_debut")) | Q(etat=EtatEtape.ABANDONNEE),
                name="etape_fin_after_debut",
                violation_error_message="La fin de l'étape ne peut précéder son début.",
            ),
            models.CheckConstraint(
                condition=(_in("etat", ETATS_TERMINES) & Q(date_fin__isnull=False))
                | (~_in("etat", ETATS_TERMINES) & Q(date_fin__isnull=True)),
                name="etape_fin_iff_terminee",
                violation_error_message="Une étape réalisée ou abandonnée a une date de fin réelle, et seule elle.",
            ),
            longueur_max("etape", "commentaire", longueurs.COMMENTAIRE),
        ]

    def __str__(self):
        return f"{self.get_type_display()} ({self.get_etat_display()}, début le {self.date_debut:%d/%m/%Y})"

    @property
    def categorie(self) -> CategorieEtape:
        return CATEGORIES[TypeEtape(self.type)]

    @property
    def est_terminee(self) -> bool:
        return self.etat in ETATS_TERMINES

    def transitions_possibles(self):
        return MACHINE.transitions_from(self.etat)

    # --- transitions -------------------------------------------------------------------------

    @staticmethod
    def verifier_dates(date_debut, date_fin_prevue):
        if date_fin_prevue is not None and date_fin_prevue < date_debut:
            raise EtapeError(
                f"La fin prévue ne peut précéder le début de l'étape ({date_debut:%d/%m/%Y}).", field="date_fin_prevue"
            )

    @staticmethod
    def verifier_ressource(ressource):
        if ressource is not None and not ressource.active:
            raise EtapeError("Cette ressource n'est plus proposée : choisissez-en une autre.", field="ressource")

    @classmethod
    def planifier(
        cls, by, parcours, *, type, date_debut, date_fin_prevue=None, ressource=None, commentaire="", commencee=False
    ):
        """Create the étape, planned, or already begun on ``date_debut`` when ``commencee``."""
        etape = cls(
            parcours=parcours,
            type=type,
            date_debut=date_debut,
            date_fin_prevue=date_fin_prevue,
            ressource=ressource,
            commentaire=(commentaire or "").strip(),
            cree_par=by,
        )
        with MACHINE.creer(etape, "enregistrer_en_cours" if commencee else "planifier", by):
            if not parcours.est_ouvert:
                raise EtapeError("Ce parcours est clos : on n'y ajoute plus d'étape.")
            cls.verifier_dates(date_debut, date_fin_prevue)
            cls.verifier_ressource(ressource)
            if commencee and date_debut > timezone.localdate():
                raise EtapeError("Une étape déjà commencée a débuté au plus tard aujourd'hui.", field="date_debut")
        return etape

    def modifier(self, by, *, type, date_debut, date_fin_prevue=None, ressource=None, commentaire=""):
        """Change what was recorded, in the same transaction-and-lock as a transition (no state change)."""
        self.verifier_dates(date_debut, date_fin_prevue)
        if ressource is not None and ressource.pk != self.ressource_id:
            self.verifier_ressource(ressource)  # an étape keeps the ressource it had, even deactivated
        if self.date_fin is not None and self.etat == EtatEtape.REALISEE and self.date_fin < date_debut:
            raise EtapeError(
                f"L'étape s'est terminée le {self.date_fin:%d/%m/%Y} : elle ne peut commencer après.",
                field="date_debut",
            )
        self.type = type
        self.date_debut = date_debut
        self.date_fin_prevue = date_fin_prevue
        self.ressource = ressource
        self.commentaire = (commentaire or "").strip()
        self._history_user = by
        self.save()

    def commencer(self, by, date, motif=""):
        with MACHINE.appliquer(self, "commencer", by, motif):
            if date > timezone.localdate():
                raise EtapeError("Une étape commence au plus tard aujourd'hui.", field="date")
            if self.date_fin_prevue is not None and date > self.date_fin_prevue:
                raise EtapeError(
                    f"L'étape devait finir le {self.date_fin_prevue:%d/%m/%Y} : elle ne peut commencer après.",
                    field="date",
                )
            self.date_debut = date

    def terminer(self, by, date, motif=""):
        with MACHINE.appliquer(self, "terminer", by, motif):
            self._verifier_fin(date)
            self.date_fin = date

    def abandonner(self, by, date, motif):
        with MACHINE.appliquer(self, "abandonner", by, motif):
            if self.etat == EtatEtape.EN_COURS:
                self._verifier_fin(date)
            elif date > timezone.localdate():
                raise EtapeError("La date de l'abandon ne peut être dans le futur.", field="date")
            self.date_fin = date

    def _verifier_fin(self, date: datetime.date):
        if date < self.date_debut:
            raise EtapeError(
                f"La fin de l'étape ne peut précéder son début ({self.date_debut:%d/%m/%Y}).", field="date"
            )
        if date > timezone.localdate():
            raise EtapeError("La fin réelle ne peut être dans le futur.", field="date")


class EvenementEtape(models.Model):
    """The log of every transition of an étape: who, when, from which state to which, and why."""

    etape = models.ForeignKey(Etape, on_delete=models.CASCADE, related_name="evenements")
    transition = models.CharField("transition", max_length=40, choices=[(n, t.label) for n, t in TRANSITIONS.items()])
    etat_avant = models.CharField("état avant", max_length=20, choices=EtatEtape.choices, blank=True)
    etat_apres = models.CharField("état après", max_length=20, choices=EtatEtape.choices)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.SET_NULL, null=True, blank=True
    )
    date = models.DateTimeField("date", default=timezone.now)
    motif = models.TextField("motif", blank=True, max_length=longueurs.COMMENTAIRE)

    class Meta:
        verbose_name = "événement d'étape"
        verbose_name_plural = "journal des étapes"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["etape", "-date"])]
        constraints = [
            longueur_max("evenement_etape", "motif", longueurs.COMMENTAIRE),
            models.CheckConstraint(
                condition=_in("transition", {t.name for t in MACHINE.creations()}) & Q(etat_avant="")
                | ~_in("transition", {t.name for t in MACHINE.creations()}) & ~Q(etat_avant=""),
                name="evenement_etape_state_before_unless_creation",
                violation_error_message="Seule la création d'une étape n'a pas d'état avant.",
            ),
        ]

    def __str__(self):
        return f"{self.get_transition_display()} ({self.date:%d/%m/%Y %H:%M})"
