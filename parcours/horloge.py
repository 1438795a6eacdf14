"""The measure clock as pages show it (N §III.d): the dossier's « Mesure » card, and the measures to renew
on the homes.

The dossier reads its rows once (:func:`annotations` put in its rows query whether the parcours has
suspensions and whether its référent was away during the measure; :func:`lire` reads them only then)
and :func:`carte` builds the card from them, with no query of its own. :func:`a_renouveler` lists the
measures ending soon or past and the maximum lengths approaching, computed, counted and sorted in SQL
(plie/dates_sql.py): a page of them is one query, their numbers another, whatever the PLIE's size.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from parcours import agenda
from parcours.models import AbsenceReferent, Demande, PeriodeVeille, SuspensionMesure
from parcours.models.demandes import StatutDemande, TypeDemande
from parcours.suspensions import ETATS_MESURE
from plie import permissions, sensitive
from plie.dates_sql import AjoutJours, AjoutMois, JoursEntre, jour

# The référentiel's days of warning, when there is none active.
ALERTE_JOURS = 30


def jours_d_alerte(referentiel) -> int:
    return referentiel.alerte_fin_mesure_jours if referentiel and referentiel.alerte_fin_mesure_jours else ALERTE_JOURS


def a_des_mesures(referentiel) -> bool:
    """Whether the référentiel cuts the accompaniment into measures or caps it (Niort; Caen: neither)."""
    return bool(referentiel and (referentiel.duree_mesure_mois or referentiel.duree_max_parcours_mois))


def renouvellement_demande():
    """Whether a request to renew the measure waits for its decision (an annotation)."""
    return Exists(
        Demande.objects.filter(
            parcours=OuterRef("pk"), type=TypeDemande.RENOUVELLEMENT_MESURE, statut=StatutDemande.DEMANDEE
        )
    )


def annotations() -> dict:
    """For the dossier's rows query: ``a_des_suspensions``, ``absences_pendant_mesure`` (the référent away on
    a day of the measure in progress) and ``renouvellement_demande``."""
    return {
        "a_des_suspensions": Exists(SuspensionMesure.objects.filter(parcours=OuterRef("pk"))),
        "absences_pendant_mesure": Exists(
            AbsenceReferent.objects.filter(
                referent=OuterRef("referent_id"),
                debut__lte=OuterRef("date_fin_mesure"),
                fin__gte=Coalesce(OuterRef("date_debut_mesure"), OuterRef("date_entree")),
            )
        ),
        "renouvellement_demande": renouvellement_demande(),
    }


def periode_mesure(parcours):
    """The measure in progress, [start, end], or None."""
    if parcours.date_fin_mesure is None:
        return None
    return parcours.date_debut_mesure or parcours.date_entree, parcours.date_fin_mesure


def lire(parcours, referentiel, *, absences_visibles: bool):
    """The suspensions and the référent's absences during the measure: a query each, only when there are some."""
    suspensions = list(parcours.suspensions.order_by("debut", "pk")) if parcours.a_des_suspensions else []
    periode = periode_mesure(parcours)
    absences = None
    if absences_visibles and referentiel and referentiel.duree_mesure_mois and periode and parcours.referent_id:
        absences = (
            list(AbsenceReferent.objects.du_referent(parcours.referent_id).entre(*periode))
            if parcours.absences_pendant_mesure
            else []
        )
    return suspensions, absences


@dataclass(frozen=True)
class Carte:
    mesures: bool  # the référentiel cuts the accompaniment into measures
    debut: datetime.date | None
    fin: datetime.date | None
    renouvellements: int
    date_limite: datetime.date | None
    jours_suspendus: int
    suspensions: list  # (suspension, motif shown, may be changed)
    peut_saisir: bool
    absences_jours: int | None  # working days the référent was away during the measure; None: not shown
    renouvellement_demande: bool


def carte(parcours, referentiel, *, user, veilles, suspensions, absences) -> Carte | None:
    """The « Mesure » card, or None where the référentiel has neither measures nor cap and nothing was suspended."""
    if not a_des_mesures(referentiel) and not suspensions:
        return None
    visible = permissions.can_view_sensitive(user, parcours)
    peut_saisir = permissions.can_record_suspension(user, parcours)
    periode = periode_mesure(parcours)
    absences_jours = None
    if absences is not None and periode is not None:
        absences_jours = agenda.jours_ouvres_d_absence(absences, *periode)
    return Carte(
        mesures=bool(referentiel and referentiel.duree_mesure_mois),
        debut=periode[0] if periode else None,
        fin=periode[1] if periode else None,
        renouvellements=parcours.nombre_renouvellements,
        date_limite=parcours.date_limite(referentiel, veilles),
        jours_suspendus=parcours.jours_suspendus,
        suspensions=[(s, sensitive.motif_suspension(s, visible), peut_saisir) for s in suspensions],
        peut_saisir=peut_saisir,
        absences_jours=absences_jours,
        renouvellement_demande=bool(getattr(parcours, "renouvellement_demande", False)),
    )


# --- the homes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MesureARenouveler:
    parcours: object
    fin: datetime.date | None  # the measure's end, when it ends within the warning or has passed
    limite: datetime.date | None  # the maximum length, when it comes within the warning
    renouvellement_demande: bool
    today: datetime.date

    @property
    def jours(self) -> int:
        """Days left before the nearest of the two (negative: passed)."""
        return min((d - self.today).days for d in (self.fin, self.limite) if d is not None)

    @property
    def echue(self) -> bool:
        return self.fin is not None and self.fin < self.today

    @property
    def echue_sans_demande(self) -> bool:
        return self.echue and not self.renouvellement_demande

    @property
    def limite_proche(self) -> bool:
        return self.limite is not None


def limite_sql(referentiel, today):
    """The maximum length of each parcours as an SQL expression (``Parcours.date_limite`` in Python): its entry
    plus the référentiel's months, postponed by the suspensions and by each day spent in veille so far."""
    jours_veille = (
        PeriodeVeille.objects.filter(parcours=OuterRef("pk"), debut__lte=today)
        .annotate(jours=JoursEntre(F("debut"), Least(Coalesce("fin", jour(today)), jour(today))) + 1)
        .order_by()
        .values("parcours")
        .annotate(total=Sum("jours"))
        .values("total")
    )
    return AjoutJours(
        AjoutMois(F("date_entree"), referentiel.duree_max_parcours_mois),
        F("jours_suspendus") + Coalesce(Subquery(jours_veille, output_field=IntegerField()), 0),
    )


def a_renouveler(parcours, referentiel, today=None):
    """Among ``parcours`` (a QuerySet), those whose measure ends within the référentiel's warning or has
    passed, and those whose maximum length comes within it; the most urgent first (a measure passed with no
    renewal asked, then by days left). A QuerySet: every date is computed, filtered and sorted in SQL, so a
    page reads its rows and a count its number, whatever the PLIE's size. :func:`lignes` makes its rows.

    Annotated: ``fin_proche`` (the measure's end, when within the warning or passed), ``limite_proche`` (the
    maximum length, likewise), ``renouvellement_demande`` and ``echue_sans_demande``.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=jours_d_alerte(referentiel))
    condition = Q(date_fin_mesure__lte=horizon)
    mois = referentiel.duree_max_parcours_mois if referentiel else None
    if mois:
        # What the index can narrow first (veilles and suspensions only push the maximum later; three days of
        # slack for the ends of months), then the exact date.
        condition |= Q(date_entree__lte=horizon - relativedelta(months=mois) + datetime.timedelta(days=3))
    rows = parcours.filter(etat__in=sorted(ETATS_MESURE), date_entree__isnull=False).filter(condition)
    sans_date = Value(None, output_field=DateField())
    limite_proche = sans_date
    if mois:
        rows = rows.annotate(limite=limite_sql(referentiel, today))
        limite_proche = Case(When(limite__lte=horizon, then=F("limite")), default=sans_date)
    rows = rows.annotate(
        renouvellement_demande=renouvellement_demande(),
        fin_proche=Case(When(date_fin_mesure__lte=horizon, then=F("date_fin_mesure")), default=sans_date),
        limite_proche=limite_proche,
    )
    rows = rows.filter(Q(fin_proche__isnull=False) | Q(limite_proche__isnull=False)).annotate(
        echue_sans_demande=Case(
            When(Q(date_fin_mesure__lt=today) & Q(renouvellement_demande=False), then=True),
            default=False,
            output_field=BooleanField(),
        ),
        # The nearest of the two (SQLite's MIN is null if either is: each stands in for the other).
        echeance=Least(Coalesce("fin_proche", "limite_proche"), Coalesce("limite_proche", "fin_proche")),
    )
    return rows.select_related("participant", "referent").order_by("-echue_sans_demande", "echeance", "pk")


def lignes(rows, today=None) -> list[MesureARenouveler]:
    """The rows of :func:`a_renouveler` (a slice, a page) as the homes and the review show them."""
    today = today or timezone.localdate()
    return [MesureARenouveler(p, p.fin_proche, p.limite_proche, p.renouvellement_demande, today) for p in rows]


def decomptes(rows) -> dict:
    """How many rows of :func:`a_renouveler` there are, passed with no renewal asked, and near their maximum
    length: one query."""
    return rows.order_by().aggregate(
        total=Count("pk"),
        echues_sans_demande=Count("pk", filter=Q(echue_sans_demande=True)),
        durees_max_proches=Count("pk", filter=Q(limite_proche__isnull=False)),
    )
