"""People's names as typed on a form: trimmed, inner spaces collapsed, and made of what names are made of.

Accepted: letters (accented too), spaces, hyphens, apostrophes (' and ’) and dots — « D'Almeida »,
« Le Gall », « Jean-Pierre », « N’Diaye », « St. John ». Refused: digits, symbols, emoji, markup.
Every name field of the product is a :class:`NomField`.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

PONCTUATION = frozenset(" -'’.")
MESSAGE = (
    "Un nom ne contient que des lettres (accentuées ou non), des espaces, des traits d'union, "
    "des apostrophes et des points."
)


def normaliser_nom(value: str) -> str:
    """Trim and collapse every kind of space (U+00A0 and U+202F included) into one plain space."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def valider_nom(value: str) -> None:
    if not value:
        return
    letters = 0
    for char in value:
        category = unicodedata.category(char)
        if category.startswith("L"):
            letters += 1
        elif not (char in PONCTUATION or category.startswith("M")):  # M: a combining accent
            raise ValidationError(MESSAGE, code="nom")
    if not letters:
        raise ValidationError(MESSAGE, code="nom")


class NomField(forms.CharField):
    default_validators = [valider_nom]

    def to_python(self, value):
        return normaliser_nom(super().to_python(value))
