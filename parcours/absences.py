"""Unjustified absences (N §III.d): the référent's follow-up, the bureau insertion told when the
référent is RUP, and the parcours flagged for the cellule de suivi after the référentiel's number
of absences with no attended appointment between them. Remote entretiens count the same, and so do
the ateliers collectifs: an unjustified absence at a session counts as a missed entretien, a presence
as a held one (:mod:`parcours.ateliers`).

The follow-up tasks are derived, not stored: after the latest unjustified absence not followed by
a held appointment, each task is done when what it asks for is recorded (a contact with the person,
a new appointment, a contact noting the warning). Nothing to tick twice, nothing to keep in sync.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, DateTimeField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.urls import reverse
from django.utils import timezone

from parcours.models import (
    CanalContact,
    Parcours,
    PresenceAtelier,
    RendezVous,
    StatutPresence,
    StatutRendezVous,
    TentativeContact,
)
from plie.notifications.services import envoyer_email

S = StatutRendezVous
# The appointments that decide whether an absence is still to follow: held or missed.
STATUTS_COMPTES = (S.HONORE, S.ABSENT)
# The same for a session of an atelier: present, or absent without justification.
PRESENCES_COMPTEES = (StatutPresence.PRESENT, StatutPresence.ABSENT_INJUSTIFIE)
# Before anything: what a missing date compares as (GREATEST ignores NULL on PostgreSQL, not on SQLite).
JAMAIS = Value(datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC), output_field=DateTimeField())


@dataclass(frozen=True)
class AbsenceAtelier:
    """An unjustified absence at a session of an atelier, read as a missed appointment."""

    presence: PresenceAtelier
    debut: datetime.datetime

    @property
    def debut_local(self):
        return timezone.localtime(self.debut)


@dataclass(frozen=True)
class Signalement:
    """Whether the parcours goes to the next cellule, and the dates of the absences in a row."""

    a_signaler: bool
    dates: list  # local dates of the unjustified absences since the last attended appointment
    seuil: int | None


def _apres_le_dernier_tenu(qs, debut):
    """Rows of ``qs`` (a parcours's) after its last held appointment and its last attended session."""
    honore = RendezVous.objects.filter(parcours=OuterRef("parcours"), statut=S.HONORE).order_by("-debut")
    present = PresenceAtelier.objects.filter(parcours=OuterRef("parcours"), statut=StatutPresence.PRESENT).order_by(
        "-seance__debut"
    )
    return qs.alias(
        dernier_honore=Subquery(honore.values("debut")[:1]),
        dernier_present=Subquery(present.values("seance__debut")[:1]),
    ).filter(
        Q(dernier_honore__isnull=True) | Q(**{f"{debut}__gt": F("dernier_honore")}),
        Q(dernier_present__isnull=True) | Q(**{f"{debut}__gt": F("dernier_present")}),
    )


def serie(parcours) -> list:
    """The unjustified absences since the parcours's last held appointment or attended session, oldest
    first: :class:`RendezVous` rows and :class:`AbsenceAtelier`.

    Two queries, and only those rows (not the whole history): an attended appointment or session ends a
    run, excused and cancelled ones do not.
    """
    rdvs = list(_apres_le_dernier_tenu(parcours.rendez_vous.filter(statut=S.ABSENT), "debut"))
    ateliers = [
        AbsenceAtelier(p, p.seance.debut)
        for p in _apres_le_dernier_tenu(
            parcours.presences_atelier.filter(statut=StatutPresence.ABSENT_INJUSTIFIE), "seance__debut"
        ).select_related("seance", "seance__atelier")
    ]
    return sorted([*rdvs, *ateliers], key=lambda a: a.debut)


def absences_a_signaler(parcours, referentiel, absences=None) -> Signalement:
    """The unjustified absences since the last held appointment, and whether they reach the
    référentiel's threshold (none: never). ``absences``: :func:`serie`, when the caller has it."""
    seuil = referentiel.absences_avant_cellule if referentiel else None
    absences = serie(parcours) if absences is None else absences
    dates = [a.debut_local.date() for a in absences]
    return Signalement(a_signaler=bool(seuil) and len(dates) >= seuil, dates=dates, seuil=seuil)


@dataclass(frozen=True)
class Tache:
    code: str
    libelle: str
    faite: bool


@dataclass(frozen=True)
class Suivi:
    absence_debut: object  # when the absence to follow was (an aware datetime)
    taches: list

    @property
    def restantes(self) -> int:
        return sum(not t.faite for t in self.taches)


LIBELLES = {
    "appeler": "Appeler la personne pour connaître la raison de son absence",
    "proposer": "Lui proposer un nouveau rendez-vous",
    "avertir": "L'informer qu'une nouvelle absence injustifiée peut mettre fin à l'accompagnement",
}
CANAUX_PERSONNE = [c for c in CanalContact.values if c != CanalContact.PARTENAIRE]


def avec_absence(parcours_qs):
    """Annotate each parcours with its latest held-or-missed appointment or session of an atelier
    (``dernier_statut``: a session reads as held or missed, ``absence_debut``) and whether each
    follow-up task was done since (``tache_appeler`` …), in the same query: a list or a parcours page
    pays nothing more for it."""
    dernier = RendezVous.objects.filter(parcours=OuterRef("pk"), statut__in=STATUTS_COMPTES).order_by("-debut", "-id")
    atelier = PresenceAtelier.objects.filter(parcours=OuterRef("pk"), statut__in=PRESENCES_COMPTEES).order_by(
        "-seance__debut", "-id"
    )
    comme_rdv = Case(
        When(statut=StatutPresence.PRESENT, then=Value(S.HONORE)), default=Value(S.ABSENT), output_field=CharField()
    )
    # The later of the two (a session and an appointment at the same time: the appointment), each subquery
    # written once per expression: the follow-up's EXISTS below repeat ``absence_debut``.
    rdv_ou_jamais = Coalesce(F("rdv_debut"), JAMAIS)
    contacts = TentativeContact.objects.filter(parcours=OuterRef("pk"), date__gte=OuterRef("absence_debut"))
    return (
        parcours_qs.alias(
            rdv_statut=Subquery(dernier.values("statut")[:1]),
            rdv_debut=Subquery(dernier.values("debut")[:1]),
            atelier_statut=Subquery(atelier.annotate(comme_rdv=comme_rdv).values("comme_rdv")[:1]),
            atelier_debut=Subquery(atelier.values("seance__debut")[:1]),
        )
        .annotate(
            dernier_statut=Case(
                When(atelier_debut__gt=rdv_ou_jamais, then=F("atelier_statut")), default=F("rdv_statut")
            ),
            absence_debut=NullIf(Greatest(rdv_ou_jamais, Coalesce(F("atelier_debut"), JAMAIS)), JAMAIS),
        )
        .annotate(
            tache_appeler=Exists(contacts.filter(canal__in=CANAUX_PERSONNE)),
            tache_proposer=Exists(
                RendezVous.objects.filter(parcours=OuterRef("pk"), debut__gt=OuterRef("absence_debut")).exclude(
                    statut=S.ANNULE
                )
            ),
            tache_avertir=Exists(contacts.filter(avertissement_absence=True)),
        )
    )


def a_suivre(parcours_qs):
    """The parcours whose latest held-or-missed appointment was an unjustified absence (annotated)."""
    return avec_absence(parcours_qs).filter(dernier_statut=S.ABSENT)


def suivi(parcours) -> Suivi | None:
    """The follow-up of the latest unjustified absence not followed by a held appointment, or None.

    Reads the annotations of :func:`avec_absence` when the parcours carries them (no query), else
    asks for them.
    """
    if not hasattr(parcours, "dernier_statut"):
        parcours = avec_absence(Parcours.objects.filter(pk=parcours.pk)).get()
    if parcours.dernier_statut != S.ABSENT:
        return None
    return Suivi(absence_debut=parcours.absence_debut, taches=taches(parcours))


def suivi_lu(rendez_vous, contacts, presences) -> Suivi | None:
    """:func:`suivi` read from a parcours's rows already in hand, with no query (the dossier reads them all):
    every appointment, every contact, every attendance at a session (each with its ``seance``).

    The same rule as :func:`avec_absence`, which lists compute in SQL (tests/parcours/test_absences.py
    checks the two agree): the latest held-or-missed appointment or session (at the same time, the
    appointment), and since it a contact with the person, a new appointment not cancelled, a contact
    noting the warning."""
    comptes = [r for r in rendez_vous if r.statut in STATUTS_COMPTES]
    rdv = max(comptes, key=lambda r: (r.debut, r.pk), default=None)
    seances = [p for p in presences if p.statut in PRESENCES_COMPTEES]
    atelier = max(seances, key=lambda p: (p.seance.debut, p.pk), default=None)
    if atelier is not None and (rdv is None or atelier.seance.debut > rdv.debut):
        statut, debut = (S.HONORE if atelier.statut == StatutPresence.PRESENT else S.ABSENT), atelier.seance.debut
    elif rdv is not None:
        statut, debut = rdv.statut, rdv.debut
    else:
        return None
    if statut != S.ABSENT:
        return None
    depuis = [c for c in contacts if c.date >= debut]
    faites = {
        "appeler": any(c.canal in CANAUX_PERSONNE for c in depuis),
        "proposer": any(r.debut > debut and r.statut != S.ANNULE for r in rendez_vous),
        "avertir": any(c.avertissement_absence for c in depuis),
    }
    return Suivi(absence_debut=debut, taches=[Tache(code, libelle, faites[code]) for code, libelle in LIBELLES.items()])


def taches(row) -> list[Tache]:
    """The tasks of a parcours annotated by :func:`avec_absence`."""
    return [Tache(code, libelle, bool(getattr(row, f"tache_{code}"))) for code, libelle in LIBELLES.items()]


def serie_depuis(recents, complet: bool, presences=()):
    """The run of :func:`serie` read from the newest closed appointments (newest first) and every
    attendance at the ateliers' sessions (each with its ``seance``), or None when the appointments do
    not reach back to a held one and more exist (``complet`` False)."""
    if not complet and not recents:
        return None
    horizon = None if complet else min(r.debut for r in recents)
    evenements = [(r.debut, 0, r.pk, r.statut == S.HONORE, r.statut == S.ABSENT, r) for r in recents]
    evenements += [
        (
            p.seance.debut,
            1,
            p.pk,
            p.statut == StatutPresence.PRESENT,
            p.statut == StatutPresence.ABSENT_INJUSTIFIE,
            AbsenceAtelier(p, p.seance.debut),
        )
        for p in presences
    ]
    # Newest first; at the same time the appointment wins, as in avec_absence.
    evenements.sort(key=lambda e: (e[0], -e[1], e[2]), reverse=True)
    run = []
    for debut, _, _, tenu, manque, absence in evenements:
        if horizon is not None and debut < horizon:
            return None  # older appointments than those read may lie between
        if tenu:
            return list(reversed(run))
        if manque:
            run.append(absence)
    return list(reversed(run)) if complet else None


# --- the bureau insertion, when the référent is RUP -------------------------------------------


def apres_absence(rdv):
    """Tell the bureau insertion of an unjustified absence when the référent is its RUP."""
    from prescriptions.validations import adresses_bureau_insertion

    parcours = rdv.parcours
    if not parcours.rup:
        return None
    _users, adresses = adresses_bureau_insertion()
    debut = rdv.debut_local
    return envoyer_email(
        adresses,
        # The person's name stays out of the subject, which mail servers log and show everywhere.
        f"PLIE : absence non justifiée à un rendez-vous du {debut:%d/%m/%Y}",
        "emails/absence_rup.txt",
        {
            "parcours": parcours,
            "participant": parcours.participant,
            "referent": parcours.referent,
            "rdv": rdv,
            "date": f"{debut:%d/%m/%Y}",
            "heure": f"{debut:%H:%M}",
            "lien": reverse("parcours:detail", args=[parcours.pk]),
        },
        cle=f"absence:rdv:{rdv.pk}:bureau_insertion",
    )


def apres_absence_atelier(presence, seance):
    """Tell the bureau insertion of an unjustified absence at an atelier when the référent is its RUP."""
    from prescriptions.validations import adresses_bureau_insertion

    parcours = presence.parcours
    if not parcours.rup:
        return None
    _users, adresses = adresses_bureau_insertion()
    debut = timezone.localtime(seance.debut)
    return envoyer_email(
        adresses,
        f"PLIE : absence non justifiée à un atelier collectif du {debut:%d/%m/%Y}",
        "emails/absence_atelier_rup.txt",
        {
            "parcours": parcours,
            "participant": parcours.participant,
            "referent": parcours.referent,
            "seance": seance,
            "date": f"{debut:%d/%m/%Y}",
            "heure": f"{debut:%H:%M}",
            "lien": reverse("parcours:detail", args=[parcours.pk]),
        },
        cle=f"absence:seance:{seance.pk}:{parcours.pk}:bureau_insertion",
    )
