"""The coordination deactivates an account: no more login, open sessions end, history stays."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from parcours.models import Parcours
from plie.accounts.models import User
from tests.conftest import Personas
from tests.factories import PASSWORD, UserFactory


def log_in(client, user):
    return client.post("/compte/connexion/", {"username": user.email, "password": PASSWORD})


@pytest.mark.parametrize("who", Personas.NAMES)
def test_only_the_coordination_opens_the_deactivation_page(named, client_for, who):
    response = client_for(getattr(named, who)).get(f"/compte/utilisateurs/{named.referent_b.pk}/desactiver/")
    assert response.status_code == (200 if who == "coordination" else 403)


@pytest.mark.parametrize("who", Personas.NAMES)
def test_only_the_coordination_opens_the_reactivation_page(named, client_for, who):
    inactive = UserFactory(is_active=False)
    response = client_for(getattr(named, who)).get(f"/compte/utilisateurs/{inactive.pk}/reactiver/")
    assert response.status_code == (200 if who == "coordination" else 403)


def test_the_confirmation_page_changes_nothing_and_warns_of_a_held_post(named, client_for):
    response = client_for(named.coordination).get(f"/compte/utilisateurs/{named.referent_a.pk}/desactiver/")
    content = response.content.decode()
    assert "déclarez aussi la vacance de son poste" in content
    assert f"/parcours/reaffectation/{named.referent_a.pk}/" in content
    assert User.objects.get(pk=named.referent_a.pk).is_active


def test_deactivation_ends_the_sessions_and_keeps_the_history(named, client_for):
    theirs = Client()
    assert log_in(theirs, named.referent_a).status_code == 302
    assert theirs.get("/").status_code == 200
    other = Client()
    assert log_in(other, named.prescripteur).status_code == 302
    coordination = client_for(named.coordination)
    sessions = Session.objects.count()

    response = coordination.post(f"/compte/utilisateurs/{named.referent_a.pk}/desactiver/")

    assert response.status_code == 302
    assert User.objects.get(pk=named.referent_a.pk).is_active is False
    assert Session.objects.count() == sessions - 1  # theirs, and only theirs
    assert theirs.get("/").status_code == 302
    assert other.get("/").status_code == 200
    response = log_in(Client(), named.referent_a)
    assert response.status_code == 200
    assert SESSION_KEY not in response.wsgi_request.session
    assert Parcours.objects.get(pk=named.parcours.pk).referent == named.referent_a  # history stays
    content = client_for(named.coordination).get("/compte/utilisateurs/", {"etat": "desactives"}).content.decode()
    assert named.referent_a.email in content and "Réactiver" in content


def test_reactivation_lets_them_log_in_again(named, client_for):
    User.objects.filter(pk=named.financeur.pk).update(is_active=False)
    response = client_for(named.coordination).post(f"/compte/utilisateurs/{named.financeur.pk}/reactiver/")
    assert response.status_code == 302
    assert log_in(Client(), named.financeur).status_code == 302


def test_nobody_deactivates_their_own_account_or_an_administrator(named, client_for):
    client = client_for(named.coordination)
    assert client.post(f"/compte/utilisateurs/{named.coordination.pk}/desactiver/").status_code == 403
    admin = User.objects.create_superuser("root@exemple.fr", "x", first_name="Ada", last_name="Min")
    assert client.post(f"/compte/utilisateurs/{admin.pk}/desactiver/").status_code == 403
    assert User.objects.get(pk=admin.pk).is_active


def test_the_account_list_filters_by_role(named, client_for):
    UserFactory(last_name="Financière")
    content = client_for(named.coordination).get("/compte/utilisateurs/", {"role": "financeur"}).content.decode()
    assert named.financeur.email in content
    assert named.referent_a.email not in content
