"""The référent's agenda (C §IV.1): their appointments day by day, their own absences, and the free slots.

A day of the agenda is the référent's working hours (``PLAGES``, Monday to Friday), cut by the
appointments of the parcours they follow; what no appointment covers is a free slot (« libre »), at
least ``LIBRE_MIN`` long. A day the référent is absent (leave, training, illness) has no free slot. The
appointments outside the working hours (an early call, a Saturday forum) are shown all the same.

A cancelled appointment is left out (its slot is free again); every other one holds its slot, from its
start for its real length once held, else its planned one (the référentiel's average entretien when none
was given).
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from parcours.models import AbsenceReferent, RendezVous, StatutRendezVous

# Working hours of a référent, the same every working day (module constants until the PLIE sets its own).
PLAGES = (
    (datetime.time(9, 0), datetime.time(12, 30)),
    (datetime.time(13, 30), datetime.time(17, 30)),
)
JOURS_OUVRES = frozenset(range(5))  # Monday (0) to Friday (4)
HORAIRES = " et ".join(f"{a:%H:%M} – {b:%H:%M}" for a, b in PLAGES) + ", du lundi au vendredi"
# A gap shorter than this between two appointments is not offered as a free slot.
LIBRE_MIN = datetime.timedelta(minutes=15)
# The length of an appointment that says none, when the référentiel gives no average either.
DUREE_PAR_DEFAUT = 60

VUE_JOUR, VUE_SEMAINE = "jour", "semaine"
VUES = ((VUE_JOUR, "Jour"), (VUE_SEMAINE, "Semaine"))


def est_ouvre(jour: datetime.date) -> bool:
    return jour.weekday() in JOURS_OUVRES


def duree(rdv, duree_par_defaut=DUREE_PAR_DEFAUT) -> datetime.timedelta:
    """How long an appointment holds the agenda: its real length once held, else its planned length."""
    minutes = rdv.duree_reelle_minutes or rdv.duree_minutes or duree_par_defaut or DUREE_PAR_DEFAUT
    return datetime.timedelta(minutes=minutes)


@dataclass(frozen=True)
class Creneau:
    debut: datetime.datetime  # local, aware
    fin: datetime.datetime
    rdv: object = None  # the appointment; None for a free slot

    @property
    def libre(self) -> bool:
        return self.rdv is None

    @property
    def minutes(self) -> int:
        return int((self.fin - self.debut).total_seconds() // 60)


@dataclass
class Jour:
    date: datetime.date
    creneaux: list  # appointments and free slots, in time order
    absences: list = field(default_factory=list)  # the référent's absences covering the day

    @property
    def ouvre(self) -> bool:
        return est_ouvre(self.date)

    @property
    def rendez_vous(self) -> list:
        return [c.rdv for c in self.creneaux if not c.libre]

    @property
    def libres(self) -> list:
        return [c for c in self.creneaux if c.libre]


def _moment(jour, heure):
    return timezone.make_aware(datetime.datetime.combine(jour, heure))


def creneaux(jour: datetime.date, rendez_vous, *, absent=False, duree_par_defaut=DUREE_PAR_DEFAUT) -> list[Creneau]:
    """The day's appointments (those of ``rendez_vous`` starting on ``jour``, cancelled ones left out)
    and, within the working hours of a working day the référent is not absent, the free slots between
    them, in time order."""
    occupes = []
    for rdv in rendez_vous:
        debut = timezone.localtime(rdv.debut)
        if debut.date() == jour and rdv.statut != StatutRendezVous.ANNULE:
            occupes.append(Creneau(debut, debut + duree(rdv, duree_par_defaut), rdv))
    occupes.sort(key=lambda c: (c.debut, c.fin, c.rdv.pk or 0))
    libres = []
    if est_ouvre(jour) and not absent:
        for ouverture, fermeture in PLAGES:
            curseur, fin_plage = _moment(jour, ouverture), _moment(jour, fermeture)
            for occupe in occupes:
                if occupe.fin <= curseur or occupe.debut >= fin_plage:
                    continue
                if occupe.debut - curseur >= LIBRE_MIN:
                    libres.append(Creneau(curseur, occupe.debut))
                curseur = max(curseur, occupe.fin)
            if fin_plage - curseur >= LIBRE_MIN:
                libres.append(Creneau(curseur, fin_plage))
    return sorted([*occupes, *libres], key=lambda c: (c.debut, c.libre, c.fin))


def lundi(jour: datetime.date) -> datetime.date:
    return jour - datetime.timedelta(days=jour.weekday())


def periode(jour: datetime.date, vue: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day shown: the day, or its week from Monday to Sunday."""
    if vue == VUE_SEMAINE:
        debut = lundi(jour)
        return debut, debut + datetime.timedelta(days=6)
    return jour, jour


def precedent_suivant(jour: datetime.date, vue: str) -> tuple[datetime.date, datetime.date]:
    """The day the « précédent » and « suivant » links open: the working day (or week) before and after."""
    if vue == VUE_SEMAINE:
        debut = lundi(jour)
        return debut - datetime.timedelta(days=7), debut + datetime.timedelta(days=7)
    avant, apres = jour - datetime.timedelta(days=1), jour + datetime.timedelta(days=1)
    while not est_ouvre(avant):
        avant -= datetime.timedelta(days=1)
    while not est_ouvre(apres):
        apres += datetime.timedelta(days=1)
    return avant, apres


def rendez_vous_du_referent(referent, debut: datetime.date, fin: datetime.date):
    """The appointments of the parcours the référent follows, from ``debut`` to ``fin`` included (one
    query, with what the agenda shows of each: the person, the place)."""
    return (
        RendezVous.objects.filter(
            parcours__referent=referent,
            debut__gte=_moment(debut, datetime.time.min),
            debut__lt=_moment(fin + datetime.timedelta(days=1), datetime.time.min),
        )
        .select_related("parcours__participant", "lieu__commune")
        .order_by("debut", "id")
    )


def agenda(referent, debut: datetime.date, fin: datetime.date, *, duree_par_defaut=DUREE_PAR_DEFAUT) -> list[Jour]:
    """The days from ``debut`` to ``fin``, each with its slots and the absences that cover it (two
    queries, whatever the number of appointments). Saturday and Sunday are kept only when something
    is on them."""
    rdvs = list(rendez_vous_du_referent(referent, debut, fin))
    absences = list(AbsenceReferent.objects.du_referent(referent).entre(debut, fin).order_by("debut", "id"))
    jours = []
    jour = debut
    while jour <= fin:
        couvrant = [a for a in absences if a.couvre(jour)]
        day = Jour(jour, creneaux(jour, rdvs, absent=bool(couvrant), duree_par_defaut=duree_par_defaut), couvrant)
        if day.ouvre or day.creneaux or debut == fin:
            jours.append(day)
        jour += datetime.timedelta(days=1)
    return jours


def avertissement_absence(referent_id, moment) -> str:
    """A warning when an appointment falls on a day the référent is away (it is not refused: the
    absence may have changed, or a colleague may hold it); empty otherwise. One query."""
    if referent_id is None or moment is None:
        return ""
    jour = timezone.localdate(moment)
    absence = AbsenceReferent.objects.du_referent(referent_id).entre(jour, jour).order_by("debut").first()
    if absence is None:
        return ""
    return (
        f"Attention : le {jour:%d/%m/%Y}, le référent est absent ({absence.get_nature_display().lower()} "
        f"du {absence.debut:%d/%m/%Y} au {absence.fin:%d/%m/%Y})."
    )


def jours_ouvres_d_absence(absences, debut: datetime.date, fin: datetime.date) -> int:
    """The working days of [debut, fin] that one of ``absences`` covers (overlapping absences count once)."""
    jours = set()
    for absence in absences:
        jour = max(absence.debut, debut)
        while jour <= min(absence.fin, fin):
            if est_ouvre(jour):
                jours.add(jour)
            jour += datetime.timedelta(days=1)
    return len(jours)
