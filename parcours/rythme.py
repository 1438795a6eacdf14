"""The rhythm of the accompaniment (N §III.d, C §II.2.1 and III.1.3): by when the next contact is due.

One function for the dossier, the référent's home, and every later dashboard and the 20 % control:

- ``echeance``: for one parcours, the date by which the next qualifying contact is due under its
  référentiel. Niort: a face-to-face meeting every 15 days during the first 3 months, then monthly.
  Caen: a face-to-face entretien monthly in accompagnement renforcé seul; a monthly check by any
  means while the person is in an étape emploi / formation / opération (the référentiel says so).
  Periods of veille are excluded: the due date moves by their length.
- ``conformite``: over a period, the parcours-days within the rhythm and whether any gap was overdue;
  ``taux_conformite`` sums it for a référent or the PLIE; ``conformites`` runs it over many parcours in
  a constant number of queries (the « Respect du rythme » page).

The référent's own absences are not excused here: the pages report them beside the figure. Where the
référentiel says so (``ateliers_comptent_dans_rythme``), a presence at a session of an atelier
collectif counts as a face-to-face meeting: it is read as a held appointment (:func:`ateliers_lus`).
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import CharField, F, Max, Q, Value
from django.utils import timezone

from parcours.models import (
    Etape,
    Etat,
    Modalite,
    PeriodeVeille,
    PresenceAtelier,
    RendezVous,
    StatutPresence,
    StatutRendezVous,
    TentativeContact,
)

# The rhythm runs while the person is accompanied (a veille suspends it).
ETATS_RYTHME = frozenset({Etat.ACCOMPAGNEMENT, Etat.VEILLE, Etat.SORTIE_PROPOSEE})


@dataclass(frozen=True)
class Echeance:
    date: datetime.date  # the next qualifying contact is due by this day (included)
    depuis: datetime.date  # the last qualifying contact, or the entry
    face_a_face: bool  # a face-to-face meeting is required (else any means)
    jours_restants: int  # negative when overdue
    en_veille: bool = False

    @property
    def en_retard(self) -> bool:
        return self.jours_restants < 0

    @property
    def bientot(self) -> bool:
        return 0 <= self.jours_restants <= 7

    @property
    def libelle(self) -> str:
        quoi = "prochain entretien en face à face" if self.face_a_face else "prochain contact (tout moyen)"
        if self.en_veille:
            return f"{quoi} : rythme suspendu pendant la veille"
        if self.en_retard:
            retard = -self.jours_restants
            return (
                f"{quoi} attendu avant le {self.date:%d/%m/%Y} : en retard de {retard} jour{'s' if retard > 1 else ''}"
            )
        return f"{quoi} avant le {self.date:%d/%m/%Y}"


def _mois_depuis(entree, date) -> int:
    delta = relativedelta(date, entree)
    return delta.years * 12 + delta.months


def _periodes_veille(parcours, veilles, today):
    periodes = veilles if veilles is not None else list(parcours.periodes_veille.all())
    return [(p.debut, p.fin or today) for p in periodes]


def _decale(debut, echeance, veilles):
    """Push ``echeance`` by the days of veille between ``debut`` and it (a veille may start within the push)."""
    counted = set()
    changed = True
    while changed:
        changed = False
        for periode in veilles:
            start, end = periode
            if periode in counted or end < debut or start > echeance:
                continue
            counted.add(periode)
            echeance += datetime.timedelta(days=(end - max(start, debut)).days + 1)
            changed = True
    return echeance


def _qualifiants(parcours, face_a_face, rendez_vous, contacts, ateliers=False):
    """Days of the contacts that count: held face-to-face appointments (and the sessions of an atelier
    attended, when ``ateliers``: the référentiel's ``ateliers_comptent_dans_rythme``); any held one or
    reached contact when any means will do. ``rendez_vous`` given: the caller put the sessions in."""
    if rendez_vous is not None:
        rdvs = rendez_vous
    else:
        rdvs = list(parcours.rendez_vous.all())
        if ateliers:
            rdvs += ateliers_lus(parcours.presences_atelier.select_related("seance"))
    days = {
        timezone.localdate(r.debut)
        for r in rdvs
        if r.statut == StatutRendezVous.HONORE and (not face_a_face or r.modalite == Modalite.PRESENTIEL)
    }
    if not face_a_face:
        tries = contacts if contacts is not None else list(parcours.tentatives_contact.all())
        days |= {timezone.localdate(c.date) for c in tries if c.abouti}
    return sorted(days)


def _apres(depuis, entree, referentiel, veilles):
    interval = referentiel.intervalle_max_jours(_mois_depuis(entree, depuis))
    return _decale(depuis, depuis + datetime.timedelta(days=interval), veilles)


def echeance(
    parcours,
    referentiel,
    today=None,
    *,
    en_etape=False,
    rendez_vous=None,
    contacts=None,
    veilles=None,
) -> Echeance | None:
    """The next due date of a parcours in accompaniment; None before the entry or after the exit.

    ``en_etape``: the person is in an étape emploi / formation / opération (Caen checks them by any
    means). ``rendez_vous``, ``contacts``, ``veilles``: the rows already fetched (lists read many
    parcours with a constant number of queries); read from the parcours otherwise.
    """
    if parcours.etat not in ETATS_RYTHME or parcours.date_entree is None:
        return None
    today = today or timezone.localdate()
    face_a_face = not (en_etape and referentiel.rythme_tout_moyen_en_etape)
    periodes = _periodes_veille(parcours, veilles, today)
    ateliers = referentiel.ateliers_comptent_dans_rythme
    jours = [d for d in _qualifiants(parcours, face_a_face, rendez_vous, contacts, ateliers) if d <= today]
    depuis = max([parcours.date_entree, *jours])
    date = _apres(depuis, parcours.date_entree, referentiel, periodes)
    en_veille = parcours.etat == Etat.VEILLE
    if en_veille:
        # Suspended: the days of the veille still running push the date as they pass.
        date = max(date, today + datetime.timedelta(days=1))
    return Echeance(
        date=date,
        depuis=depuis,
        face_a_face=face_a_face,
        jours_restants=(date - today).days,
        en_veille=en_veille,
    )


@dataclass(frozen=True)
class Conformite:
    jours: int  # parcours-days of the period the rhythm applied to
    jours_conformes: int
    retards: list  # (first overdue day, last overdue day)

    @property
    def sans_retard(self) -> bool:
        return not self.retards


def conformite(parcours, referentiel, debut, fin, *, en_etape=False, rendez_vous=None, contacts=None, veilles=None):
    """Over [debut, fin], the days the parcours was within its rhythm (veille days excluded)."""
    if parcours.date_entree is None:
        return Conformite(0, 0, [])
    end = min(fin, parcours.date_sortie or fin, timezone.localdate())
    start = max(debut, parcours.date_entree)
    if end < start:
        return Conformite(0, 0, [])
    face_a_face = not (en_etape and referentiel.rythme_tout_moyen_en_etape)
    periodes = _periodes_veille(parcours, veilles, end)
    ateliers = referentiel.ateliers_comptent_dans_rythme
    jours = [d for d in _qualifiants(parcours, face_a_face, rendez_vous, contacts, ateliers) if d <= end]
    en_veille = {start + datetime.timedelta(days=i) for i in range((end - start).days + 1)}
    en_veille = {d for d in en_veille if any(a <= d <= b for a, b in periodes)}
    retards, overdue = [], set()
    for depuis, suivant in zip([parcours.date_entree, *jours], [*jours, None], strict=True):
        due = _apres(depuis, parcours.date_entree, referentiel, periodes)
        last = (suivant - datetime.timedelta(days=1)) if suivant else end
        late = [
            due + datetime.timedelta(days=i + 1)
            for i in range((min(last, end) - due).days)
            if start <= due + datetime.timedelta(days=i + 1) <= end
        ]
        late = [d for d in late if d not in en_veille]
        if late:
            retards.append((late[0], late[-1]))
            overdue.update(late)
    total = (end - start).days + 1 - len(en_veille)
    return Conformite(jours=total, jours_conformes=total - len(overdue), retards=retards)


def taux_conformite(resultats) -> tuple[float | None, float | None]:
    """(share of parcours-days within the rhythm, share of parcours without an overdue gap)."""
    resultats = [r for r in resultats if r.jours > 0]
    if not resultats:
        return None, None
    jours = sum(r.jours for r in resultats)
    return (
        sum(r.jours_conformes for r in resultats) / jours,
        sum(1 for r in resultats if r.sans_retard) / len(resultats),
    )


def conformites(parcours, referentiel, debut, fin) -> list[tuple[object, Conformite]]:
    """``conformite`` over [debut, fin] of each parcours of the QuerySet that was in accompaniment then,
    with its result: in five queries whatever their number (the parcours, then their appointments,
    contacts and veilles as plain values (:func:`lire`), and who was in an étape en action on the last
    day counted, which the Caen référentiel asks for: ``en_etape``).
    """
    end = min(fin, timezone.localdate())
    rows = list(
        parcours.filter(date_entree__isnull=False, date_entree__lte=fin)
        .filter(Q(date_sortie__isnull=True) | Q(date_sortie__gte=debut))
        .only("id", "referent_id", "etat", "date_entree", "date_sortie")
        .order_by("id")
    )
    # What the rule reads of each row, as plain values (it counts held appointments alone, and stops at
    # the last day counted by itself).
    lectures = lire(
        (p.pk for p in rows), statuts=(StatutRendezVous.HONORE,), ateliers=referentiel.ateliers_comptent_dans_rythme
    )
    en_etape = set()
    if referentiel.rythme_tout_moyen_en_etape and rows:
        en_etape = set(
            Etape.objects.en_action(end)
            .filter(parcours_id__in=[p.pk for p in rows])
            .values_list("parcours_id", flat=True)
        )
    return [
        (
            p,
            conformite(
                p,
                referentiel,
                debut,
                fin,
                en_etape=p.pk in en_etape,
                rendez_vous=lectures[p.pk].rendez_vous,
                contacts=lectures[p.pk].contacts,
                veilles=lectures[p.pk].veilles,
            ),
        )
        for p in rows
    ]


# --- what the rule reads of many parcours, as plain values --------------------------------------


@dataclass(frozen=True)
class RendezVousLu:
    pk: int
    debut: datetime.datetime
    statut: str
    modalite: str

    @property
    def debut_local(self):
        return timezone.localtime(self.debut)


@dataclass(frozen=True)
class ContactLu:
    date: datetime.datetime
    abouti: bool


@dataclass(frozen=True)
class VeilleLue:
    debut: datetime.date
    fin: datetime.date | None


@dataclass
class Lecture:
    """The rows of one parcours that :func:`echeance` and :func:`conformite` read."""

    rendez_vous: list
    contacts: list
    veilles: list


def ateliers_lus(presences) -> list[RendezVousLu]:
    """The presences at an atelier's sessions (each with its ``seance``) as held face-to-face meetings;
    absences left out. Their ``pk`` is negative: they are no appointment."""
    return [
        RendezVousLu(-p.pk, p.seance.debut, StatutRendezVous.HONORE, Modalite.PRESENTIEL)
        for p in presences
        if p.statut == StatutPresence.PRESENT
    ]


def lire(parcours_ids, statuts=(StatutRendezVous.HONORE, StatutRendezVous.PREVU), ateliers=False) -> dict[int, Lecture]:
    """For each parcours id, its appointments of ``statuts``, its contacts that reached the person and
    its veilles, in three queries of plain values whatever their number: the whole history, which the
    compliance counts (:func:`conformites`), with neither a model per row nor a prefetch's machinery.
    The référent's home needs the latest rows only (:func:`lire_derniers`).

    ``ateliers`` (the référentiel's ``ateliers_comptent_dans_rythme``): the sessions attended come with
    the held appointments, in the same query (:func:`ateliers_lus`)."""

    ids = list(parcours_ids)
    lectures = {pk: Lecture([], [], []) for pk in ids}
    if not ids:
        return lectures
    colonnes = ("parcours_id", "pk", "debut", "statut", "modalite")
    rdvs = RendezVous.objects.filter(parcours_id__in=ids, statut__in=list(statuts)).values_list(*colonnes).order_by()
    if ateliers and StatutRendezVous.HONORE in statuts:
        presences = (
            PresenceAtelier.objects.filter(parcours_id__in=ids, statut=StatutPresence.PRESENT)
            .annotate(
                j_pk=-F("pk"),
                j_debut=F("seance__debut"),
                j_statut=Value(StatutRendezVous.HONORE.value, output_field=CharField()),
                j_modalite=Value(Modalite.PRESENTIEL.value, output_field=CharField()),
            )
            .values_list("parcours_id", "j_pk", "j_debut", "j_statut", "j_modalite")
            .order_by()
        )
        rdvs = rdvs.union(presences, all=True)
    for parcours_id, pk, debut, statut, modalite in rdvs:
        lectures[parcours_id].rendez_vous.append(RendezVousLu(pk, debut, statut, modalite))
    contacts = TentativeContact.objects.filter(parcours_id__in=ids, abouti=True)
    for parcours_id, date in contacts.values_list("parcours_id", "date"):
        lectures[parcours_id].contacts.append(ContactLu(date, True))
    for parcours_id, debut, fin in PeriodeVeille.objects.filter(parcours_id__in=ids).values_list(
        "parcours_id", "debut", "fin"
    ):
        lectures[parcours_id].veilles.append(VeilleLue(debut, fin))
    return lectures


def lire_derniers(parcours_ids, ateliers=False, today=None) -> dict[int, Lecture]:
    """For each parcours id, what :func:`echeance` and :func:`parcours.alertes.prochain_fixe` read of it, in
    three queries of plain values whatever their number (the référent's home; :func:`lire` reads the whole
    history, which the compliance counts):

    - its latest held appointment of each modality up to today (the due date counts from the latest one,
      face-to-face or by any means), and the appointments fixed from today on;
    - its latest contact that reached the person;
    - its veilles.

    Only those rows: a portfolio of 40 parcours holds some 600 appointments, of which the rhythm reads
    the latest. ``ateliers`` (the référentiel's ``ateliers_comptent_dans_rythme``): the latest session
    attended comes with the held appointments, in the same query (a negative ``pk``: no appointment)."""

    ids = list(parcours_ids)
    lectures = {pk: Lecture([], [], []) for pk in ids}
    if not ids:
        return lectures
    today = today or timezone.localdate()
    debut_du_jour = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    demain = debut_du_jour + datetime.timedelta(days=1)  # Paris's midnight, as localdate() reads the days
    colonnes = ("parcours_id", "j_pk", "j_debut", "j_statut", "j_modalite")
    tenus = (
        RendezVous.objects.filter(parcours_id__in=ids, statut=StatutRendezVous.HONORE, debut__lt=demain)
        .values("parcours_id", "modalite")
        .annotate(
            j_pk=Value(0),
            j_debut=Max("debut"),
            j_statut=Value(StatutRendezVous.HONORE.value, output_field=CharField()),
            j_modalite=F("modalite"),
        )
        .values_list(*colonnes)
        .order_by()
    )
    fixes = (
        RendezVous.objects.filter(parcours_id__in=ids, statut=StatutRendezVous.PREVU, debut__gte=debut_du_jour)
        .annotate(j_pk=F("pk"), j_debut=F("debut"), j_statut=F("statut"), j_modalite=F("modalite"))
        .values_list(*colonnes)
        .order_by()
    )
    rdvs = tenus.union(fixes, all=True)
    if ateliers:
        presences = (
            PresenceAtelier.objects.filter(parcours_id__in=ids, statut=StatutPresence.PRESENT, seance__debut__lt=demain)
            .values("parcours_id")
            .annotate(
                j_pk=Value(-1),
                j_debut=Max("seance__debut"),
                j_statut=Value(StatutRendezVous.HONORE.value, output_field=CharField()),
                j_modalite=Value(Modalite.PRESENTIEL.value, output_field=CharField()),
            )
            .values_list(*colonnes)
            .order_by()
        )
        rdvs = tenus.union(fixes, presences, all=True)
    for parcours_id, pk, debut, statut, modalite in rdvs:
        lectures[parcours_id].rendez_vous.append(RendezVousLu(pk, debut, statut, modalite))
    contacts = (
        TentativeContact.objects.filter(parcours_id__in=ids, abouti=True, date__lt=demain)
        .values("parcours_id")
        .annotate(derniere=Max("date"))
        .values_list("parcours_id", "derniere")
        .order_by()
    )
    for parcours_id, date in contacts:
        lectures[parcours_id].contacts.append(ContactLu(date, True))
    for parcours_id, debut, fin in PeriodeVeille.objects.filter(parcours_id__in=ids).values_list(
        "parcours_id", "debut", "fin"
    ):
        lectures[parcours_id].veilles.append(VeilleLue(debut, fin))
    return lectures
