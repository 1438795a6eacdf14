"""The référentiel pages: reading the rules and editing them."""

import pytest
from django import forms
from django.utils.html import escape

from plie.referentiel.forms import ReferentielForm
from plie.referentiel.models import Referentiel
from tests.html import field_block, field_value, page

# --- référentiel ------------------------------------------------------------------------------


def referentiel_post_data(referentiel, **changes):
    """What the edit form posts when nothing is touched, with ``changes`` typed in."""
    form = ReferentielForm(instance=referentiel)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list) and not isinstance(form.fields[name], forms.MultipleChoiceField):
            value = "\n".join(str(item) for item in value)
        elif value is None:
            value = ""
        data[name] = value
    data.update(changes)
    return data


def test_referentiel_detail_shows_the_rules(named, communes, client_for):
    content = page(client_for(named.referent_a), "/referentiel/")
    assert "PLIE du Niortais" in content
    assert "40 communes" in content
    assert 'href="/referentiel/modifier/"' not in content
    assert 'href="/referentiel/modifier/"' in page(client_for(named.coordination), "/referentiel/")


def test_referentiel_edit_page_shows_current_values(named, client_for):
    content = page(client_for(named.coordination), "/referentiel/modifier/")
    assert field_value(field_block(content, "rythme_intervalle_jours"), "rythme_intervalle_jours") == "30"
    assert field_value(field_block(content, "epci_sirens"), "epci_sirens") == "200041317"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"rythme_initial_intervalle_jours": "40"},
            "rythme_initial_intervalle_jours",
            "Le rythme de la phase initiale doit être au moins aussi soutenu que le rythme ensuite (30 jours).",
            id="rythme-initial-longer",
        ),
        pytest.param(
            {"capacite_annuelle_max_par_etp": "60"},
            "capacite_annuelle_max_par_etp",
            "Le maximum annuel doit être supérieur ou égal au minimum (70).",
            id="capacite-max-below-min",
        ),
        pytest.param(
            {"veille_renouvellements_max": "2", "veille_duree_max_mois": ""},
            "veille_renouvellements_max",
            "Un nombre de renouvellements n'a de sens qu'avec une durée maximale de veille.",
            id="veille-renewals-without-duration",
        ),
        pytest.param(
            {"epci_sirens": "200041317\n1234"},
            "epci_sirens",
            "Chaque EPCI est désigné par son SIREN à 9 chiffres.",
            id="bad-siren",
        ),
    ],
)
def test_referentiel_incoherent_values_are_refused(named, client_for, changes, field, message):
    referentiel = Referentiel.objects.active()
    before = Referentiel.objects.filter(pk=referentiel.pk).values().get()
    history = referentiel.history.count()
    response = client_for(named.coordination).post(
        "/referentiel/modifier/", referentiel_post_data(referentiel, **changes)
    )
    assert response.status_code == 200
    block = field_block(response.content.decode(), field)
    assert escape(message) in block
    assert field_value(block, field) == changes[field]
    assert Referentiel.objects.filter(pk=referentiel.pk).values().get() == before
    assert referentiel.history.count() == history


def test_referentiel_valid_post_saves_with_history(named, client_for):
    referentiel = Referentiel.objects.active()
    history = referentiel.history.count()
    data = referentiel_post_data(
        referentiel,
        file_active_par_etp="45",
        veille_duree_max_mois="6",
        veille_renouvellements_max="1",
        categories_depenses_ateliers="Frais de déplacement\n\nPrestations extérieures\n",
    )
    client = client_for(named.coordination)
    response = client.post("/referentiel/modifier/", data)
    assert response.status_code == 302
    assert response["Location"] == "/referentiel/"
    referentiel.refresh_from_db()
    assert referentiel.file_active_par_etp == 45
    assert (referentiel.veille_duree_max_mois, referentiel.veille_renouvellements_max) == (6, 1)
    assert referentiel.categories_depenses_ateliers == ["Frais de déplacement", "Prestations extérieures"]
    assert referentiel.epci_sirens == ["200041317"]  # untouched values survive the round trip
    assert referentiel.budget_ateliers_par_etp == 1000
    assert referentiel.history.count() == history + 1
    assert referentiel.history.first().history_user == named.coordination
    content = page(client, "/referentiel/")
    assert "Le référentiel est enregistré." in content
    assert escape(named.coordination.get_full_name()) in content


def test_referentiel_unchanged_post_keeps_every_value(named, client_for):
    referentiel = Referentiel.objects.active()
    before = Referentiel.objects.filter(pk=referentiel.pk).values().get()
    response = client_for(named.coordination).post("/referentiel/modifier/", referentiel_post_data(referentiel))
    assert response.status_code == 302
    assert Referentiel.objects.filter(pk=referentiel.pk).values().get() == before
