"""What an SMS costs: the GSM 03.38 alphabet, the segments, and the transliteration that keeps a
French text in GSM-7.

A text made only of GSM-7 characters holds 160 characters in one SMS, 153 per segment beyond; one
character outside it (ê, ç, ’, «…) switches the whole message to UCS-2: 70, then 67 per segment,
so that a 150-character convocation costs three SMS instead of one. French letters missing from
GSM-7 are replaced by their plain letter where the meaning survives (« à » and « é » are in it).
"""

import math
import re
from dataclasses import dataclass

# The basic set (one septet each) and the extension table (two septets: escape + character).
GSM7_BASE = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")

TRANSLITTERATION = {
    "â": "a", "á": "a", "ã": "a",
    "ê": "e", "ë": "e", "È": "E", "Ê": "E", "Ë": "E",
    "î": "i", "ï": "i", "í": "i", "Î": "I", "Ï": "I",
    "ô": "o", "ó": "o", "õ": "o", "Ô": "O",
    "û": "u", "ú": "u", "Û": "U", "Ù": "U",
    "ç": "c",
    "À": "A", "Â": "A",
    "ÿ": "y", "Ÿ": "Y",
    "œ": "oe", "Œ": "OE",
    "’": "'", "‘": "'", "‚": "'", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"',
    "…": "...", "–": "-", "—": "-", "‑": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
}  # fmt: skip

GSM7_SIMPLE, GSM7_MULTI = 160, 153
UCS2_SIMPLE, UCS2_MULTI = 70, 67


# French guillemets carry their (often non-breaking) spaces inside: « mot » becomes "mot".
GUILLEMETS = re.compile(r"«[\s\u00a0\u202f]*|[\s\u00a0\u202f]*»")


def translitterer(texte: str) -> str:
    """The text with every French character outside GSM-7 replaced (ê → e, ’ → ', « mot » → "mot")."""
    texte = GUILLEMETS.sub('"', texte)
    return "".join(TRANSLITTERATION.get(c, c) for c in texte)


def est_gsm7(texte: str) -> bool:
    return all(c in GSM7_BASE or c in GSM7_EXTENSION for c in texte)


@dataclass(frozen=True)
class Decompte:
    encodage: str  # "GSM-7" or "UCS-2"
    caracteres: int  # what the operator counts: septets in GSM-7, UTF-16 units in UCS-2
    segments: int
    par_segment: int
    restants: int  # left in the last segment

    @property
    def libelle(self) -> str:
        sms = "SMS" if self.segments <= 1 else "SMS (segments)"
        return f"{self.caracteres} caractères, {self.segments} {sms}, {self.encodage}"


def decompter(texte: str) -> Decompte:
    """Characters and segments of ``texte`` as sent (GSM-7: 160 / 153; UCS-2: 70 / 67)."""
    if est_gsm7(texte):
        longueur = sum(2 if c in GSM7_EXTENSION else 1 for c in texte)
        simple, multi, encodage = GSM7_SIMPLE, GSM7_MULTI, "GSM-7"
    else:
        longueur = sum(2 if ord(c) > 0xFFFF else 1 for c in texte)
        simple, multi, encodage = UCS2_SIMPLE, UCS2_MULTI, "UCS-2"
    if longueur <= simple:
        segments, par_segment = (1 if longueur else 0), simple
    else:
        segments, par_segment = math.ceil(longueur / multi), multi
    restants = max(segments, 1) * par_segment - longueur
    return Decompte(encodage, longueur, segments, par_segment, restants)
