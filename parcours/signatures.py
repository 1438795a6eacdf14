"""Signatures drawn on screen at the end of an entretien or an atelier session: who may collect them,
until when, and what a valid drawing is. The row itself is :class:`parcours.models.Signature`
(written once, never changed).

- An **entretien** is signed by the participant, then by the référent (whoever is logged in on the
  device: one signs for oneself, never for a colleague), once it is honoré, until the end of the day
  after it (:data:`DELAI_SIGNATURE_ENTRETIEN_JOURS`): the proof is given on the spot, or the next
  morning when the tablet was not at hand; later, it would no longer prove the meeting.
- A **session** of an atelier: each present participant signs their attendance, and each animateur
  signs the session, once it is tenue and as long as its émargement sheet is not locked.
- Who collects: the parcours's référent or the coordination for an entretien; the session's
  animateurs or the coordination for a session (``plie.permissions``, « Signatures »).

Every refusal raises :class:`SignatureError` with a French message; nothing is saved then.
"""

import base64
import binascii
import datetime
import hashlib
import io
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, ImageChops, UnidentifiedImageError

from parcours.models import Signature, StatutPresence, StatutRendezVous, StatutSeance
from parcours.models.signatures import IMAGE_MAX_OCTETS, Signataire, SignatureError
from plie import permissions

__all__ = [
    "DELAI_SIGNATURE_ENTRETIEN_JOURS",
    "IMAGE_MAX_OCTETS",
    "Signataire",
    "SignatureError",
    "decoder_image",
    "empreinte_session",
    "fin_signature_entretien",
    "signer_entretien",
    "signer_presence",
    "signer_seance",
]

# An entretien is signed the day it is held, or the day after at the latest.
DELAI_SIGNATURE_ENTRETIEN_JOURS = 1
# A drawing from the pad (about 700 × 260 CSS pixels, times the screen's pixel ratio up to 3).
LARGEUR_MIN, HAUTEUR_MIN = 100, 40
LARGEUR_MAX, HAUTEUR_MAX = 3000, 1500
# Ink: at least this many dark, opaque pixels (a dot or a stray tap is not a signature).
PIXELS_ENCRE_MIN = 30
SEUIL_SOMBRE = 128
DATA_URL = re.compile(r"\Adata:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)\Z")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

VIDE = "Signez dans le cadre avant d'enregistrer."
ILLISIBLE = "La signature reçue n'est pas une image PNG : effacez et signez à nouveau."


def empreinte_session(session_key) -> str:
    """The hash of the login session's key: which session collected it, without keeping the key."""
    return hashlib.sha256((session_key or "").encode()).hexdigest()


def decoder_image(valeur: str) -> bytes:
    """The PNG bytes of the data URL the pad puts in the form, checked; :class:`SignatureError` if not."""
    valeur = (valeur or "").strip()
    if not valeur:
        raise SignatureError(VIDE, field="image")
    # base64 is 4/3 of the bytes: refuse a huge post before decoding it.
    if len(valeur) > IMAGE_MAX_OCTETS * 4 // 3 + 100:
        raise SignatureError(_trop_lourde(), field="image")
    match = DATA_URL.match(valeur)
    if match is None:
        raise SignatureError(ILLISIBLE, field="image")
    try:
        png = base64.b64decode(re.sub(r"\s", "", match["data"]), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(ILLISIBLE, field="image") from None
    verifier_image(png)
    return png


def _trop_lourde():
    return f"La signature dépasse {IMAGE_MAX_OCTETS // 1000} ko : effacez et signez à nouveau."


def verifier_image(png: bytes) -> None:
    """A real PNG, of the pad's dimensions, within the size limit, with ink on it."""
    if len(png) > IMAGE_MAX_OCTETS:
        raise SignatureError(_trop_lourde(), field="image")
    if not png.startswith(PNG_MAGIC):
        raise SignatureError(ILLISIBLE, field="image")
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG":
                raise SignatureError(ILLISIBLE, field="image")
            largeur, hauteur = image.size
            if not (LARGEUR_MIN <= largeur <= LARGEUR_MAX and HAUTEUR_MIN <= hauteur <= HAUTEUR_MAX):
                raise SignatureError(
                    "La signature reçue n'a pas les dimensions du cadre de signature : rechargez la page.",
                    field="image",
                )
            image.load()
            encre = _pixels_encre(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise SignatureError(ILLISIBLE, field="image") from None
    if encre < PIXELS_ENCRE_MIN:
        raise SignatureError(VIDE, field="image")


def _pixels_encre(image) -> int:
    """Dark and opaque pixels: the pad draws black ink on a transparent (or white) background."""
    rgba = image.convert("RGBA")
    # Opaque where alpha ≥ 128, dark where the luminance < SEUIL_SOMBRE: both masks multiplied.
    alpha = rgba.getchannel("A").point(lambda a: 255 if a >= 128 else 0)
    sombre = rgba.convert("L").point(lambda v: 255 if v < SEUIL_SOMBRE else 0)

    return ImageChops.multiply(alpha, sombre).histogram()[255]


# --- entretiens ----------------------------------------------------------------------------------


def fin_signature_entretien(rdv) -> datetime.datetime:
    """The last moment an entretien may be signed: the end of the day after it (Europe/Paris)."""
    jour = timezone.localdate(rdv.debut) + datetime.timedelta(days=DELAI_SIGNATURE_ENTRETIEN_JOURS + 1)
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time.min))


def verifier_entretien(rdv, now=None) -> None:
    """Whether ``rdv`` may still be signed (honoré, in time); raises :class:`SignatureError`."""
    now = now or timezone.now()
    if rdv.statut != StatutRendezVous.HONORE:
        raise SignatureError(
            f"Seul un entretien honoré se signe : celui-ci est « {rdv.get_statut_display().lower()} »."
        )
    if now >= fin_signature_entretien(rdv):
        limite = timezone.localdate(fin_signature_entretien(rdv)) - datetime.timedelta(days=1)
        raise SignatureError(
            f"Un entretien se signe au plus tard le lendemain : celui-ci pouvait l'être jusqu'au {limite:%d/%m/%Y}."
        )


def a_signer(rendez_vous, now=None) -> frozenset:
    """The ids of those of ``rendez_vous`` that may still be signed (held, in time): « Faire signer »."""
    now = now or timezone.now()
    return frozenset(
        r.pk for r in rendez_vous if r.statut == StatutRendezVous.HONORE and now < fin_signature_entretien(r)
    )


def signataire_attendu(rdv, signatures) -> str | None:
    """Who signs next: the participant first, then the référent; None when both have."""
    faits = {s.signataire for s in signatures}
    return next((s for s in (Signataire.PARTICIPANT, Signataire.REFERENT) if s not in faits), None)


def signer_entretien(rdv, signataire, png, by, session_key, *, now=None) -> Signature:
    """The participant's or the référent's (``by``'s own) signature of the entretien ``rdv``."""
    if not permissions.can_collect_signature_entretien(by, rdv.parcours):
        raise SignatureError("Seuls le référent du parcours et la coordination recueillent cette signature.")
    if signataire not in Signataire.values:
        raise SignatureError("Signataire inconnu.", field="signataire")
    verifier_entretien(rdv, now)
    verifier_image(png)
    return _enregistrer(
        Signature(
            rendez_vous=rdv,
            signataire=signataire,
            referent=by if signataire == Signataire.REFERENT else None,
            image=png,
            recueillie_par=by,
            session_empreinte=empreinte_session(session_key),
        ),
        deja=(
            "Le participant a déjà signé cet entretien."
            if signataire == Signataire.PARTICIPANT
            else "Le référent a déjà signé cet entretien."
        ),
        existe=lambda: Signature.objects.filter(rendez_vous=rdv, signataire=signataire).exists(),
    )


# --- ateliers ------------------------------------------------------------------------------------


def verifier_seance(seance) -> None:
    """Whether the session's sheet still takes signatures: tenue, its émargement not locked."""
    if seance.statut != StatutSeance.TENUE:
        raise SignatureError(
            "La feuille d'émargement se signe une fois la séance tenue : "
            f"elle est « {seance.get_statut_display().lower()} »."
        )
    if seance.emargement_clos:
        raise SignatureError(
            f"L'émargement de cette séance est clos depuis le "
            f"{timezone.localtime(seance.emargement_clos_le):%d/%m/%Y à %H:%M} : plus aucune signature n'y est ajoutée."
        )


def signer_presence(presence, png, by, session_key) -> Signature:
    """A present participant's signature of their attendance at the session."""
    seance = presence.seance
    if not permissions.can_collect_signature_seance(by, seance):
        raise SignatureError("Seuls les animateurs de la séance et la coordination recueillent les signatures.")
    with transaction.atomic():
        seance = type(seance).objects.select_for_update().get(pk=seance.pk)  # a lock racing the signature waits
        verifier_seance(seance)
        if presence.statut != StatutPresence.PRESENT:
            raise SignatureError(
                f"Seule une personne présente signe : {presence.get_statut_display().lower()} pour cette séance."
            )
        verifier_image(png)
        return _enregistrer(
            Signature(
                presence=presence,
                signataire=Signataire.PARTICIPANT,
                image=png,
                recueillie_par=by,
                session_empreinte=empreinte_session(session_key),
            ),
            deja="Ce participant a déjà signé sa présence à cette séance.",
            existe=lambda: Signature.objects.filter(presence=presence).exists(),
        )


def signer_seance(seance, animateur, png, by, session_key) -> Signature:
    """An animateur's signature of the session (``animateur`` signs on the device ``by`` is logged in on)."""
    if not permissions.can_collect_signature_seance(by, seance):
        raise SignatureError("Seuls les animateurs de la séance et la coordination recueillent les signatures.")
    if animateur is None or animateur.pk not in seance.atelier.animateur_ids:
        raise SignatureError("Seuls les animateurs de l'atelier signent la séance.", field="animateur")
    with transaction.atomic():
        seance = type(seance).objects.select_for_update().get(pk=seance.pk)
        verifier_seance(seance)
        verifier_image(png)
        return _enregistrer(
            Signature(
                seance=seance,
                signataire=Signataire.REFERENT,
                referent=animateur,
                image=png,
                recueillie_par=by,
                session_empreinte=empreinte_session(session_key),
            ),
            deja=f"{animateur.get_full_name() or animateur.email} a déjà signé cette séance.",
            existe=lambda: Signature.objects.filter(seance=seance, referent=animateur).exists(),
        )


def _enregistrer(signature, *, deja, existe) -> Signature:
    """Save once: a second signature of the same target is refused, by the check or by the database."""
    if existe():
        raise SignatureError(deja)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise SignatureError(deja) from None  # signed meanwhile from another device
    return signature
