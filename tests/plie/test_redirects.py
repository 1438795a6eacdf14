"""A ``next`` parameter sends a person back to a page of this site, or to the default page: never
elsewhere, never a 500 (a scanner found ``next=foo`` answering 500 after saving a contact attempt)."""

import pathlib
import re
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from django.urls import reverse

from parcours.models import CanalContact, Etat, TentativeContact
from plie.redirects import safe_next
from tests.factories import ParcoursFactory

JUNK_NEXT = [
    "foo",
    "parcours:detail",
    "//evil.example",
    "https://evil.example/",
    "http://testserver.evil.example/",
    "/\\evil",
    "\\\\evil",
    "javascript:alert(1)",
    " /",
    "/" + "a" * 5000,
    "/\x01evil",
    "/\ttab",
    "é🙂",
    "%2F%2Fevil.example",
]


@pytest.mark.parametrize("value", JUNK_NEXT, ids=range(len(JUNK_NEXT)))
def test_safe_next_refuses_what_is_not_a_local_path(value):
    assert safe_next(RequestFactory().post("/", {"next": value}), "/accueil/") == "/accueil/"
    assert safe_next(RequestFactory().get("/", {"next": value}), "/accueil/") == "/accueil/"


@pytest.mark.parametrize("value", ["/", "/parcours/12/", "/parcours/?page=2&q=é", "/prescriptions/#fiche"])
def test_safe_next_keeps_a_local_path(value):
    assert safe_next(RequestFactory().get("/", {"next": value}), "/accueil/") == value


def test_safe_next_reads_the_form_before_the_query_string():
    request = RequestFactory().post("/?next=/b/", {"next": "/a/"})
    assert safe_next(request, "/") == "/a/"


# Every view that reads ``next``: (url of a parcours, data that saves, the rows it creates).
@pytest.fixture
def oriente(named):
    return ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a, prescripteur=named.prescripteur)


def _tentative(parcours):
    return reverse("parcours:tentative_contact", args=[parcours.pk]), {"canal": CanalContact.TELEPHONE}


VIEWS_READING_NEXT = [pytest.param(_tentative, id="tentative_contact")]


@pytest.mark.parametrize("view", VIEWS_READING_NEXT)
@pytest.mark.parametrize("value", JUNK_NEXT, ids=range(len(JUNK_NEXT)))
@pytest.mark.parametrize("where", ["post", "query"])
def test_junk_next_redirects_to_the_parcours_after_saving(named, oriente, client_for, view, value, where):
    url, data = view(oriente)
    client = client_for(named.referent_a)
    if where == "post":
        response = client.post(url, {**data, "next": value})
    else:
        response = client.post(f"{url}?{_query(value)}", data)
    assert response.status_code == 302
    assert response["Location"] == f"/parcours/{oriente.pk}/"
    assert TentativeContact.objects.filter(parcours=oriente).count() == 1


@pytest.mark.parametrize("view", VIEWS_READING_NEXT)
@pytest.mark.parametrize("value", JUNK_NEXT, ids=range(len(JUNK_NEXT)))
def test_junk_next_is_not_echoed_in_the_form(named, oriente, client_for, view, value):
    url, _data = view(oriente)
    response = client_for(named.referent_a).get(url, {"next": value})
    assert response.status_code == 200
    assert 'name="next"' not in response.content.decode()


@pytest.mark.parametrize("view", VIEWS_READING_NEXT)
def test_a_local_next_is_followed(named, oriente, client_for, view):
    url, data = view(oriente)
    client = client_for(named.referent_a)
    assert 'name="next" value="/"' in client.get(url, {"next": "/"}).content.decode()
    response = client.post(url, {**data, "next": "/?page=2"})
    assert response["Location"] == "/?page=2"


def _query(value):
    return urlencode({"next": value})


def test_every_view_reading_next_is_listed():
    """A view that starts reading ``next`` must use safe_next and be added to VIEWS_READING_NEXT."""
    root = pathlib.Path(__file__).resolve().parents[2]
    readers = set()
    for app in ("parcours", "prescriptions", "plie", "cellules", "sorties", "financement"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"""(GET|POST|REQUEST)(\.get\(|\[)\s*["']next["']""", text):
                readers.add(path.relative_to(root).as_posix())
    assert readers == {"plie/redirects.py"}, "Read « next » through plie.redirects.safe_next."
