"""The coordination's « Convocations » settings: the SMS template checked, counted and previewed.

The preview is the SMS a sample entretien would send, filled and transliterated by the very function
that writes the real ones (:func:`plie.sms.texte.texte_sms`), then counted as the operator
counts it (:func:`plie.sms.gsm.decompter`): what the coordination reads is what a participant gets.
"""

import datetime
import string
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from plie.phones import parse_phone
from plie.referentiel.models import expediteur_peut_recevoir
from plie.sms import gsm
from plie.sms.texte import Evenement, texte_sms

VARIABLES = ("objet", "date", "heure", "lieu", "referent", "telephone", "reponse")
LIEN_EXEMPLE = "/c/Ab3dE5gH7j/"
TELEPHONE_EXEMPLE = "05 49 00 00 00"


def variables_du_modele(modele: str) -> list[str]:
    """The placeholders the template names, in order; ValidationError on a brace left open or alone."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(modele) if name is not None]
    except ValueError as error:
        raise ValidationError(
            "Une accolade est ouverte sans être fermée (ou fermée sans être ouverte) : écrivez les variables "
            "ainsi : {date}.",
            code="accolade",
        ) from error


def valider_modele(modele: str):
    """Refuse an unknown placeholder ({nom}, {motif}…) with the list of the allowed ones."""
    noms = variables_du_modele(modele)
    inconnues = sorted({n for n in noms if n not in VARIABLES})
    if inconnues:
        liste = ", ".join("{" + n + "}" for n in inconnues)
        permises = ", ".join("{" + n + "}" for n in VARIABLES)
        raise ValidationError(
            f"Variable inconnue : {liste}. Les variables possibles sont {permises}.",
            code="variable_inconnue",
        )


def reponse_active(expediteur: str) -> str:
    if expediteur_peut_recevoir(expediteur):
        return "Votre expéditeur est un numéro : ils peuvent répondre OUI/NON par SMS (et toujours par le lien)."
    return "Votre expéditeur est un nom : les participants répondent par le lien."


def evenement_exemple(telephone=""):
    """A sample entretien: next Tuesday at 14:30, at an address of the right length."""
    today = timezone.localdate()
    mardi = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    debut = timezone.make_aware(datetime.datetime.combine(mardi, datetime.time(14, 30)))
    try:
        telephone = parse_phone(telephone).national() if telephone else TELEPHONE_EXEMPLE
    except ValidationError:
        telephone = TELEPHONE_EXEMPLE
    return Evenement("votre entretien au PLIE", debut, "Maison de l'emploi, 12 rue des Halles", "Camille", telephone)


@dataclass(frozen=True)
class Apercu:
    texte: str  # the SMS as sent (empty when the template is refused)
    decompte: gsm.Decompte | None
    erreur: str  # why there is no preview
    reponse: str  # which reply mode is active
    remplaces: tuple  # (typed character, sent as) the transliteration changed
    hors_gsm: tuple  # characters that force UCS-2


def apercu(modele: str, expediteur: str, telephone: str = "") -> Apercu:
    """The SMS of the sample entretien for this template and sender."""
    reponse = reponse_active(expediteur)
    try:
        valider_modele(modele)
    except ValidationError as error:
        return Apercu("", None, error.messages[0], reponse, (), ())
    if not modele.strip():
        return Apercu("", None, "Le modèle est vide.", reponse, (), ())
    valeurs = SimpleNamespace(sms_modele=modele, sms_expediteur=expediteur)
    texte = texte_sms(valeurs, evenement_exemple(telephone), f"{settings.SITE_URL}{LIEN_EXEMPLE}")
    remplaces = tuple(
        sorted({(c, gsm.TRANSLITTERATION[c]) for c in modele if c in gsm.TRANSLITTERATION and not c.isspace()})
    )
    hors_gsm = tuple(dict.fromkeys(c for c in texte if not gsm.est_gsm7(c)))
    return Apercu(texte, gsm.decompter(texte), "", reponse, remplaces, hors_gsm)
