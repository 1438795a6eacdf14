"""Convocations (N §III.b, §III.d): every planned entretien and atelier session is announced to the
participant one to two days before (the référentiel's delay and hour), inviting them to confirm.

- **Channel**: an SMS when they have a mobile (French or overseas; never a landline), otherwise an
  email when they have one, otherwise a letter, listed on the référent's « courriers à envoyer ».
- **First appointment**: confirmed at once, then the convocation before it (unless the appointment
  is too close for a second message to make sense).
- **Contents**: what it is for (the atelier's theme), date, time, place or « par téléphone », the
  référent's first name, a number to call and the personal link; never a motive, a health or RSA
  mention, nor the person's situation.

Every message is a row of the outbox (:class:`plie.notifications.models.Message`) written in the same
transaction as its cause, under a key per (event, kind, channel, window). The sweep
(:func:`convoquer_manquants`) convokes the events no planning did (seeded or imported ones).
"""

import datetime
import logging
import re
import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from parcours.models import (
    Convocation,
    InscriptionAtelier,
    Modalite,
    MoyenReponse,
    RendezVous,
    ReponseConvocation,
    SeanceAtelier,
    StatutSeance,
)
from parcours.models.convocations import JETON_LONGUEUR
from parcours.models.parcours import ETATS_OUVERTS
from plie.notifications.models import Canal, GenreMessage, Message, StatutMessage
from plie.notifications.services import mettre_en_envoi, notifier
from plie.phones import parse_phone
from plie.referentiel.models import Referentiel, expediteur_peut_recevoir
from plie.sms import gsm

logger = logging.getLogger(__name__)
ALPHABET = string.ascii_letters + string.digits
# A letter leaves this long before the convocation date, to arrive in time.
DELAI_POSTE = datetime.timedelta(days=5)
# The personal link works until this long after the event's end.
GRACE_LIEN = datetime.timedelta(hours=2)
DUREE_PAR_DEFAUT = datetime.timedelta(hours=1)
TELEPHONE_ABSENT = "contactez votre référent"


class ConvocationError(ValueError):
    """An answer that cannot be recorded (the link expired): a French message."""


@dataclass(frozen=True)
class Destination:
    canal: str
    numero: str = ""
    adresses: tuple = ()


def destination(participant) -> Destination:
    """How this person is reached: a mobile, else an email, else a letter (N §III.d)."""
    for numero in (participant.telephone_mobile, participant.telephone_fixe):
        if not numero:
            continue
        try:
            phone = parse_phone(numero)
        except ValidationError:
            continue
        if phone.is_mobile:
            return Destination(Canal.SMS, numero=phone.e164)
    if participant.email:
        return Destination(Canal.EMAIL, adresses=(participant.email.strip().lower(),))
    return Destination(Canal.COURRIER)


def moment_convocation(debut, referentiel) -> datetime.datetime:
    """The référentiel's hour, its delay in days before the event's local date (Europe/Paris)."""
    jour = timezone.localdate(debut) - datetime.timedelta(days=referentiel.convocation_delai_jours)
    return timezone.make_aware(datetime.datetime.combine(jour, referentiel.convocation_heure))


def nouveau_jeton() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(JETON_LONGUEUR))


def lien(convocation) -> str:
    return f"{settings.SITE_URL}{reverse('convocation_reponse', args=[convocation.jeton])}"


# --- what a convocation says ------------------------------------------------------------------


@dataclass(frozen=True)
class Evenement:
    """The facts a convocation may tell, and nothing else."""

    objet: str  # « votre entretien », « l'atelier « Préparer un entretien » »
    debut: datetime.datetime
    lieu: str
    referent: str  # first name only
    telephone: str

    @property
    def date(self) -> str:
        return f"{timezone.localtime(self.debut):%d/%m/%Y}"

    @property
    def heure(self) -> str:
        return f"{timezone.localtime(self.debut):%H}h{timezone.localtime(self.debut):%M}"


def _telephone(parcours, referentiel) -> str:
    numero = referentiel.telephone_contact or getattr(parcours.referent, "telephone", "")
    if not numero:
        return TELEPHONE_ABSENT
    try:
        return parse_phone(numero).national()
    except ValidationError:
        return numero


def _lieu(modalite, lieu_libelle) -> str:
    if modalite == Modalite.TELEPHONE:
        return "par téléphone"
    if modalite == Modalite.VISIO:
        return "en visioconférence"
    return lieu_libelle


def evenement(convocation, referentiel) -> Evenement:
    parcours = convocation.parcours
    referent = parcours.referent.first_name if parcours.referent_id else "votre référent"
    telephone = _telephone(parcours, referentiel)
    if convocation.rendez_vous_id:
        rdv = convocation.rendez_vous
        objet = "votre premier rendez-vous au PLIE" if rdv.objet == "premier_rdv" else "votre entretien au PLIE"
        lieu = rdv.lieu_libelle if rdv.modalite == Modalite.PRESENTIEL else _lieu(rdv.modalite, "")
        return Evenement(objet, rdv.debut, lieu, referent, telephone)
    seance = convocation.seance
    atelier = seance.atelier
    parts = []
    lieu_obj = seance.lieu or atelier.lieu
    if lieu_obj is not None:
        parts.append(", ".join(p for p in [lieu_obj.nom, lieu_obj.adresse, lieu_obj.commune.nom] if p))
    precision = seance.lieu_precision or atelier.lieu_precision
    if precision:
        parts.append(precision)
    return Evenement(f"l'atelier « {atelier.theme} »", seance.debut, " — ".join(parts), referent, telephone)


class _Variables(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def consigne_reponse(referentiel, url) -> str:
    """How to answer: by replying to the SMS when the sender can receive, always by the link."""
    if expediteur_peut_recevoir(referentiel.sms_expediteur):
        return f"Répondez OUI pour confirmer, NON pour annuler, ou : {url}"
    return f"Confirmez ou annulez : {url}"


def texte_sms(referentiel, ev: Evenement, url: str) -> str:
    """The PLIE's template filled, then transliterated into GSM-7 where the meaning survives."""
    variables = _Variables(
        objet=ev.objet,
        date=ev.date,
        heure=ev.heure,
        lieu=ev.lieu,
        referent=ev.referent,
        telephone=ev.telephone,
        reponse=consigne_reponse(referentiel, url),
    )
    texte = referentiel.sms_modele.format_map(variables)
    texte = re.sub(r"[ \t]+", " ", texte).strip()
    return gsm.translitterer(texte)


def _rendre(template, contexte) -> str:
    return get_template(template).template.render(Context(contexte, autoescape=False))


def sujet_email(ev: Evenement, genre) -> str:
    quoi = "Confirmation de" if genre == GenreMessage.CONFIRMATION else "Rappel :"
    return f"PLIE : {quoi} {ev.objet} du {ev.date} à {ev.heure}"


def corps_ecrit(ev: Evenement, url: str, genre) -> str:
    """The email's and the letter's text (templates/emails/convocation.txt)."""
    return _rendre(
        "emails/convocation.txt", {"ev": ev, "lien": url, "confirmation": genre == GenreMessage.CONFIRMATION}
    )


# --- writing the messages ---------------------------------------------------------------------


def cle(convocation, genre, canal) -> str:
    """The message's unique key: event, kind, channel, window (the event's start)."""
    return f"conv:{convocation.pk}:{genre}:{canal}:{convocation.debut:%Y%m%dT%H%MZ}"


def _ecrire(convocation, genre, dest: Destination, du_le, referentiel, ev, url) -> Message | None:
    champs = {"canal": dest.canal, "genre": genre, "convocation": convocation, "du_le": du_le}
    if dest.canal == Canal.SMS:
        champs.update(numero=dest.numero, corps=texte_sms(referentiel, ev, url))
    else:
        champs.update(sujet=sujet_email(ev, genre), corps=corps_ecrit(ev, url, genre))
        if dest.canal == Canal.EMAIL:
            champs["destinataires"] = list(dest.adresses)
    try:
        with transaction.atomic():
            return Message.objects.create(cle=cle(convocation, genre, dest.canal), **champs)
    except IntegrityError:
        return None  # already written (a second sweep, a second worker)


def ecrire_messages(convocation, referentiel, *, confirmation=False, now=None, dest=None) -> list[Message]:
    """The messages of one convocation: the confirmation at once (a first RDV), the convocation at
    the référentiel's hour, or one letter. Due ones are queued after commit."""
    now = now or timezone.now()
    dest = dest or destination(convocation.parcours.participant)
    ev = evenement(convocation, referentiel)
    url = lien(convocation)
    rappel_le = moment_convocation(convocation.debut, referentiel)
    ecrits = []
    if dest.canal == Canal.COURRIER:
        genre = GenreMessage.CONFIRMATION if confirmation else GenreMessage.CONVOCATION
        du_le = now if confirmation else max(now, rappel_le - DELAI_POSTE)
        ecrits.append(_ecrire(convocation, genre, dest, du_le, referentiel, ev, url))
    else:
        if confirmation:
            ecrits.append(_ecrire(convocation, GenreMessage.CONFIRMATION, dest, now, referentiel, ev, url))
        # After a confirmation, a convocation whose hour has passed would repeat it at once.
        if not confirmation or rappel_le > now:
            ecrits.append(
                _ecrire(convocation, GenreMessage.CONVOCATION, dest, max(now, rappel_le), referentiel, ev, url)
            )
    ecrits = [m for m in ecrits if m is not None]
    for message in ecrits:
        if message.canal != Canal.COURRIER and message.du_le <= now:
            mettre_en_envoi(message)
    return ecrits


def _fin_rdv(rdv, referentiel):
    minutes = rdv.duree_minutes or referentiel.duree_entretien_minutes
    return rdv.debut + (datetime.timedelta(minutes=minutes) if minutes else DUREE_PAR_DEFAUT)


def convoquer_rdv(rdv, referentiel=None, now=None) -> Convocation | None:
    """Convoke to a planned appointment (in the planning's transaction). None for a past one."""
    now = now or timezone.now()
    if rdv.debut <= now:
        return None
    referentiel = referentiel or Referentiel.objects.active_or_none()
    if referentiel is None:
        return None
    convocation = Convocation.objects.create(
        parcours=rdv.parcours,
        rendez_vous=rdv,
        jeton=nouveau_jeton(),
        debut=rdv.debut,
        expire_le=_fin_rdv(rdv, referentiel) + GRACE_LIEN,
    )
    ecrire_messages(convocation, referentiel, confirmation=rdv.objet == "premier_rdv", now=now)
    return convocation


def convoquer_seance(seance, parcours, referentiel=None, now=None) -> Convocation | None:
    """Convoke one registered person to one future session (None if past, cancelled, or done)."""
    now = now or timezone.now()
    if seance.debut <= now or seance.statut != StatutSeance.PREVUE:
        return None
    referentiel = referentiel or Referentiel.objects.active_or_none()
    if referentiel is None:
        return None
    try:
        with transaction.atomic():
            convocation = Convocation.objects.create(
                parcours=parcours,
                seance=seance,
                jeton=nouveau_jeton(),
                debut=seance.debut,
                expire_le=seance.fin + GRACE_LIEN,
            )
    except IntegrityError:
        return None  # already convoked
    ecrire_messages(convocation, referentiel, now=now)
    return convocation


def annuler_messages(convocations) -> int:
    """The unsent messages of these convocations are cancelled (the event is off or moved)."""
    return Message.objects.filter(convocation__in=convocations, statut=StatutMessage.A_ENVOYER).update(
        statut=StatutMessage.ANNULE, modifie_le=timezone.now()
    )


def rdv_clos(rdv):
    """An appointment closed or cancelled: nothing more is sent for it."""
    annuler_messages(Convocation.objects.filter(rendez_vous=rdv))


def seance_annulee(seance):
    annuler_messages(Convocation.objects.filter(seance=seance))


def seance_deplacee(seance, referentiel=None, now=None):
    """A session moved: its convocations' unsent messages are cancelled, new ones written for the new
    time (a new window, so new keys); the answers given for the old time are reset."""
    now = now or timezone.now()
    referentiel = referentiel or Referentiel.objects.active_or_none()
    convocations = list(Convocation.objects.filter(seance=seance).select_related("parcours__participant"))
    meme_heure = [c.pk for c in convocations if c.debut == seance.debut]
    # Same time, another place: the unsent messages are rewritten under the same keys.
    Message.objects.filter(convocation__in=meme_heure, statut=StatutMessage.A_ENVOYER).delete()
    annuler_messages(convocations)
    if referentiel is None:
        return
    for convocation in convocations:
        convocation.debut = seance.debut
        convocation.expire_le = seance.fin + GRACE_LIEN
        convocation.reponse = ReponseConvocation.SANS_REPONSE
        convocation.repondu_le = None
        convocation.repondu_par = ""
        convocation.save()
        if seance.debut > now:
            ecrire_messages(convocation, referentiel, now=now)


def desinscrit(atelier, parcours):
    annuler_messages(Convocation.objects.filter(seance__atelier=atelier, parcours=parcours))


def inscrit(atelier, parcours, referentiel=None, now=None):
    """Registered to a series: convoked to each future session."""
    referentiel = referentiel or Referentiel.objects.active_or_none()
    if referentiel is None:
        return
    for seance in atelier.seances.filter(statut=StatutSeance.PREVUE, debut__gt=now or timezone.now()):
        convoquer_seance(seance, parcours, referentiel, now=now)


# --- answers ------------------------------------------------------------------------------------


def repondre(convocation, confirme: bool, moyen=MoyenReponse.LIEN, now=None) -> Convocation:
    """The participant confirms or cancels (by the link or by replying to the SMS). A cancellation
    notifies the référent. ConvocationError once the event is over."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Convocation.objects.select_for_update().select_related("parcours").get(pk=convocation.pk)
        if current.expire_le <= now:
            raise ConvocationError("Ce rendez-vous est passé : le lien n'est plus valable.")
        reponse = ReponseConvocation.CONFIRMEE if confirme else ReponseConvocation.ANNULEE
        change = current.reponse != reponse
        current.reponse, current.repondu_le, current.repondu_par = reponse, now, moyen
        current.save(update_fields=["reponse", "repondu_le", "repondu_par", "modifie_le"])
        if change and not confirme and current.parcours.referent_id:
            ev_date = f"{timezone.localtime(current.debut):%d/%m/%Y à %H:%M}"
            notifier(
                current.parcours.referent,
                f"Rendez-vous du {ev_date} annulé par le participant",
                "Le participant a annulé sa venue en répondant à sa convocation.",
                lien=reverse("parcours:detail", args=[current.parcours_id]),
            )
    return current


# --- the sweep ----------------------------------------------------------------------------------


def convoquer_manquants(now=None, referentiel=None) -> int:
    """Planned events within the convocation delay that nobody convoked (seeded, imported, planned
    before this feature): convoked now. Idempotent (one convocation per event and person)."""
    now = now or timezone.now()
    referentiel = referentiel or Referentiel.objects.active_or_none()
    if referentiel is None:
        return 0
    horizon = now + datetime.timedelta(days=referentiel.convocation_delai_jours + 1)
    faits = 0
    rdvs = (
        RendezVous.objects.prevus()
        .filter(debut__gt=now, debut__lte=horizon, convocation__isnull=True, parcours__etat__in=ETATS_OUVERTS)
        .select_related("parcours__participant", "parcours__referent", "lieu__commune")
    )
    for rdv in rdvs:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    faits += convoquer_rdv(rdv, referentiel, now=now) is not None
            except IntegrityError:
                continue  # another sweep got there first
    seances = SeanceAtelier.objects.filter(statut=StatutSeance.PREVUE, debut__gt=now, debut__lte=horizon)
    inscriptions = (
        InscriptionAtelier.objects.filter(atelier__seances__in=seances, parcours__etat__in=ETATS_OUVERTS)
        .select_related("parcours__participant", "parcours__referent")
        .distinct()
    )
    for inscription in inscriptions:
        for seance in seances.filter(atelier=inscription.atelier_id).exclude(
            convocations__parcours=inscription.parcours
        ):
            with transaction.atomic():
                faits += convoquer_seance(seance, inscription.parcours, referentiel, now=now) is not None
    return faits
