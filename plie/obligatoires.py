"""Fields a person must fill, marked the same way whether the form refuses them on save or on sending.

A fiche can be saved as a draft with blanks, yet sending it needs its identity, situation and motives:
those fields are ``required=False`` for Django and still carry the " *" of required fields, with
``aria-required="true"`` (not ``required``, which would stop a draft in the browser).
"""

from django import forms

GROUP_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def mark_required(form, names) -> None:
    for name in names:
        if name not in form.fields:
            continue
        field = form.fields[name]
        field.marked_required = True
        # aria-required is not allowed on a radio or a checkbox (only on the group): the legend's " *" says it.
        if not isinstance(field.widget, GROUP_WIDGETS):
            field.widget.attrs["aria-required"] = "true"


def is_required(bound_field) -> bool:
    """Required for Django, or marked so by :func:`mark_required`."""
    return bool(bound_field.field.required or getattr(bound_field.field, "marked_required", False))
