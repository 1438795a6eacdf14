"""Unjustified absences (N §III.d): the référent's follow-up, the bureau insertion told when the
référent is RUP, and the parcours flagged for the cellule de suivi after the référentiel's number
of absences with no attended appointment between them. Remote entretiens count the same.

The follow-up tasks are derived, not stored: after the latest unjustified absence not followed by
a held appointment, each task is done when what it asks for is recorded (a contact with the person,
a new appointment, a contact noting the warning). Nothing to tick twice, nothing to keep in sync.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from parcours.models import CanalContact, Parcours, RendezVous, StatutRendezVous, TentativeContact
from plie.notifications.services import envoyer_email

S = StatutRendezVous
# What breaks a run of absences: an attended appointment. Excused and cancelled ones do not.
STATUTS_COMPTES = (S.HONORE, S.ABSENT)


@dataclass(frozen=True)
class Signalement:
    """Whether the parcours goes to the next cellule, and the dates of the absences in a row."""

    a_signaler: bool
    dates: list  # local dates of the unjustified absences since the last attended appointment
    seuil: int | None


def absences_a_signaler(parcours, referentiel) -> Signalement:
    """The unjustified absences since the last held appointment, and whether they reach the threshold."""
    seuil = referentiel.absences_avant_cellule if referentiel else None
    statuts = list(
        parcours.rendez_vous.filter(statut__in=STATUTS_COMPTES).order_by("-debut", "-id").values_list("statut", "debut")
    )
    dates = []
    for statut, debut in statuts:
        if statut == S.HONORE:
            break
        dates.append(debut)
    dates = [RendezVous(debut=d).debut_local.date() for d in reversed(dates)]
    return Signalement(a_signaler=bool(seuil) and len(dates) >= seuil, dates=dates, seuil=seuil)


@dataclass(frozen=True)
class Tache:
    code: str
    libelle: str
    faite: bool


@dataclass(frozen=True)
class Suivi:
    absence: RendezVous
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


def _dernier_rdv_compte():
    """The parcours's latest held-or-missed appointment: a subquery on ``OuterRef("pk")``."""
    return RendezVous.objects.filter(parcours=OuterRef("pk"), statut__in=STATUTS_COMPTES).order_by("-debut", "-id")


def avec_suivi_absence(parcours_qs):
    """Annotate each parcours with its latest held-or-missed appointment (``absence_id`` when it was
    missed, else None) and whether each task is done (``tache_appeler`` …), in the same query."""
    dernier = _dernier_rdv_compte()
    qs = parcours_qs.annotate(
        dernier_statut=Subquery(dernier.values("statut")[:1]),
        absence_id=Subquery(dernier.filter(statut=S.ABSENT).values("pk")[:1]),
        absence_debut=Subquery(dernier.values("debut")[:1]),
    )
    contacts = TentativeContact.objects.filter(parcours=OuterRef("pk"), date__gte=OuterRef("absence_debut"))
    return qs.annotate(
        tache_appeler=Exists(contacts.filter(canal__in=CANAUX_PERSONNE)),
        tache_proposer=Exists(
            RendezVous.objects.filter(parcours=OuterRef("pk"), debut__gt=OuterRef("absence_debut")).exclude(
                statut=S.ANNULE
            )
        ),
        tache_avertir=Exists(contacts.filter(avertissement_absence=True)),
    )


def a_suivre(parcours_qs):
    """The parcours whose latest held-or-missed appointment was an unjustified absence."""
    return avec_suivi_absence(parcours_qs).filter(dernier_statut=S.ABSENT)


def suivi(parcours) -> Suivi | None:
    """The follow-up of the parcours's latest unjustified absence, or None (none, or a held RDV since)."""
    row = a_suivre(Parcours.objects.filter(pk=parcours.pk)).values(
        "absence_id", "tache_appeler", "tache_proposer", "tache_avertir"
    )
    row = row[0] if row else None
    if row is None:
        return None
    absence = RendezVous.objects.get(pk=row["absence_id"])
    return Suivi(absence=absence, taches=taches(row))


def taches(row) -> list[Tache]:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return [Tache(code, libelle, bool(get(f"tache_{code}"))) for code, libelle in LIBELLES.items()]


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
