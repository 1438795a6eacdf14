"""The one pattern of a refused form (RGAA 11.10, 11.11 / WCAG 3.3.1, 3.3.3), for every form of the product.

base.html asks these tags, so a page gets them without its template doing anything:
- ``{% prefixe_erreur %}`` starts the page's <title> with "Erreur : " when a form of the page was refused;
- ``{% resume_erreurs %}`` shows, at the top of the content, a summary that static/js/form-errors.js
  focuses and whose links lead to each field in error (its label, its message).
The forms are found in the template's context: any bound Django form or formset with errors.
Required fields carry crispy's " *" and the ``required`` attribute; ``{% champs_obligatoires form %}``
(in templates/bootstrap5/uni_form.html for ``|crispy``, by hand where fields are laid out one by one)
says once, at the top of the form, what the sign means.
"""

from dataclasses import dataclass

from django import template
from django.forms import BaseForm, BaseFormSet

from plie.obligatoires import is_required

register = template.Library()

ERROR_PREFIX = "Erreur : "
REQUIRED_NOTE = "Les champs marqués * sont obligatoires."


@dataclass(frozen=True)
class Erreur:
    message: str
    label: str = ""
    href: str = ""  # "#id_field", to the field in error


def refused_forms(context) -> list:
    """The bound forms (and formsets' forms) of the context that did not validate, once each."""
    found, seen = [], set()

    def add(form):
        if id(form) in seen:
            return
        seen.add(id(form))
        if isinstance(form, BaseFormSet):
            if form.is_bound and form.total_error_count():
                found.append(form)
        elif form.is_bound and form.errors:
            found.append(form)

    for value in context.flatten().values():
        # type(), not isinstance(): a lazy value of the context (the user, the CSRF token) stays unevaluated.
        if issubclass(type(value), (BaseForm, BaseFormSet)):
            add(value)
    return found


def _anchor(bound_field) -> str:
    """The element a link to the field should focus: the input, or the first choice of a radio/checkbox list."""
    target = bound_field.id_for_label
    if not target:
        subwidgets = bound_field.subwidgets
        target = subwidgets[0].id_for_label if subwidgets else bound_field.auto_id
    return f"#{target}" if target else ""


def _errors_of_form(form) -> list[Erreur]:
    errors = [Erreur(str(message)) for message in form.non_field_errors()]
    for name, messages in form.errors.items():
        if name not in form.fields:
            continue  # non-field errors, above
        bound = form[name]
        for message in messages:
            if bound.is_hidden:  # nothing to go to: said as it is
                errors.append(Erreur(f"{bound.label} : {message}"))
            else:
                errors.append(Erreur(str(message), str(bound.label), _anchor(bound)))
    return errors


def errors_of(form) -> list[Erreur]:
    if isinstance(form, BaseFormSet):
        errors = [Erreur(str(message)) for message in form.non_form_errors()]
        for sub in form.forms:
            errors += _errors_of_form(sub)
        return errors
    return _errors_of_form(form)


@register.simple_tag(takes_context=True)
def prefixe_erreur(context) -> str:
    return ERROR_PREFIX if refused_forms(context) else ""


@register.inclusion_tag("includes/resume_erreurs.html", takes_context=True)
def resume_erreurs(context):
    errors = [error for form in refused_forms(context) for error in errors_of(form)]
    return {"erreurs": errors, "sur_des_champs": any(e.href for e in errors)}


@register.inclusion_tag("includes/champs_obligatoires.html")
def champs_obligatoires(form):
    """The explanation of the " *", when the form has a required field a person fills."""
    fields = form.forms[0] if isinstance(form, BaseFormSet) and form.forms else form
    required = isinstance(fields, BaseForm) and any(is_required(field) and not field.is_hidden for field in fields)
    return {"required": required, "note": REQUIRED_NOTE}


@register.filter
def obligatoire(bound_field) -> bool:
    """The " *" of templates/bootstrap5/field.html: required for Django, or to send (plie.obligatoires)."""
    return is_required(bound_field)
