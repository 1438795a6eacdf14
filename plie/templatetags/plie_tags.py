from django import template
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from plie.phones import parse_phone

register = template.Library()


@register.filter
def telephone(value):
    """+33612345678 → 06 12 34 56 78 (what a French reader expects); unknown input is shown as is."""
    if not value:
        return ""
    try:
        return parse_phone(value).national()
    except ValidationError:  # a stored value that no longer parses is shown as it is
        return value


@register.filter
def telephone_lien(value):
    """+33612345678 → <a href="tel:+33612345678">06 12 34 56 78</a>: tapped on a phone, it calls."""
    if not value:
        return ""
    try:
        phone = parse_phone(value)
    except ValidationError:  # not a number we can dial: shown as it is
        return value
    return format_html('<a href="tel:{}">{}</a>', phone.e164, phone.national())


@register.filter
def pourcentage(value):
    """0.874 → « 87 % » (a narrow no-break space, as French readers write it); no value → « — »."""
    if value is None or value == "":
        return "—"
    return f"{round(float(value) * 100)}\u202f%"
