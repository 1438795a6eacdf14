"""A référent plans an entretien in two days; the participant opens the personal link of the SMS on
their phone (no account), confirms; the référent's agenda and dossier show « Confirmé »."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parcours import convocations
from parcours.models import Convocation, Etat, ReponseConvocation
from parcours.views.agenda import url_agenda
from plie.notifications.models import Canal, Message
from tests.factories import ParcoursFactory, ParticipantFactory, ReferentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_confirms_through_the_link_and_the_agenda_shows_it(browser, page, live_server, login, niort):
    referent = ReferentFactory(first_name="Solène", last_name="Marchetti")
    parcours = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=referent,
        participant=ParticipantFactory(nom_usage="Quéré", prenoms="Joël", telephone_mobile="06 11 22 33 44"),
    )
    jour = timezone.localdate() + datetime.timedelta(days=2)

    login(referent)
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/entretiens/planifier/")
    page.fill("#id_date", jour.isoformat())
    page.fill("#id_heure", "14:00")
    page.get_by_label("Par téléphone").check()
    page.get_by_role("button", name="Planifier").click()
    expect(page.get_by_text("Sans réponse").first).to_be_visible()

    convocation = Convocation.objects.get(parcours=parcours)
    sms = Message.objects.get(convocation=convocation)
    assert sms.canal == Canal.SMS and sms.numero == "+33611223344"
    lien = convocations.lien(convocation).replace("http://localhost:8000", live_server.url)
    assert convocation.jeton in sms.corps

    # The participant's phone: another browser, no session.
    telephone = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris").new_page()
    telephone.goto(lien)
    expect(telephone.get_by_text(f"{jour:%d/%m/%Y}")).to_be_visible()
    expect(telephone.get_by_text("par téléphone")).to_be_visible()
    expect(telephone.get_by_text("Solène")).to_be_visible()
    assert "Marchetti" not in telephone.content() and "Quéré" not in telephone.content()
    telephone.get_by_role("button", name="Confirmer ma venue").click()
    expect(telephone.get_by_text("Vous avez confirmé votre venue")).to_be_visible()
    telephone.context.close()

    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.CONFIRMEE
    page.goto(f"{live_server.url}{url_agenda(referent, jour)}")
    expect(page.locator(".badge", has_text="Confirmé").first).to_be_visible()
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    expect(page.locator(".badge", has_text="Confirmé").first).to_be_visible()
