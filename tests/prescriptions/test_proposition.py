"""The référent proposal: room first, then distance and load weighed together, then names."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.models import Etat
from plie.accounts.models import ReferentProfile
from plie.territoire.models import haversine_km
from prescriptions.proposition import proposer_referents
from tests.factories import CommuneFactory, LieuFactory, ParcoursFactory, ReferentFactory, UserFactory

NIORT = (Decimal("46.32313"), Decimal("-0.45877"))
CHAURAY = (Decimal("46.35977"), Decimal("-0.37935"))
PARTHENAY = (Decimal("46.64861"), Decimal("-0.24750"))
AIRVAULT = (Decimal("46.82528"), Decimal("-0.13722"))


def km(a, b):
    return haversine_km(float(a[0]), float(a[1]), float(b[0]), float(b[1]))


NIORT_CHAURAY = km(NIORT, CHAURAY)
NIORT_PARTHENAY = km(NIORT, PARTHENAY)
NIORT_AIRVAULT = km(NIORT, AIRVAULT)


def test_the_expected_distances_are_the_known_ones():
    """The expectations below are computed, so pin them to as-the-crow-flies kilometres one can check on a map."""
    assert round(NIORT_CHAURAY, 2) == 7.33
    assert round(NIORT_PARTHENAY, 2) == 39.64
    assert round(NIORT_AIRVAULT, 2) == 61.01


@pytest.fixture
def territoire(niort):
    def commune(insee, nom, centroid):
        lat, lon = centroid or (None, None)
        return CommuneFactory(insee=insee, nom=nom, latitude=lat, longitude=lon)

    return {
        "niort": commune("79191", "Niort", NIORT),
        "chauray": commune("79081", "Chauray", CHAURAY),
        "parthenay": commune("79202", "Parthenay", PARTHENAY),
        "airvault": commune("79005", "Airvault", AIRVAULT),
        "aiffres": commune("79003", "Aiffres", None),  # centroid unknown
    }


def lieu(commune, nom=None):
    return LieuFactory(commune=commune, nom=nom or f"Permanence de {commune.nom}")


def referent(nom, *lieux, etp="1", file_active=0, prenom="Camille"):
    r = ReferentFactory(first_name=prenom, last_name=nom, profile__etp=Decimal(etp))
    r.referent_profile.lieux.add(*lieux)
    ParcoursFactory.create_batch(file_active, etat=Etat.ACCOMPAGNEMENT, referent=r)
    return r


def noms(propositions):
    return [p.referent.last_name for p in propositions]


def test_full_referent_close_by_ranks_after_a_farther_one_with_room(niort, territoire):
    proche = referent("Aubert", lieu(territoire["niort"]), etp="0.5", file_active=20)
    loin = referent("Bernard", lieu(territoire["parthenay"]), file_active=10)
    ParcoursFactory(etat=Etat.SORTI, referent=loin)  # out of the file active

    premier, second = proposer_referents(territoire["niort"], niort)

    assert (premier.rang, premier.referent, second.rang, second.referent) == (1, loin, 2, proche)
    assert premier.distance_km == pytest.approx(NIORT_PARTHENAY)
    assert (premier.file_active, premier.capacite, premier.etp) == (10, 40, Decimal("1.00"))
    assert (premier.taux, premier.places_libres, premier.complet) == (25, 30, False)
    assert premier.score == pytest.approx(NIORT_PARTHENAY + 0.25 * 20)
    assert second.distance_km == 0
    assert (second.file_active, second.capacite, second.etp) == (20, 20, Decimal("0.50"))
    assert (second.taux, second.places_libres, second.complet) == (100, 0, True)
    # Its score alone (0 km + a full load = 20) would have put it first.
    assert second.score == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("km_charge_pleine", "ordre"),
    [
        # 15/20 weighs 15 km: more than the 7.3 km to Chauray.
        (20, ["Dupont", "Chevalier"]),
        # 15/20 weighs 3.75 km: less than the 7.3 km to Chauray.
        (5, ["Chevalier", "Dupont"]),
    ],
)
def test_among_referents_with_room_the_score_weighs_distance_against_load(niort, territoire, km_charge_pleine, ordre):
    niort.proposition_km_charge_pleine = km_charge_pleine
    niort.save()
    referent("Chevalier", lieu(territoire["niort"]), etp="0.5", file_active=15)
    referent("Dupont", lieu(territoire["chauray"]), file_active=0)

    propositions = proposer_referents(territoire["niort"], niort)

    assert noms(propositions) == ordre
    assert [p.rang for p in propositions] == [1, 2]
    by_name = {p.referent.last_name: p for p in propositions}
    chevalier, dupont = by_name["Chevalier"], by_name["Dupont"]
    assert (chevalier.distance_km, chevalier.file_active, chevalier.capacite, chevalier.taux) == (0, 15, 20, 75)
    assert chevalier.score == pytest.approx(0.75 * km_charge_pleine)
    assert (dupont.file_active, dupont.capacite, dupont.taux) == (0, 40, 0)
    assert dupont.distance_km == pytest.approx(NIORT_CHAURAY)
    assert dupont.score == pytest.approx(NIORT_CHAURAY)


def test_referents_with_unknown_distance_come_after_the_known_ones_by_load(niort, territoire):
    connu = referent("Zola", lieu(territoire["airvault"]), file_active=30)
    sans_lieu = referent("Aubry")
    sans_centroide = referent("Adam", lieu(territoire["aiffres"]), file_active=2)

    propositions = proposer_referents(territoire["niort"], niort)

    assert [p.referent for p in propositions] == [connu, sans_lieu, sans_centroide]
    assert propositions[0].distance_km == pytest.approx(NIORT_AIRVAULT)
    assert propositions[0].score == pytest.approx(NIORT_AIRVAULT + 0.75 * 20)
    for p in propositions[1:]:
        assert (p.lieu, p.distance_km, p.score) == (None, None, None)
    assert [(p.rang, p.file_active, p.taux) for p in propositions] == [(1, 30, 75), (2, 0, 0), (3, 2, 5)]


@pytest.mark.parametrize("sans_centroide", [False, True], ids=["sans commune", "commune sans centroide"])
def test_person_without_a_located_commune_ranks_by_load(niort, territoire, sans_centroide):
    commune = territoire["aiffres"] if sans_centroide else None
    referent("Abadie", lieu(territoire["niort"]), etp="0.1", file_active=4)  # full: 4 / 4
    referent("Hamon", lieu(territoire["niort"]), file_active=10)  # 25 %
    referent("Ibert", lieu(territoire["chauray"]), etp="0.5", file_active=2)  # 10 %
    referent("Jacob")  # 0 %

    propositions = proposer_referents(commune, niort)

    assert noms(propositions) == ["Jacob", "Ibert", "Hamon", "Abadie"]
    assert all((p.lieu, p.distance_km, p.score) == (None, None, None) for p in propositions)
    assert [(p.file_active, p.capacite, p.taux, p.complet) for p in propositions] == [
        (0, 40, 0, False),
        (2, 20, 10, False),
        (10, 40, 25, False),
        (4, 4, 100, True),
    ]


def test_ties_are_broken_by_last_name_then_first_name(niort, territoire):
    place = territoire["chauray"]
    referent("Martin", lieu(place), prenom="Paul")
    referent("Martin", lieu(place), prenom="Anne")
    referent("Leroy", lieu(place), prenom="Zoé")

    propositions = proposer_referents(territoire["niort"], niort)

    assert [(p.referent.last_name, p.referent.first_name) for p in propositions] == [
        ("Leroy", "Zoé"),
        ("Martin", "Anne"),
        ("Martin", "Paul"),
    ]
    assert [p.score for p in propositions] == [pytest.approx(NIORT_CHAURAY)] * 3


def test_only_referents_in_post_are_proposed(niort, territoire):
    en_poste = referent("Fabre", lieu(territoire["chauray"]))
    vacant = referent("Garnier", lieu(territoire["niort"]))
    ReferentProfile.objects.filter(user=vacant).update(actif=False, date_vacance=datetime.date(2025, 9, 1))
    UserFactory(last_name="Coordinatrice")

    propositions = proposer_referents(territoire["niort"], niort)

    assert [(p.rang, p.referent) for p in propositions] == [(1, en_poste)]


def test_the_closest_of_the_referents_places_is_chosen(niort, territoire):
    chauray = lieu(territoire["chauray"], "Maison de l'emploi")
    r = referent(
        "Lambert",
        lieu(territoire["aiffres"]),  # first by commune name, but no centroid
        lieu(territoire["airvault"]),
        chauray,
        lieu(territoire["parthenay"]),
    )

    (proposition,) = proposer_referents(territoire["niort"], niort)

    assert (proposition.referent, proposition.lieu) == (r, chauray)
    assert proposition.distance_km == pytest.approx(NIORT_CHAURAY)


def test_explication_reads_in_french_with_a_decimal_comma(niort, territoire):
    referent("Chevalier", lieu(territoire["chauray"], "Maison de l'emploi"), etp="0.5", file_active=15)
    referent("Dupont")

    connu, inconnu = proposer_referents(territoire["niort"], niort)

    assert connu.explication == "7,3 km (Maison de l'emploi, Chauray) ; 15 / 20 participants (75 %)"
    assert inconnu.explication == "distance inconnue ; 0 / 40 participants (0 %)"
    # What the acceptance page's table shows, formatted once.
    assert (connu.distance_affichee, connu.etp_affiche, str(connu.lieu)) == (
        "7,3 km",
        "0,5",
        "Maison de l'emploi (Chauray)",
    )
    assert connu.score_affiche == f"{connu.score:.1f}".replace(".", ",")
    assert (inconnu.distance_affichee, inconnu.score_affiche, inconnu.etp_affiche) == ("inconnue", "—", "1")


@pytest.mark.parametrize(("etp", "affiche"), [("1", "1"), ("0.8", "0,8"), ("0.75", "0,75"), ("0.50", "0,5")])
def test_the_etp_reads_without_trailing_zeros(niort, territoire, etp, affiche):
    referent("Chevalier", etp=etp)
    (proposition,) = proposer_referents(territoire["niort"], niort)
    assert proposition.etp_affiche == affiche


def test_a_post_without_capacity_counts_as_full(niort, territoire):
    niort.file_active_par_etp = 5
    niort.save()
    vide = referent("Perrin", lieu(territoire["niort"]), etp="0.1")  # 5 × 0.1 → 0 place
    charge = referent("Roux", lieu(territoire["parthenay"]), file_active=4)

    propositions = proposer_referents(territoire["niort"], niort)

    assert [p.referent for p in propositions] == [charge, vide]
    assert (propositions[1].capacite, propositions[1].taux, propositions[1].complet) == (0, 0, True)
    assert propositions[1].score == pytest.approx(20.0)


def test_query_count_does_not_grow_with_referents_and_places(niort, territoire):
    def count_for(n):
        for i in range(n):
            commune = CommuneFactory(latitude=Decimal("46.3") + Decimal(i) / 100)
            referent(f"Nom{n}-{i}", lieu(commune), lieu(territoire["chauray"]), file_active=1)
        with CaptureQueriesContext(connection) as queries:
            propositions = proposer_referents(territoire["niort"], niort)
            explications = [p.explication for p in propositions]
        assert len(explications) == len(propositions)
        return len(propositions), len(queries)

    # The référents with their load, then their places with their communes.
    assert count_for(2) == (2, 2)
    assert count_for(6) == (8, 2)  # 2 + 6 référents, each with two places
