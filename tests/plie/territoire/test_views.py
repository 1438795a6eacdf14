"""The territoire pages: the communes of the référentiel, their search and coordinates."""

import re
from html import unescape

import pytest
from django.utils.html import escape

from plie.territoire.models import Commune
from tests.html import field_block, field_value, page
from tests.snapshots import instantane

# --- territoire -------------------------------------------------------------------------------


def commune_names(content):
    return {unescape(name) for name in re.findall(r"<tr>\s*<td>([^<]+)</td><td>\d{5}</td>", content)}


@pytest.fixture
def coordination_client(named, communes, client_for):
    return client_for(named.coordination)


def test_territoire_lists_the_referentiel_communes(coordination_client):
    names = commune_names(page(coordination_client, "/territoire/"))
    assert len(names) == 40
    assert {"Niort", "Chauray", "Amuré"} <= names
    assert "Périers-sur-le-Dan" not in names  # Caen's territory


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("q=chauray", {"Chauray"}, id="name-any-case"),
        pytest.param("q=79180", {"Chauray"}, id="postcode"),
        pytest.param("q=79160", {"Villiers-en-Plaine"}, id="other-postcode"),
        pytest.param("q=79191", {"Niort"}, id="insee"),
        pytest.param("q=Saint-G", {"Saint-Gelais", "Saint-Georges-de-Rex"}, id="partial-name"),
    ],
)
def test_territoire_search(coordination_client, query, expected):
    assert commune_names(page(coordination_client, f"/territoire/?{query}")) == expected


def test_territoire_filter_without_coordinates(coordination_client):
    names = commune_names(page(coordination_client, "/territoire/?sans_coordonnees=on"))
    assert names == set(
        Commune.objects.filter(epci_siren="200041317", latitude__isnull=True).values_list("nom", flat=True)
    )
    assert "Amuré" in names
    assert "Niort" not in names
    names = commune_names(page(coordination_client, "/territoire/?q=79210&sans_coordonnees=on"))
    assert names == {"Amuré", "Le Bourdet", "Prin-Deyrançon", "Saint-Georges-de-Rex"}


def test_territoire_edit_saves_coordinates(coordination_client):
    response = coordination_client.post(
        "/territoire/79009/",
        {"latitude": "46.26752", "longitude": "-0.61453", **instantane(coordination_client, "/territoire/79009/")},
    )
    assert response.status_code == 302
    assert response["Location"] == "/territoire/"
    amure = Commune.objects.get(insee="79009")
    assert (str(amure.latitude), str(amure.longitude)) == ("46.26752", "-0.61453")
    assert "Amuré" not in commune_names(page(coordination_client, "/territoire/?sans_coordonnees=on"))


def test_territoire_edit_accepts_a_decimal_comma(coordination_client):
    response = coordination_client.post(
        "/territoire/79009/",
        {"latitude": "46,26752", "longitude": "-0,61453", **instantane(coordination_client, "/territoire/79009/")},
    )
    assert response.status_code == 302
    amure = Commune.objects.get(insee="79009")
    assert (str(amure.latitude), str(amure.longitude)) == ("46.26752", "-0.61453")


def test_territoire_edit_can_clear_both_coordinates(coordination_client):
    response = coordination_client.post(
        "/territoire/79191/", {"latitude": "", "longitude": "", **instantane(coordination_client, "/territoire/79191/")}
    )
    assert response.status_code == 302
    assert not Commune.objects.get(insee="79191").has_centroid


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"latitude": "95", "longitude": "-0.4"}, "latitude", "La latitude est comprise entre -90 et 90.", id="lat95"
        ),
        pytest.param(
            {"latitude": "46.3", "longitude": "-190"},
            "longitude",
            "La longitude est comprise entre -180 et 180.",
            id="lon-190",
        ),
        pytest.param(
            {"latitude": "46.3", "longitude": ""},
            None,
            "Indiquez la latitude et la longitude, ou aucune des deux.",
            id="latitude-only",
        ),
        pytest.param(
            {"latitude": "", "longitude": "-0.4"},
            None,
            "Indiquez la latitude et la longitude, ou aucune des deux.",
            id="longitude-only",
        ),
    ],
)
@pytest.mark.parametrize("insee", ["79009", "79191"], ids=["without-centroid", "with-centroid"])
def test_territoire_edit_refuses_bad_coordinates(coordination_client, data, field, message, insee):
    before = Commune.objects.filter(insee=insee).values("latitude", "longitude").get()
    response = coordination_client.post(f"/territoire/{insee}/", data)
    assert response.status_code == 200
    content = response.content.decode()
    assert escape(message) in (field_block(content, field) if field else content)
    if field:
        assert field_value(field_block(content, field), field) == data[field]
    assert Commune.objects.filter(insee=insee).values("latitude", "longitude").get() == before


def test_territoire_unknown_commune_is_404(coordination_client):
    assert coordination_client.get("/territoire/00000/").status_code == 404
