"""The one mapping from a prescription transition to its page, form and service (prescriptions.transitions)."""

from types import SimpleNamespace

import pytest
from django.urls import resolve
from django.utils import timezone

from prescriptions.transitions import DECISIONS, ENVOI, PAGES, SANS_PAGE
from prescriptions.views import coordination, prescripteur
from prescriptions.workflow import TRANSITIONS, Statut
from tests.factories import PrescriptionFactory


def test_every_transition_has_its_page_or_says_why_not():
    assert PAGES.keys() | SANS_PAGE.keys() == TRANSITIONS.keys()
    assert not PAGES.keys() & SANS_PAGE.keys()
    assert all(reason.strip() for reason in SANS_PAGE.values())


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_each_page_is_served_by_its_view(page):
    match = resolve(page.url(SimpleNamespace(pk=7)))
    if page.generique:
        assert (match.func, match.kwargs) == (coordination.decision, {"pk": 7, "name": page.name})
    else:
        assert match.kwargs == {"pk": 7}
        expected = prescripteur.prescription_edit if page is ENVOI else coordination.acceptation
        assert match.func is expected


def _prescription(statut, personas):
    now = timezone.now()
    return {
        Statut.ENVOYEE: lambda: PrescriptionFactory(),
        Statut.EN_EXAMEN: lambda: PrescriptionFactory(statut=statut),
        Statut.COMPLEMENT_DEMANDE: lambda: PrescriptionFactory(statut=statut, question_complement="Quel niveau ?"),
        Statut.REFUSEE: lambda: PrescriptionFactory(statut=statut, motif_refus="autre", decidee_le=now),
        Statut.ACCEPTEE: lambda: PrescriptionFactory(accepted_for=personas.parcours),
    }[statut]()


@pytest.mark.parametrize("statut", [s for s in Statut if s != Statut.BROUILLON])
def test_the_prescription_page_offers_each_decision_in_its_source_states_only(personas, client_for, statut):
    prescription = _prescription(statut, personas)
    page = client_for(personas.coordination).get(f"/prescriptions/{prescription.pk}/")
    html = page.content.decode()
    offered = {d.name for d, _url in page.context["decisions"]}
    assert offered == {d.name for d in DECISIONS if statut in d.transition.sources}
    for decision in DECISIONS:
        assert (f'href="{decision.url(prescription)}"' in html) == (decision.name in offered), decision.name


@pytest.mark.parametrize("page", DECISIONS, ids=[d.name for d in DECISIONS])
def test_each_decision_page_opens_for_the_coordination_only(personas, client_for, page):
    prescription = PrescriptionFactory(prescripteur=personas.prescripteur)
    url = page.url(prescription)
    response = client_for(personas.coordination).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{page.titre or page.transition.label}</h1>" in html
    assert client_for(personas.prescripteur).get(url).status_code == 403
    assert client_for(personas.referent_a).get(url).status_code == 404


def test_the_fiche_sends_with_the_button_named_after_its_transition(personas, client_for):
    prescription = PrescriptionFactory(prescripteur=personas.prescripteur, brouillon=True)
    html = client_for(personas.prescripteur).get(ENVOI.url(prescription)).content.decode()
    assert f'name="{ENVOI.name}"' in html and ENVOI.transition.label in html
