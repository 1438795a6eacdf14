"""Lockout (django-axes): 5 failures for one account from one IP lock that pair for 15 minutes.

Logins, password-reset requests and invalid links (invitation activation, password reset) all end on
the same French page, which never says whether an account exists. Lock state lives in axes'
AccessAttempt rows, rolled back with each test's transaction.
"""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from plie.accounts import invitations
from plie.accounts.models import Invitation, Role
from tests.factories import PASSWORD, StructureFactory, UserFactory

LOGIN = "/compte/connexion/"
RESET = "/compte/mot-de-passe/oublie/"
WRONG = "mauvais-mot-de-passe"
LOCKED = (
    "Par sécurité, après plusieurs essais infructueux, cette opération est suspendue depuis votre connexion "
    "pendant 15 minutes."
)
INCORRECT = "Adresse email ou mot de passe incorrect."


@pytest.fixture
def account(db):
    return UserFactory(role=Role.COORDINATION, email="claire.martin@exemple.fr")


def client(ip="10.0.0.1"):
    return Client(REMOTE_ADDR=ip)


def log_in(browser, email, password=WRONG):
    return browser.post(LOGIN, {"username": email, "password": password})


def assert_locked(response):
    assert response.status_code == 429
    content = response.content.decode()
    assert LOCKED in content
    assert '<h1 class="h4">Trop de tentatives</h1>' in content
    return content


def main_of(response):
    """The page without what differs from one browser to the next (the CSRF token in the headers)."""
    content = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]


def fail(browser, email, times):
    for attempt in range(times):
        response = log_in(browser, email)
        assert response.status_code == 200, attempt
        assert INCORRECT in response.content.decode()


# --- logins -----------------------------------------------------------------------------------


def test_five_wrong_passwords_then_the_right_one_is_refused(account):
    browser = client()
    fail(browser, account.email, 4)
    assert_locked(log_in(browser, account.email))  # the fifth failure locks
    response = log_in(browser, account.email, PASSWORD)
    assert_locked(response)
    assert SESSION_KEY not in browser.session


def test_six_wrong_passwords_locked(account):
    browser = client()
    fail(browser, account.email, 4)
    for _ in range(2):
        assert_locked(log_in(browser, account.email))
    assert AccessAttempt.objects.get().failures_since_start == 6


def test_the_lock_page_is_french_and_extends_the_site(account):
    browser = client()
    fail(browser, account.email, 4)
    content = assert_locked(log_in(browser, account.email))
    assert content.startswith("<!doctype html>")
    assert '<html lang="fr">' in content
    assert "Trop de tentatives · Plateforme PLIE" in content
    assert account.email not in content


def test_an_unknown_email_gets_the_same_page(account):
    known, unknown = client(), client()
    fail(known, account.email, 4)
    fail(unknown, "personne@exemple.fr", 4)
    known_page, unknown_page = log_in(known, account.email), log_in(unknown, "personne@exemple.fr")
    assert_locked(known_page)
    assert_locked(unknown_page)
    assert main_of(known_page) == main_of(unknown_page)
    assert "personne@exemple.fr" not in unknown_page.content.decode()


def test_the_email_is_counted_whatever_its_case(account):
    browser = client()
    for email in [
        "Claire.Martin@exemple.fr",
        "CLAIRE.MARTIN@EXEMPLE.FR",
        " claire.martin@exemple.fr",
        "cLaire.martin@Exemple.fr",
    ]:
        log_in(browser, email)
    assert_locked(log_in(browser, account.email))
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["claire.martin@exemple.fr"]


def test_another_ip_is_not_locked(account):
    fail(client("10.0.0.1"), account.email, 4)
    assert_locked(log_in(client("10.0.0.1"), account.email))
    elsewhere = client("10.0.0.2")
    response = log_in(elsewhere, account.email, PASSWORD)
    assert response.status_code == 302
    assert int(elsewhere.session[SESSION_KEY]) == account.pk


def test_another_account_is_not_locked(account):
    other = UserFactory(email="paul.durand@exemple.fr")
    browser = client()
    fail(browser, account.email, 4)
    assert_locked(log_in(browser, account.email))
    response = log_in(browser, other.email, PASSWORD)
    assert response.status_code == 302
    assert int(browser.session[SESSION_KEY]) == other.pk


def test_the_lock_ends_after_15_minutes(account, time_machine):
    browser = client()
    fail(browser, account.email, 4)
    assert_locked(log_in(browser, account.email))
    last_attempt = timezone.now()

    time_machine.move_to(last_attempt + datetime.timedelta(minutes=14, seconds=50))
    assert_locked(log_in(browser, account.email, PASSWORD))  # and this attempt starts the 15 minutes again

    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=15, seconds=1))
    response = log_in(browser, account.email, PASSWORD)
    assert response.status_code == 302
    assert int(browser.session[SESSION_KEY]) == account.pk


def test_a_successful_login_resets_the_counter(account):
    browser = client()
    fail(browser, account.email, 4)
    assert log_in(browser, account.email, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    browser.post("/compte/deconnexion/")

    fail(browser, account.email, 4)  # four again, not locked: the count started over
    assert_locked(log_in(browser, account.email))


def test_the_admin_login_is_locked_too(account):
    browser = client()
    for _ in range(4):
        assert browser.post("/admin/login/", {"username": account.email, "password": WRONG}).status_code == 200
    assert_locked(browser.post("/admin/login/", {"username": account.email, "password": WRONG}))
    assert_locked(log_in(browser, account.email, PASSWORD))


def test_passwords_are_not_kept_in_the_attempts(account):
    browser = client()
    log_in(browser, account.email, "Un-secret-a-ne-pas-garder-42")
    attempt = AccessAttempt.objects.get()
    assert "Un-secret-a-ne-pas-garder-42" not in attempt.post_data
    assert attempt.ip_address == "10.0.0.1"


# --- the IP behind a proxy ------------------------------------------------------------------


def test_without_trusted_proxies_x_forwarded_for_is_ignored(account):
    for forged in ["10.9.9.1", "10.9.9.2", "10.9.9.3", "10.9.9.4"]:
        log_in(Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forged), account.email)
    assert_locked(log_in(Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.5"), account.email))


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(account, settings):
    settings.TRUSTED_PROXIES = 1

    def behind_proxy(forwarded):
        return Client(REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    # A client writing addresses on the left changes nothing: the proxy appended the real one.
    for forged in ["10.9.9.1", "10.9.9.2", "1.2.3.4", "junk"]:
        log_in(behind_proxy(f"{forged}, 203.0.113.7"), account.email)
    assert_locked(log_in(behind_proxy("203.0.113.7"), account.email))
    # Another client behind the same proxy is not locked.
    assert log_in(behind_proxy("198.51.100.4"), account.email, PASSWORD).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.parametrize("forwarded", ["", "junk", "not-an-ip, <script>", "999.1.1.1", "," * 50, "::1, " * 500])
def test_junk_forwarded_headers_never_fail(account, settings, forwarded):
    settings.TRUSTED_PROXIES = 2
    response = log_in(Client(REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR=forwarded), account.email)
    assert response.status_code == 200
    assert INCORRECT in response.content.decode()


# --- password reset requests --------------------------------------------------------------


def request_reset(browser, email):
    return browser.post(RESET, {"email": email})


def test_five_reset_requests_lock_and_send_nothing(account, mailoutbox):
    browser = client()
    for _ in range(4):
        assert request_reset(browser, account.email)["Location"] == "/compte/mot-de-passe/oublie/envoye/"
    assert len(mailoutbox) == 4
    assert_locked(request_reset(browser, account.email))
    assert_locked(request_reset(browser, "CLAIRE.Martin@exemple.fr"))
    assert len(mailoutbox) == 4


def test_reset_requests_for_an_unknown_email_get_the_same_page(account, mailoutbox):
    known, unknown = client(), client()
    for _ in range(4):
        request_reset(known, account.email)
        request_reset(unknown, "personne@exemple.fr")
    known_page, unknown_page = request_reset(known, account.email), request_reset(unknown, "personne@exemple.fr")
    assert_locked(known_page)
    assert_locked(unknown_page)
    assert main_of(known_page) == main_of(unknown_page)


def test_reset_requests_are_counted_per_address_and_ip(account, mailoutbox):
    other = UserFactory(email="paul.durand@exemple.fr")
    browser = client()
    for _ in range(5):
        request_reset(browser, account.email)
    assert request_reset(browser, other.email).status_code == 302
    assert request_reset(client("10.0.0.2"), account.email).status_code == 302
    assert [message.to for message in mailoutbox[-2:]] == [[other.email], [account.email]]
    # Nor do the requests lock the login: it is counted apart.
    assert log_in(browser, account.email, PASSWORD).status_code == 302


def test_reset_requests_are_allowed_again_after_15_minutes(account, mailoutbox, time_machine):
    browser = client()
    for _ in range(5):
        request_reset(browser, account.email)
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=15, seconds=1))
    assert request_reset(browser, account.email).status_code == 302
    assert len(mailoutbox) == 5


# --- invalid links: activation and password reset ------------------------------------------


@pytest.fixture
def invitation_link(db, mailoutbox, django_capture_on_commit_callbacks):
    structure = StructureFactory(prescripteur=True)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.inviter(
            Invitation(
                email="lea.morin@exemple.fr",
                first_name="Léa",
                last_name="Morin",
                role=Role.PRESCRIPTEUR,
                structure=structure,
            )
        )
    return re.search(r"https?://[^/\s]+(/compte/activer/[\w-]+/)", mailoutbox[-1].body).group(1)


def test_five_invalid_activation_links_lock_the_ip(invitation_link):
    browser = client()
    for attempt in range(4):
        response = browser.get(f"/compte/activer/jeton-invente-{attempt}/", follow=True)
        assert response.status_code == 410
        assert "Ce lien d&#x27;activation n&#x27;est pas valide." in response.content.decode()
    assert_locked(browser.get("/compte/activer/jeton-invente-4/"))
    # Locked, even the right link is refused from this IP, and the token is not kept.
    assert_locked(browser.get(invitation_link))
    assert browser.session["_invitation_token"] != invitation_link.split("/")[-2]
    # From elsewhere, the right link works.
    elsewhere = client("10.0.0.2")
    response = elsewhere.get(invitation_link, follow=True)
    assert response.status_code == 200
    assert "Activez votre compte" in response.content.decode()


def test_a_valid_link_is_not_a_failure(invitation_link):
    browser = client()
    for _ in range(6):
        assert browser.get(invitation_link).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_an_expired_link_counts_as_a_failure(invitation_link, time_machine):
    time_machine.move_to(timezone.now() + datetime.timedelta(days=8))
    browser = client()
    for _ in range(4):
        assert "Ce lien a expiré le" in browser.get(invitation_link, follow=True).content.decode()
    assert_locked(browser.get(invitation_link))


def reset_link(browser, email, mailoutbox):
    request_reset(browser, email)
    return re.search(r"https?://testserver(/compte/mot-de-passe/nouveau/[\w-]+/[\w-]+/)", mailoutbox[-1].body).group(1)


def test_invalid_reset_links_lock_the_ip_with_the_activation_links(account, invitation_link, mailoutbox):
    good = reset_link(client("10.0.0.3"), account.email, mailoutbox)
    uid = good.split("/")[-3]
    browser = client()
    for attempt in range(2):
        assert browser.get(f"/compte/activer/jeton-invente-{attempt}/").status_code == 302
    for attempt in range(2):
        response = browser.get(f"/compte/mot-de-passe/nouveau/{uid}/jeton-invente-{attempt}/")
        assert response.status_code == 200
        assert "Lien invalide" in response.content.decode()
    assert_locked(browser.get(f"/compte/mot-de-passe/nouveau/{uid}/jeton-invente-9/"))
    assert_locked(browser.get(good))  # even the right link, from this IP
    assert_locked(browser.get(invitation_link))


def test_a_valid_reset_link_still_hides_its_token_and_works(account, mailoutbox):
    """Django's behaviour is kept: the link redirects to set-password, which is neither counted nor throttled."""
    browser = client()
    link = reset_link(browser, account.email, mailoutbox)
    token = link.split("/")[-2]
    response = browser.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/") and token not in form_url
    for _ in range(5):
        assert "Choisissez un nouveau mot de passe" in browser.get(form_url).content.decode()
    new = "Kq7vXm2pLr9wTz"
    response = browser.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/compte/mot-de-passe/nouveau/termine/"
    assert not AccessAttempt.objects.filter(username="lien").exists()
    account.refresh_from_db()
    assert account.check_password(new)
