"""The référents page: posts, places, vacancies and load, for the coordination and opérateurs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.models import Etat
from plie.accounts.models import ReferentProfile, Role
from tests.factories import LieuFactory, ParcoursFactory, ReferentFactory, StructureFactory, UserFactory


@pytest.fixture
def equipe(niort, communes):
    from plie.territoire.models import Commune

    chauray = Commune.objects.get(nom="Chauray")
    a = ReferentFactory(first_name="Anaïs", last_name="Fernandez")
    a.referent_profile.lieux.add(LieuFactory(nom="Permanence de Chauray", commune=chauray))
    b = ReferentFactory(first_name="Bruno", last_name="Lacroix", structure=StructureFactory(nom="Horizons"))
    ParcoursFactory.create_batch(3, etat=Etat.ACCOMPAGNEMENT, referent=a)
    ParcoursFactory(etat=Etat.SORTI, referent=a)
    return a, b


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COORDINATION, 200),
        (Role.OPERATEUR, 200),
        (Role.REFERENT, 403),
        (Role.PRESCRIPTEUR, 403),
        (Role.BUREAU_INSERTION, 403),
        (Role.FINANCEUR, 403),
    ],
)
def test_who_may_open_the_page(equipe, client_for, role, status):
    user = ReferentFactory() if role == Role.REFERENT else UserFactory(role=role)
    assert client_for(user).get("/referents/").status_code == status


def test_coordination_sees_every_post_with_its_load(equipe, client_for):
    a, b = equipe
    html = client_for(UserFactory(role=Role.COORDINATION)).get("/referents/").content.decode()
    assert "Anaïs Fernandez" in html and "Bruno Lacroix" in html
    assert "Permanence de Chauray" in html
    assert "40 (8 %)" in html  # 3 in file active (the exit does not count) for 1 ETP × 40


def test_operateur_sees_only_its_referents(equipe, client_for):
    a, b = equipe
    operateur = UserFactory(role=Role.OPERATEUR, structure=a.structure)
    html = client_for(operateur).get("/referents/").content.decode()
    assert "Anaïs Fernandez" in html
    assert "Bruno Lacroix" not in html
    assert 'name="structure"' not in html


def test_search_by_commune_and_filter_by_status(equipe, client_for):
    a, b = equipe
    ReferentProfile.objects.filter(user=b).update(actif=False, date_vacance=datetime.date(2026, 1, 5))
    client = client_for(UserFactory(role=Role.COORDINATION))
    html = client.get("/referents/", {"q": "chauray"}).content.decode()
    assert "Anaïs Fernandez" in html and "Bruno Lacroix" not in html
    # Searching through the places must not multiply the load figures.
    assert "40 (8 %)" in html
    html = client.get("/referents/", {"statut": "vacant"}).content.decode()
    assert "Bruno Lacroix" in html and "Anaïs Fernandez" not in html
    assert "05/01/2026" in html


def test_a_vacant_post_still_following_people_is_flagged(equipe, client_for):
    a, b = equipe
    ReferentProfile.objects.filter(user=a).update(actif=False, date_vacance=datetime.date(2026, 1, 5))
    html = client_for(UserFactory(role=Role.COORDINATION)).get("/referents/").content.decode()
    assert "à réorienter" in html


def test_query_count_does_not_grow_with_referents(equipe, client_for):
    client = client_for(UserFactory(role=Role.COORDINATION))
    client.get("/referents/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/referents/").status_code == 200
        return len(queries)

    few = count()
    for _ in range(6):
        referent = ReferentFactory()
        referent.referent_profile.lieux.add(LieuFactory())
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent)
    assert count() == few
