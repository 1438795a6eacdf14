"""The prescripteur fills and sends the fiche with the keyboard alone (RGAA 12.13 / WCAG 2.1.1), in Chromium.

The mouse is never used once the fiche is open: Tab to each field (which proves the field is in the tab
order and says where focus is), typing, Space on radios, type-ahead on selects, Enter on links and buttons.
A first sending with a blank shows the error pattern: focus on the summary, its link leads to the field.
"""

import re

import pytest
from playwright.sync_api import expect

from plie.accounts.models import Role
from plie.territoire.models import Commune
from prescriptions.models import Prescription
from prescriptions.workflow import Statut
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOTIFS = "Recherche un emploi d'aide-soignante, besoin d'un appui pour la mobilité."


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement !== null && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 120):
    """Tab until focus is on the element: fails if it never gets there (out of the tab order)."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    described = page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 120)")
    pytest.fail(f"Tab n'atteint jamais {selector} (le focus est sur {described})")


def test_the_fiche_is_filled_and_sent_with_the_keyboard_only(page, login, niort, communes):
    prescripteur = UserFactory(role=Role.PRESCRIPTEUR)
    niort_commune = Commune.objects.get(insee="79191")
    login(prescripteur)
    expect(page.get_by_role("heading", name="Mes prescriptions")).to_be_visible()

    # From the home page to the fiche: Tab to the link, Enter.
    tab_to(page, "main a[href$='/prescriptions/nouvelle/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Fiche de prescription")).to_be_visible()
    expect(page.get_by_text("Les champs marqués * sont obligatoires.")).to_be_visible()

    tab_to(page, "#id_nom_usage")
    page.keyboard.type("LEGALL")
    tab_to(page, "#id_prenoms")
    page.keyboard.type("Eloise")
    tab_to(page, "#id_sexe_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_date_naissance")
    page.keyboard.type("09091991")  # day = month: the same date whatever order Chromium's date field uses
    tab_to(page, "#id_telephone_mobile")
    page.keyboard.type("06 12 34 56 78")
    tab_to(page, "#id_commune")
    page.keyboard.type(niort_commune.nom)  # type-ahead on the focused select
    tab_to(page, "#id_situation")
    page.keyboard.type("Demandeur")
    tab_to(page, "#id_inscrit_france_travail_0")
    page.keyboard.press("Space")
    # The motives are left out on purpose: the first sending is refused.
    tab_to(page, "button[name=envoyer]")
    page.keyboard.press("Enter")

    expect(page).to_have_title(re.compile(r"^Erreur : "))
    summary = page.locator("#resume-erreurs")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Expliquez pourquoi vous orientez cette personne vers le PLIE.")
    assert not Prescription.objects.exists()
    # What was typed is kept; the summary's link takes focus to the field in error.
    expect(page.locator("#id_nom_usage")).to_have_value("LEGALL")
    expect(page.locator("#id_commune")).to_have_value(str(niort_commune.pk))
    page.keyboard.press("Tab")
    expect(summary.locator("a[href='#id_motifs']")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_motifs")).to_be_focused()
    expect(page.locator("#id_motifs")).to_have_attribute("aria-invalid", "true")
    page.keyboard.type(MOTIFS)
    tab_to(page, "button[name=envoyer]")
    page.keyboard.press("Enter")

    expect(page.get_by_text("La prescription est envoyée")).to_be_visible()
    fiche = Prescription.objects.get()
    assert fiche.statut == Statut.ENVOYEE, fiche.statut
    assert (fiche.nom_usage, fiche.prenoms, fiche.commune_id, fiche.motifs) == (
        "LEGALL",
        "Eloise",
        niort_commune.pk,
        MOTIFS,
    )
    assert fiche.date_naissance.isoformat() == "1991-09-09"
    assert fiche.situation == "demandeur_emploi" and fiche.inscrit_france_travail is True
