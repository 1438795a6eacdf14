"""The strength of a new password, shown as it is typed (static/js/password-strength.js)."""

import pytest
from playwright.sync_api import expect

from plie.accounts.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_strength_follows_what_is_typed(page, live_server, login):
    user = UserFactory(role=Role.PRESCRIPTEUR)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(user)
    page.goto(f"{live_server.url}/compte/mot-de-passe/changer/")
    strength = page.locator("#id_new_password1_strength")
    meter = page.locator(".password-strength meter")

    page.fill("#id_new_password1", "k7vx2plr9wtz")
    expect(strength).to_have_text("Robustesse estimée : faible (62 bits sur 80 demandés)")
    expect(strength).to_have_class("text-danger")
    page.fill("#id_new_password1", "Kq7vXm2pLr9wT")
    expect(strength).to_contain_text("moyen (77 bits")
    page.fill("#id_new_password1", "Kq7vXm2pLr9wTz")
    expect(strength).to_contain_text("robuste (83 bits")
    expect(meter).to_have_attribute("aria-hidden", "true")
    assert meter.evaluate("m => m.value") == 80

    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password2", "Kq7vXm2pLr9wTz")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Mot de passe changé")).to_be_visible()
    assert errors == []
