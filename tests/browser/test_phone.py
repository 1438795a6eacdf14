"""The référent's home and a parcours' dossier on a phone: Chromium 390 px wide (issue 8, section 4).

No horizontal scroll of the page; the navigation folds behind a toggler that Bootstrap's vendored
script opens; a table wider than the screen scrolls inside its own container, never the page.
"""

import re

import pytest
from playwright.sync_api import expect

from parcours.models import Etat
from tests.factories import ParcoursFactory, RendezVousFactory, TentativeContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390

# For each table wider than the screen: the width of the box that scrolls it (it must fit the screen).
TABLES_OVERFLOWING = """(width) => [...document.querySelectorAll("main table")]
  .filter((table) => table.getBoundingClientRect().width > width)
  .map((table) => {
    const box = table.closest(".table-responsive");
    return {table: table.className, scrolls_inside: box !== null && box.getBoundingClientRect().width <= width};
  })"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": WIDTH, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def page(phone):
    """The shared login fixture drives this page: the phone's."""
    return phone


def assert_fits(page):
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= WIDTH, f"{page.url} : la page défile horizontalement ({widths[0]} px pour {WIDTH})"
    for table in page.evaluate(TABLES_OVERFLOWING, WIDTH):
        assert table["scrolls_inside"], f"{page.url} : un tableau ({table['table']}) élargit la page"


def test_the_referents_home_and_dossier_fit_a_phone(page, live_server, login, personas):
    referent = personas.referent_a
    parcours = personas.parcours
    # A full home page: a new orientation to call, a first appointment, a long name.
    nouveau = ParcoursFactory(etat=Etat.ORIENTE, referent=referent, prescripteur=personas.prescripteur)
    nouveau.participant.nom_usage = "Delacroix-Montgomery-Vandenberghe"
    nouveau.participant.save()
    TentativeContactFactory(parcours=nouveau, auteur=referent)
    accueil = RendezVousFactory(parcours__referent=referent, parcours__prescripteur=personas.prescripteur).parcours

    login(referent)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(page)

    # The navigation is folded behind its toggler; Bootstrap's script opens it.
    menu = page.locator("#nav")
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    toggler.click()
    expect(menu).to_have_class("navbar-collapse collapse show")  # opened, its transition over
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Notifications")).to_be_visible()
    assert_fits(page)
    toggler.click()
    expect(menu).not_to_have_class(re.compile(r"show|collapsing"))
    expect(menu).to_be_hidden()

    for dossier in (parcours, nouveau, accueil):
        page.goto(f"{live_server.url}/parcours/{dossier.pk}/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_fits(page)
    page.goto(f"{live_server.url}/parcours/")
    assert_fits(page)


def test_the_check_sees_a_page_wider_than_the_phone(page, live_server, db):
    """The detector itself: a page with a wide table outside any scrolling box is reported."""
    page.route(
        f"{live_server.url}/sonde-largeur/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body='<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1">'
            '<main><table><tr><td><img width="900" height="10" alt=""></td></tr></table></main>',
        ),
    )
    page.goto(f"{live_server.url}/sonde-largeur/")
    with pytest.raises(AssertionError, match="défile horizontalement"):
        assert_fits(page)
