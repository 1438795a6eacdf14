"""Contacts during the accompaniment: phone, email, letter, SMS, visit, or an exchange with a
partner about the person; the accueil's attempts stay the accueil's.

Time is frozen on Tuesday 10 March 2026, 10:00 in Paris.
"""

import datetime
import zoneinfo
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours import accueil, contacts
from parcours.models import CanalContact, Etat, TentativeContact
from tests.factories import ContactFactory, ParcoursFactory, TentativeContactFactory
from tests.html import field_block, field_value

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
NAME = "VAUTRIN-LACOMBE Ysaline"
OTHERS = ["referent_b", "prescripteur", "bureau_insertion", "operateur", "financeur"]


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def url(parcours):
    return reverse("parcours:contact_noter", args=[parcours.pk])


@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_the_page_opens_to_the_referent_and_the_coordination(named, client_for, who):
    content = unescape(client_for(getattr(named, who)).get(url(named.parcours)).content.decode())
    assert NAME in content
    assert "Échange avec un partenaire au sujet de la personne" in content


@pytest.mark.parametrize("who", OTHERS)
def test_the_page_is_404_to_everyone_else_get_and_post(named, client_for, who):
    client = client_for(getattr(named, who))
    assert client.get(url(named.parcours)).status_code == 404
    assert client.post(url(named.parcours), {"canal": "telephone"}).status_code == 404
    assert not TentativeContact.objects.exists()


@pytest.mark.parametrize(
    ("etat", "contact", "tentative"),
    [
        (Etat.ORIENTE, 404, 200),
        (Etat.ACCUEIL, 404, 200),
        (Etat.ACCOMPAGNEMENT, 200, 404),
        (Etat.VEILLE, 200, 404),
        (Etat.SORTIE_PROPOSEE, 200, 404),
        (Etat.SORTI, 404, 404),
    ],
)
def test_attempts_before_the_entry_contacts_after(named, client_for, etat, contact, tentative):
    parcours = ParcoursFactory(etat=etat, referent=named.referent_a)
    client = client_for(named.referent_a)
    assert client.get(url(parcours)).status_code == contact
    assert client.get(reverse("parcours:tentative_contact", args=[parcours.pk])).status_code == tentative


@pytest.mark.parametrize("canal", [c for c in CanalContact.values if c != CanalContact.PARTENAIRE])
def test_each_channel_is_logged_with_its_author(named, client_for, canal):
    client = client_for(named.referent_a)
    data = {"canal": canal, "abouti": "on", "date": "2026-03-10T09:15", "commentaire": "A trouvé une formation"}
    assert client.post(url(named.parcours), data).status_code == 302
    contact = TentativeContact.objects.get()
    assert (contact.canal, contact.abouti, contact.auteur, contact.partenaire) == (canal, True, named.referent_a, "")
    assert timezone.localtime(contact.date) == datetime.datetime(2026, 3, 10, 9, 15, tzinfo=PARIS)
    page = unescape(client.get(f"/parcours/{named.parcours.pk}/").content.decode())
    assert "A trouvé une formation" in page


def test_an_exchange_with_a_partner_names_the_partner(named, client_for):
    client = client_for(named.referent_a)
    response = client.post(url(named.parcours), {"canal": "partenaire", "commentaire": "Point logement"})
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "Indiquez le partenaire : son nom et sa structure." in field_block(content, "partenaire")
    assert field_value(field_block(response.content.decode(), "commentaire"), "commentaire") == "Point logement"
    assert not TentativeContact.objects.exists()
    data = {"canal": "partenaire", "partenaire": "Mme Roux, CCAS de Chauray", "abouti": "on"}
    assert client.post(url(named.parcours), data).status_code == 302
    assert TentativeContact.objects.get().partenaire == "Mme Roux, CCAS de Chauray"


def test_a_partner_typed_for_a_phone_call_is_dropped(named):
    contact = contacts.noter_contact(named.parcours, named.referent_a, "telephone", partenaire="Mme Roux")
    assert contact.partenaire == ""


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2026-03-11T09:00", "Un contact ne peut être dans le futur."),
        ("2025-01-02T09:00", "ne peut précéder l'entrée du"),
    ],
)
def test_a_contact_with_a_wrong_date_is_refused_values_kept(named, client_for, date, message):
    client = client_for(named.referent_a)
    response = client.post(url(named.parcours), {"canal": "visite", "date": date, "commentaire": "Gardé"})
    assert response.status_code == 200
    content = response.content.decode()
    assert message in unescape(field_block(content, "date"))
    assert field_value(field_block(content, "date"), "date") == date
    assert not TentativeContact.objects.exists()


def test_the_accueil_keeps_its_four_channels(named):
    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a)
    with pytest.raises(accueil.AccueilError, match="Choisissez le canal"):
        accueil.noter_tentative(parcours, named.referent_a, CanalContact.VISITE)


def test_the_card_lists_the_accompaniments_contacts_and_the_accueil_card_its_attempts(named, client_for):
    parcours = named.parcours
    before = timezone.make_aware(datetime.datetime.combine(parcours.date_orientation, datetime.time(9)))
    TentativeContactFactory(parcours=parcours, date=before, commentaire="Tentative de l'accueil")
    ContactFactory(parcours=parcours, commentaire="Contact de l'accompagnement")
    client = client_for(named.referent_a)
    response = client.get(f"/parcours/{parcours.pk}/")
    assert [t.commentaire for t in response.context["tentatives"]] == ["Tentative de l'accueil"]
    assert [t.commentaire for t in response.context["suivi_entretiens"].contacts] == ["Contact de l'accompagnement"]


def test_comments_and_partners_are_hidden_from_the_prescripteur(named, client_for):
    ContactFactory(parcours=named.parcours, canal="partenaire", partenaire="CMP de Niort", commentaire="Rechute")
    content = unescape(client_for(named.prescripteur).get(f"/parcours/{named.parcours.pk}/").content.decode())
    assert "Échange avec un partenaire" in content
    assert "CMP de Niort" not in content
    assert "Rechute" not in content
