"""Duplicate detection: is the person behind a referral already known to the PLIE?

A PLIE must never open a second record for someone it already accompanies or who is already
referred. Prescripteurs type names as they hear them, so the same person comes back as
"Éloïse N’Diaye", "ELOISE NDIAYE" or "Ndiaye Eloïse". These rules are pure (no database): the
caller picks the candidates (same birth date, phone or email) and asks ``comparer`` about each.

- **Forte**: same birth date, and the names agree by one of three rules (same name, birth name of
  one = usage name of the other, family and given names swapped).
- **Faible**: no strong match, but the same phone number or email address: worth a look, since
  the birth date may have been mistyped, yet a household often shares one phone.

Same names with another birth date is not a match on its own: homonyms are common.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from plie.normalisation import normaliser

RAISON_DATE = "Même date de naissance"
RAISON_MEME_NOM = "Même nom et même prénom"
RAISON_NOM_NAISSANCE = "Nom de naissance de l'un = nom d'usage de l'autre"
RAISON_INVERSION = "Nom et prénom inversés"
RAISON_TELEPHONE = "Même téléphone mobile ou fixe"
RAISON_EMAIL = "Même adresse email"


class Force(StrEnum):
    FORTE = "forte"
    FAIBLE = "faible"


@dataclass(frozen=True)
class Identite:
    """What a referral or a participant says about who the person is."""

    nom_usage: str
    nom_naissance: str = ""
    prenoms: str = ""
    date_naissance: datetime.date | None = None
    telephones: tuple[str, ...] = ()  # E.164, empty strings ignored
    email: str = ""


@dataclass(frozen=True)
class Correspondance:
    force: str  # Force.FORTE or Force.FAIBLE
    raisons: tuple[str, ...]  # French sentences shown to the coordinatrice


def _compact(texte: str) -> str:
    # "Le Gall" / "Legall", "De La Fontaine" / "Delafontaine", "N'Diaye" / "NDiaye".
    return normaliser(texte).replace(" ", "")


def _noms(identite: Identite) -> dict[str, str]:
    """Family names that are filled in, compacted, by kind."""
    noms = {"usage": _compact(identite.nom_usage), "naissance": _compact(identite.nom_naissance)}
    return {kind: nom for kind, nom in noms.items() if nom}


def _prenoms_concordent(a: str, b: str) -> bool:
    """Given names agree when written alike, or when one list starts the other.

    "Marie Claire Louise" and "Marie" agree (the first given name is the usual one), so do
    "Marie Claire" and "Marie-Claire". "Jean-Pierre" and "Jean-Marc" do not, although both start
    with "Jean": twins share a birth date and a family name, and often a first given name too.
    """
    mots_a, mots_b = normaliser(a).split(), normaliser(b).split()
    if not mots_a or not mots_b:
        return False
    if "".join(mots_a) == "".join(mots_b):  # "Jeanpierre" / "Jean Pierre"
        return True
    longueur = min(len(mots_a), len(mots_b))
    return mots_a[:longueur] == mots_b[:longueur]


def _raison_nom(a: Identite, b: Identite) -> str | None:
    """Which name rule, if any, says that a and b name the same person."""
    noms_a, noms_b = _noms(a), _noms(b)
    if _prenoms_concordent(a.prenoms, b.prenoms):
        if any(noms_a.get(kind) == nom for kind, nom in noms_b.items()):
            return RAISON_MEME_NOM
        # A married woman referred under her birth name, or the other way round.
        if set(noms_a.values()) & set(noms_b.values()):
            return RAISON_NOM_NAISSANCE
    inverses = any(_prenoms_concordent(nom, b.prenoms) for nom in noms_a.values()) and any(
        _prenoms_concordent(a.prenoms, nom) for nom in noms_b.values()
    )
    return RAISON_INVERSION if inverses else None


def _telephones(identite: Identite) -> set[str]:
    return {t.strip() for t in identite.telephones if t and t.strip()}


def _raisons_contact(a: Identite, b: Identite) -> list[str]:
    raisons = []
    if _telephones(a) & _telephones(b):
        raisons.append(RAISON_TELEPHONE)
    email_a = (a.email or "").strip().casefold()
    if email_a and email_a == (b.email or "").strip().casefold():
        raisons.append(RAISON_EMAIL)
    return raisons


def _meme_date(a: Identite, b: Identite) -> bool:
    return a.date_naissance is not None and a.date_naissance == b.date_naissance


def est_forte(a: Identite, b: Identite) -> bool:
    """Whether a and b are a strong match (the rule :func:`comparer` states), without its reasons."""
    return _meme_date(a, b) and _raison_nom(a, b) is not None


def comparer(a: Identite, b: Identite) -> Correspondance | None:
    """Say whether a and b are likely the same person, how strongly and why; None if not."""
    meme_date = _meme_date(a, b)
    raison_nom = _raison_nom(a, b)
    contact = _raisons_contact(a, b)
    # On a weak match, agreeing names or birth date are still shown: they hint at a typo elsewhere.
    raisons = (*([RAISON_DATE] if meme_date else []), *([raison_nom] if raison_nom else []), *contact)
    if meme_date and raison_nom:  # est_forte
        return Correspondance(Force.FORTE, raisons)
    if contact:
        return Correspondance(Force.FAIBLE, raisons)
    return None
