"""The émargement sheets (C §III.1.3: every contact of the accompaniment appears, signed by both parties),
built from the rows, in a number of queries that does not grow with them:

- the **individual sheet** of a parcours over a period: its entretiens (held, excused, missed, or still
  planned), its atelier attendances (present or absent), and its other contacts (phone, email, SMS,
  letter, visit), each with its date, motive, duration, absence, and the participant's and the référent's
  boxes; then each remote entretien held that the participant did not sign, with its proof (the means
  used, the participant's confirmation) or the proof still to produce;
- the **partners' sheet** of a parcours over a period: the référent's exchanges with partners about the
  person (``canal=partenaire``), with boxes for the référent and the partner;
- the **collective sheet** of an atelier session: the invited and the recorded participants with their
  presence, duration and box, then the animateurs with theirs.

A signature drawn on screen (:class:`parcours.models.Signature`) is printed in its box, as a ``data:``
image; a box with none stays blank, for a pen: a sheet printed before the entretien is signed on paper.
The PDF itself is drawn by :mod:`plie.pdf` from ``templates/pdf/emargement_*.html``.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from parcours.models import (
    CanalContact,
    ConfirmationDistance,
    InscriptionAtelier,
    Modalite,
    Parcours,
    PresenceAtelier,
    RendezVous,
    Signataire,
    Signature,
    StatutPresence,
    StatutRendezVous,
    StatutSeance,
    TentativeContact,
)
from plie.pdf import data_uri

# The participant's box says why it stays empty where nobody signs: a remote contact, an absence.
A_DISTANCE = "À distance"
ABSENT = "Absent(e)"

# What the sheet prints in the presence column, by status.
PRESENCE_ENTRETIEN = {
    StatutRendezVous.PREVU: "Prévu",
    StatutRendezVous.HONORE: "Présent(e)",
    StatutRendezVous.EXCUSE: "Absence excusée",
    StatutRendezVous.ABSENT: "Absence non justifiée",
}
PRESENCE_ATELIER = {
    StatutPresence.PRESENT: "Présent(e)",
    StatutPresence.ABSENT_JUSTIFIE: "Absence justifiée",
    StatutPresence.ABSENT_INJUSTIFIE: "Absence non justifiée",
}
ABSENCES = {StatutRendezVous.EXCUSE, StatutRendezVous.ABSENT, StatutPresence.ABSENT_JUSTIFIE}
ABSENCES |= {StatutPresence.ABSENT_INJUSTIFIE}
# Contacts met in person: the participant may sign them; the others are remote.
CANAUX_EN_PRESENCE = {CanalContact.VISITE}
CANAUX_INDIVIDUELS = [c for c in CanalContact.values if c != CanalContact.PARTENAIRE]


def duree(minutes) -> str:
    """« 45 min », « 1 h », « 1 h 30 »; « — » when there is none (an absence)."""
    if not minutes:
        return "—"
    heures, reste = divmod(int(minutes), 60)
    if not heures:
        return f"{reste} min"
    return f"{heures} h {reste:02d}" if reste else f"{heures} h"


def bornes(debut: datetime.date, fin: datetime.date):
    """The period's first and last days as aware datetimes in Europe/Paris: [debut 00:00, fin+1 00:00)."""
    start = timezone.make_aware(datetime.datetime.combine(debut, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(fin + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def mois(jour: datetime.date):
    """The first and last days of the month of ``jour``."""
    premier = jour.replace(day=1)
    suivant = (premier + datetime.timedelta(days=32)).replace(day=1)
    return premier, suivant - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Case:
    """A signature box: the drawn signature, or a mention (remote, absent), or nothing (sign here)."""

    image: str = ""  # data: URI of the PNG
    mention: str = ""

    @property
    def signee(self) -> bool:
        return bool(self.image)


VIDE = Case()


def _case(signature, mention=""):
    return Case(image=data_uri(signature["image"])) if signature else Case(mention=mention)


@dataclass(frozen=True)
class Ligne:
    quand: datetime.datetime  # local time
    nature: str
    objet: str
    duree_minutes: int | None
    presence: str
    absence: bool
    participant: Case
    referent: Case

    @property
    def duree(self) -> str:
        return duree(self.duree_minutes)


# How the participant confirmed a remote entretien, as the sheet words it (« confirmé par email du participant »).
CONFIRMATIONS = {
    ConfirmationDistance.EMAIL: "email",
    ConfirmationDistance.SMS: "SMS",
    ConfirmationDistance.COURRIER: "courrier signé",
}
PREUVE_MANQUANTE = "Preuve à produire : confirmation du participant manquante"


@dataclass(frozen=True)
class PreuveDistance:
    """A remote entretien held without the participant's signature, and what proves it instead (N §III
    « à distance »: « En l'absence d'une feuille d'émargement signée, des justificatifs conformes aux
    attentes du FSE doivent être produits »)."""

    quand: datetime.datetime
    duree_minutes: int | None
    modalite: str
    moyen: str
    confirmation: str  # « confirmé par email du participant le 04/11/2026 », or the missing proof

    @property
    def duree(self) -> str:
        return duree(self.duree_minutes)

    @property
    def manquante(self) -> bool:
        return self.confirmation == PREUVE_MANQUANTE


def _preuve(r) -> PreuveDistance:
    if r["confirmation_participant"]:
        moyen = CONFIRMATIONS.get(r["confirmation_participant"], r["confirmation_participant"])
        confirmation = f"confirmé par {moyen} du participant le {r['confirmation_le']:%d/%m/%Y}"
    else:
        confirmation = PREUVE_MANQUANTE
    return PreuveDistance(
        quand=timezone.localtime(r["debut"]),
        duree_minutes=r["duree_reelle_minutes"],
        modalite=Modalite(r["modalite"]).label,
        moyen=r["moyen_distance"],
        confirmation=confirmation,
    )


@dataclass
class FeuilleIndividuelle:
    parcours: Parcours
    debut: datetime.date
    fin: datetime.date
    lignes: list = field(default_factory=list)
    # The remote entretiens held that the participant did not sign, with their proof (or its lack).
    preuves: list = field(default_factory=list)
    # The frise of the parcours: inline SVG markup, a SafeString (:func:`avec_frise`, which the view and the
    # task call before rendering). Empty: the sheet prints none.
    frise: str = ""

    @property
    def participant(self):
        return self.parcours.participant

    @property
    def referent(self):
        return self.parcours.referent

    @property
    def total(self) -> str:
        return duree(sum(ligne.duree_minutes or 0 for ligne in self.lignes if not ligne.absence))

    @property
    def absences(self) -> int:
        return sum(1 for ligne in self.lignes if ligne.absence)

    @property
    def signee(self) -> bool:
        return any(ligne.participant.signee or ligne.referent.signee for ligne in self.lignes)


def _signatures(filtre):
    """Every signature the sheet prints, in one query: their targets, who signed, the image."""
    return list(
        Signature.objects.filter(filtre).values(
            "rendez_vous_id", "presence_id", "seance_id", "signataire", "referent_id", "image"
        )
    )


def feuilles_individuelles(parcours_list, debut, fin) -> list[FeuilleIndividuelle]:
    """The individual sheets of these parcours (participant and référent loaded) over [debut, fin], in
    four queries however many parcours and rows: entretiens, attendances, contacts, signatures."""
    parcours_list = list(parcours_list)
    ids = [p.pk for p in parcours_list]
    start, end = bornes(debut, fin)
    rendez_vous = list(
        RendezVous.objects.filter(parcours__in=ids, debut__gte=start, debut__lt=end)
        .exclude(statut=StatutRendezVous.ANNULE)
        .values(
            "pk",
            "parcours_id",
            "objet",
            "debut",
            "duree_minutes",
            "duree_reelle_minutes",
            "modalite",
            "statut",
            "sujet",
            "moyen_distance",
            "confirmation_participant",
            "confirmation_le",
        )
    )
    presences = list(
        PresenceAtelier.objects.filter(parcours__in=ids, seance__debut__gte=start, seance__debut__lt=end)
        .exclude(seance__statut=StatutSeance.ANNULEE)
        .values(
            "pk",
            "parcours_id",
            "statut",
            "duree_minutes",
            "seance_id",
            "seance__debut",
            "seance__numero",
            "seance__atelier__theme",
        )
    )
    contacts = list(
        TentativeContact.objects.filter(parcours__in=ids, date__gte=start, date__lt=end, canal__in=CANAUX_INDIVIDUELS)
        .order_by()
        .values("pk", "parcours_id", "date", "canal", "abouti", "objet", "duree_minutes")
    )
    signatures = _signatures(
        Q(rendez_vous__in=[r["pk"] for r in rendez_vous])
        | Q(presence__in=[p["pk"] for p in presences])
        | Q(seance__in={p["seance_id"] for p in presences})
    )
    par_rdv = {(s["rendez_vous_id"], s["signataire"]): s for s in signatures if s["rendez_vous_id"]}
    par_presence = {s["presence_id"]: s for s in signatures if s["presence_id"]}
    par_seance = {}
    for s in signatures:
        if s["seance_id"]:
            par_seance.setdefault(s["seance_id"], []).append(s)

    feuilles = {p.pk: FeuilleIndividuelle(p, debut, fin) for p in parcours_list}
    libelles_objet = dict(RendezVous._meta.get_field("objet").choices)
    for r in rendez_vous:
        absent = r["statut"] in ABSENCES
        a_distance = r["modalite"] != Modalite.PRESENTIEL
        mention = ABSENT if absent else (A_DISTANCE if a_distance else "")
        signature = par_rdv.get((r["pk"], Signataire.PARTICIPANT))
        feuilles[r["parcours_id"]].lignes.append(
            Ligne(
                quand=timezone.localtime(r["debut"]),
                nature=libelles_objet[r["objet"]]
                + (f" ({Modalite(r['modalite']).label.lower()})" if a_distance else ""),
                objet=r["sujet"],
                duree_minutes=r["duree_reelle_minutes"] if r["statut"] == StatutRendezVous.HONORE else None,
                presence=PRESENCE_ENTRETIEN[r["statut"]],
                absence=absent,
                participant=_case(signature, mention),
                referent=_case(par_rdv.get((r["pk"], Signataire.REFERENT))),
            )
        )
        if a_distance and r["statut"] == StatutRendezVous.HONORE and signature is None:
            feuilles[r["parcours_id"]].preuves.append(_preuve(r))
    for p in presences:
        feuille = feuilles[p["parcours_id"]]
        absent = p["statut"] in ABSENCES
        animateurs = par_seance.get(p["seance_id"], [])
        # The référent's box of an atelier: the parcours's référent if they animated it, else an animateur.
        referent = next((s for s in animateurs if s["referent_id"] == feuille.parcours.referent_id), None)
        feuille.lignes.append(
            Ligne(
                quand=timezone.localtime(p["seance__debut"]),
                nature=f"Atelier, séance {p['seance__numero']}",
                objet=p["seance__atelier__theme"],
                duree_minutes=p["duree_minutes"],
                presence=PRESENCE_ATELIER[p["statut"]],
                absence=absent,
                participant=_case(par_presence.get(p["pk"]), ABSENT if absent else ""),
                referent=_case(referent or (animateurs[0] if animateurs else None)),
            )
        )
    for c in contacts:
        en_presence = c["canal"] in CANAUX_EN_PRESENCE
        feuilles[c["parcours_id"]].lignes.append(
            Ligne(
                quand=timezone.localtime(c["date"]),
                nature=CanalContact(c["canal"]).label,
                objet=c["objet"],
                duree_minutes=c["duree_minutes"],
                presence="Joint(e)" if c["abouti"] else "Sans réponse",
                absence=False,
                participant=Case(mention="" if en_presence else A_DISTANCE),
                referent=VIDE,
            )
        )
    for feuille in feuilles.values():
        feuille.lignes.sort(key=lambda ligne: ligne.quand)
        feuille.preuves.sort(key=lambda preuve: preuve.quand)
    return [feuilles[pk] for pk in ids]


# The frise across the sheet's width: an A4 page upright less its margins (static/css/pdf.css).
FRISE_LARGEUR_MM = 182


def avec_frise(feuille: FeuilleIndividuelle, user) -> FeuilleIndividuelle:
    """The sheet with the parcours's frise above its table, drawn for ``user`` under the dossier's rules
    (:func:`parcours.frise.svg_pour_pdf`: five queries, whatever the parcours holds)."""
    from parcours import frise

    feuille.frise = frise.svg_pour_pdf(feuille.parcours, user=user, largeur_mm=FRISE_LARGEUR_MM)
    return feuille


def feuille_individuelle(parcours, debut, fin) -> FeuilleIndividuelle:
    [feuille] = feuilles_individuelles([parcours], debut, fin)
    return feuille


@dataclass(frozen=True)
class LignePartenaire:
    quand: datetime.datetime
    partenaire: str
    objet: str
    duree_minutes: int | None

    @property
    def duree(self) -> str:
        return duree(self.duree_minutes)


@dataclass
class FeuillePartenaires:
    parcours: Parcours
    debut: datetime.date
    fin: datetime.date
    lignes: list

    @property
    def total(self) -> str:
        return duree(sum(ligne.duree_minutes or 0 for ligne in self.lignes))


def feuille_partenaires(parcours, debut, fin) -> FeuillePartenaires:
    """The référent's exchanges with partners about the person (C §III.1.3), in one query. No signature
    is drawn on screen for them: both boxes are for a pen."""
    start, end = bornes(debut, fin)
    rows = (
        TentativeContact.objects.filter(parcours=parcours, canal=CanalContact.PARTENAIRE, date__gte=start, date__lt=end)
        .order_by("date", "id")
        .values("date", "partenaire", "objet", "duree_minutes")
    )
    lignes = [
        LignePartenaire(timezone.localtime(r["date"]), r["partenaire"], r["objet"], r["duree_minutes"]) for r in rows
    ]
    return FeuillePartenaires(parcours, debut, fin, lignes)


@dataclass(frozen=True)
class LigneSeance:
    parcours_id: int
    participant: object  # a Participant
    presence: str
    duree_minutes: int | None
    case: Case

    @property
    def duree(self) -> str:
        return duree(self.duree_minutes) if self.presence else ""


@dataclass
class FeuilleSeance:
    seance: object
    lignes: list
    animateurs: list  # (user, Case)

    @property
    def atelier(self):
        return self.seance.atelier

    @property
    def parcours_ids(self) -> list:
        return [ligne.parcours_id for ligne in self.lignes]

    @property
    def lieu(self) -> str:
        seance = self.seance
        parts = []
        if seance.lieu_id:
            parts.append(str(seance.lieu))
        if seance.lieu_precision:
            parts.append(seance.lieu_precision)
        return " — ".join(parts)

    @property
    def presents(self) -> int:
        return sum(1 for ligne in self.lignes if ligne.presence == PRESENCE_ATELIER[StatutPresence.PRESENT])


def feuille_seance(seance) -> FeuilleSeance:
    """The collective sheet of one session (``seance`` with its atelier, animateurs and place loaded): the
    invited participants and those recorded, by name, in three queries whatever their number."""
    presences = {
        p.parcours_id: p
        for p in PresenceAtelier.objects.filter(seance=seance).select_related("parcours__participant").order_by()
    }
    participants = {p.parcours_id: p.parcours.participant for p in presences.values()}
    for inscription in (
        InscriptionAtelier.objects.filter(atelier_id=seance.atelier_id)
        .exclude(parcours__in=list(presences))
        .select_related("parcours__participant")
        .order_by()
    ):
        participants[inscription.parcours_id] = inscription.parcours.participant
    signatures = _signatures(Q(presence__seance=seance) | Q(seance=seance))
    par_presence = {s["presence_id"]: s for s in signatures if s["presence_id"]}
    par_animateur = {s["referent_id"]: s for s in signatures if s["seance_id"]}
    lignes = []
    for parcours_id, participant in participants.items():
        presence = presences.get(parcours_id)
        absent = presence is not None and presence.statut != StatutPresence.PRESENT
        lignes.append(
            LigneSeance(
                parcours_id=parcours_id,
                participant=participant,
                presence=PRESENCE_ATELIER[presence.statut] if presence else "",
                duree_minutes=presence.duree_minutes if presence else None,
                case=_case(par_presence.get(presence.pk) if presence else None, ABSENT if absent else ""),
            )
        )
    lignes.sort(key=lambda ligne: (ligne.participant.nom_complet.casefold(), ligne.parcours_id))
    atelier = seance.atelier
    animateurs = [(u, _case(par_animateur.get(u.pk))) for u in (atelier.animateur, atelier.co_animateur) if u]
    return FeuilleSeance(seance, lignes, animateurs)


def parcours_du_mois(referent, premier_jour):
    """The parcours a référent's monthly batch prints: theirs with at least one entretien (not cancelled),
    atelier attendance or contact with the person that month, by name. A parcours with nothing that month
    gets no sheet (a blank sheet proves nothing)."""
    start, end = bornes(*mois(premier_jour))
    pk = OuterRef("pk")
    return (
        Parcours.objects.filter(referent=referent)
        .filter(
            Exists(
                RendezVous.objects.filter(parcours=pk, debut__gte=start, debut__lt=end).exclude(
                    statut=StatutRendezVous.ANNULE
                )
            )
            | Exists(
                PresenceAtelier.objects.filter(parcours=pk, seance__debut__gte=start, seance__debut__lt=end).exclude(
                    seance__statut=StatutSeance.ANNULEE
                )
            )
            | Exists(
                TentativeContact.objects.filter(
                    parcours=pk, date__gte=start, date__lt=end, canal__in=CANAUX_INDIVIDUELS
                )
            )
        )
        .select_related("participant", "referent")
        .order_by("participant__nom_usage", "participant__prenoms", "pk")
    )
