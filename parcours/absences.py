"""Unjustified absences (N §III.d): the référent's follow-up, the bureau insertion told when the
référent is RUP, and the parcours flagged for the cellule de suivi after the référentiel's number
of absences with no attended appointment between them. Remote entretiens count the same.

The follow-up tasks are derived, not stored: after the latest unjustified absence not followed by
a held appointment, each task is done when what it asks for is recorded (a contact with the person,
a new appointment, a contact noting the warning). Nothing to tick twice, nothing to keep in sync.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse

from parcours.models import CanalContact, Parcours, RendezVous, StatutRendezVous, TentativeContact
from plie.notifications.services import envoyer_email

S = StatutRendezVous
# The appointments that decide whether an absence is still to follow: held or missed.
STATUTS_COMPTES = (S.HONORE, S.ABSENT)


@dataclass(frozen=True)
class Signalement:
    """Whether the parcours goes to the next cellule, and the dates of the absences in a row."""

    a_signaler: bool
    dates: list  # local dates of the unjustified absences since the last attended appointment
    seuil: int | None


def serie(parcours) -> list[RendezVous]:
    """The unjustified absences since the parcours's last held appointment, oldest first.

    One query, and only those rows (not the whole history): an attended appointment ends a run,
    excused and cancelled ones do not.
    """
    dernier_honore = RendezVous.objects.filter(parcours=OuterRef("parcours"), statut=S.HONORE).order_by("-debut")
    return list(
        parcours.rendez_vous.filter(statut=S.ABSENT)
        .alias(dernier_honore=Subquery(dernier_honore.values("debut")[:1]))
        .filter(Q(dernier_honore__isnull=True) | Q(debut__gt=F("dernier_honore")))
        .order_by("debut", "id")
    )


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
    """Annotate each parcours with its latest held-or-missed appointment (``dernier_statut``,
    ``absence_debut``) and whether each follow-up task was done since (``tache_appeler`` …), in
    the same query: a list or a parcours page pays nothing more for it."""
    dernier = RendezVous.objects.filter(parcours=OuterRef("pk"), statut__in=STATUTS_COMPTES).order_by("-debut", "-id")
    contacts = TentativeContact.objects.filter(parcours=OuterRef("pk"), date__gte=OuterRef("absence_debut"))
    return parcours_qs.annotate(
        dernier_statut=Subquery(dernier.values("statut")[:1]),
        absence_debut=Subquery(dernier.values("debut")[:1]),
    ).annotate(
        tache_appeler=Exists(contacts.filter(canal__in=CANAUX_PERSONNE)),
        tache_proposer=Exists(
            RendezVous.objects.filter(parcours=OuterRef("pk"), debut__gt=OuterRef("absence_debut")).exclude(
                statut=S.ANNULE
            )
        ),
        tache_avertir=Exists(contacts.filter(avertissement_absence=True)),
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


def taches(row) -> list[Tache]:
    """The tasks of a parcours annotated by :func:`avec_absence`."""
    return [Tache(code, libelle, bool(getattr(row, f"tache_{code}"))) for code, libelle in LIBELLES.items()]


def serie_depuis(recents, complet: bool):
    """The run of :func:`serie` read from the newest closed appointments (newest first), or None
    when they do not reach back to a held one and more exist (``complet`` False)."""
    run = []
    for rdv in recents:
        if rdv.statut == S.HONORE:
            return list(reversed(run))
        if rdv.statut == S.ABSENT:
            run.append(rdv)
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
    )
