"""Référents' posts and places of accompaniment, kept by the coordination; vacancies declared by the opérateur."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plie.accounts.models import LieuAccompagnement, ReferentProfile
from plie.territoire.models import Commune
from tests.conftest import Personas
from tests.factories import CommuneFactory, LieuFactory, ReferentFactory, StructureFactory


@pytest.mark.parametrize("page", ["/lieux/", "/lieux/nouveau/", "/lieux/{lieu}/", "/referents/{referent}/poste/"])
@pytest.mark.parametrize("who", Personas.NAMES)
def test_only_the_coordination_keeps_posts_and_places(named, client_for, who, page):
    url = page.format(lieu=LieuFactory().pk, referent=named.referent_a.pk)
    assert client_for(getattr(named, who)).get(url).status_code == (200 if who == "coordination" else 403)


def test_a_place_takes_a_commune_of_the_territory_only(named, communes, client_for):
    client = client_for(named.coordination)
    field = client.get("/lieux/nouveau/").context["form"].fields["commune"]
    offered = set(field.queryset.values_list("insee", flat=True))
    assert "79191" in offered  # Niort
    ailleurs = CommuneFactory(insee="75056", nom="Paris", epci_siren="200054781")
    assert ailleurs.insee not in offered
    response = client.post("/lieux/nouveau/", {"nom": "Permanence de Paris", "commune": ailleurs.pk})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    niort = Commune.objects.get(insee="79191")
    assert client.post("/lieux/nouveau/", {"nom": "Maison de l'emploi", "commune": niort.pk}).status_code == 302
    assert LieuAccompagnement.objects.get(nom="Maison de l'emploi").commune == niort


def test_the_place_list_searches_and_has_an_empty_state(named, client_for):
    LieuFactory(nom="Permanence du Clou-Bouchet")
    client = client_for(named.coordination)
    assert "Permanence du Clou-Bouchet" in client.get("/lieux/", {"q": "clou"}).content.decode()
    assert (
        "Aucun lieu d'accompagnement ne correspond à cette recherche"
        in client.get("/lieux/", {"q": "zzz"}).content.decode()
    )


def _poste(client, referent, **changes):
    form = client.get(f"/referents/{referent.pk}/poste/").context["form"]
    data = {
        "employeur": referent.structure_id,
        "etp": "1",
        "date_debut": "2020-01-01",
        "date_vacance": "",
        "instantane": form.initial["instantane"],
        **changes,
    }
    return client.post(f"/referents/{referent.pk}/poste/", data)


def test_the_coordination_edits_a_post_employer_etp_places_and_vacancy(named, client_for):
    client = client_for(named.coordination)
    lieu = LieuFactory()
    other = StructureFactory(operateur=True)
    response = _poste(client, named.referent_a, employeur=other.pk, etp="0,5", lieux=[lieu.pk])
    assert response.status_code == 302
    named.referent_a.refresh_from_db()
    profile = named.referent_a.referent_profile
    assert (named.referent_a.structure, profile.etp, list(profile.lieux.all())) == (other, Decimal("0.5"), [lieu])
    assert profile.actif
    assert _poste(client, named.referent_a, employeur=other.pk, date_vacance="2026-01-05").status_code == 302
    profile.refresh_from_db()
    assert (profile.actif, profile.date_vacance) == (False, datetime.date(2026, 1, 5))


def test_a_post_form_refuses_impossible_values_in_french(named, client_for):
    client = client_for(named.coordination)
    response = _poste(client, named.referent_a, etp="1,5", date_vacance="2019-01-01")
    content = response.content.decode()
    assert response.status_code == 200
    assert "La vacance ne peut précéder la prise de poste." in content
    assert "1,5" in content


def test_a_referent_without_a_post_gets_one(named, client_for):
    referent = ReferentFactory()
    ReferentProfile.objects.filter(user=referent).delete()
    client = client_for(named.coordination)
    response = client.post(
        f"/referents/{referent.pk}/poste/",
        {"employeur": referent.structure_id, "etp": "0,8", "date_debut": "2026-01-01", "date_vacance": ""},
    )
    assert response.status_code == 302
    assert ReferentProfile.objects.get(user=referent).etp == Decimal("0.80")


@pytest.mark.parametrize(
    ("who", "status"),
    [pytest.param(name, 200 if name in {"coordination", "operateur"} else 403, id=name) for name in Personas.NAMES],
)
def test_who_may_declare_a_vacancy(named, client_for, who, status):
    assert client_for(getattr(named, who)).get(f"/referents/{named.referent_a.pk}/vacance/").status_code == status


def test_an_operateur_cannot_declare_another_employers_vacancy(named, client_for):
    elsewhere = ReferentFactory()
    assert client_for(named.operateur).get(f"/referents/{elsewhere.pk}/vacance/").status_code == 404


def test_the_operateur_declares_a_vacancy_as_soon_as_it_starts(named, client_for):
    client = client_for(named.operateur)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    response = client.post(f"/referents/{named.referent_a.pk}/vacance/", {"date_vacance": tomorrow.isoformat()})
    assert "Déclarez la vacance dès qu&#x27;elle commence" in response.content.decode()
    response = client.post(f"/referents/{named.referent_a.pk}/vacance/", {"date_vacance": today.isoformat()})
    assert response.status_code == 302
    profile = ReferentProfile.objects.get(user=named.referent_a)
    assert (profile.actif, profile.date_vacance) == (False, today)
    assert profile.history.first().history_user == named.operateur
    # The référents page shows it, and the coordination home warns.
    assert "Vacant" in client.get("/referents/").content.decode()
    home = client_for(named.coordination).get("/").content.decode()
    assert "Postes vacants" in home
    assert named.referent_a.last_name in home


def test_the_operateur_sees_its_referents_only(named, client_for):
    elsewhere = ReferentFactory()
    content = client_for(named.operateur).get("/referents/").content.decode()
    assert named.referent_a.email in content and named.referent_b.email in content
    assert elsewhere.email not in content


def test_the_place_list_and_a_post_form_run_a_fixed_number_of_queries(named, client_for):
    client = client_for(named.coordination)

    def queries(path):
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        return len(context.captured_queries)

    poste = f"/referents/{named.referent_a.pk}/poste/"
    LieuFactory.create_batch(3)
    queries("/lieux/")  # the session's first request writes it
    small = queries("/lieux/"), queries(poste)
    LieuFactory.create_batch(40)
    assert (queries("/lieux/"), queries(poste)) == small
