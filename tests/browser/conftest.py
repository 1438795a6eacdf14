"""Journeys in Debian's Chromium, driven by Playwright against a live server."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are synchronous on purpose.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium est introuvable : installez le paquet Debian « chromium » (make test le fait).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def app_code(device) -> str:
    """What the person's authenticator app shows now."""
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


@pytest.fixture
def login(page, live_server):
    """The password, then the app's code for whom must use a second factor (enrolled beforehand)."""
    from plie import permissions
    from plie.accounts import second_factor
    from tests.factories import PASSWORD

    def do(user, password=PASSWORD, on=None):
        """``on``: another page (a second person's browser beside the first: a code is used once)."""
        page_ = on or page
        device = None
        if permissions.must_use_second_factor(user):
            device = second_factor.TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = second_factor.pending_app_device(user)
                second_factor.confirm_app_device(device)
        page_.goto(f"{live_server.url}/")
        page_.fill("#id_username", user.email.upper())
        page_.fill("#id_password", password)
        page_.click("button[type=submit]")
        if device is not None:
            page_.wait_for_url("**/double-authentification/**")
            page_.fill("#id_code", app_code(device))
            page_.get_by_role("button", name="Valider").click()

    return do
