"""The filter bars' select, rendered in Python: the same markup as Django's, in as many queries."""

import pytest
from django import forms
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext

from plie import widgets
from plie.listes import FiltresForm
from plie.territoire.models import Commune

pytestmark = pytest.mark.django_db


def _forms(field_factory, value):
    """Two forms bound to ``value``: one with Django's select, one with ours."""

    class Form(forms.Form):
        choix = field_factory()

    django_form = Form({"choix": value})
    django_form.fields["choix"].widget.attrs["class"] = "form-select"
    ours = Form({"choix": value})
    widget = widgets.Select(attrs={"class": "form-select"})
    widget.choices = ours.fields["choix"].widget.choices
    ours.fields["choix"].widget = widget
    return django_form, ours


def _pair(field_factory, value):
    """Django's rendering and ours of the same field."""
    django_form, ours = _forms(field_factory, value)
    return str(django_form["choix"]), str(ours["choix"])


@pytest.mark.parametrize("value", ["", "b", "junk"])
def test_same_markup_as_django_for_plain_choices(value):
    choices = [("", "Tous"), ("a", "Alpha & co"), ("b", "Bêta <b>")]
    theirs, ours = _pair(lambda: forms.ChoiceField(choices=choices, required=False), value)
    SimpleTestCase().assertHTMLEqual(ours, theirs)
    assert ('<option value="b" selected>' in ours) == (value == "b")
    assert ('<option value="" selected>' in ours) == (value == "")


def test_same_markup_and_queries_as_django_for_model_choices():
    Commune.objects.create(insee="79191", nom="Niort", codes_postaux="79000", departement="79")
    chosen = Commune.objects.create(insee="79109", nom="Échiré", codes_postaux="79410", departement="79")
    field = lambda: forms.ModelChoiceField(Commune.objects.order_by("nom"), required=False, empty_label="Toutes")  # noqa: E731
    django_form, ours = _forms(field, str(chosen.pk))
    assert django_form.is_valid() and ours.is_valid()  # cleaning reads the chosen row: not the widget's doing
    with CaptureQueriesContext(connection) as theirs:
        theirs_html = str(django_form["choix"])
    with CaptureQueriesContext(connection) as queries:
        ours_html = str(ours["choix"])
    SimpleTestCase().assertHTMLEqual(ours_html, theirs_html)
    assert f'<option value="{chosen.pk}" selected>Échiré (79109)</option>' in ours_html
    # The choices read once, as Django does, not counted first.
    assert len(queries) == len(theirs) == 1


def test_optgroups_keep_djangos_rendering():
    choices = [("Groupe", [("a", "Alpha")]), ("b", "Bêta")]
    theirs, ours = _pair(lambda: forms.ChoiceField(choices=choices, required=False), "a")
    SimpleTestCase().assertHTMLEqual(ours, theirs)
    assert "<optgroup" in ours


def test_every_filter_bar_uses_it():
    class Filtres(FiltresForm):
        etat = forms.ChoiceField(choices=[("", "Tous"), ("x", "X")])
        autre = forms.ChoiceField(choices=[("", "Tous")], widget=forms.RadioSelect)

    form = Filtres({"etat": "x"})
    assert type(form.fields["etat"].widget) is widgets.Select
    assert form.fields["etat"].widget.attrs["class"] == "form-select"
    assert isinstance(form.fields["autre"].widget, forms.RadioSelect)
    assert '<option value="x" selected>X</option>' in str(form["etat"])
