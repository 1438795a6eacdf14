"""The one pattern of a refused form (plie/templatetags/formulaires.py), on real pages and on small forms."""

from html import unescape

import pytest
from django import forms
from django.template import Context, Template

from plie.accounts.models import Role
from plie.obligatoires import mark_required
from tests.factories import UserFactory


class Fiche(forms.Form):
    nom = forms.CharField(label="Nom", max_length=10)
    sexe = forms.ChoiceField(label="Sexe", choices=[("f", "Femme"), ("h", "Homme")], widget=forms.RadioSelect)
    note = forms.CharField(label="Note", required=False, max_length=10)
    jeton = forms.CharField(widget=forms.HiddenInput, max_length=5)

    def clean(self):
        raise forms.ValidationError("Quelqu'un d'autre a modifié la fiche.")


def render(source, **context):
    return Template("{% load formulaires %}" + source).render(Context(context))


def test_a_valid_or_unbound_form_changes_nothing():
    assert render("{% prefixe_erreur %}{% resume_erreurs %}", form=Fiche()).strip() == ""
    form = forms.Form(data={})
    assert form.is_valid()
    assert render("{% prefixe_erreur %}{% resume_erreurs %}", form=form).strip() == ""


def test_a_refused_form_gets_the_title_prefix_and_a_summary_linking_to_each_field():
    form = Fiche(data={"nom": "x" * 11, "jeton": "abcdefgh"})
    assert render("{% prefixe_erreur %}", form=form) == "Erreur : "
    summary = unescape(render("{% resume_erreurs %}", form=form))
    assert 'tabindex="-1"' in summary and "data-error-summary" in summary
    assert "corrigez les 4 erreurs suivantes" in summary
    assert '<a href="#id_nom">Nom : Assurez-vous' in summary
    assert '<a href="#id_sexe_0">Sexe : Ce champ est obligatoire.</a>' in summary  # the first radio
    assert "Quelqu'un d'autre a modifié la fiche." in summary  # non-field errors, as text
    assert "#id_jeton" not in summary and "Jeton : " in summary  # a hidden field: nothing to go to


def test_the_summary_finds_the_form_under_any_name_and_each_form_once():
    form = Fiche(data={})
    summary = render("{% resume_erreurs %}", fiche=form, autre=form)
    assert summary.count('href="#id_nom"') == 1


def test_the_required_sign_is_explained_when_a_field_needs_it():
    assert "Les champs marqués * sont obligatoires." in render("{% champs_obligatoires form %}", form=Fiche())

    class Libre(forms.Form):
        note = forms.CharField(required=False, max_length=10)

    assert render("{% champs_obligatoires form %}", form=Libre()).strip() == ""


def test_a_field_required_to_send_only_is_marked_with_aria_required_not_required():
    class Brouillon(forms.Form):
        nom = forms.CharField(label="Nom", required=False, max_length=10)
        sexe = forms.ChoiceField(choices=[("f", "F")], required=False, widget=forms.RadioSelect)

    form = Brouillon()
    mark_required(form, ["nom", "sexe", "absent"])
    html = render("{% load crispy_forms_tags %}{{ form|crispy }}", form=form)
    assert 'aria-required="true"' in str(form["nom"]) and " required" not in str(form["nom"])
    assert "aria-required" not in str(form["sexe"])  # not allowed on a radio: the legend's " *" says it
    assert html.count('class="asteriskField"') == 2
    assert "Les champs marqués * sont obligatoires." in html


@pytest.mark.django_db
def test_the_fiche_refused_on_sending(client_for, niort):
    client = client_for(UserFactory(role=Role.PRESCRIPTEUR))
    page = client.get("/prescriptions/nouvelle/").content.decode()
    assert "Les champs marqués * sont obligatoires." in page
    assert page.count('aria-required="true"') == 5  # nom d'usage, prénoms, date de naissance, situation, motifs
    response = client.post("/prescriptions/nouvelle/", {"nom_usage": "Martin", "envoyer": "1"})
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "<title>Erreur : Fiche de prescription" in page
    assert '<a href="#id_prenoms">Prénom(s) : Indiquez le ou les prénoms.</a>' in page
    assert '<a href="#id_sexe_0">' in page
    assert 'id="id_prenoms"' in page and 'aria-invalid="true"' in page
    assert 'aria-describedby="id_prenoms_error"' in page
    assert 'value="Martin"' in page  # nothing typed is lost


@pytest.mark.django_db
def test_a_refused_login_says_so_in_its_title(client):
    response = client.post("/compte/connexion/", {"username": "personne@example.org", "password": "non"})
    page = unescape(response.content.decode())
    assert "<title>Erreur : Connexion" in page
    assert "data-error-summary" in page
