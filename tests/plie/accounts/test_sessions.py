"""Sessions end after an idle time and an absolute time; what was typed is never lost silently."""

import datetime
import re

import pytest
import time_machine
from django.test import Client

from plie.notifications.models import Notification
from plie.sessions import LOGIN_AT, SEEN_AT
from tests.factories import PASSWORD

T0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
NEW_PASSWORD = "kX9#vLq2!mZr7$Wp"


def at(minutes):
    return time_machine.travel(T0 + datetime.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def referent_client(personas):
    with at(0):
        client = Client()
        client.force_login(personas.referent_a)
        assert client.get("/").status_code == 200
    return client


def assert_sent_to_login(response, path="/"):
    assert response.status_code == 302
    assert response["Location"] == f"/compte/connexion/?next={path}"


def login_page_text(client):
    return client.get("/compte/connexion/").content.decode()


def test_defaults_are_an_hour_idle_and_ten_hours_in_all(settings):
    assert (settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT) == (60, 600)
    assert settings.SESSION_COOKIE_AGE == 600 * 60


def test_login_starts_the_clock(personas):
    with at(0):
        client = Client()
        response = client.post("/compte/connexion/", {"username": personas.referent_a.email, "password": PASSWORD})
        assert response.status_code == 302
        assert client.session[LOGIN_AT] == client.session[SEEN_AT] == int(T0.timestamp())


def test_an_hour_without_activity_ends_the_session(referent_client):
    with at(59):
        assert referent_client.get("/parcours/").status_code == 200
    with at(59 + 60):
        assert_sent_to_login(referent_client.get("/parcours/"), "/parcours/")
        assert "_auth_user_id" not in referent_client.session
        assert "Votre session a expiré après 60 minutes sans activité." in login_page_text(referent_client)


def test_activity_extends_the_session(referent_client):
    for minutes in (50, 100, 150, 200):
        with at(minutes):
            assert referent_client.get("/").status_code == 200, minutes
    with at(200 + 59):
        assert referent_client.get("/").status_code == 200


def test_ten_hours_end_the_session_whatever_the_activity(referent_client):
    for minutes in range(50, 600, 50):
        with at(minutes):
            assert referent_client.get("/").status_code == 200, minutes
    with at(600):
        assert_sent_to_login(referent_client.get("/"))
        assert "une session dure au plus 10 heures" in login_page_text(referent_client)


def test_limits_come_from_the_settings(referent_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 15
    with at(14):
        assert referent_client.get("/").status_code == 200
    with at(14 + 15):
        assert_sent_to_login(referent_client.get("/"))


def test_a_form_sent_on_an_expired_session_is_refused_with_a_page_saying_how_to_get_the_text_back(
    personas, referent_client
):
    Notification.objects.create(destinataire=personas.referent_a, titre="Nouvelle orientation")
    with at(61):
        response = referent_client.post("/notifications/tout-lu/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "Votre session a expiré" in text
    assert "n'a pas été enregistré" in text
    assert "le bouton Retour de votre navigateur vous rend votre saisie" in text
    assert re.search(r'href="/compte/connexion/" target="_blank" rel="noopener">Reconnectez-vous dans un nouvel', text)
    assert Notification.objects.non_lues().count() == 1  # nothing done
    assert "_auth_user_id" not in referent_client.session


def test_a_form_sent_when_no_longer_logged_in_gets_the_same_page(db):
    """Logged out in another tab, or the session cookie gone: the text is not lost either."""
    response = Client().post("/notifications/tout-lu/")
    assert response.status_code == 403
    assert "le bouton Retour de votre navigateur vous rend votre saisie" in response.content.decode()


def test_logging_out_of_an_expired_session_leads_to_the_login_page(referent_client):
    with at(61):
        response = referent_client.post("/compte/deconnexion/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


def test_an_htmx_request_on_an_expired_session_reloads_the_whole_page_on_the_login_form(referent_client):
    with at(61):
        response = referent_client.get("/parcours/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/compte/connexion/?next=/parcours/"


def test_keep_alive_refreshes_the_last_activity(referent_client):
    with at(50):
        response = referent_client.post("/compte/session/maintenir/")
        assert response.status_code == 204
        assert response.content == b""
        assert referent_client.session[SEEN_AT] == int((T0 + datetime.timedelta(minutes=50)).timestamp())
    with at(50 + 59):
        assert referent_client.get("/").status_code == 200


def test_keep_alive_is_a_post_for_logged_in_users_only(referent_client, db):
    with at(1):
        assert referent_client.get("/compte/session/maintenir/").status_code == 405
    assert Client().post("/compte/session/maintenir/").status_code == 403


def test_keep_alive_does_not_revive_an_expired_session(referent_client):
    with at(61):
        assert referent_client.post("/compte/session/maintenir/").status_code == 403
        assert_sent_to_login(referent_client.get("/"))


def test_pages_give_the_timings_to_session_js(personas, referent_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 0.1
    settings.SESSION_WARNING_BEFORE = 0.05
    settings.SESSION_KEEPALIVE_EVERY = 0.02
    with at(0.05):
        body = re.search(r"<body[^>]*>", referent_client.get("/").content.decode()).group()
    assert 'data-session-idle="6"' in body
    assert 'data-session-warning="3"' in body
    assert 'data-session-keepalive-every="1"' in body
    assert 'data-session-remaining-absolute="35997"' in body
    assert 'data-session-keepalive-url="/compte/session/maintenir/"' in body
    anonymous_body = re.search(r"<body[^>]*>", Client().get("/compte/connexion/").content.decode()).group()
    assert "data-session" not in anonymous_body


def test_a_password_change_ends_the_other_sessions_of_the_user(personas):
    """Django's session auth hash, kept by our backend: the session that changed it stays open."""
    user = personas.referent_a
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    assert elsewhere.get("/").status_code == 200
    response = here.post(
        "/compte/mot-de-passe/changer/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()
    assert here.get("/").status_code == 200
    assert_sent_to_login(elsewhere.get("/"))


def test_a_password_set_by_someone_else_ends_every_session(personas):
    user = personas.referent_a
    client = Client()
    client.force_login(user)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert_sent_to_login(client.get("/"))


def test_deactivating_a_user_ends_every_session(personas):
    user = personas.referent_a
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user)
        assert client.get("/").status_code == 200
    user.is_active = False
    user.save()
    for client in clients:
        assert_sent_to_login(client.get("/"))
