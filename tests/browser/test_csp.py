"""Every role's main pages in Chromium, under the strict policy: no violation, no console error."""

import pytest
from playwright.sync_api import expect

from plie.accounts.models import Role
from plie.referentiel.models import CriterePublic
from tests.factories import PrescriptionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Injected by the driver before any page script, outside the page's policy: it records what the
# policy blocks (the console says it too; both are collected).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


class Sweep:
    """Visits pages and gathers what Chromium reports about them."""

    def __init__(self, page, live_server):
        self.page, self.base = page, live_server.url
        self.problems = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url} : erreur JavaScript {error}"))

    def _console(self, message):
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"{self.page.url} : console {message.type} : {message.text}")

    def visit(self, path):
        response = self.page.goto(self.base + path)
        assert response.status == 200, f"{path}: {response.status}"
        self.page.wait_for_load_state("load")
        self.collect()

    def collect(self):
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.problems.append(f"{self.page.url} : CSP {violation}")
        self.page.evaluate("window.__cspViolations = []")

    def navigation_paths(self):
        """The entries of the main navigation, as the role sees them."""
        links = self.page.locator("#nav a.nav-link[href^='/']")
        return [links.nth(i).get_attribute("href") for i in range(links.count())]


@pytest.fixture
def sweep(page, live_server):
    return Sweep(page, live_server)


@pytest.fixture
def log_in(login, page):
    """The shared login, then wait for the logged-in menu (a later second step stays inside ``login``)."""

    def do(user):
        login(user)
        expect(page.locator("#nav .dropdown-toggle")).to_be_visible()

    return do


@pytest.fixture
def world(personas):
    """The personas' parcours, for a BRSA participant, with its accepted prescription; one pending prescription."""
    personas.parcours.participant.criteres.set(CriterePublic.objects.filter(code="brsa"))
    accepted = PrescriptionFactory(
        accepted_for=personas.parcours, prescripteur=personas.prescripteur, criteres=["brsa"]
    )
    pending = PrescriptionFactory(prescripteur=personas.prescripteur)
    return personas, accepted, pending


def pages_of(who, personas, accepted, pending):
    """Beyond the home page and the navigation: a parcours, a prescription, a form."""
    parcours = f"/parcours/{personas.parcours.pk}/"
    return {
        "coordination": [
            parcours,
            f"/prescriptions/{pending.pk}/",
            f"/prescriptions/{pending.pk}/acceptation/",
            "/referentiel/modifier/",
            "/compte/invitations/nouvelle/",
        ],
        "referent_a": [parcours, f"{parcours}action/proposer_sortie/", f"/prescriptions/{accepted.pk}/"],
        "prescripteur": [parcours, f"/prescriptions/{accepted.pk}/", "/prescriptions/nouvelle/"],
        "bureau_insertion": [parcours, f"/prescriptions/{accepted.pk}/", "/compte/mot-de-passe/changer/"],
        "operateur": ["/compte/mot-de-passe/changer/"],
        "financeur": ["/compte/mot-de-passe/changer/"],
    }[who]


@pytest.mark.parametrize(
    "who", ["coordination", "referent_a", "prescripteur", "bureau_insertion", "operateur", "financeur"]
)
def test_main_pages_of_each_role_break_no_rule_of_the_policy(sweep, log_in, world, who):
    personas, accepted, pending = world
    log_in(getattr(personas, who))
    sweep.collect()  # the login page and the home page after it
    navigation = sweep.navigation_paths()
    assert len(navigation) >= 2, navigation  # Accueil, Notifications at least
    for path in [*navigation, *pages_of(who, personas, accepted, pending)]:
        sweep.visit(path)
    assert not sweep.problems, "\n".join(sweep.problems)


def test_admin_pages_break_no_rule_of_the_policy(sweep, log_in, world):
    personas, _, _ = world
    admin = UserFactory(role=Role.COORDINATION, is_staff=True, is_superuser=True)
    log_in(admin)
    for path in [
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{personas.referent_a.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/parcours/parcours/",
    ]:
        sweep.visit(path)
    assert not sweep.problems, "\n".join(sweep.problems)


def test_the_sweep_sees_a_violation(sweep, page, live_server, db):
    """The detector itself: a page under the same policy with inline code is reported."""
    policy = page.request.get(f"{live_server.url}/compte/connexion/").headers["content-security-policy"]
    page.route(
        f"{live_server.url}/sonde-csp/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy},
            body='<!doctype html><p style="color: red">x</p><script>document.title = "x"</script>',
        ),
    )
    sweep.visit("/sonde-csp/")
    reported = "\n".join(sweep.problems)
    assert "CSP style-src-attr blocked inline" in reported
    assert "CSP script-src-elem blocked inline" in reported
    assert "Content Security Policy" in reported  # the console says it too
