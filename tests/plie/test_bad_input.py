"""No input, however odd, gives a server error: forms answer with messages, URLs with 404."""

from urllib.parse import urlencode

import pytest

from parcours.models import Etat
from parcours.transitions import PAGES
from parcours.workflow import TRANSITIONS
from plie.referentiel.forms import ReferentielForm
from plie.referentiel.models import Referentiel
from prescriptions.models import Organisme, ValidationPrescription
from tests.factories import ParcoursFactory, PrescriptionFactory
from tests.snapshots import instantane

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
# The query parameters a scanner tries on every form (some views read them on POST too).
QUERY_PARAMETERS = ["next", "page", "q", "etat", "statut", "structure", "commune", "critere", "action"]


def post_both_ways(client, url, data, junk):
    """POST ``data`` as is, then with ``junk`` in every usual query parameter; both responses."""
    query = urlencode(dict.fromkeys(QUERY_PARAMETERS, junk))
    return [client.post(url, data), client.post(f"{url}?{query}", data)]


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_referentiel_form_never_fails(personas, client_for, junk):
    client = client_for(personas.coordination)
    form = ReferentielForm(instance=Referentiel.objects.active())
    for name in form.fields:
        data = {field: _value(form[field].value()) for field in form.fields}
        data[name] = junk.replace("\u0000", "")
        for response in post_both_ways(client, "/referentiel/modifier/", data, junk.replace("\u0000", "")):
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
            fields = [*PAGES[transition.name].champs, "motif"]
            url = f"/parcours/{parcours.pk}/action/{transition.name}/"
            for response in post_both_ways(client, url, dict.fromkeys(fields, junk), junk):
                assert response.status_code in OK_STATUSES, (transition.name, junk[:20], response.status_code)
            parcours.refresh_from_db()
            if PAGES[transition.name].champs:  # none of the junk is a valid date, référent or motive
                assert parcours.etat == etat, f"{transition.name} applied with junk {junk[:20]!r}"


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_lists_and_searches_never_fail(personas, client_for, communes, junk):
    client = client_for(personas.coordination)
    junk = junk.replace("\u0000", "")
    for url, params in [
        ("/parcours/", {"q": junk, "etat": junk, "page": junk}),
        ("/territoire/", {"q": junk, "sans_coordonnees": junk, "page": junk}),
        ("/", {"page": junk}),
        ("/agenda/", {"referent": junk, "jour": junk, "vue": junk}),
        ("/agenda/absences/", {"referent": junk, "page": junk}),
        ("/agenda/absences/nouvelle/", {"referent": junk}),
        ("/respect-du-rythme/", {"debut": junk, "fin": junk, "page": junk}),
    ]:
        response = client.get(url, params)
        assert response.status_code in OK_STATUSES, (url, junk[:20], response.status_code)
    for response in post_both_ways(client, "/territoire/79191/", {"latitude": junk, "longitude": junk}, junk):
        assert response.status_code in OK_STATUSES


def _post_forms(personas, client_for):
    """Every other POST form: (who posts, url, valid-looking data). Saving is fine; a 500 is not."""
    oriente = ParcoursFactory(etat=Etat.ORIENTE, referent=personas.referent_a, prescripteur=personas.prescripteur)
    draft = PrescriptionFactory(brouillon=True, prescripteur=personas.prescripteur)
    sent = PrescriptionFactory()
    brsa = PrescriptionFactory(criteres=["brsa"])
    ValidationPrescription.objects.create(prescription=brsa, organisme=Organisme.BUREAU_INSERTION)
    return [
        (personas.referent_a, f"/parcours/{oriente.pk}/tentative-de-contact/", {"canal": "telephone"}),
        (
            personas.referent_a,
            f"/parcours/{oriente.pk}/premier-rendez-vous/",
            {"date": "2026-13-45", "heure": "10:00", "modalite": "telephone"},
        ),
        (personas.prescripteur, "/prescriptions/nouvelle/", {"nom_usage": "Martin", "brouillon": "1"}),
        (
            personas.prescripteur,
            f"/prescriptions/{draft.pk}/modifier/",
            {
                "nom_usage": "Martin",
                "brouillon": "1",
                **instantane(client_for(personas.prescripteur), f"/prescriptions/{draft.pk}/modifier/"),
            },
        ),
        (personas.coordination, f"/prescriptions/{sent.pk}/complement/", {"question": ""}),
        (personas.coordination, f"/prescriptions/{sent.pk}/refus/", {"motif_refus": "", "commentaire": "x"}),
        (personas.coordination, f"/prescriptions/{sent.pk}/acceptation/", {"referent": ""}),
        (personas.bureau_insertion, f"/prescriptions/{brsa.pk}/validation/bureau_insertion/avis/", {"avis": ""}),
        (personas.coordination, "/compte/invitations/nouvelle/", {"email": "", "first_name": "R2D2"}),
        (personas.coordination, "/notifications/tout-lu/", {}),
        (
            personas.coordination,
            "/agenda/absences/nouvelle/",
            {"referent": personas.referent_a.pk, "debut": "2026-02-31", "fin": "", "nature": "conge"},
        ),
        (personas.referent_a, "/agenda/absences/nouvelle/", {"debut": "", "fin": "2026-03-02", "nature": "maladie"}),
    ]


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_post_forms_never_fail_with_junk_query_parameters(personas, communes, client_for, junk):
    junk = junk.replace("\u0000", "")
    for user, url, data in _post_forms(personas, client_for):
        client = client_for(user)
        for response in post_both_ways(client, url, data, junk):
            assert response.status_code in OK_STATUSES, (url, junk[:20], response.status_code)
        # The junk goes in the form's own fields too.
        response = client.post(f"{url}?{urlencode(dict.fromkeys(QUERY_PARAMETERS, junk))}", dict.fromkeys(data, junk))
        assert response.status_code in OK_STATUSES, (url, junk[:20], response.status_code)


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
