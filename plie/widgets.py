"""Widgets rendered in Python where Django's templates cost more than the page around them.

Django renders each ``<option>`` of a select through two templates: a filter bar of 88 communes,
the structures and the criteria took a third of the queue's time. :class:`Select` writes the same
markup directly; optgroups and multiple selects keep Django's rendering.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class Select(forms.Select):
    """``forms.Select``, the same HTML, without a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        # iter() first: list() asks a model choice iterator for its length, a COUNT query of its own.
        choices = list(iter(self.choices))
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        selected = set(self.format_value(value))
        options = []
        chosen = False
        for option_value, label in choices:
            option = "" if option_value is None else str(option_value)
            is_selected = not chosen and option in selected
            chosen = chosen or is_selected
            options.append(
                format_html('<option value="{}"{}>{}</option>', option, " selected" if is_selected else "", label)
            )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(
            format_html('<select name="{}"{}>', name, flatatt(final_attrs)) + "".join(options) + "</select>"
        )
