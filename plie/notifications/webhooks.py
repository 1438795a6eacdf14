"""What the SMS provider calls back: a message's delivery status, and the participant's reply.

- **Authenticated** by the shared secret ``settings.SMS["webhook_secret"]``, carried in the URL
  (``?secret=``, what a provider's console lets one type) or in the ``X-PLIE-Webhook-Secret`` header
  (Brevo also as ``Authorization: Bearer``), compared in constant time. No secret configured: refused
  in production, accepted elsewhere (the demo). A wrong secret counts as a failure of the calling IP
  (plie.accounts.lockout): after a few, the IP gets 429 until the cool-off ends. Good calls are never
  throttled: a provider may send thousands of statuses in a burst.
- **Idempotent**: each event is kept once under its key (:class:`EvenementFournisseur`); a replay
  finds the key taken and is ignored (200, so that the provider stops retrying).
- **Tolerant**: an unknown message or event is recorded and answered 200; only a body that cannot be
  read (malformed JSON) is a 400. No payload makes a 500.

Brevo (transactional SMS webhooks): JSON, one event or a list of them, with ``msg_status`` (or
``event``) ``sent``, ``delivered``, ``soft_bounce``, ``hard_bounce``…, ``messageId``, ``to``, our
``tag``; a reply carries its text in ``reply`` (or ``text``, ``message``).

OVHcloud: the job's ``callBack`` URL receives the delivery report as parameters (query or form):
``id`` (the SMS id), ``dlr`` (1 delivered, 2 or 16 failed, 4 or 8 on their way), ``tag`` when the job
had one; a reply to a short-number sender reaches the ``smsResponse`` URL with ``id``, the sender's
number (``sender``/``from``/``senderid``) and the text (``message``/``text``). OVHcloud calls these
URLs with GET, so GET is accepted for OVHcloud only.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from plie.accounts import lockout
from plie.notifications.models import Canal, EvenementFournisseur, Message, StatutMessage

logger = logging.getLogger(__name__)
FOURNISSEURS = ("brevo", "ovh")
HEADER = "X-PLIE-Webhook-Secret"
STATUT, REPONSE = "statut", "reponse"
CLE_MAX = EvenementFournisseur._meta.get_field("cle").max_length
TEXTE_MAX = 1600  # ten SMS segments: longer is not a reply to a convocation
M = StatutMessage

# What a provider's status means for our row (None: recorded, nothing changes).
DELIVRE, ECHEC = "delivre", "echec"
BREVO_STATUTS = {
    "delivered": DELIVRE,
    "hard_bounce": ECHEC,
    "hardbounce": ECHEC,
    "hard_bounced": ECHEC,
    "rejected": ECHEC,
    "blacklisted": ECHEC,
    "unsubscribed": None,
    "sent": None,
    "accepted": None,
    "soft_bounce": None,  # Brevo tries again
    "softbounce": None,
}
BREVO_REPONSES = {"reply", "replied", "sms_reply", "inbound", "received"}
OVH_DLR = {"1": DELIVRE, "2": ECHEC, "16": ECHEC}
# The statuses a delivery report may move a message from: never back from a reply, a failure or a
# cancellation, and a claim (« en cours ») may be overtaken by its report.
AVANT_DELIVRE = [M.EN_COURS, M.ENVOYE]
AVANT_ECHEC = [M.EN_COURS, M.ENVOYE]


class PayloadInvalide(ValueError):
    """A body that cannot be read: 400."""


@dataclass(frozen=True)
class Evenement:
    cle: str
    genre: str  # STATUT or REPONSE
    tag: str = ""
    id_fournisseur: str = ""
    statut: str | None = None  # DELIVRE, ECHEC or None
    detail: str = ""  # the provider's word for it, kept in the message's last error on a failure
    numero: str = ""
    texte: str = ""


# --- reading the payloads ---------------------------------------------------------------------


def _texte(valeur, longueur=200) -> str:
    if valeur is None or isinstance(valeur, dict | list):
        return ""
    return str(valeur).strip()[:longueur]


def _cle(*parts) -> str:
    cle = ":".join(_texte(p) for p in parts)
    if len(cle) > CLE_MAX:
        cle = "sha256:" + hashlib.sha256(cle.encode()).hexdigest()
    return cle


def _empreinte(donnees: dict) -> str:
    """The key of an event the provider gives no id: the event itself (a replay is the same)."""
    propre = {k: v for k, v in donnees.items() if k.lower() != "secret"}
    return hashlib.sha256(json.dumps(propre, sort_keys=True, default=str).encode()).hexdigest()


def _tag(donnees) -> str:
    tag = donnees.get("tag")
    if isinstance(tag, list):  # Brevo's email events carry « tags »; its SMS ones a « tag »
        tag = tag[0] if tag else ""
    if not tag and isinstance(donnees.get("tags"), list) and donnees["tags"]:
        tag = donnees["tags"][0]
    return _texte(tag)


def lire_brevo(request, genre) -> list[Evenement]:
    try:
        corps = json.loads(request.body or b"")
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise PayloadInvalide("JSON illisible") from error
    items = corps if isinstance(corps, list) else [corps]
    if not items or not all(isinstance(item, dict) for item in items):
        raise PayloadInvalide("Un événement est un objet JSON.")
    evenements = []
    for item in items:
        mot = _texte(item.get("msg_status") or item.get("event") or item.get("status")).lower()
        texte = _texte(item.get("reply") or item.get("text") or item.get("message"), TEXTE_MAX)
        id_fournisseur = _texte(item.get("messageId") or item.get("message_id") or item.get("reference"))
        if genre == REPONSE or mot in BREVO_REPONSES:
            evenements.append(
                Evenement(
                    cle=_cle("reponse", id_fournisseur, _empreinte(item)),
                    genre=REPONSE,
                    tag=_tag(item),
                    id_fournisseur=id_fournisseur,
                    numero=_texte(item.get("from") or item.get("to") or item.get("sender")),
                    texte=texte,
                )
            )
            continue
        evenements.append(
            Evenement(
                cle=_cle("statut", id_fournisseur or _tag(item) or _empreinte(item), mot),
                genre=STATUT,
                tag=_tag(item),
                id_fournisseur=id_fournisseur,
                statut=BREVO_STATUTS.get(mot),
                detail=mot,
            )
        )
    return evenements


def lire_ovh(request, genre) -> list[Evenement]:
    try:
        donnees = {**request.GET.dict(), **request.POST.dict()}
    except MultiPartParserError as error:
        raise PayloadInvalide("formulaire illisible") from error
    donnees.pop("secret", None)
    if not donnees and request.content_type == "application/json" and request.body:
        try:
            corps = json.loads(request.body)
        except (ValueError, RecursionError) as error:
            raise PayloadInvalide("JSON illisible") from error
        if not isinstance(corps, dict):
            raise PayloadInvalide("Un événement est un objet JSON.")
        donnees = corps
    id_fournisseur = _texte(donnees.get("id") or donnees.get("smsId"))
    if genre == REPONSE:
        return [
            Evenement(
                cle=_cle("reponse", id_fournisseur or _empreinte(donnees)),
                genre=REPONSE,
                tag=_tag(donnees),
                numero=_texte(donnees.get("sender") or donnees.get("from") or donnees.get("senderid")),
                texte=_texte(donnees.get("message") or donnees.get("text"), TEXTE_MAX),
            )
        ]
    dlr = _texte(donnees.get("dlr"))
    return [
        Evenement(
            cle=_cle("statut", id_fournisseur or _empreinte(donnees), dlr),
            genre=STATUT,
            tag=_tag(donnees),
            id_fournisseur=id_fournisseur,
            statut=OVH_DLR.get(dlr),
            detail=f"dlr {dlr}" + (f" ({_texte(donnees.get('description'))})" if donnees.get("description") else ""),
        )
    ]


LECTEURS = {"brevo": lire_brevo, "ovh": lire_ovh}


# --- applying them ------------------------------------------------------------------------------


def _message(fournisseur, evenement) -> Message | None:
    """Our message, by the tag we gave it (its key), else by the provider's id."""
    filtre = Q()
    if evenement.tag:
        filtre |= Q(cle=evenement.tag)
    if evenement.id_fournisseur:
        filtre |= Q(fournisseur=fournisseur, id_fournisseur=evenement.id_fournisseur)
    if not filtre:
        return None
    return Message.objects.filter(filtre, canal=Canal.SMS).order_by("-id").first()


def _appliquer_statut(message, evenement, now):
    if evenement.statut == DELIVRE:
        Message.objects.filter(pk=message.pk, statut__in=AVANT_DELIVRE).update(
            statut=M.DELIVRE, delivre_le=now, envoye_le=Coalesce(F("envoye_le"), now), modifie_le=now
        )
    elif evenement.statut == ECHEC:
        erreur = f"Non délivré selon le fournisseur : {evenement.detail or 'échec'}."
        Message.objects.filter(pk=message.pk, statut__in=AVANT_ECHEC).update(
            statut=M.ECHEC, echec_le=now, derniere_erreur=erreur[:2000], modifie_le=now
        )


def traiter(fournisseur, evenement, now=None) -> str:
    """Apply one event once: "applique", "rejoue" (its key was taken), "inconnu" (no message), or what
    became of a reply (:func:`parcours.convocations.appliquer_reponse_sms`)."""
    from parcours.convocations import appliquer_reponse_sms

    now = now or timezone.now()
    with transaction.atomic():
        message = _message(fournisseur, evenement)
        try:
            with transaction.atomic():
                EvenementFournisseur.objects.create(
                    fournisseur=fournisseur, cle=evenement.cle, genre=evenement.genre, message=message
                )
        except IntegrityError:
            return "rejoue"
        if evenement.genre == REPONSE:
            return appliquer_reponse_sms(evenement.numero, evenement.texte, message=message, now=now).resultat
        if message is None:
            logger.info("Statut %s de %s pour un message inconnu", evenement.detail, fournisseur)
            return "inconnu"
        _appliquer_statut(message, evenement, now)
    return "applique"


# --- the views ----------------------------------------------------------------------------------


def _secret_presente(request, fournisseur) -> str:
    if request.GET.get("secret"):
        return request.GET["secret"]
    if request.headers.get(HEADER):
        return request.headers[HEADER]
    autorisation = request.headers.get("Authorization", "")
    if fournisseur == "brevo" and autorisation[:7].lower() == "bearer ":
        return autorisation[7:].strip()
    return ""


def authentifie(request, fournisseur) -> bool:
    attendu = settings.SMS.get("webhook_secret") or ""
    if not attendu:
        return settings.PLIE_ENV != "prod"
    presente = _secret_presente(request, fournisseur)
    return bool(presente) and hmac.compare_digest(presente.encode(), attendu.encode())


def _refus(request, fournisseur, status=403):
    if lockout.count_failure(request, f"webhook:{fournisseur}"):
        return HttpResponse("Trop de tentatives.", status=429, content_type="text/plain; charset=utf-8")
    return HttpResponse("Refusé.", status=status, content_type="text/plain; charset=utf-8")


def _webhook(genre):
    @csrf_exempt
    @login_not_required
    def view(request, fournisseur):
        if fournisseur not in LECTEURS:
            raise Http404
        methodes = ["POST", "GET"] if fournisseur == "ovh" else ["POST"]
        if request.method not in methodes:
            return HttpResponseNotAllowed(methodes)
        if lockout.is_locked(request, f"webhook:{fournisseur}"):
            return HttpResponse("Trop de tentatives.", status=429, content_type="text/plain; charset=utf-8")
        if not authentifie(request, fournisseur):
            logger.warning("Webhook %s %s refusé : secret absent ou faux", fournisseur, genre)
            return _refus(request, fournisseur)
        try:
            evenements = LECTEURS[fournisseur](request, genre)
        except PayloadInvalide as error:
            return HttpResponse(f"Requête illisible : {error}", status=400, content_type="text/plain; charset=utf-8")
        now = timezone.now()
        resultats = [traiter(fournisseur, evenement, now) for evenement in evenements]
        logger.info("Webhook %s %s : %s", fournisseur, genre, ", ".join(resultats))
        return HttpResponse("OK", content_type="text/plain; charset=utf-8")

    view.__name__ = f"webhook_{genre}"
    return view


statut = _webhook(STATUT)
reponse = _webhook(REPONSE)
