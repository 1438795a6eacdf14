"""In Chromium, with a six-second idle timeout: typing keeps the session, the page warns before the end."""

import datetime
import time

import pytest
from playwright.sync_api import expect

from parcours.models import Etat
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE_SECONDS = 6


@pytest.fixture
def short_session(settings):
    """live_server runs in this process: the settings apply to it and to the page's data-session-*."""
    settings.SESSION_IDLE_TIMEOUT = IDLE_SECONDS / 60
    settings.SESSION_WARNING_BEFORE = 3 / 60
    settings.SESSION_KEEPALIVE_EVERY = 1 / 60


@pytest.fixture
def log_in(login, page):
    def do(user):
        login(user)
        expect(page.locator("#nav .dropdown-toggle")).to_be_visible()

    return do


def test_typing_in_a_form_keeps_the_session_past_the_idle_timeout(page, live_server, log_in, personas, short_session):
    parcours = personas.parcours
    log_in(personas.referent_a)
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/action/proposer_sortie/")
    opened = time.monotonic()
    date = parcours.date_entree + datetime.timedelta(days=60)
    page.fill("#id_date_sortie_prevue", date.isoformat())
    motif = "Embauche en CDI chez un transporteur"
    page.locator("#id_motif").press_sequentially(motif, delay=300, timeout=30_000)  # about ten seconds of typing
    assert time.monotonic() - opened > IDLE_SECONDS + 3
    expect(page.locator("#session-alert")).to_have_count(0)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("c'est enregistré")).to_be_visible()
    parcours.refresh_from_db()
    assert parcours.etat == Etat.SORTIE_PROPOSEE
    assert parcours.transitions.get().motif == motif


def test_the_page_warns_before_the_end_and_keeps_the_session_on_request(
    page, live_server, log_in, personas, short_session
):
    log_in(personas.referent_a)
    alert = page.locator("#session-alert")
    expect(alert).to_contain_text("Votre session va expirer", timeout=IDLE_SECONDS * 1000)
    alert.get_by_role("button", name="Rester connecté").click()
    expect(alert).to_have_count(0)
    # The keep-alive did extend the session: still logged in after more than the idle time since the page.
    page.wait_for_timeout(2_500)
    page.reload()
    expect(page.locator("#nav .dropdown-toggle")).to_be_visible()

    # Left alone, the session ends: the page says so, and the next page is the login form.
    expect(alert).to_contain_text("Votre session a expiré", timeout=(IDLE_SECONDS + 2) * 1000)
    expect(alert.get_by_role("link", name="Se reconnecter dans un nouvel onglet")).to_be_visible()
    page.reload()
    expect(page).to_have_url(f"{live_server.url}/compte/connexion/?next=/")
    expect(page.get_by_text("Votre session a expiré après")).to_be_visible()


def test_a_form_refused_on_an_expired_session_is_sent_again_after_logging_in_in_another_tab(
    page, live_server, log_in, personas, short_session
):
    """The page's promise: the Back button gives the text back, and sending it again works (new CSRF token)."""
    parcours = personas.parcours
    log_in(personas.referent_a)
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/action/proposer_sortie/")
    date = parcours.date_entree + datetime.timedelta(days=60)
    page.fill("#id_date_sortie_prevue", date.isoformat())
    page.fill("#id_motif", "Embauche en CDI")
    expect(page.locator("#session-alert")).to_contain_text("Votre session a expiré", timeout=(IDLE_SECONDS + 2) * 1000)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", name="Votre session a expiré : rien n'a été enregistré")).to_be_visible()
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT

    with page.context.expect_page() as new_tab:
        page.get_by_role("link", name="Reconnectez-vous dans un nouvel onglet").click()
    other = new_tab.value
    other.fill("#id_username", personas.referent_a.email)
    other.fill("#id_password", PASSWORD)
    other.click("button[type=submit]")
    expect(other.locator("#nav .dropdown-toggle")).to_be_visible()
    other.close()

    page.go_back()
    expect(page.locator("#id_motif")).to_have_value("Embauche en CDI")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("c'est enregistré")).to_be_visible()
    parcours.refresh_from_db()
    assert parcours.etat == Etat.SORTIE_PROPOSEE


def test_working_in_another_tab_keeps_this_one_from_warning(page, live_server, log_in, personas, short_session):
    log_in(personas.referent_a)
    other = page.context.new_page()
    started = time.monotonic()
    while time.monotonic() - started < IDLE_SECONDS + 3:
        other.goto(f"{live_server.url}/parcours/")  # activity, in the other tab only
        other.wait_for_timeout(1_000)
        expect(page.locator("#session-alert")).to_have_count(0)
    other.close()
    expect(page.locator("#session-alert")).to_contain_text("Votre session va expirer", timeout=IDLE_SECONDS * 1000)
