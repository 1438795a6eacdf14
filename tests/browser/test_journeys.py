"""What a person clicks through on the foundation: logging in, the référentiel, a transition."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from parcours.models import Etat
from plie.accounts.models import Role
from plie.referentiel.models import Referentiel
from tests.factories import ParcoursFactory, ReferentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinatrice_fixes_an_incoherent_referentiel(page, live_server, login, niort):
    coordinatrice = UserFactory(role=Role.COORDINATION, first_name="Claire", last_name="Fontaine")

    page.goto(f"{live_server.url}/referentiel/")
    expect(page).to_have_url(f"{live_server.url}/compte/connexion/?next=/referentiel/")
    page.fill("#id_username", coordinatrice.email)
    page.fill("#id_password", "pas le bon mot de passe")
    page.click("button[type=submit]")
    expect(page.get_by_text("Adresse email ou mot de passe incorrect.")).to_be_visible()

    login(coordinatrice)
    expect(page.get_by_role("heading", name="Tableau de bord de la coordination")).to_be_visible()
    page.get_by_role("link", name="Référentiel", exact=True).click()
    expect(page.get_by_role("heading", name="Référentiel — PLIE du Niortais")).to_be_visible()
    page.get_by_role("link", name="Modifier").click()

    page.fill("#id_rythme_initial_intervalle_jours", "45")
    page.fill("#id_file_active_par_etp", "38")
    page.get_by_role("button", name="Enregistrer").click()
    error = page.locator(
        "#id_rythme_initial_intervalle_jours ~ .invalid-feedback, #error_1_id_rythme_initial_intervalle_jours"
    )
    expect(error.first).to_contain_text("au moins aussi soutenu")
    # Nothing typed is lost.
    expect(page.locator("#id_rythme_initial_intervalle_jours")).to_have_value("45")
    expect(page.locator("#id_file_active_par_etp")).to_have_value("38")
    assert Referentiel.objects.get(pk=niort.pk).file_active_par_etp == 40

    page.fill("#id_rythme_initial_intervalle_jours", "14")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le référentiel est enregistré.")).to_be_visible()
    expect(page.get_by_text("Un entretien au moins tous les 14 jours")).to_be_visible()
    niort.refresh_from_db()
    assert (niort.rythme_initial_intervalle_jours, niort.file_active_par_etp) == (14, 38)
    assert niort.history.first().history_user == coordinatrice


def test_referent_starts_an_accompaniment(page, live_server, login, niort):
    referent = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    start = datetime.date.today() - datetime.timedelta(days=30)
    parcours = ParcoursFactory(etat=Etat.ACCUEIL, referent=referent, start=start, participant__nom_usage="Lemoine")
    other = ParcoursFactory(etat=Etat.ACCUEIL, participant__nom_usage="Invisible")

    login(referent)
    expect(page.get_by_role("heading", name="Mes participants")).to_be_visible()
    expect(page.get_by_text("Invisible")).to_have_count(0)
    page.get_by_role("link", name="LEMOINE").click()
    page.get_by_role("link", name="Démarrer l'accompagnement (CER signé)").click()

    too_early = parcours.date_premier_rdv - datetime.timedelta(days=2)
    page.fill("#id_date_entree", too_early.isoformat())
    page.fill("#id_motif", "CER signé en présence de la prescriptrice")
    page.get_by_role("button", name="Confirmer").click()
    # The message shows next to the field and in the summary at the top, which links to the field.
    expect(page.locator("strong", has_text="L'entrée ne peut précéder le premier rendez-vous")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("L'entrée ne peut pré"))).to_be_visible()
    expect(page.locator("#id_motif")).to_have_value("CER signé en présence de la prescriptrice")

    page.fill("#id_date_entree", parcours.date_premier_rdv.isoformat())
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("c'est enregistré")).to_be_visible()
    expect(page.locator(".badge", has_text="En accompagnement")).to_be_visible()
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert parcours.transitions.get().auteur == referent

    page.goto(f"{live_server.url}/parcours/{other.pk}/")
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
