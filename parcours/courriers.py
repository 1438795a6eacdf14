"""Convocation letters and the fallbacks of a failed message (N §III.d).

A participant with neither a mobile nor an email is convoked by letter: a row of the outbox (canal
courrier) that waits on their référent's « Courriers à envoyer » until someone prints it, posts it and
says so (``marquer_poste``: a conditional update, a double click posts once). The letter is the text
written with the convocation (:func:`parcours.convocations.corps_ecrit`), printed with the PLIE's header
and the participant's postal address through the one PDF pipeline (:mod:`plie.pdf`).

A message that failed for good (an SMS to a dead number, an email refused) is shown on the référent's
home with its fallback: an email when the participant has an address, else a letter (:func:`repli`),
written in one transaction under a key of its own, sent after commit.
"""

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Concat
from django.utils import timezone

from parcours import convocations
from plie import pdf
from plie.identite import Sexe
from plie.notifications.models import GENRES_CONVOCATION, Canal, Message, StatutMessage
from plie.notifications.services import mettre_en_envoi
from plie.phones import parse_phone
from plie.referentiel.models import Referentiel

SUFFIXE_REPLI = ":repli"


class RepliImpossible(ValueError):
    """A fallback that cannot be written (already done, no address): a French message."""


# --- the letters to post ------------------------------------------------------------------------


def courriers_de(user):
    """The letters waiting to be posted for this user: a référent's own participants; every one for the
    coordination. Soonest to post first."""
    from plie import permissions

    courriers = Message.objects.courriers_a_envoyer().select_related(
        "convocation__parcours__participant__commune", "convocation__parcours__referent"
    )
    if not permissions.is_coordination(user):
        courriers = courriers.filter(convocation__parcours__referent=user)
    return courriers.order_by("du_le", "convocation__debut", "pk")


def courrier_pour(user, pk):
    """The letter ``pk`` if this user may print and post it, else None (the view answers 404)."""
    from plie import permissions

    message = (
        Message.objects.filter(pk=pk, canal=Canal.COURRIER)
        .select_related("convocation__parcours__participant__commune", "convocation__parcours__referent")
        .first()
    )
    if message is None or not permissions.can_handle_message(user, message):
        return None
    return message


def destinataire(participant) -> list[str]:
    """The address block: « Madame Prénom NOM », the street, the postcode and commune."""
    civilite = "Madame" if participant.sexe == Sexe.FEMME else "Monsieur"
    lignes = [f"{civilite} {participant.prenoms} {participant.nom_usage.upper()}"]
    lignes += [ligne.strip() for ligne in (participant.adresse or "").splitlines() if ligne.strip()]
    commune = participant.commune.nom.upper() if participant.commune_id else ""
    ville = " ".join(part for part in (participant.code_postal, commune) if part)
    if ville:
        lignes.append(ville)
    return lignes


def rendre_courrier(message, referentiel, today=None) -> bytes:
    """The letter's PDF: the PLIE's header, the address, the date, the text written with the convocation."""
    participant = message.convocation.parcours.participant
    return pdf.rendre_pdf(
        "pdf/courrier_convocation.html",
        {
            "referentiel": referentiel,
            "destinataire": destinataire(participant),
            "date": today or timezone.localdate(),
            "objet": message.sujet,
            "paragraphes": [p for p in message.corps.split("\n\n") if p.strip()],
            "titre": "Convocation",
        },
    )


def nom_fichier(message) -> str:
    return f"courrier-convocation-{message.pk}.pdf"


def marquer_poste(message, user, now=None) -> bool:
    """Posted: recorded once (a conditional update; a second click, or a colleague's, changes nothing)."""
    now = now or timezone.now()
    return bool(
        Message.objects.filter(pk=message.pk, canal=Canal.COURRIER, statut=StatutMessage.A_ENVOYER).update(
            statut=StatutMessage.ENVOYE, envoye_le=now, poste_par=user, modifie_le=now
        )
    )


# --- failed messages and their fallback ---------------------------------------------------------


def echecs_de(user, now=None):
    """The convocations of this référent's participants whose message failed for good and still have no
    fallback, for events still to come. One query, whatever their number."""
    now = now or timezone.now()
    repli_fait = Message.objects.filter(cle=Concat(OuterRef("cle"), Value(SUFFIXE_REPLI)))
    return (
        Message.objects.filter(
            statut=StatutMessage.ECHEC,
            genre__in=sorted(GENRES_CONVOCATION),
            convocation__parcours__referent=user,
            convocation__debut__gt=now,
        )
        .exclude(Exists(repli_fait))
        .select_related("convocation__parcours__participant")
        .order_by("convocation__debut", "pk")
    )


def canal_de_repli(message) -> str:
    """An email when the participant has an address (and the failed message was not one), else a letter."""
    participant = message.convocation.parcours.participant
    if participant.email and message.canal != Canal.EMAIL:
        return Canal.EMAIL
    return Canal.COURRIER


def erreur_lisible(message) -> str:
    """What went wrong, in plain French (the provider's own words follow, for whoever calls the helpdesk)."""
    if message.canal == Canal.SMS:
        try:
            numero = parse_phone(message.numero).national()
        except Exception:  # a number the provider refused may not parse either
            numero = message.numero
        quoi = f"Le SMS au {numero} n'a pas pu être remis"
    elif message.canal == Canal.EMAIL:
        quoi = f"L'email à {', '.join(message.destinataires)} n'a pas pu être remis"
    else:
        quoi = "Le courrier n'a pas pu partir"
    essais = f" après {message.tentatives} essai{'s' if message.tentatives > 1 else ''}" if message.tentatives else ""
    detail = message.derniere_erreur.strip()
    return f"{quoi}{essais}." + (f" Détail : {detail[:300]}" if detail else "")


def repli(message, canal, now=None) -> Message:
    """Write the fallback of a failed convocation message (an email or a letter), once: its key is the
    failed message's plus a suffix, so that a second click finds it taken. An email leaves after commit;
    a letter joins the « Courriers à envoyer »."""
    now = now or timezone.now()
    with transaction.atomic():
        original = (
            Message.objects.select_for_update(of=("self",))
            .select_related("convocation__parcours__participant", "convocation__parcours__referent")
            .get(pk=message.pk)
        )
        if original.statut != StatutMessage.ECHEC or original.genre not in GENRES_CONVOCATION:
            raise RepliImpossible("Ce message n'est pas en échec : rien à remplacer.")
        convocation = original.convocation
        participant = convocation.parcours.participant
        champs = {"canal": canal, "genre": original.genre, "convocation": convocation, "du_le": now}
        referentiel = Referentiel.objects.active()
        ev = convocations.evenement(convocation, referentiel)
        url = convocations.lien(convocation)
        champs.update(
            sujet=convocations.sujet_email(ev, original.genre), corps=convocations.corps_ecrit(ev, url, original.genre)
        )
        if canal == Canal.EMAIL:
            if not participant.email:
                raise RepliImpossible("Ce participant n'a pas d'adresse email : préparez un courrier.")
            champs["destinataires"] = [participant.email.strip().lower()]
        elif canal != Canal.COURRIER:
            raise RepliImpossible("Un message en échec est remplacé par un email ou par un courrier.")
        try:
            with transaction.atomic():
                nouveau = Message.objects.create(cle=f"{original.cle}{SUFFIXE_REPLI}", **champs)
        except IntegrityError as error:
            raise RepliImpossible("Ce message a déjà été remplacé.") from error
        if canal == Canal.EMAIL:
            mettre_en_envoi(nouveau)
    return nouveau
