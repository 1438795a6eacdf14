"""The second factor: required for the coordination, superusers and the admin, available to everyone."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from plie.accounts import second_factor
from plie.accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

VERIFY = "/compte/double-authentification/"
ENROL = "/compte/double-authentification/configurer/"
CODES = "/compte/double-authentification/codes-de-secours/"


def password_login(user, next_url="/"):
    client = Client()
    response = client.post("/compte/connexion/", {"username": user.email, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, "the password step failed"
    return client


def app_code(device, at=None):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():06d}"


def enrolled(user):
    device = second_factor.pending_app_device(user)
    codes = second_factor.confirm_app_device(device)
    return TOTPDevice.objects.get(pk=device.pk), codes


@pytest.fixture
def coordinatrice(niort):
    return UserFactory(role=Role.COORDINATION, first_name="Odile", last_name="Marchal")


# --- who must use it -------------------------------------------------------------------------


def test_coordination_cannot_go_past_the_password_without_enrolling(coordinatrice):
    client = password_login(coordinatrice)
    for url in ["/", "/prescriptions/a-traiter/", "/referentiel/", "/compte/utilisateurs/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{ENROL}?next=")


def test_an_enrolled_coordination_is_asked_for_the_code_and_sent_where_they_were_going(coordinatrice):
    device, _ = enrolled(coordinatrice)
    client = password_login(coordinatrice, next_url="/referentiel/")
    response = client.get("/referentiel/")
    assert response["Location"] == f"{VERIFY}?next=%2Freferentiel%2F"
    page = client.get(response["Location"])
    assert "code à 6 chiffres" in page.content.decode()
    response = client.post(VERIFY, {"code": app_code(device), "next": "/referentiel/"})
    assert response.status_code == 302
    assert response["Location"] == "/referentiel/"
    assert client.get("/referentiel/").status_code == 200


@pytest.mark.parametrize("junk", ["foo", "//evil.example/", "https://evil.example/", "/\\evil", "javascript:alert(1)"])
def test_a_junk_next_after_the_code_goes_home(coordinatrice, junk):
    device, _ = enrolled(coordinatrice)
    client = password_login(coordinatrice)
    response = client.post(VERIFY, {"code": app_code(device), "next": junk})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_in_french_and_keeps_the_step(coordinatrice):
    enrolled(coordinatrice)
    client = password_login(coordinatrice)
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 200
    assert "Ce code n'est pas valide" in unescape(response.content.decode())
    assert client.get("/").status_code == 302


def test_repeated_wrong_codes_are_slowed_down(coordinatrice):
    enrolled(coordinatrice)
    client = password_login(coordinatrice)
    client.post(VERIFY, {"code": "000000"})
    client.post(VERIFY, {"code": "111111"})
    response = client.post(VERIFY, {"code": "222222"})
    assert "Trop de codes erronés" in unescape(response.content.decode())


def test_the_django_admin_asks_for_the_second_factor(db):
    admin = User.objects.create_superuser(email="admin@exemple.fr", password=PASSWORD, first_name="A", last_name="D")
    client = password_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)
    device, _ = enrolled(admin)
    response = client.get("/admin/parcours/parcours/")
    assert response["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": app_code(device)})
    assert client.get("/admin/parcours/parcours/").status_code == 200


@pytest.mark.parametrize("role", [Role.REFERENT, Role.PRESCRIPTEUR, Role.BUREAU_INSERTION, Role.OPERATEUR])
def test_other_roles_are_not_forced(niort, role):
    user = UserFactory(role=role)
    assert password_login(user).get("/").status_code == 200


# --- enrolment -------------------------------------------------------------------------------


def test_enrolment_with_a_qr_code_then_ten_backup_codes_shown_once(coordinatrice):
    client = password_login(coordinatrice)
    page = client.get(f"{ENROL}?next=/territoire/").content.decode()
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r"data-otp-secret>([A-Z2-7 ]+)</code>", page).group(1)
    device = TOTPDevice.objects.get(user=coordinatrice, confirmed=False)
    assert secret.replace(" ", "") in second_factor.secret_for_typing(device).replace(" ", "")

    response = client.post(ENROL, {"code": "123", "next": "/territoire/"})
    assert "Ce code ne correspond pas" in response.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):  # past the 1 s throttle
        response = client.post(ENROL, {"code": app_code(device), "next": "/territoire/"})
    assert response.status_code == 302
    assert response["Location"] == f"{CODES}?next=%2Fterritoire%2F"
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r'<li class="col">([a-z2-7]+)</li>', codes_page)
    assert len(codes) == 10
    assert 'href="/territoire/"' in codes_page
    assert re.findall(r'<li class="col">', client.get(CODES).content.decode()) == []  # shown once
    assert client.get("/territoire/").status_code == 200


def test_a_backup_code_works_once(coordinatrice):
    _, codes = enrolled(coordinatrice)
    client = password_login(coordinatrice)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert "il vous en reste 9" in unescape(response.content.decode())
    other = password_login(coordinatrice)
    response = other.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200  # refused: the step is shown again
    assert StaticToken.objects.filter(device__user=coordinatrice).count() == 9


def test_new_backup_codes_replace_the_old_ones(coordinatrice, client_for):
    _, old = enrolled(coordinatrice)
    client = client_for(coordinatrice)
    client.post(CODES)
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert StaticToken.objects.filter(device__user=coordinatrice).count() == 10


def test_a_referent_may_enrol_and_is_then_asked_at_every_login(niort):
    referent = UserFactory(role=Role.REFERENT)
    client = password_login(referent)
    assert "n'est pas activée" in unescape(client.get("/compte/double-authentification/gerer/").content.decode())
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=referent)
    client.post(ENROL, {"code": app_code(device)})
    again = password_login(referent)
    assert again.get("/")["Location"].startswith(VERIFY)
    # and may turn it off again, after confirming, which the coordination may not
    later = timezone.now() + datetime.timedelta(minutes=2)
    with time_machine.travel(later):
        again.post(VERIFY, {"code": app_code(device, at=later)})
        assert (
            "Désactiver la double authentification"
            in again.get("/compte/double-authentification/desactiver/").content.decode()
        )
        again.post("/compte/double-authentification/desactiver/")
    assert not second_factor.is_enrolled(referent)


def test_the_coordination_may_not_turn_it_off(coordinatrice, client_for):
    enrolled(coordinatrice)
    client = client_for(coordinatrice)
    assert client.post("/compte/double-authentification/desactiver/").status_code == 403
    assert second_factor.is_enrolled(coordinatrice)


# --- a lost phone ------------------------------------------------------------------------------


def test_another_coordination_user_resets_a_lost_device(coordinatrice, client_for, django_capture_on_commit_callbacks):
    colleague = UserFactory(role=Role.COORDINATION)
    enrolled(colleague)
    their_session = client_for(colleague)
    assert their_session.get("/").status_code == 200

    client = client_for(coordinatrice)
    url = f"/compte/utilisateurs/{colleague.pk}/double-authentification/reinitialiser/"
    assert "Réinitialiser la double authentification" in client.get(url).content.decode()
    assert second_factor.is_enrolled(colleague)  # GET asks, changes nothing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not second_factor.is_enrolled(colleague)
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert colleague.last_name not in mail.outbox[0].subject
    # their open session is no longer verified: next page is the enrolment
    assert their_session.get("/")["Location"].startswith(ENROL)


def test_nobody_resets_their_own_device_this_way(coordinatrice, client_for):
    enrolled(coordinatrice)
    url = f"/compte/utilisateurs/{coordinatrice.pk}/double-authentification/reinitialiser/"
    assert client_for(coordinatrice).post(url).status_code == 403
    assert second_factor.is_enrolled(coordinatrice)


@pytest.mark.parametrize("who", ["referent_a", "prescripteur", "bureau_insertion", "operateur", "financeur"], ids=str)
def test_accounts_page_and_reset_are_for_the_coordination_only(named, client_for, who):
    target = named.referent_b
    enrolled(target)
    client = client_for(getattr(named, who))
    assert client.get("/compte/utilisateurs/").status_code == 403
    url = f"/compte/utilisateurs/{target.pk}/double-authentification/reinitialiser/"
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert second_factor.is_enrolled(target)


def test_accounts_page_lists_and_searches_with_the_second_factor_status(named, client_for):
    enrolled(named.referent_b)
    client = client_for(named.coordination)
    content = client.get("/compte/utilisateurs/", {"q": named.referent_b.last_name}).content.decode()
    assert named.referent_b.email in content
    assert "Activée" in content
    assert named.financeur.email not in content
    assert "Aucun compte" in client.get("/compte/utilisateurs/", {"q": "zzzzzz"}).content.decode()


def test_anonymous_cannot_open_the_second_factor_pages(db):
    for url in [VERIFY, ENROL, CODES, "/compte/utilisateurs/"]:
        assert Client().get(url)["Location"].startswith("/compte/connexion/")
