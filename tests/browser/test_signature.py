"""Signing on screen in Chromium: with the mouse at the end of an entretien (the participant, then the
référent), and with a finger on a 10-inch tablet for an atelier session; under the strict CSP, the
PNG stored is a real drawing."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from parcours import signatures
from parcours.models import Etat, Signature
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.factories import (
    AtelierFactory,
    EntretienFactory,
    ParcoursFactory,
    PresenceAtelierFactory,
    ReferentFactory,
    SeanceAtelierFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_violations(page):
    """What the strict policy blocks (the event and the console both tell) and any script error."""
    found = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def draw_with_mouse(page, canvas):
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.7)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x + w * (0.1 + 0.04 * i), y + h * (0.7 - 0.5 * (i % 2)), steps=3)
    page.mouse.up()


def draw_with_finger(canvas):
    """Touch pointer events, as a finger on a tablet sends them."""
    canvas.scroll_into_view_if_needed()
    canvas.evaluate(
        """(canvas) => {
          const r = canvas.getBoundingClientRect();
          const at = (type, fx, fy) => canvas.dispatchEvent(new PointerEvent(type, {
            pointerId: 7, pointerType: "touch", isPrimary: true, bubbles: true, cancelable: true,
            clientX: r.left + r.width * fx, clientY: r.top + r.height * fy, pressure: 0.5, buttons: 1,
          }));
          at("pointerdown", 0.1, 0.5);
          for (let i = 1; i <= 30; i++) { at("pointermove", 0.1 + i * 0.025, 0.5 + 0.3 * Math.sin(i / 3)); }
          at("pointerup", 0.85, 0.5);
        }"""
    )


def ink(signature) -> int:
    with Image.open(io.BytesIO(bytes(signature.image))) as image:
        assert image.format == "PNG"
        return signatures._pixels_encre(image)


def test_the_participant_and_the_referent_sign_an_entretien_with_the_mouse(page, live_server, login, niort):
    referent = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent, participant__nom_usage="Lemoine")
    entretien = EntretienFactory(parcours=parcours, honore=True, debut=timezone.now() - datetime.timedelta(hours=1))
    violations = csp_violations(page)

    login(referent)
    page.goto(f"{live_server.url}/parcours/{parcours.pk}/")
    page.locator("#entretiens-et-contacts").get_by_role("link", name="Faire signer").click()
    canvas = page.locator("[data-signature-canvas]")
    expect(canvas).to_be_visible()
    expect(page.locator("#signature-consigne")).to_contain_text("LEMOINE")

    # Empty: refused next to the frame, nothing saved.
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.locator("#signature-erreur")).to_have_text("Signez dans le cadre avant d'enregistrer.")
    assert not Signature.objects.exists()

    # Drawn then cleared: still empty.
    draw_with_mouse(page, page.locator("[data-signature-canvas]"))
    page.get_by_role("button", name="Effacer").click()
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.locator("#signature-erreur")).to_be_visible()
    assert not Signature.objects.exists()

    draw_with_mouse(page, page.locator("[data-signature-canvas]"))
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.get_by_text("Signature du participant enregistrée")).to_be_visible()
    expect(page.locator("#signature-consigne")).to_contain_text("Anaïs Fernandez")
    draw_with_mouse(page, page.locator("[data-signature-canvas]"))
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.get_by_text("Le participant et le référent ont signé cet entretien.")).to_be_visible()
    expect(page.locator("img.signature-image")).to_have_count(2)

    participant, du_referent = Signature.objects.filter(rendez_vous=entretien).order_by("id")
    assert (participant.signataire, du_referent.signataire, du_referent.referent) == (
        "participant",
        "referent",
        referent,
    )
    assert ink(participant) >= signatures.PIXELS_ENCRE_MIN and ink(du_referent) >= signatures.PIXELS_ENCRE_MIN
    assert violations == [] and page.evaluate("window.__cspViolations") == []


def test_a_participant_signs_an_atelier_with_a_finger_on_a_tablet(browser, live_server, niort):
    animateur = ReferentFactory()
    seance = SeanceAtelierFactory(atelier=AtelierFactory(animateur=animateur), tenue=True)
    presence = PresenceAtelierFactory(seance=seance, parcours__participant__nom_usage="Berthelot")
    # A 10-inch tablet held upright: 800 × 1280 CSS pixels, a dense screen, touch.
    context = browser.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 800, "height": 1280},
        device_scale_factor=2,
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = csp_violations(page)
    try:
        from tests.factories import PASSWORD

        page.goto(f"{live_server.url}/")
        page.fill("#id_username", animateur.email)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/parcours/ateliers/seances/{seance.pk}/signatures/")
        page.get_by_role("link", name="Faire signer Berthelot").click()
        canvas = page.locator("[data-signature-canvas]")
        box = canvas.bounding_box()
        assert box["width"] >= 600 and box["height"] >= 240  # a finger's room, without scrolling
        assert canvas.evaluate("(c) => getComputedStyle(c).touchAction") == "none"
        assert canvas.evaluate("(c) => c.width") == round(box["width"] * 2)  # sharp on the dense screen
        draw_with_finger(canvas)
        page.get_by_role("button", name="Enregistrer la signature").click()
        expect(page.get_by_role("alert").first).to_contain_text("enregistrée")
        expect(page.locator("li", has_text="Berthelot")).to_contain_text("Signé le")
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
    [signature] = Signature.objects.filter(presence=presence)
    assert ink(signature) >= signatures.PIXELS_ENCRE_MIN
    assert violations == []
