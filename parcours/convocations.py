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
import unicodedata
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
from parcours.models.rendez_vous import StatutRendezVous
from plie.notifications.models import Canal, GenreMessage, Message, StatutMessage
from plie.notifications.services import mettre_en_envoi, notifier
from plie.phones import parse_phone
from plie.referentiel.models import Referentiel
from plie.sms.texte import TELEPHONE_ABSENT, Evenement, texte_sms

logger = logging.getLogger(__name__)
ALPHABET = string.ascii_letters + string.digits
# A letter leaves this long before the convocation date, to arrive in time.
DELAI_POSTE = datetime.timedelta(days=5)
# The personal link works until this long after the event's end.
GRACE_LIEN = datetime.timedelta(hours=2)
DUREE_PAR_DEFAUT = datetime.timedelta(hours=1)


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


# --- replies ---------------------------------------------------------------------------------------
# What the participant says back: through the personal link (parcours.views.convocations) or by
# replying to the SMS (the provider's webhook, plie.notifications.webhooks).

# The first meaningful word decides; courtesy words before it are skipped (« Bonjour, oui »).
MOTS_OUI = frozenset({"oui", "ouii", "ouiii", "ouai", "ouais", "ok", "okay", "oki", "yes", "confirme", "confirmee"})
MOTS_NON = frozenset({"non", "nn", "nan", "no", "annule", "annulee", "annuler", "empeche", "empechee"})
# After a « oui », one of these makes the answer ambiguous (« oui mais je ne peux pas »).
CONTRAIRES_OUI = MOTS_NON | {"pas", "impossible", "malade"}
POLITESSES = frozenset({"bonjour", "bonsoir", "salut", "hello", "re", "alors", "euh", "madame", "monsieur"})
REPONSE_SMS_MAX = 160  # what the référent is shown of a reply that was not understood


def _mots(texte) -> list[str]:
    sans_accents = unicodedata.normalize("NFKD", texte or "").encode("ascii", "ignore").decode()
    mots = re.findall(r"[a-z0-9]+", sans_accents.casefold())
    # A zero typed for an O (« 0UI », « N0N »), only inside a word that has letters.
    return [m.replace("0", "o") if re.search(r"[a-z]", m) else m for m in mots]


def interpreter_reponse(texte) -> bool | None:
    """An SMS reply read as OUI (True), NON (False) or not understood (None).

    Tolerant of case, accents, spaces, punctuation and a zero for an O (« Oui », « oui! », « OUI merci »,
    « 0ui », « non. », « Non, empêché »); a reply that contradicts itself (« oui… non », « oui mais je
    ne peux pas ») or that starts with anything else (« demain ? ») is not guessed: None.
    """
    mots = _mots(texte)
    while mots and mots[0] in POLITESSES:
        mots = mots[1:]
    if not mots:
        return None
    premier, reste = mots[0], set(mots[1:])
    if premier in MOTS_OUI:
        return None if reste & CONTRAIRES_OUI else True
    if premier in MOTS_NON:
        return None if reste & MOTS_OUI else False
    return None


def evenement_annule(convocation) -> bool:
    """The PLIE called the event off: the appointment cancelled, the session cancelled, or the person
    no longer registered to its atelier."""
    if convocation.rendez_vous_id:
        return convocation.rendez_vous.statut == StatutRendezVous.ANNULE
    if convocation.seance.statut == StatutSeance.ANNULEE:
        return True
    return not InscriptionAtelier.objects.filter(
        atelier=convocation.seance.atelier_id, parcours=convocation.parcours_id
    ).exists()


def peut_repondre(convocation, now=None) -> bool:
    """Whether an answer can still be given or changed: the event is planned, still on for this
    person, and has not started (the link itself stays readable until ``expire_le``)."""
    now = now or timezone.now()
    if convocation.debut <= now or convocation.expire_le <= now:
        return False
    if convocation.rendez_vous_id:
        return convocation.rendez_vous.statut == StatutRendezVous.PREVU
    return convocation.seance.statut == StatutSeance.PREVUE and not evenement_annule(convocation)


def numero_e164(numero) -> str:
    """The provider's notation of a number (« 33612345678 », « +33612345678 », « 0612345678 ») in
    E.164, or "" when it is not a number."""
    texte = (numero or "").strip()
    if texte.isdigit() and len(texte) > 10 and not texte.startswith("0"):
        texte = "+" + texte  # international without its plus (Brevo)
    try:
        return parse_phone(texte).e164
    except ValidationError:
        return ""


@dataclass(frozen=True)
class ReponseSMS:
    """What became of a reply: the convocation answered (or None) and why."""

    convocation: Convocation | None
    message: Message | None
    resultat: str  # "appliquee", "incomprise", "sans_convocation", "ambigue", "trop_tard"


def _message_repondu(numero, message, now):
    """The SMS this reply answers: the one the provider names, else the latest sent to the number
    whose convocation is still open. None when the number is shared by several people with an open
    convocation (a couple, a parent's phone): whose answer it is cannot be told."""
    if message is not None:
        return message, False
    envoyes = (
        Message.objects.filter(
            canal=Canal.SMS,
            numero=numero,
            statut__in=[StatutMessage.ENVOYE, StatutMessage.DELIVRE, StatutMessage.REPONDU],
            convocation__expire_le__gt=now,
        )
        .select_related("convocation__parcours", "convocation__rendez_vous", "convocation__seance")
        .order_by("-envoye_le", "-id")
    )
    dernier = envoyes.first()
    if dernier is None:
        return None, False
    autres = envoyes.exclude(convocation__parcours=dernier.convocation.parcours_id).exists()
    return (None, True) if autres else (dernier, False)


def appliquer_reponse_sms(numero, texte, *, message=None, now=None) -> ReponseSMS:
    """A reply received from ``numero``: applied to the convocation of the SMS it answers (the one
    the provider names, else the latest sent to that number), which is marked « réponse reçue ».

    Nothing is changed when no open convocation matches, when the number is shared by several people,
    or when the event has started; a reply that is not understood is passed on to the référent as
    received, so that they call back.
    """
    now = now or timezone.now()
    numero = numero_e164(numero) or (message.numero if message is not None else "")
    if message is not None and (message.convocation_id is None or message.canal != Canal.SMS):
        message = None
    cible, ambigu = _message_repondu(numero, message, now) if numero or message else (None, False)
    if cible is None:
        logger.info("Réponse SMS ignorée : %s", "numéro partagé" if ambigu else "aucune convocation ouverte")
        return ReponseSMS(None, None, "ambigue" if ambigu else "sans_convocation")
    convocation = cible.convocation
    if cible.statut in {StatutMessage.ENVOYE, StatutMessage.DELIVRE}:
        Message.objects.filter(pk=cible.pk, statut__in=[StatutMessage.ENVOYE, StatutMessage.DELIVRE]).update(
            statut=StatutMessage.REPONDU, modifie_le=now
        )
        cible.statut = StatutMessage.REPONDU
    if not peut_repondre(convocation, now):
        return ReponseSMS(convocation, cible, "trop_tard")
    confirme = interpreter_reponse(texte)
    if confirme is None:
        if convocation.parcours.referent_id:
            extrait = " ".join((texte or "").split())
            if len(extrait) > REPONSE_SMS_MAX:
                extrait = extrait[: REPONSE_SMS_MAX - 1] + "…"
            quand = f"{timezone.localtime(convocation.debut):%d/%m/%Y à %H:%M}"
            notifier(
                convocation.parcours.referent,
                f"Réponse non comprise à la convocation du {quand}",
                f"Le participant a répondu « {extrait} » au SMS de convocation : rappelez-le pour savoir s'il vient.",
                lien=reverse("parcours:detail", args=[convocation.parcours_id]),
            )
        return ReponseSMS(convocation, cible, "incomprise")
    try:
        convocation = repondre(convocation, confirme, MoyenReponse.SMS, now=now)
    except ConvocationError:
        return ReponseSMS(convocation, cible, "trop_tard")
    return ReponseSMS(convocation, cible, "appliquee")
