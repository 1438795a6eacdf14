"""Sending the outbox: once, never lost.

1. **Claim.** Under a row lock, a due row becomes ``en_cours`` with its claim time, committed before
   any provider call: a second worker (or a second beat) finds it taken. The sweep's batches claim
   their rows in one commit and send each only while its claim is young enough (:func:`envoyer_lot`).
2. **Send** through the channel (Django's email backend, the SMS provider with our key as tag).
3. **Record**, only if our claim still holds: ``envoye`` with the provider's id; a transient error
   puts it back with its next try (exponential backoff with jitter, Retry-After honoured); a
   permanent one is ``echec`` (the référent's home shows it with the fallback).

A claim older than ``OUTBOX_CLAIM_TIMEOUT`` belongs to a worker that died, maybe after the provider
accepted the message and before our commit: the sweep asks the provider about the tag **before**
any resend (:func:`reconcilier`); so does a send left without an answer (``incertain``). Letters are
not sent here: they are printed and marked posted.
"""

import logging
import random
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from plie import sms as sms_providers
from plie.notifications.models import TENTATIVES_MAX, Canal, Message, StatutMessage
from plie.referentiel.models import Referentiel
from plie.sms.base import SMS, ErreurPermanente, ErreurTransitoire

logger = logging.getLogger(__name__)
M = StatutMessage


def _reglage(name, default):
    return getattr(settings, name, default)


def delai_avant_essai(tentatives: int, retry_after: float | None = None) -> float:
    """Seconds before the next try: base × 2^(n-1), capped, with ±50 % jitter; never under Retry-After."""
    base = _reglage("OUTBOX_RETRY_BASE_SECONDS", 30)
    plafond = _reglage("OUTBOX_RETRY_MAX_SECONDS", 3600)
    delai = min(base * 2 ** max(tentatives - 1, 0), plafond) * random.uniform(0.5, 1.5)
    if retry_after is not None:
        delai = max(delai, retry_after)
    return delai


def reclamer(message_id, now=None) -> Message | None:
    """Take one due message for sending (committed), or None if it is not due or someone has it.

    One conditional UPDATE, committed at once: PostgreSQL locks the row and, if another worker
    claimed it meanwhile, re-reads it and finds it no longer due (0 rows); SQLite writes one at a
    time. Then the row is read back under our claim."""
    now = now or timezone.now()
    pris = (
        Message.objects.exclude(canal=Canal.COURRIER)
        .dus(now)
        .filter(pk=message_id)
        .update(statut=M.EN_COURS, envoi_commence_le=now, tentatives=F("tentatives") + 1, modifie_le=now)
    )
    if not pris:
        return None
    return Message.objects.filter(pk=message_id, statut=M.EN_COURS, envoi_commence_le=now).first()


def _notre_reclamation(message):
    return Message.objects.filter(pk=message.pk, statut=M.EN_COURS, envoi_commence_le=message.envoi_commence_le)


def marquer_envoye(message, id_fournisseur="", fournisseur="", now=None) -> bool:
    now = now or timezone.now()
    return bool(
        _notre_reclamation(message).update(
            statut=M.ENVOYE,
            envoye_le=now,
            id_fournisseur=id_fournisseur[:100],
            fournisseur=fournisseur,
            derniere_erreur="",
            prochain_essai_le=None,
            modifie_le=now,
        )
    )


def reporter(message, erreur, retry_after=None, now=None) -> float | None:
    """A transient failure: back to the queue with its next try, or failed after the last one.
    Returns the delay before the next try (None once failed)."""
    now = now or timezone.now()
    texte = str(erreur)[:2000]
    if message.tentatives >= TENTATIVES_MAX:
        echouer(message, f"Abandon après {message.tentatives} tentatives : {texte}", now=now)
        return None
    delai = delai_avant_essai(message.tentatives, retry_after)
    _notre_reclamation(message).update(
        statut=M.A_ENVOYER, prochain_essai_le=now + timedelta(seconds=delai), derniere_erreur=texte, modifie_le=now
    )
    return delai


def garder_pour_verification(message, erreur, now=None) -> bool:
    """An uncertain outcome: the claim is kept (``en_cours``) with the error, for :func:`reconcilier`."""
    now = now or timezone.now()
    return bool(_notre_reclamation(message).update(derniere_erreur=str(erreur)[:2000], modifie_le=now))


def echouer(message, erreur, now=None) -> bool:
    now = now or timezone.now()
    return bool(
        _notre_reclamation(message).update(
            statut=M.ECHEC, echec_le=now, derniere_erreur=str(erreur)[:2000], modifie_le=now
        )
    )


_expediteur = {"valeur": None, "lu_le": 0.0}
EXPEDITEUR_CACHE_SECONDS = 60


def oublier_expediteur():
    """Read the sender name again at the next SMS (tests, where each test has its référentiel)."""
    _expediteur["valeur"] = None


def expediteur() -> str:
    """The active référentiel's sender name, read once a minute per process (not once per SMS)."""
    if _expediteur["valeur"] is None or time.monotonic() - _expediteur["lu_le"] > EXPEDITEUR_CACHE_SECONDS:
        referentiel = Referentiel.objects.active_or_none()
        _expediteur["valeur"] = referentiel.sms_expediteur if referentiel else "PLIE"
        _expediteur["lu_le"] = time.monotonic()
    return _expediteur["valeur"]


def transmettre(message) -> tuple[str, str]:
    """Hand the message to its channel; return (provider name, provider id)."""
    if message.canal == Canal.EMAIL:
        try:
            EmailMessage(message.sujet, message.corps, settings.DEFAULT_FROM_EMAIL, message.destinataires).send()
        except smtplib.SMTPRecipientsRefused as error:
            raise ErreurPermanente(f"Adresse refusée : {error}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise ErreurTransitoire(f"Serveur d'email injoignable : {error}") from error
        return "smtp", ""
    fournisseur = sms_providers.fournisseur()
    identifiant = fournisseur.envoyer(
        SMS(numero=message.numero, texte=message.corps, expediteur=expediteur(), tag=message.cle)
    )
    return fournisseur.nom, identifiant


def envoyer(message_id, now=None) -> str:
    """Claim, send and record one message. Returns what happened (for the task's result and logs):
    ``absent`` (not due, taken or gone), ``envoye``, ``reporte:<seconds>``, ``echec``, or
    ``incertain`` (no answer from the provider: left to :func:`reconcilier`)."""
    message = reclamer(message_id, now=now)
    if message is None:
        return "absent"
    return _envoyer_reclame(message)


def duree_max_envoi(canal=Canal.SMS) -> float:
    """The longest one send may take: the SMS provider's connect and read timeouts, or the SMTP
    server's timeout (EMAIL_TIMEOUT)."""
    if canal == Canal.EMAIL:
        return float(getattr(settings, "EMAIL_TIMEOUT", None) or 60)
    config = getattr(settings, "SMS", {}) or {}
    return float(config.get("connect_timeout") or 5) + float(config.get("read_timeout") or 10)


def reclamer_lot(message_ids, now=None) -> list[Message]:
    """Claim the due ones of ``message_ids`` in one committed transaction (one commit for a batch of
    the sweep instead of one per message); rows another worker holds are skipped."""
    now = now or timezone.now()
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True)
            .exclude(canal=Canal.COURRIER)
            .dus(now)
            .filter(pk__in=list(message_ids))
            .order_by("pk")
        )
        if messages:
            Message.objects.filter(pk__in=[m.pk for m in messages]).update(
                statut=M.EN_COURS, envoi_commence_le=now, tentatives=F("tentatives") + 1, modifie_le=now
            )
    for message in messages:
        message.statut, message.envoi_commence_le, message.tentatives = M.EN_COURS, now, message.tentatives + 1
    return messages


def relacher(messages, now=None) -> int:
    """Give back claims we will not use (still ours only): due again at once, the try not counted."""
    now = now or timezone.now()
    if not messages:
        return 0
    return Message.objects.filter(
        pk__in=[m.pk for m in messages], statut=M.EN_COURS, envoi_commence_le=messages[0].envoi_commence_le
    ).update(statut=M.A_ENVOYER, tentatives=F("tentatives") - 1, modifie_le=now)


def envoyer_lot(message_ids) -> dict[int, str]:
    """A batch of the sweep: claimed at once, then sent one by one, each recorded as it goes.

    Never a send that could still run when its claim looks dead: a message is sent only while its
    claim is younger than OUTBOX_CLAIM_TIMEOUT minus the longest send, otherwise the rest of the
    batch is given back (the reconciler would otherwise take a claim we are still using). When the
    timeout leaves no such margin for a channel, its message is claimed again right before its send."""
    resultats = dict.fromkeys(message_ids, "absent")
    delai = _reglage("OUTBOX_CLAIM_TIMEOUT", 300)
    messages = reclamer_lot(message_ids)
    for rang, message in enumerate(messages):
        marge = timedelta(seconds=delai - duree_max_envoi(message.canal))
        if marge <= timedelta(0):
            relacher([message])
            resultats[message.pk] = envoyer(message.pk)
            continue
        if timezone.now() - message.envoi_commence_le >= marge:
            relacher(messages[rang:])
            logger.warning("Lot : %s messages rendus, réclamés depuis trop longtemps", len(messages) - rang)
            break
        resultats[message.pk] = _envoyer_reclame(message)
    return resultats


def _envoyer_reclame(message) -> str:
    try:
        fournisseur, identifiant = transmettre(message)
    except ErreurTransitoire as error:
        if error.incertain:
            # The provider may hold it: resend nothing blind. The claim stays; once it is older
            # than OUTBOX_CLAIM_TIMEOUT the sweep asks the provider about the tag (reconcilier).
            garder_pour_verification(message, error)
            logger.warning("Message %s : issue incertaine, vérification auprès du fournisseur (%s)", message.pk, error)
            return "incertain"
        delai = reporter(message, error, retry_after=error.retry_after)
        logger.warning("Message %s reporté (%s)", message.pk, error)
        return "echec" if delai is None else f"reporte:{delai:.3f}"
    except ErreurPermanente as error:
        echouer(message, error)
        logger.warning("Message %s en échec définitif (%s)", message.pk, error)
        return "echec"
    marquer_envoye(message, identifiant, fournisseur)
    return "envoye"


def reconcilier(now=None) -> int:
    """Claims left by a dead worker: ask the provider about the tag before any resend.
    Found → sent (with its id); not found → due again at once. Returns how many were settled."""
    now = now or timezone.now()
    limite = now - timedelta(seconds=_reglage("OUTBOX_CLAIM_TIMEOUT", 300))
    fournisseur = None
    regles = 0
    for pk in Message.objects.bloques(limite).values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            message = Message.objects.select_for_update(skip_locked=True).bloques(limite).filter(pk=pk).first()
            if message is None:
                continue
            identifiant = None
            if message.canal == Canal.SMS:
                fournisseur = fournisseur or sms_providers.fournisseur()
                try:
                    identifiant = fournisseur.retrouver(message.cle)
                except ErreurTransitoire as error:
                    logger.warning("Message %s : fournisseur injoignable pour la vérification (%s)", pk, error)
                    continue  # ask again at the next sweep; never resend blind
            if identifiant:
                marquer_envoye(message, identifiant, fournisseur.nom, now=now)
            elif message.tentatives >= TENTATIVES_MAX:
                echouer(message, f"Abandon après {message.tentatives} tentatives : {message.derniere_erreur}", now=now)
            else:
                _notre_reclamation(message).update(statut=M.A_ENVOYER, prochain_essai_le=None, modifie_le=now)
            regles += 1
    return regles


def dus(now=None, limite=5000) -> list[int]:
    now = now or timezone.now()
    return list(
        Message.objects.exclude(canal=Canal.COURRIER).dus(now).order_by("du_le").values_list("pk", flat=True)[:limite]
    )
