"""Phone numbers: normalised to E.164, French and overseas numbers recognised.

Overseas departments and territories share the French national format (0690…, 0696…, 0262…)
but have their own country codes (+590, +596, +262…). A number typed in national format is
tried against mainland France first, then against each overseas region, and the first region
where it is a valid number wins. Built on Google's libphonenumber (``phonenumbers``).
"""

import re
from dataclasses import dataclass

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from phonenumbers import NumberParseException, PhoneNumberType

# Mainland first, then overseas: Guadeloupe, Saint-Barthélemy, Saint-Martin, Martinique, Guyane,
# La Réunion, Mayotte, Saint-Pierre-et-Miquelon, Nouvelle-Calédonie, Polynésie, Wallis-et-Futuna.
FRENCH_REGIONS = ["FR", "GP", "BL", "MF", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF"]
ALLOWED_CHARACTERS = re.compile(r"^\+?[\d\s.\-/()]+$")
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}

INVALID_MESSAGE = "Numéro de téléphone invalide : saisissez un numéro français, par exemple 06 12 34 56 78."
NOT_MOBILE_MESSAGE = "Ce numéro n'est pas un mobile : indiquez-le comme téléphone fixe."


@dataclass(frozen=True)
class Phone:
    e164: str
    region: str
    is_mobile: bool

    def national(self) -> str:
        parsed = phonenumbers.parse(self.e164)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def parse_phone(raw: str) -> Phone:
    """Return the normalised number or raise ``ValidationError`` with a French message."""
    text = (raw or "").strip()
    if not ALLOWED_CHARACTERS.match(text) or sum(ch.isdigit() for ch in text) < 6:
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone")
    if text.startswith("00"):
        text = "+" + text[2:]
    regions = [None] if text.startswith("+") else FRENCH_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return Phone(
                e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                region=phonenumbers.region_code_for_number(number),
                is_mobile=phonenumbers.number_type(number) in MOBILE_TYPES,
            )
    raise ValidationError(INVALID_MESSAGE, code="invalid_phone")


def normalize_phone(raw: str, mobile: bool = False) -> str:
    phone = parse_phone(raw)
    if mobile and not phone.is_mobile:
        raise ValidationError(NOT_MOBILE_MESSAGE, code="not_mobile")
    return phone.e164


class PhoneField(forms.CharField):
    """A form field that keeps what was typed on error and cleans to E.164."""

    def __init__(self, *args, mobile=False, **kwargs):
        self.mobile = mobile
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        return normalize_phone(value, mobile=self.mobile)
