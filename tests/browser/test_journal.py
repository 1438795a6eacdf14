"""The dossier's journal filtered by kind: swapped in place by htmx under the strict CSP (the page is not
reloaded, the address follows, back returns the whole journal), and the same links with JavaScript off."""

import pytest
from playwright.sync_api import expect

from parcours.models import Etat
from tests.factories import ContactFactory, EntretienFactory, ParcoursFactory, ReferentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sans-js"])
def test_the_referent_filters_the_journal(browser, live_server, niort, javascript):
    from tests.factories import PASSWORD  # a référent logs in without a second factor

    referent = ReferentFactory()
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent, participant__nom_usage="Lemoine")
    EntretienFactory(parcours=parcours, honore=True)
    ContactFactory(parcours=parcours, abouti=True)
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", referent.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    journal = page.locator("#journal")
    expect(journal).to_contain_text("Téléphone — personne jointe")
    if javascript:
        page.evaluate("window.pasRecharge = true")
    journal.get_by_role("link", name="Entretiens", exact=True).click()
    # htmx pushes the fragment's address; the plain link goes to the card.
    suffix = "" if javascript else "#journal"
    expect(page).to_have_url(f"{live_server.url}/parcours/{parcours.pk}/?journal=entretiens{suffix}")
    journal = page.locator("#journal")
    expect(journal).to_contain_text("Entretien individuel du")
    expect(journal).not_to_contain_text("Téléphone — personne jointe")
    expect(journal.locator('[aria-current="page"]')).to_have_text("Entretiens")
    if javascript:
        assert page.evaluate("window.pasRecharge === true"), "la page a été rechargée"
        page.go_back()
        expect(page.locator("#journal")).to_contain_text("Téléphone — personne jointe")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
