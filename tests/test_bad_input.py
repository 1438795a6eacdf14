"""No input, however odd, gives a server error: forms answer with messages, URLs with 404."""

import pytest

from parcours.forms import TRANSITION_FIELDS
from parcours.models import Etat
from parcours.workflow import TRANSITIONS
from plie.referentiel.forms import ReferentielForm
from plie.referentiel.models import Referentiel
from tests.factories import ParcoursFactory

JUNK = [
    "",
    " ",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "31/02/2026",
    "2026-13-45",
    "<script>alert(1)</script>",
    "'; DROP TABLE parcours; --",
    "x" * 5000,
    "\u202e\u0000é",
]
OK_STATUSES = {200, 302, 400, 403, 404}


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_referentiel_form_never_fails(personas, client_for, junk):
    client = client_for(personas.coordination)
    form = ReferentielForm(instance=Referentiel.objects.active())
    for name in form.fields:
        data = {field: _value(form[field].value()) for field in form.fields}
        data[name] = junk.replace("\u0000", "")
        response = client.post("/referentiel/modifier/", data)
        assert response.status_code in OK_STATUSES, (name, junk[:20], response.status_code)


def _value(value):
    if isinstance(value, list):
        return "\n".join(value)
    return "" if value is None else value


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_transition_forms_never_fail(personas, client_for, junk):
    client = client_for(personas.coordination)
    junk = junk.replace("\u0000", "")
    for etat in Etat:
        for transition in ParcoursFactory.build(etat=etat).transitions_possibles():
            parcours = ParcoursFactory(etat=etat)
            fields = [*TRANSITION_FIELDS[transition.name], "motif"]
            response = client.post(f"/parcours/{parcours.pk}/action/{transition.name}/", dict.fromkeys(fields, junk))
            assert response.status_code in OK_STATUSES, (transition.name, junk[:20], response.status_code)
            parcours.refresh_from_db()
            if TRANSITION_FIELDS[transition.name]:  # none of the junk is a valid date, référent or motive
                assert parcours.etat == etat, f"{transition.name} applied with junk {junk[:20]!r}"


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_lists_and_searches_never_fail(personas, client_for, communes, junk):
    client = client_for(personas.coordination)
    junk = junk.replace("\u0000", "")
    for url, params in [
        ("/parcours/", {"q": junk, "etat": junk, "page": junk}),
        ("/territoire/", {"q": junk, "sans_coordonnees": junk, "page": junk}),
        ("/", {"page": junk}),
    ]:
        response = client.get(url, params)
        assert response.status_code in OK_STATUSES, (url, junk[:20], response.status_code)
    response = client.post("/territoire/79191/", {"latitude": junk, "longitude": junk})
    assert response.status_code in OK_STATUSES


@pytest.mark.parametrize(
    "url",
    [
        "/parcours/0/",
        "/parcours/999999999999999999999/",
        "/parcours/1/action/inconnue/",
        "/territoire/ABCDE/",
        "/parcours/1/action/orienter/",
    ],
)
def test_unknown_objects_are_404(personas, client_for, url):
    assert client_for(personas.coordination).get(url).status_code == 404


def test_every_transition_name_is_a_valid_url_slug():
    for name in TRANSITIONS:
        assert name.replace("_", "").isalnum()
