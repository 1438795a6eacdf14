"""A référent adds an étape from the catalogue: the ressource list follows what is typed (htmx), and
the same form works with JavaScript off (the « Chercher » button), under the strict CSP."""

import datetime

import pytest
from playwright.sync_api import expect

from parcours.models import Etat
from tests.factories import ParcoursFactory, ReferentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _errors(page):
    found = []
    page.on("console", lambda message: message.type == "error" and found.append(message.text))
    return found


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sans-js"])
def test_referent_adds_an_etape_from_the_catalogue(browser, live_server, niort, javascript):
    from tests.factories import PASSWORD  # a référent logs in without a second factor

    referent = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent, participant__nom_usage="Lemoine")
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = _errors(page)
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", referent.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    page.get_by_role("link", name="Ajouter une étape").click()
    page.select_option("#id_type", "levee_frein")
    page.fill("#id_commentaire", "Place pour la rentrée")
    page.fill("#id_recherche_ressource", "creche")
    if javascript:
        expect(page.locator("#id_ressource option")).to_have_count(2)  # « Aucune » and the crèche
    else:
        page.get_by_role("button", name="Chercher").click()
        expect(page.locator("#id_ressource option")).to_have_count(2)
        expect(page.locator("#id_commentaire")).to_have_value("Place pour la rentrée")  # nothing lost
    page.select_option(
        "#id_ressource",
        label="Garde d'enfants — Places en crèche et halte-garderie "
        "(Département des Deux-Sèvres (CD79) et partenaires du Contrat de Ville)",
    )
    start = datetime.date.today() + datetime.timedelta(days=10)
    page.fill("#id_date_debut", start.isoformat())
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Étape « Levée de frein » ajoutée.")).to_be_visible()
    row = page.locator("#etapes tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Places en crèche et halte-garderie")
    expect(row).to_contain_text(f"début prévu le {start:%d/%m/%Y}")
    expect(row).to_contain_text("Prévue")
    assert parcours.etapes.get().ressource.nom == "Places en crèche et halte-garderie"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
