"""Error pages in French that say what happened and what to do; the demo serves its static files with DEBUG off."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from plie.notifications.models import Notification


def test_not_found_page_is_french(personas, client_for):
    response = client_for(personas.prescripteur).get("/parcours/999999/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Page introuvable" in text
    assert "Revenir à l'accueil" in text


def test_forbidden_page_is_french(personas, client_for):
    response = client_for(personas.prescripteur).get("/referentiel/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "Accès refusé" in text
    assert "demandez-le à la coordination" in text


def test_server_error_page_renders_without_a_request_context(db):
    """Django renders 500.html with no request and no context processors: base.html must cope."""
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Une erreur est survenue" in text
    assert "le bouton Retour de votre navigateur vous rend votre saisie" in text
    assert "Se déconnecter" not in text and "hx-headers" not in text


@pytest.fixture
def csrf_client(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.referent_a)
    return client


def test_a_form_without_its_security_token_gets_a_french_page(personas, csrf_client):
    Notification.objects.create(destinataire=personas.referent_a, titre="Nouvelle orientation")
    csrf_client.get("/notifications/")  # the CSRF cookie is set, the form token is missing
    response = csrf_client.post("/notifications/tout-lu/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "Formulaire refusé : rien n'a été enregistré" in text
    assert "jeton de sécurité manquait ou n'était plus valable" in text
    assert "la session a expiré" in text
    assert "Le bouton Retour de votre navigateur vous rend votre saisie" in text
    assert "Rechargez la page du formulaire" in text
    assert "autorisez les cookies" not in text
    assert Notification.objects.non_lues().count() == 1


def test_the_csrf_page_says_when_the_cookie_is_missing(csrf_client):
    response = csrf_client.post("/notifications/tout-lu/", {"csrfmiddlewaretoken": "x" * 32})
    assert response.status_code == 403
    assert "autorisez les cookies pour ce site" in response.content.decode()


def test_the_csrf_page_invites_an_anonymous_person_to_log_in_again(db):
    response = Client(enforce_csrf_checks=True).post("/compte/connexion/", {"username": "a@b.fr", "password": "x"})
    assert response.status_code == 403
    assert "reconnectez-vous dans un nouvel onglet" in response.content.decode()


def test_static_files_are_served_with_debug_off(settings, db):
    """Tests run with DEBUG off, as the demo does: WhiteNoise serves straight from the finders."""
    assert settings.DEBUG is False and settings.WHITENOISE_USE_FINDERS is True
    response = Client().get("/static/js/session.js")
    assert response.status_code == 200
    assert b"Rester connect" in b"".join(response.streaming_content)


def test_favicon_ico_leads_to_the_icon(db):
    """Browsers ask for it on pages that name no icon (the admin): a 404 there shows in their console."""
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.svg"
    assert Client().get(response["Location"]).status_code == 200
