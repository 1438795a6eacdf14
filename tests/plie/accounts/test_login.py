"""Login, logout and password reset."""

import re

import pytest
from django.test import Client

from plie.accounts.models import Role
from tests.factories import (
    PASSWORD,
    UserFactory,
)
from tests.html import page

# --- login, logout, password reset ------------------------------------------------------------


@pytest.fixture
def account(db):
    """A role without a compulsory second factor: these tests are about the password step."""
    return UserFactory(role=Role.PRESCRIPTEUR, email="claire.martin@exemple.fr")


def test_login_with_email_in_another_case(account):
    client = Client()
    response = client.post("/compte/connexion/", {"username": "Claire.MARTIN@Exemple.FR", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(account.pk)
    assert client.get("/").status_code == 200


def test_login_follows_next(account):
    client = Client()
    response = client.post(
        "/compte/connexion/?next=/parcours/",
        {"username": account.email, "password": PASSWORD, "next": "/parcours/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/parcours/"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("claire.martin@exemple.fr", "mauvais-mot-de-passe", id="wrong-password"),
        pytest.param("personne@exemple.fr", PASSWORD, id="unknown-email"),
    ],
)
def test_login_failure_says_so_in_french(account, email, password):
    client = Client()
    response = client.post("/compte/connexion/", {"username": email, "password": password})
    assert response.status_code == 200
    assert "Adresse email ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_account_cannot_log_in(account):
    account.is_active = False
    account.save()
    client = Client()
    response = client.post("/compte/connexion/", {"username": account.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logged_in_user_is_sent_home_from_login_page(account, client_for):
    response = client_for(account).get("/compte/connexion/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_a_post(account, client_for):
    client = client_for(account)
    assert client.get("/compte/deconnexion/").status_code == 405
    assert client.get("/").status_code == 200  # still logged in
    response = client.post("/compte/deconnexion/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/connexion/"
    assert client.get("/")["Location"] == "/compte/connexion/?next=/"


RESET_LINK = re.compile(r"https?://testserver(/compte/mot-de-passe/nouveau/[\w-]+/[\w-]+/)")


def request_reset(email):
    response = Client().post("/compte/mot-de-passe/oublie/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"


def test_password_reset_flow(account, mailoutbox):
    request_reset("CLAIRE.martin@exemple.fr")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [account.email]
    assert message.subject == "Plateforme PLIE : choisir un nouveau mot de passe"
    assert "Bonjour" in message.body
    assert "nouveau mot de passe" in message.body
    link = RESET_LINK.search(message.body)
    assert link, message.body

    client = Client()
    response = client.get(link.group(1))
    assert response.status_code == 302  # Django hides the token behind a redirect
    form_url = response["Location"]
    assert "Choisissez un nouveau mot de passe" in page(client, form_url)

    short = "Kx7#qLp2"
    response = client.post(form_url, {"new_password1": short, "new_password2": short})
    assert response.status_code == 200
    assert "Ce mot de passe est trop court pour ses types de caractères : estimé à 53 bits" in response.content.decode()
    account.refresh_from_db()
    assert account.check_password(PASSWORD)

    new = "Nouveau-secret-Tanneurs-79"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/nouveau/termine/"
    account.refresh_from_db()
    assert account.check_password(new)
    assert not account.check_password(PASSWORD)

    # The link served once.
    response = Client().get(link.group(1), follow=True)
    assert "Lien invalide" in response.content.decode()
    # And the new password opens the door.
    login = Client()
    assert login.post("/compte/connexion/", {"username": account.email, "password": new}).status_code == 302


def test_password_reset_for_unknown_email_sends_nothing(account, mailoutbox):
    request_reset("inconnu@exemple.fr")
    assert mailoutbox == []
