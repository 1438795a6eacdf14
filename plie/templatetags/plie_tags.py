from django import template
from django.core.exceptions import ValidationError

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
