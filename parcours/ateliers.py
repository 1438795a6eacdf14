"""The rules of the ateliers collectifs (N §III.d): a series at a fixed time slot, run by one référent
or two (« seul ou en binôme », possibly of two opérateurs), for participants invited from the
animateurs' portfolios (the coordination may invite anyone), within its capacity.

- :func:`creer_serie` creates the series and its sessions. A monthly series keeps the weekday and its
  rank in the month (the 2nd Friday of each month; a 5th Friday becomes the month's last Friday): the
  slot people remember stays the same.
- A session is planned, then held (its attendance recorded) or cancelled with its motive, on the
  workflow kernel (:data:`MACHINE_SEANCE`): each step locks the row, refuses a stale copy and writes a
  :class:`TransitionSeance`. A planned session may be moved (date, time, place) on its own.
- :func:`noter_presences` records every invited participant's attendance at once (present with the time
  they attended, the session's length by default; absent with or without justification) and what was
  done; :func:`clore_emargement` locks the sheet: the attendance can no longer change.
- :func:`frequences` says, for each référent, when they last ran an atelier and whether that is older
  than the référentiel's minimum frequency (Niort: at least monthly).

The attendance feeds the parcours's journal (:mod:`parcours.journal`), the absence rules
(:mod:`parcours.absences`: an unjustified absence counts as a missed entretien, a presence as a held
one) and, where the référentiel says so, the rhythm (:mod:`parcours.rythme`).
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import FilteredRelation, Max, Q
from django.utils import timezone

from parcours import convocations
from parcours.models import (
    Atelier,
    AtelierError,
    InscriptionAtelier,
    Parcours,
    Periodicite,
    PresenceAtelier,
    SeanceAtelier,
    StatutPresence,
    StatutSeance,
    TransitionSeance,
)
from parcours.models.ateliers import CAPACITE_MAX, DUREE_PRESENCE_MAX, SEANCES_MAX
from parcours.workflow import ETATS_OUVERTS
from plie import permissions
from plie.accounts.models import Role, User
from plie.workflow import Machine, Transition, table

S = StatutSeance
P = StatutPresence
REFERENT_OU_COORDINATION = frozenset({Role.REFERENT, Role.COORDINATION})
PREVUE = frozenset({S.PREVUE})
# Further ahead is a typo (2062 for 2026); a series is planned within the year to come.
DELAI_MAX = datetime.timedelta(days=366)
MOTIF_MAX = 200  # the session's motif_annulation
# A slow clock on the animateur's computer.
TOLERANCE_HORLOGE = datetime.timedelta(minutes=5)

TRANSITIONS_SEANCE = table(
    Transition("planifier", "Séance planifiée", frozenset(), S.PREVUE, REFERENT_OU_COORDINATION),
    Transition("modifier", "Séance déplacée", PREVUE, None, REFERENT_OU_COORDINATION),
    Transition("annuler", "Séance annulée", PREVUE, S.ANNULEE, REFERENT_OU_COORDINATION, needs_motif=True),
    Transition("tenir", "Séance tenue", PREVUE, S.TENUE, REFERENT_OU_COORDINATION),
    Transition(
        "noter_presences", "Présences notées", frozenset({S.PREVUE, S.TENUE}), S.TENUE, REFERENT_OU_COORDINATION
    ),
    Transition("clore_emargement", "Émargement clos", frozenset({S.TENUE}), None, REFERENT_OU_COORDINATION),
)


def _log(seance, transition, source, by, motif):
    if transition.name == "annuler":
        convocations.seance_annulee(seance)
    TransitionSeance.objects.create(
        seance=seance,
        transition=transition.name,
        statut_avant=source or "",
        statut_apres=seance.statut,
        auteur=by,
        motif=motif,
    )


MACHINE_SEANCE = Machine(
    transitions=TRANSITIONS_SEANCE,
    log=_log,
    stale_message="Cette séance vient d'être modifiée par quelqu'un d'autre : rechargez la page.",
    impossible_message="« {label} » impossible : la séance est « {etat} ».",
    state_field="statut",
    error=AtelierError,
    motif_message="Indiquez le motif de l'annulation.",
)


# --- the series ------------------------------------------------------------------------------------


def _meme_rang_du_mois(premiere: datetime.date, mois: int) -> datetime.date:
    """The same weekday of the same rank, ``mois`` months later (a 5th one: that month's last)."""
    rang = (premiere.day - 1) // 7
    debut_du_mois = (premiere + relativedelta(months=mois)).replace(day=1)
    premier = debut_du_mois + datetime.timedelta(days=(premiere.weekday() - debut_du_mois.weekday()) % 7)
    jour = premier + datetime.timedelta(weeks=rang)
    while jour.month != debut_du_mois.month:
        jour -= datetime.timedelta(weeks=1)
    return jour


def dates_de_la_serie(premiere_date: datetime.date, periodicite: str, nombre: int) -> list[datetime.date]:
    """The days of a series' sessions, the first one included."""
    if periodicite == Periodicite.UNIQUE:
        return [premiere_date]
    if periodicite == Periodicite.MENSUELLE:
        return [_meme_rang_du_mois(premiere_date, i) for i in range(nombre)]
    pas = datetime.timedelta(weeks=1 if periodicite == Periodicite.HEBDOMADAIRE else 2)
    return [premiere_date + i * pas for i in range(nombre)]


def _moment(jour, heure):
    return timezone.make_aware(datetime.datetime.combine(jour, heure))


def animateurs_possibles():
    """Who may run an atelier: the active référents (of any opérateur)."""
    return User.objects.active_referents().order_by("last_name", "first_name")


def _verifier_animateurs(by, animateur, co_animateur):
    actifs = set(
        animateurs_possibles()
        .filter(pk__in=[u.pk for u in (animateur, co_animateur) if u])
        .values_list("pk", flat=True)
    )
    if animateur is None or animateur.pk not in actifs:
        raise AtelierError("L'animateur est un référent en poste.", field="animateur")
    if co_animateur is not None:
        if co_animateur.pk == animateur.pk:
            raise AtelierError("Le co-animateur est un autre référent que l'animateur.", field="co_animateur")
        if co_animateur.pk not in actifs:
            raise AtelierError("Le co-animateur est un référent en poste.", field="co_animateur")
    if not permissions.is_coordination(by) and by.pk not in {animateur.pk, co_animateur.pk if co_animateur else None}:
        raise AtelierError("Vous animez les ateliers que vous créez, seul ou en binôme.", field="animateur")


def _verifier_lieu(lieu, lieu_precision, field="lieu"):
    if lieu is None and not lieu_precision:
        raise AtelierError("Indiquez le lieu : un lieu d'accompagnement ou une précision.", field=field)


def creer_serie(
    by,
    *,
    theme,
    animateur,
    capacite,
    premiere_date,
    heure_debut,
    heure_fin,
    periodicite=Periodicite.UNIQUE,
    nombre_seances=1,
    co_animateur=None,
    lieu=None,
    lieu_precision="",
    description="",
) -> Atelier:
    """Create the series and its sessions, each planned (one log row each). Raises
    :class:`AtelierError` with nothing saved."""
    theme, lieu_precision, description = theme.strip(), (lieu_precision or "").strip(), (description or "").strip()
    if not theme:
        raise AtelierError("Indiquez le thème de l'atelier.", field="theme")
    _verifier_animateurs(by, animateur, co_animateur)
    _verifier_lieu(lieu, lieu_precision)
    if not 1 <= (capacite or 0) <= CAPACITE_MAX:
        raise AtelierError(f"Un atelier a de 1 à {CAPACITE_MAX} places.", field="capacite")
    if heure_fin <= heure_debut:
        raise AtelierError("L'heure de fin suit l'heure de début.", field="heure_fin")
    if periodicite not in Periodicite.values:
        raise AtelierError("Choisissez la périodicité.", field="periodicite")
    if periodicite == Periodicite.UNIQUE:
        nombre_seances = 1
    if not 1 <= (nombre_seances or 0) <= SEANCES_MAX:
        raise AtelierError(f"Une série compte de 1 à {SEANCES_MAX} séances.", field="nombre_seances")
    if periodicite != Periodicite.UNIQUE and nombre_seances < 2:
        raise AtelierError("Une série qui se répète compte au moins 2 séances.", field="nombre_seances")
    if premiere_date > timezone.localdate() + DELAI_MAX:
        raise AtelierError("Un atelier se planifie dans l'année qui vient.", field="premiere_date")
    atelier = Atelier(
        theme=theme,
        description=description,
        animateur=animateur,
        co_animateur=co_animateur,
        lieu=lieu,
        lieu_precision=lieu_precision,
        capacite=capacite,
        premiere_date=premiere_date,
        heure_debut=heure_debut,
        heure_fin=heure_fin,
        periodicite=periodicite,
        nombre_seances=nombre_seances,
        cree_par=by,
    )
    with transaction.atomic():
        atelier._history_user = by
        atelier.save()
        for numero, jour in enumerate(dates_de_la_serie(premiere_date, periodicite, nombre_seances), start=1):
            seance = SeanceAtelier(
                atelier=atelier,
                numero=numero,
                debut=_moment(jour, heure_debut),
                fin=_moment(jour, heure_fin),
                lieu=lieu,
                lieu_precision=lieu_precision,
            )
            # Each session is born through the kernel (its first log row); the series' checks above
            # are its guard, so the block has nothing more to check.
            with MACHINE_SEANCE.creer(seance, "planifier", by):
                pass
    return atelier


# --- the invitations ---------------------------------------------------------------------------------


def parcours_invitables(atelier, user):
    """The parcours ``user`` may invite to ``atelier``: open ones, of the animateurs' portfolios for a
    référent, any for the coordination; those already invited left out."""
    qs = Parcours.objects.filter(etat__in=ETATS_OUVERTS).exclude(inscriptions_atelier__atelier=atelier)
    if not permissions.is_coordination(user):
        qs = qs.filter(referent__in=sorted(atelier.animateur_ids))
    return qs


def places_restantes(atelier, invites=None) -> int:
    invites = atelier.inscriptions.count() if invites is None else invites
    return max(0, atelier.capacite - invites)


def inviter(atelier, by, parcours_list) -> list[InscriptionAtelier]:
    """Invite the parcours (rows or ids), within the capacity. Raises :class:`AtelierError` with nothing saved."""
    if not permissions.can_manage_atelier(by, atelier):
        raise AtelierError("Seuls les animateurs de l'atelier et la coordination y invitent.")
    ids = sorted({getattr(p, "pk", p) for p in parcours_list})
    if not ids:
        raise AtelierError("Choisissez au moins une personne à inviter.", field="parcours")
    with transaction.atomic():
        atelier = Atelier.objects.select_for_update().get(pk=atelier.pk)  # one capacity check at a time
        permis = set(parcours_invitables(atelier, by).filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - permis:
            raise AtelierError(
                "Vous invitez les personnes en parcours suivies par les animateurs de l'atelier, pas encore invitées.",
                field="parcours",
            )
        invites = atelier.inscriptions.count()
        if invites + len(ids) > atelier.capacite:
            restantes = places_restantes(atelier, invites)
            raise AtelierError(
                f"L'atelier a {atelier.capacite} places et {invites} personnes invitées : "
                f"{'plus aucune place' if not restantes else f'{restantes} place(s) restante(s)'}, "
                f"vous en demandez {len(ids)}.",
                field="parcours",
            )
        rows = []
        for pk in ids:
            inscription = InscriptionAtelier(atelier=atelier, parcours_id=pk, invite_par=by)
            inscription._history_user = by
            inscription.save()
            rows.append(inscription)
            convocations.inscrit(atelier, inscription.parcours)
    return rows


def desinviter(inscription, by):
    """Withdraw an invitation; refused once the person's attendance was noted (it stays in their file)."""
    if not permissions.can_manage_atelier(by, inscription.atelier):
        raise AtelierError("Seuls les animateurs de l'atelier et la coordination retirent une invitation.")
    with transaction.atomic():
        if PresenceAtelier.objects.filter(
            parcours_id=inscription.parcours_id, seance__atelier_id=inscription.atelier_id
        ).exists():
            raise AtelierError(
                "Sa présence à une séance est déjà notée : l'invitation reste, elle fait partie de son parcours."
            )
        inscription._history_user = by
        convocations.desinscrit(inscription.atelier, inscription.parcours)
        inscription.delete()


# --- a session -------------------------------------------------------------------------------------


def _verifier_gere(by, seance):
    if not permissions.can_manage_atelier(by, seance.atelier):
        raise AtelierError("Seuls les animateurs de l'atelier et la coordination modifient ses séances.")


def modifier_seance(seance, by, *, debut, fin, lieu=None, lieu_precision=""):
    """Move one planned session (its date, time or place); the others keep theirs."""
    _verifier_gere(by, seance)
    lieu_precision = (lieu_precision or "").strip()
    with transaction.atomic():
        with MACHINE_SEANCE.appliquer(seance, "modifier", by):
            if fin <= debut:
                raise AtelierError("L'heure de fin suit l'heure de début.", field="heure_fin")
            if debut > timezone.now() + DELAI_MAX:
                raise AtelierError("Une séance se planifie dans l'année qui vient.", field="date")
            _verifier_lieu(lieu, lieu_precision)
            seance.debut, seance.fin, seance.lieu, seance.lieu_precision = debut, fin, lieu, lieu_precision
        convocations.seance_deplacee(seance)


def annuler_seance(seance, by, motif):
    _verifier_gere(by, seance)
    motif = (motif or "").strip()
    with MACHINE_SEANCE.appliquer(seance, "annuler", by, motif):
        if len(motif) > MOTIF_MAX:
            raise AtelierError(f"Le motif tient en {MOTIF_MAX} caractères.", field="motif")
        seance.motif_annulation = motif


def _verifier_commencee(seance, now):
    if seance.debut > now + TOLERANCE_HORLOGE:
        debut = timezone.localtime(seance.debut)
        raise AtelierError(f"La séance du {debut:%d/%m/%Y à %H:%M} ne peut être notée tenue avant d'avoir commencé.")


def tenir(seance, by, now=None):
    """The session took place (its attendance to note)."""
    _verifier_gere(by, seance)
    now = now or timezone.now()
    with MACHINE_SEANCE.appliquer(seance, "tenir", by):
        _verifier_commencee(seance, now)


@dataclass(frozen=True)
class LignePresence:
    parcours_id: int
    statut: str
    duree_minutes: int | None = None  # present: the session's length when not given


def noter_presences(seance, by, lignes, contenu="", now=None) -> list[PresenceAtelier]:
    """Record every invited participant's attendance and what was done; the session becomes held.

    ``lignes``: one :class:`LignePresence` per invited parcours. Refused once the émargement is
    locked. Errors name their field ``statut_<parcours id>`` or ``duree_<parcours id>``."""
    _verifier_gere(by, seance)
    now = now or timezone.now()
    contenu = (contenu or "").strip()
    par_parcours = {ligne.parcours_id: ligne for ligne in lignes}
    with MACHINE_SEANCE.appliquer(seance, "noter_presences", by):
        if seance.emargement_clos:
            raise AtelierError("L'émargement de cette séance est clos : les présences ne changent plus.")
        _verifier_commencee(seance, now)
        invites = list(seance.atelier.inscriptions.values_list("parcours_id", flat=True))
        if not invites:
            raise AtelierError("Personne n'est invité à cet atelier : invitez les participants d'abord.")
        if set(par_parcours) - set(invites):
            raise AtelierError("Seules les personnes invitées à l'atelier ont une présence.")
        existantes = {p.parcours_id: p for p in seance.presences.select_for_update()}
        rows, nouvelles_absences = [], []
        for parcours_id in invites:
            ligne = par_parcours.get(parcours_id)
            if ligne is None or ligne.statut not in P.values:
                raise AtelierError("Indiquez la présence de chaque personne.", field=f"statut_{parcours_id}")
            duree = None
            if ligne.statut == P.PRESENT:
                duree = seance.duree_minutes if ligne.duree_minutes is None else ligne.duree_minutes
                if not 1 <= duree <= min(DUREE_PRESENCE_MAX, seance.duree_minutes):
                    raise AtelierError(
                        f"La durée de présence est comprise entre 1 et {min(DUREE_PRESENCE_MAX, seance.duree_minutes)} "
                        "minutes (la durée de la séance).",
                        field=f"duree_{parcours_id}",
                    )
            presence = existantes.get(parcours_id) or PresenceAtelier(seance=seance, parcours_id=parcours_id)
            if ligne.statut == P.ABSENT_INJUSTIFIE and (presence.pk is None or presence.statut != ligne.statut):
                nouvelles_absences.append(presence)
            if presence.pk is None or (presence.statut, presence.duree_minutes) != (ligne.statut, duree):
                presence.statut, presence.duree_minutes, presence.saisi_par = ligne.statut, duree, by
                presence._history_user = by
                presence.save()
            rows.append(presence)
        seance.contenu = contenu
    from parcours import absences

    for presence in nouvelles_absences:  # a second save of the same sheet tells nobody twice
        absences.apres_absence_atelier(presence, seance)
    return rows


def clore_emargement(seance, by, now=None):
    """Lock the émargement: every invited participant's attendance is noted, and stays as it is."""
    _verifier_gere(by, seance)
    with MACHINE_SEANCE.appliquer(seance, "clore_emargement", by):
        if seance.emargement_clos:
            raise AtelierError("L'émargement de cette séance est déjà clos.")
        invites = set(seance.atelier.inscriptions.values_list("parcours_id", flat=True))
        notes = set(seance.presences.values_list("parcours_id", flat=True))
        if not invites or invites - notes:
            raise AtelierError("Notez la présence de chaque personne invitée avant de clore l'émargement.")
        seance.emargement_clos_le = now or timezone.now()
        seance.emargement_clos_par = by


# --- what the parcours's pages read ---------------------------------------------------------------


def seances_du_parcours(parcours):
    """The sessions of the ateliers the parcours is invited to, each with its attendance
    (``presence_du_parcours``, None before it is noted), in date order: one query, which gives the
    dossier both its invitations and its attendance (:func:`presences`)."""
    return list(
        SeanceAtelier.objects.filter(atelier__inscriptions__parcours=parcours)
        .annotate(presence_du_parcours=FilteredRelation("presences", condition=Q(presences__parcours=parcours)))
        .select_related("atelier", "presence_du_parcours")
        .order_by("debut", "id")
    )


def presences(seances) -> list[PresenceAtelier]:
    """The attendance rows among :func:`seances_du_parcours`, each with its session and atelier (no query)."""
    rows = []
    for seance in seances:
        presence = getattr(seance, "presence_du_parcours", None)  # no row joined: no attribute
        if presence is not None:
            presence.seance = seance
            rows.append(presence)
    return rows


@dataclass(frozen=True)
class InvitationLue:
    atelier: Atelier
    seances: int
    presences: int
    absences_injustifiees: int
    prochaine: SeanceAtelier | None


def invitations(seances, now=None) -> list[InvitationLue]:
    """One line per atelier among :func:`seances_du_parcours` (no query)."""
    now = now or timezone.now()
    par_atelier = {}
    for seance in seances:
        par_atelier.setdefault(seance.atelier_id, []).append(seance)
    lignes = []
    for rows in par_atelier.values():
        notees = [p for p in (getattr(s, "presence_du_parcours", None) for s in rows) if p is not None]
        lignes.append(
            InvitationLue(
                atelier=rows[0].atelier,
                seances=sum(s.statut != S.ANNULEE for s in rows),
                presences=sum(p.statut == P.PRESENT for p in notees),
                absences_injustifiees=sum(p.statut == P.ABSENT_INJUSTIFIE for p in notees),
                prochaine=next((s for s in rows if s.statut == S.PREVUE and s.fin >= now), None),
            )
        )
    return lignes


# --- the minimum frequency per référent --------------------------------------------------------------


@dataclass(frozen=True)
class Frequence:
    dernier: datetime.date | None  # the référent's last held atelier, as animateur or co-animateur
    limite_jours: int | None  # the référentiel's minimum frequency; None: no obligation
    today: datetime.date

    @property
    def en_retard(self) -> bool:
        if not self.limite_jours:
            return False
        return self.dernier is None or (self.today - self.dernier).days > self.limite_jours

    @property
    def libelle(self) -> str:
        if self.dernier is None:
            return "aucun atelier tenu"
        return f"dernier atelier le {self.dernier:%d/%m/%Y}"


def derniers_ateliers(referent_ids=None, today=None) -> dict[int, datetime.date]:
    """For each référent, the day of their last held session (as animateur or co-animateur), in one query."""
    today = today or timezone.localdate()
    seances = SeanceAtelier.objects.filter(statut=S.TENUE, debut__date__lte=today)
    if referent_ids is not None:
        ids = sorted(set(referent_ids))
        seances = seances.filter(Q(atelier__animateur__in=ids) | Q(atelier__co_animateur__in=ids))
    derniers = {}
    rows = seances.values_list("atelier__animateur", "atelier__co_animateur").annotate(dernier=Max("debut")).order_by()
    for animateur, co_animateur, dernier in rows:
        jour = timezone.localdate(dernier)
        for pk in (animateur, co_animateur):
            if pk is not None and (pk not in derniers or derniers[pk] < jour):
                derniers[pk] = jour
    return derniers


def frequences(referentiel, referent_ids=None, today=None) -> dict[int, Frequence]:
    """:class:`Frequence` of each référent of ``referent_ids`` (every référent with an atelier when None)."""
    today = today or timezone.localdate()
    derniers = derniers_ateliers(referent_ids, today)
    limite = referentiel.ateliers_frequence_min_jours if referentiel else None
    ids = derniers.keys() if referent_ids is None else referent_ids
    return {pk: Frequence(derniers.get(pk), limite, today) for pk in ids}


def frequence(referentiel, dernier, today=None) -> Frequence:
    return Frequence(
        dernier, referentiel.ateliers_frequence_min_jours if referentiel else None, today or timezone.localdate()
    )
