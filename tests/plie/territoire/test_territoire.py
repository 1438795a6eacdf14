"""The shipped territories and the distance used to rank référents."""

import json
from decimal import Decimal

import pytest

from plie.territoire.models import Commune, haversine_km
from plie.territoire.services import DATA_FILE, load_communes


def test_shipped_data_covers_both_territories():
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    by_epci = {}
    for row in rows:
        by_epci.setdefault(row["epci_siren"], []).append(row)
    assert len(by_epci["200041317"]) == 40  # CA du Niortais
    assert len(by_epci["200065597"]) == 48  # CU Caen la Mer
    assert len({row["insee"] for row in rows}) == 88
    for row in rows:
        assert len(row["insee"]) == 5 and row["codes_postaux"], row
        assert all(len(cp) == 5 and cp.isdigit() for cp in row["codes_postaux"])
        if row["latitude"] is not None:
            # Within a few dozen km of Niort or Caen.
            assert 46.0 < row["latitude"] < 49.5 and -1.0 < row["longitude"] < 0.0, row


def test_load_communes_is_idempotent_and_keeps_hand_fixed_coordinates(db):
    assert load_communes() == (88, 0)
    niort = Commune.objects.get(insee="79191")
    assert niort.nom == "Niort" and niort.epci_siren == "200041317" and niort.has_centroid
    missing = Commune.objects.filter(latitude__isnull=True).first()
    missing.latitude, missing.longitude = Decimal("46.2"), Decimal("-0.6")
    missing.save()
    assert load_communes() == (0, 88)
    missing.refresh_from_db()
    assert missing.latitude == Decimal("46.20000")
    assert Commune.objects.count() == 88


def test_caen_and_its_postcodes(db):
    load_communes()
    caen = Commune.objects.get(insee="14118")
    assert caen.epci_siren == "200065597"
    assert "14000" in caen.postcode_list
    assert Commune.objects.search("14000").filter(pk=caen.pk).exists()
    assert Commune.objects.search("caen").filter(pk=caen.pk).exists()
    assert Commune.objects.in_epcis(["200065597"]).count() == 48


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ((46.3231, -0.4588), (46.3231, -0.4588), 0.0),
        ((0.0, 0.0), (0.0, 1.0), 111.19),  # one degree of longitude at the equator
        ((48.8566, 2.3522), (45.7640, 4.8357), 391.5),  # Paris – Lyon
        ((46.3231, -0.4588), (49.1829, -0.3707), 318.2),  # Niort – Caen
    ],
)
def test_haversine_known_distances(a, b, km):
    assert haversine_km(*a, *b) == pytest.approx(km, abs=0.5)


def test_distance_between_communes_needs_both_centroids(db):
    load_communes()
    niort = Commune.objects.get(insee="79191")
    chauray = Commune.objects.get(nom="Chauray")
    assert 3 < niort.distance_km(chauray) < 8
    sans = Commune.objects.filter(latitude__isnull=True).first()
    assert niort.distance_km(sans) is None
