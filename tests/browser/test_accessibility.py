"""RGAA 4.1 / WCAG 2.1 AA in Chromium: axe-core on the pages of every role, refused forms included.

The pages are read from the URL resolver (tests/resolver.py) and kept when the role gets them
(200, HTML), so a page added later is checked without touching this file. Any serious or critical
violation fails, with the page, the rule, the element and axe's summary.
"""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from parcours.models import Etat, PresenceAtelier, RendezVous
from parcours.workflow import TRANSITIONS
from plie.referentiel.models import CriterePublic
from prescriptions.models import Organisme
from tests.browser import axe
from tests.conftest import verified_login
from tests.factories import (
    ConvocationFactory,
    EntretienFactory,
    ParcoursFactory,
    PrescriptionFactory,
    PresenceAtelierFactory,
    TentativeContactFactory,
)
from tests.resolver import pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["coordination", "referent_a", "prescripteur", "bureau_insertion", "operateur", "financeur"]
# Not pages a person reads: a JSON ping, a redirect on a token, logout.
# Not pages: a probe, a redirect, a keep-alive, and the htmx fragment of <option>s the étape form asks for.
NOT_PAGES = {"healthz", "logout", "session_keep_alive", "ressources:options"}


@pytest.fixture
def world(personas):
    """The personas' parcours with its accepted fiche and a contact attempt; a pending fiche; a new parcours."""
    parcours = personas.parcours
    parcours.participant.criteres.set(CriterePublic.objects.filter(code="brsa"))
    accepted = PrescriptionFactory(accepted_for=parcours, prescripteur=personas.prescripteur, criteres=["brsa"])
    pending = PrescriptionFactory(prescripteur=personas.prescripteur)
    TentativeContactFactory(parcours=parcours, auteur=personas.referent_a)
    EntretienFactory(parcours=parcours, notes="Notes d'entretien")
    accueil = ParcoursFactory(etat=Etat.ORIENTE, referent=personas.referent_a, prescripteur=personas.prescripteur)
    # An entretien of another of référent A's parcours, held an hour ago: its signature pad; and a
    # session of référent A with the person present.
    EntretienFactory(
        parcours=ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=personas.referent_a),
        honore=True,
        debut=timezone.now() - datetime.timedelta(hours=1),
    )
    PresenceAtelierFactory(parcours=parcours, seance__atelier__animateur=personas.referent_a)
    return personas, parcours, accepted, pending, accueil


def candidate_urls(parcours, accepted, pending, accueil):
    """Every page of the resolver, with values for its parameters (several for some)."""
    values = {
        "name": list(TRANSITIONS),
        "organisme": list(Organisme.values),
        "kind": ["participant", "prescription"],
        "other_pk": [parcours.participant_id],
        "participant_pk": [parcours.participant_id],
        "insee": ["79191"],
        "token": ["jeton-inconnu"],
        "uidb64": ["MQ"],
        "rdv": list(parcours.rendez_vous.values_list("pk", flat=True)),
        "seance": list(PresenceAtelier.objects.values_list("seance_id", flat=True)),
        "presence": list(PresenceAtelier.objects.values_list("pk", flat=True)),
        "animateur": [parcours.referent_id],
    }
    pks = {"parcours": [parcours.pk, accueil.pk], "prescriptions": [pending.pk, accepted.pk]}
    tenu = RendezVous.objects.get(statut="honore")
    values["rdv"].append(tenu.pk)
    pks["parcours"].append(tenu.parcours_id)
    urls = []
    for page in pages():
        if page.name in NOT_PAGES:
            continue
        combos = [{}]
        for param in page.params:
            options = pks.get(page.name.split(":")[0], [1]) if param == "pk" else values.get(param, [])
            combos = [{**c, param: o} for c in combos for o in options]
        urls += [(page.name, page.url(**kwargs)) for kwargs in combos]
    return urls


def pages_for(user, urls):
    """The pages this person gets, one URL per page name and parcours state (the same template otherwise)."""
    client = verified_login(Client(), user)
    kept, seen = [], set()
    for name, url in urls:
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        key = (name, response.templates[0].name if response.templates else "")
        if key in seen:
            continue
        seen.add(key)
        kept.append(url)
    return kept


# What axe does not check of our form pattern: the " *" is explained in its form; a refused form's
# summary links to elements that exist, and the page's title says there is an error.
FORM_PATTERN = """() => {
  const problems = [];
  document.querySelectorAll("main form").forEach((form) => {
    if (form.querySelector(".asteriskField") && !form.textContent.includes("Les champs marqués * sont obligatoires")) {
      problems.push(`un formulaire marque des champs * sans expliquer le signe (${form.action})`);
    }
  });
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    if (!document.title.startsWith("Erreur : ")) { problems.push(`titre sans « Erreur : » : ${document.title}`); }
    summary.querySelectorAll("a").forEach((link) => {
      if (!document.getElementById(link.getAttribute("href").slice(1))) {
        problems.push(`le résumé des erreurs mène à ${link.getAttribute("href")}, absent de la page`);
      }
    });
  }
  return problems;
}"""


@pytest.fixture
def check(page, live_server):
    """Visit a path (or check the current page) and gather axe's blocking violations."""
    found = {"pages": 0, "problems": []}

    def visit(path=None):
        if path is not None:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{path} : {response.status}"
        page.wait_for_load_state("load")
        found["pages"] += 1
        blocking = axe.blocking(axe.violations(page))
        if blocking:
            found["problems"].append(axe.describe(page.url, blocking))
        found["problems"] += [f"{page.url} · {problem}" for problem in page.evaluate(FORM_PATTERN)]

    visit.found = found
    return visit


CLEAR = """() => {
  document.querySelectorAll("form").forEach((form) => { form.noValidate = true; });
  const typed = "input:not([type=hidden]):not([type=radio]):not([type=checkbox]), textarea";
  document.querySelectorAll(`main form[method=post] :is(${typed})`).forEach((field) => { field.value = ""; });
}"""


def refuse(page, submit):
    """Send the form emptied, the browser's own checks turned off (the server's are under test)."""
    page.evaluate(CLEAR)
    submit.click()
    page.wait_for_load_state("load")
    expect(page).to_have_title(re.compile("^Erreur :"))


@pytest.mark.parametrize("who", ROLES)
def test_every_page_of_the_role_has_no_serious_violation(page, login, check, world, who):
    personas, parcours, accepted, pending, accueil = world
    user = getattr(personas, who)
    paths = pages_for(user, candidate_urls(parcours, accepted, pending, accueil))
    assert len(paths) >= 4, paths
    login(user)
    check()  # the home page, right after the login
    for path in paths:
        check(path)
    print(f"{who} : {check.found['pages']} pages")
    assert not check.found["problems"], "\n".join(check.found["problems"])


def test_the_login_page_and_its_refusal_have_no_serious_violation(page, live_server, check, db):
    check("/compte/connexion/")
    page.fill("#id_username", "personne@example.org")
    refuse(page, page.locator("main button[type=submit]"))
    check()
    assert not check.found["problems"], "\n".join(check.found["problems"])


def test_the_personal_link_has_no_serious_violation(page, live_server, check, niort):
    """The participant's page (no account): unanswered, answered, and a link that is no longer valid."""
    convocation = ConvocationFactory()
    check(f"/c/{convocation.jeton}/")
    page.get_by_role("button", name="Confirmer ma venue").click()
    expect(page.get_by_text("votre venue est confirmée")).to_be_visible()
    check()
    response = page.goto(f"{live_server.url}/c/inconnu0000/")
    assert response.status == 404
    check()
    assert not check.found["problems"], "\n".join(check.found["problems"])


@pytest.mark.parametrize(
    ("who", "path", "submit"),
    [
        ("prescripteur", "/prescriptions/nouvelle/", "Envoyer la prescription"),
        ("coordination", "/compte/invitations/nouvelle/", None),
        ("coordination", "/referentiel/modifier/", None),
        ("referent_a", "/parcours/{parcours}/action/proposer_sortie/", None),
        ("referent_a", "/parcours/{accueil}/tentative-de-contact/", None),
        ("referent_a", "/parcours/{parcours}/entretiens/planifier/", None),
        ("referent_a", "/parcours/{parcours}/entretiens/{rdv}/cloture/", None),
        ("referent_a", "/parcours/{parcours}/contacts/noter/", None),
        ("referent_a", "/agenda/absences/nouvelle/", None),
        ("coordination", "/agenda/absences/nouvelle/", None),
        ("financeur", "/compte/mot-de-passe/changer/", None),
    ],
)
def test_a_refused_form_has_no_serious_violation(page, login, check, world, who, path, submit):
    personas, parcours, accepted, pending, accueil = world
    login(getattr(personas, who))
    check(path.format(parcours=parcours.pk, accueil=accueil.pk, rdv=parcours.rendez_vous.get().pk))
    button = page.get_by_role("button", name=submit) if submit else page.locator("main form[method=post] [type=submit]")
    refuse(page, button.last)
    check()
    assert not check.found["problems"], "\n".join(check.found["problems"])


FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    html: element.outerHTML.slice(0, 80),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    color: style.outlineColor,
    in_navbar: element.closest(".navbar") !== null,
  };
}"""


@pytest.mark.parametrize("who", ["coordination", "referent_a"])
def test_focus_is_visible_on_every_element_tab_reaches(page, live_server, login, world, who):
    """Tab through the page, navigation bar first: each element shows a ring of 3 px, white on the bar."""
    personas, parcours, *_ = world
    login(getattr(personas, who))
    for path in ["/", f"/parcours/{parcours.pk}/"]:
        page.goto(live_server.url + path)
        seen, in_navbar = [], 0
        for _ in range(25):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            if ring["html"].startswith("<body"):
                break  # past the last element of the page
            seen.append(ring)
            in_navbar += ring["in_navbar"]
            assert ring["style"] != "none" and ring["width"] >= 3, f"{path} : anneau de focus invisible sur {ring}"
            if ring["in_navbar"]:
                assert ring["color"] == "rgb(255, 255, 255)", f"{path} : anneau peu visible sur la barre : {ring}"
        assert in_navbar >= 3, seen  # the navigation bar was walked through


def test_axe_sees_a_violation(page, live_server, check, db):
    """The detector itself: a page with an unlabelled field and grey-on-white text is reported."""
    page.route(
        f"{live_server.url}/sonde-axe/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body='<!doctype html><html lang="fr"><title>Sonde</title><main><input type="text">'
            '<p><font color="#bbbbbb">Texte trop pâle</font></p></main></html>',
        ),
    )
    page.goto(f"{live_server.url}/sonde-axe/")
    found = axe.blocking(axe.violations(page))
    assert {"label", "color-contrast"} <= {v["id"] for v in found}, found
    assert "color-contrast" in axe.describe(page.url, found)
