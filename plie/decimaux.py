"""Decimal numbers as French readers type them: ``1 000,00``, with a space, a non-breaking or a narrow
non-breaking space between thousands, a decimal comma or a dot (``1000,5``, ``1000.5``).

Every decimal form field of the product is a :class:`DecimalFrField` (ModelForms name it in
``Meta.field_classes``, the admin in ``formfield_overrides``).
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


def lire_decimal(text: str) -> Decimal:
    """``"1 000,50"`` → ``Decimal("1000.50")``; ValueError when it is no number."""
    compact = "".join(text.split())  # every kind of space, U+00A0 and U+202F included
    if compact.count(",") + compact.count(".") > 1:
        raise ValueError(text)
    try:
        value = Decimal(compact.replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


class DecimalFrField(forms.DecimalField):
    """A DecimalField that reads French typing; shown with a decimal comma."""

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)  # shown with a decimal comma, typed in a text box
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "decimal")
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return lire_decimal(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


# For the admin: ``formfield_overrides = DECIMAUX_FR``.
DECIMAUX_FR = {models.DecimalField: {"form_class": DecimalFrField}}
