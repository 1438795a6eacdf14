"""A coordinatrice sets up her second factor, then logs in with it and with a backup code, in Chromium."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from plie.accounts.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from_secret(secret: str) -> str:
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{TOTP(key).token():06d}"


def password_step(page, live_server, user):
    page.goto(f"{live_server.url}/referentiel/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_enrolment_then_login_with_a_backup_code(page, live_server, niort):
    coordinatrice = UserFactory(role=Role.COORDINATION, first_name="Claire", last_name="Fontaine")

    password_step(page, live_server, coordinatrice)
    expect(page.get_by_role("heading", name="Configurer la double authentification")).to_be_visible()
    expect(page.locator("img.qr-code")).to_be_visible()
    assert page.locator("img.qr-code").evaluate("img => img.naturalWidth") > 0  # the SVG data URI renders
    page.fill("#id_code", "000000")
    page.click("button:has-text('Activer')")
    # The message shows next to the field and in the summary at the top, which links to the field.
    expect(page.locator("strong", has_text="Ce code ne correspond pas")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Ce code ne correspon"))).to_be_visible()
    page.wait_for_timeout(1100)  # one wrong code: django-otp waits a second before the next try
    page.fill("#id_code", code_from_secret(page.locator("[data-otp-secret]").inner_text()))
    page.click("button:has-text('Activer')")

    expect(page.get_by_role("heading", name="Codes de secours")).to_be_visible()
    codes = page.locator("[data-backup-codes] li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Continuer").click()
    expect(page.get_by_role("heading", name="Référentiel — PLIE du Niortais")).to_be_visible()

    page.get_by_role("button", name="Claire Fontaine").click()
    page.get_by_role("button", name="Se déconnecter").click()
    password_step(page, live_server, coordinatrice)
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    page.fill("#id_code", codes[3])
    page.click("button:has-text('Valider')")
    expect(page.get_by_role("heading", name="Référentiel — PLIE du Niortais")).to_be_visible()
    expect(page.get_by_text("il vous en reste 9")).to_be_visible()
