"""The measure clock as pages show it (N §III.d): the dossier's « Mesure » card, and the measures to renew
on the homes.

The dossier reads its rows once (:func:`annotations` put in its rows query whether the parcours has
suspensions and whether its référent was away during the measure; :func:`lire` reads them only then)
and :func:`carte` builds the card from them, with no query of its own. :func:`a_renouveler` lists the
measures ending soon or past and the maximum lengths approaching, their dates computed and their rows chosen
in SQL (plie/dates_sql.py), in one query whatever their number.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import DateField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Least, NullIf
from django.utils import timezone

from parcours import agenda
from parcours.models import AbsenceReferent, Demande, Parcours, SuspensionMesure
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


@dataclass
class MesureARenouveler:
    parcours_id: int
    fin: datetime.date | None  # the measure's end, when it ends within the warning or has passed
    limite: datetime.date | None  # the maximum length, when it comes within the warning
    renouvellement_demande: bool
    today: datetime.date
    parcours: object = None  # the row with its participant and référent, once read (:func:`avec_parcours`)

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

    @property
    def urgence(self):
        """The order of the lists: a measure passed with no renewal asked first, then by days left."""
        return (not self.echue_sans_demande, self.jours, self.parcours_id)


def limite_sql(referentiel, today):
    """The maximum length of each parcours as an SQL expression (``Parcours.date_limite`` in Python): its entry
    plus the référentiel's months, postponed by the suspensions and by each day spent in veille so far.

    The veilles are summed over a join (the query groups by parcours): a subquery per row would scan them
    again for each candidate, and each use of the date would run it once more."""
    veilles = Sum(
        JoursEntre(F("periodes_veille__debut"), Least(Coalesce("periodes_veille__fin", jour(today)), jour(today))) + 1,
        filter=Q(periodes_veille__debut__lte=today),
    )
    return AjoutJours(
        AjoutMois(F("date_entree"), referentiel.duree_max_parcours_mois),
        F("jours_suspendus") + Coalesce(veilles, 0),
    )


def a_renouveler(parcours, referentiel, today=None, *, lire_parcours=False) -> list[MesureARenouveler]:
    """Among ``parcours`` (a QuerySet), those whose measure ends within the référentiel's warning or has
    passed, and those whose maximum length comes within it; the most urgent first (:attr:`urgence`).

    One query, whatever their number: the dates are computed and the rows chosen in SQL, and only what the
    order and the counts need comes back. ``lire_parcours``: the same query reads the rows with their
    participant and référent (a référent's portfolio); else :func:`avec_parcours` reads those of the rows
    shown (the whole PLIE: counted and sorted on these few values, then 20 rows read).
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=jours_d_alerte(referentiel))
    condition = Q(date_fin_mesure__lte=horizon)
    mois = referentiel.duree_max_parcours_mois if referentiel else None
    if mois:
        # What the indexes can narrow first (veilles and suspensions only push the maximum later; three days
        # of slack for the ends of months), then the exact date.
        condition |= Q(date_entree__lte=horizon - relativedelta(months=mois) + datetime.timedelta(days=3))
    rows = parcours.filter(etat__in=sorted(ETATS_MESURE), date_entree__isnull=False).filter(condition)
    # « The date when within the warning, else null », written so that the date is computed once per row (a
    # CASE would compute it twice): NULLIF(LEAST(date, the day after the warning), the day after the warning).
    apres = jour(horizon + datetime.timedelta(days=1))

    def proche(date):
        return NullIf(Least(date, apres), apres)

    rows = rows.annotate(
        renouvellement_demande=renouvellement_demande(),
        fin_proche=proche(F("date_fin_mesure")),
        limite_proche=proche(limite_sql(referentiel, today)) if mois else Value(None, output_field=DateField()),
    ).filter(Q(fin_proche__isnull=False) | Q(limite_proche__isnull=False))
    if lire_parcours:
        mesures = []
        for p in rows.select_related("participant", "referent").order_by():
            mesure = MesureARenouveler(p.pk, p.fin_proche, p.limite_proche, p.renouvellement_demande, today)
            mesure.parcours = p
            mesures.append(mesure)
    else:
        colonnes = rows.order_by().values_list("pk", "fin_proche", "limite_proche", "renouvellement_demande")
        mesures = [MesureARenouveler(*row, today) for row in colonnes]
    return sorted(mesures, key=lambda m: m.urgence)


def avec_parcours(mesures) -> list[MesureARenouveler]:
    """``mesures`` (a slice, a page) with their rows, participant and référent: one query."""
    mesures = list(mesures)
    lus = Parcours.objects.select_related("participant", "referent").in_bulk([m.parcours_id for m in mesures])
    for mesure in mesures:
        mesure.parcours = lus.get(mesure.parcours_id)
    return [m for m in mesures if m.parcours is not None]
