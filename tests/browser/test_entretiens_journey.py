"""A référent closes a missed entretien, fixes the next one in the same form, calls the person back:
the follow-up tasks appear on the parcours page, then are ticked by what was recorded."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours.models import Etat, RendezVous, StatutRendezVous
from tests.factories import EntretienFactory, ParcoursFactory, ReferentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referent_follows_up_an_unjustified_absence(page, live_server, login, niort):
    referent = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent, participant__nom_usage="Lemoine")
    manque = EntretienFactory(parcours=parcours, debut=timezone.now() - datetime.timedelta(hours=3))
    prochain = timezone.localdate() + datetime.timedelta(days=7)

    login(referent)
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    section = page.locator("#entretiens-et-contacts")
    expect(section.get_by_role("heading", name="Entretiens et contacts")).to_be_visible()
    section.get_by_role("link", name="Clore").click()

    page.get_by_label("Absence non justifiée").check()
    page.fill("#id_prochain_date", prochain.isoformat())
    page.fill("#id_prochain_heure", "10:30")
    page.get_by_label("Par téléphone").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("absence non justifiée. Prochain rendez-vous le")).to_be_visible()
    for tache in ["Appeler la personne", "Lui proposer un nouveau rendez-vous", "L'informer qu'une nouvelle absence"]:
        expect(section.locator("li", has_text=tache)).to_be_visible()
    expect(section.locator("li", has_text="Appeler la personne")).to_contain_text("à faire")
    expect(section.locator("li", has_text="Lui proposer un nouveau rendez-vous")).to_contain_text("fait")

    section.get_by_role("link", name="Noter un contact").click()
    page.get_by_role("radio", name="Téléphone").check()
    page.get_by_label("La personne a été jointe").check()
    page.get_by_label("J'ai informé la personne").check()
    page.fill("#id_commentaire", "Absente pour un rendez-vous médical oublié")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Contact noté.")).to_be_visible()
    for tache in ["Appeler la personne", "Lui proposer", "L'informer"]:
        expect(section.locator("li", has_text=tache)).to_contain_text("✓ fait")
    expect(section).to_contain_text("Absente pour un rendez-vous médical oublié")

    manque.refresh_from_db()
    assert manque.statut == StatutRendezVous.ABSENT
    assert RendezVous.objects.filter(parcours=parcours, statut=StatutRendezVous.PREVU).count() == 1
