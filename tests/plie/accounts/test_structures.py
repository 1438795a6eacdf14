"""The coordination keeps the structures of every type without the Django admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plie.accounts.models import PrescripteurKind, Structure, StructureType
from tests.conftest import Personas
from tests.factories import CommuneFactory, StructureFactory

PAGES = ["/structures/", "/structures/nouvelle/", "/structures/{pk}/"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", Personas.NAMES)
def test_only_the_coordination_opens_the_structure_pages(named, client_for, who, page):
    url = page.format(pk=named.referent_a.structure_id)
    response = client_for(getattr(named, who)).get(url)
    assert response.status_code == (200 if who == "coordination" else 403)


def test_the_list_searches_filters_and_says_when_nothing_matches(named, client_for):
    StructureFactory(nom="CCAS de Chauray", prescripteur=True)
    client = client_for(named.coordination)
    content = client.get("/structures/", {"q": "chauray"}).content.decode()
    assert "CCAS de Chauray" in content
    assert named.financeur.structure.nom not in content
    content = client.get("/structures/", {"type": StructureType.FINANCEUR}).content.decode()
    assert named.financeur.structure.nom in content and "CCAS de Chauray" not in content
    content = client.get("/structures/", {"q": "introuvable"}).content.decode()
    assert "Aucune structure ne correspond à cette recherche" in content


@pytest.mark.parametrize("kind", list(StructureType))
def test_the_coordination_creates_a_structure_of_every_type(named, client_for, kind):
    data = {"nom": f"Nouvelle {kind}", "type": kind, "type_prescripteur": "", "siret": "", "email": "", "active": "on"}
    if kind == StructureType.PRESCRIPTEUR:
        data["type_prescripteur"] = PrescripteurKind.CCAS
    response = client_for(named.coordination).post("/structures/nouvelle/", data)
    assert response.status_code == 302
    structure = Structure.objects.get(nom=f"Nouvelle {kind}")
    assert structure.type == kind
    assert structure.history.first().history_user == named.coordination


def test_a_prescripteur_structure_without_its_kind_is_refused_in_french(named, client_for):
    data = {"nom": "Sans type", "type": StructureType.PRESCRIPTEUR, "type_prescripteur": "", "siret": "12"}
    response = client_for(named.coordination).post("/structures/nouvelle/", data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Le type de prescripteur est obligatoire" in content
    assert "Le SIRET compte 14 chiffres." in content
    assert 'value="Sans type"' in content
    assert not Structure.objects.filter(nom="Sans type").exists()


def test_editing_detects_a_concurrent_change(named, client_for):
    structure = named.financeur.structure
    client = client_for(named.coordination)
    form = client.get(f"/structures/{structure.pk}/").context["form"]
    snapshot = form.initial["instantane"]
    Structure.objects.filter(pk=structure.pk).update(nom="Renommée ailleurs")
    data = {"nom": "Ma version", "type": structure.type, "active": "on", "instantane": snapshot}
    response = client.post(f"/structures/{structure.pk}/", data)
    assert response.status_code == 200
    assert "Quelqu&#x27;un d&#x27;autre a modifié cette fiche" in response.content.decode()
    structure.refresh_from_db()
    assert structure.nom == "Renommée ailleurs"
    data["instantane"] = response.context["form"].data["instantane"]
    assert client.post(f"/structures/{structure.pk}/", data).status_code == 302
    structure.refresh_from_db()
    assert structure.nom == "Ma version"


def test_the_list_runs_as_many_queries_for_forty_structures_as_for_a_few(named, client_for):
    client = client_for(named.coordination)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/structures/").status_code == 200
        return len(context.captured_queries)

    queries()  # the session's first request writes it
    small = queries()
    StructureFactory.create_batch(40, commune=CommuneFactory())
    assert queries() == small
