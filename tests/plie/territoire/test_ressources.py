"""The catalogue of the ressources du territoire: presets of both PLIEs, the coordination's pages, the search."""

from html import unescape

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plie.referentiel.models import Referentiel
from plie.referentiel.presets import PRESETS
from plie.referentiel.services import load_preset, load_ressources
from plie.territoire.models import CategorieRessource, RessourceTerritoire
from tests.conftest import Personas
from tests.factories import EtapeFactory, RessourceFactory, StructureFactory, UserFactory

MAY_READ = {"coordination", "referent_a", "referent_b"}


def page(response) -> str:
    return unescape(response.content.decode())


def names(response) -> list[str]:
    return [r.nom for r in response.context["page_obj"]]


# --- the presets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "niort",
            {
                "Plateforme mobilité",
                "Écoute psychologique",
                "Offre de formation régionale (RAFAEL)",
                "Places en crèche et halte-garderie",
                "Tests MOTIVA+",
                "PMSMP (période de mise en situation en milieu professionnel)",
                "Accompagnement des personnes allophones et en situation d'illettrisme (CORAPLIS)",
                "Cours de français et ateliers de conversation",
                "Guichet clauses d'insertion du Niortais",
                "Expérimentation « Question de regard(s) » (50 ans et plus)",
            },
        ),
        (
            "caen",
            {
                "Opérations de la programmation du PLIE",
                "Chargé(e) de relation entreprise du PLIE",
                "Clauses sociales",
                "Outil OPUS (offres d'emploi)",
                "Ateliers de techniques de recherche d'emploi",
                "PMSMP (période de mise en situation en milieu professionnel)",
                "Référents RSA des Maisons départementales des solidarités",
            },
        ),
    ],
)
def test_each_plie_gets_its_own_catalogue_from_its_seed(db, code, expected):
    load_preset("niort")
    load_preset("caen")
    referentiel = Referentiel.objects.get(code=code)
    catalogue = RessourceTerritoire.objects.du_referentiel(referentiel)
    assert set(catalogue.values_list("nom", flat=True)) == expected
    assert all(r.active and r.porteur for r in catalogue)
    assert {r.categorie for r in catalogue} <= set(CategorieRessource.values)


def test_the_50_plus_experiment_says_it_counts_as_an_etape(niort):
    experiment = RessourceTerritoire.objects.get(nom__startswith="Expérimentation « Question de regard(s) »")
    assert "6 mois" in experiment.conditions and "étape du parcours" in experiment.conditions


def test_a_reset_restores_the_preset_values_and_keeps_what_the_coordination_added(niort):
    mobilite = RessourceTerritoire.objects.get(referentiel=niort, nom="Plateforme mobilité")
    RessourceTerritoire.objects.filter(pk=mobilite.pk).update(conditions="Changé", active=False)
    added = RessourceFactory(referentiel=niort, nom="Épicerie solidaire")
    load_preset("niort")
    mobilite.refresh_from_db()
    assert mobilite.conditions.startswith("Conseil en mobilité")
    assert RessourceTerritoire.objects.filter(pk=added.pk).exists()
    assert RessourceTerritoire.objects.filter(referentiel=niort).count() == len(PRESETS["niort"]["ressources"]) + 1


def test_without_reset_only_an_empty_catalogue_is_filled(niort):
    RessourceTerritoire.objects.filter(nom="Tests MOTIVA+").update(nom="MOTIVA+ (tests)")
    assert load_ressources(niort) == 0  # the coordination's renaming is not undone
    assert not RessourceTerritoire.objects.filter(nom="Tests MOTIVA+").exists()
    RessourceTerritoire.objects.all().delete()
    assert load_ressources(niort) == len(PRESETS["niort"]["ressources"])


def test_load_referentiels_fills_the_catalogue_of_a_referentiel_loaded_before_it(db, capsys):
    load_preset("caen", activate=True)
    RessourceTerritoire.objects.all().delete()  # as on a database loaded before the catalogue existed
    call_command("load_referentiels")
    assert RessourceTerritoire.objects.filter(referentiel__code="caen").count() == len(PRESETS["caen"]["ressources"])
    assert "ressources du territoire ajoutées" in capsys.readouterr().out


# --- who reaches the pages ----------------------------------------------------------------------


@pytest.mark.parametrize("who", Personas.NAMES)
def test_the_catalogue_is_read_by_referents_and_kept_by_the_coordination(personas, client_for, who):
    ressource = RessourceTerritoire.objects.get(nom="Plateforme mobilité")
    client = client_for(getattr(personas, who))
    assert client.get("/ressources/").status_code == (200 if who in MAY_READ else 403)
    manage = 200 if who == "coordination" else 403
    for url in [
        "/ressources/nouvelle/",
        f"/ressources/{ressource.pk}/",
        f"/ressources/{ressource.pk}/desactiver/",
    ]:
        assert client.get(url).status_code == manage, url
    response = client.post(f"/ressources/{ressource.pk}/desactiver/")
    assert response.status_code == (302 if who == "coordination" else 403)
    ressource.refresh_from_db()
    assert ressource.active is (who != "coordination")


def test_the_referent_reads_the_active_ressources_without_the_edit_buttons(personas, client_for):
    RessourceTerritoire.objects.filter(nom="Tests MOTIVA+").update(active=False)
    response = client_for(personas.referent_a).get("/ressources/")
    assert "Tests MOTIVA+" not in names(response)
    assert "Plateforme mobilité" in names(response)
    content = page(response)
    assert "Modifier" not in content and "Désactiver" not in content and "Nouvelle ressource" not in content
    assert "active" not in response.context["form"].fields  # nothing inactive to look for


# --- list, search, filters, pagination ----------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("creche", {"Places en crèche et halte-garderie"}),
        ("ÉCOUTE", {"Écoute psychologique"}),
        ("ecoute psy", {"Écoute psychologique"}),
        ("francais", {"Cours de français et ateliers de conversation"}),
        ("asfodep", {"Cours de français et ateliers de conversation"}),  # the porteur
        ("pmsmp", {"PMSMP (période de mise en situation en milieu professionnel)"}),
        ("introuvable", set()),
    ],
)
def test_the_search_ignores_accents_and_case(personas, client_for, q, expected):
    response = client_for(personas.coordination).get("/ressources/", {"q": q})
    assert set(names(response)) == expected


def test_the_search_finds_the_structure_s_name(personas, client_for):
    structure = StructureFactory(nom="Garage solidaire du Marais")
    RessourceFactory(nom="Location de scooters", porteur="", structure=structure)
    assert names(client_for(personas.referent_a).get("/ressources/", {"q": "marais"})) == ["Location de scooters"]


def test_filters_by_category_and_state(personas, client_for):
    RessourceTerritoire.objects.filter(nom="Cours de français et ateliers de conversation").update(active=False)
    client = client_for(personas.coordination)
    langue = names(client.get("/ressources/", {"categorie": "langue"}))
    assert set(langue) == {
        "Accompagnement des personnes allophones et en situation d'illettrisme (CORAPLIS)",
        "Cours de français et ateliers de conversation",
    }
    assert names(client.get("/ressources/", {"categorie": "langue", "active": "non"})) == [
        "Cours de français et ateliers de conversation"
    ]
    junk = client.get("/ressources/", {"categorie": "nimporte"})
    assert junk.status_code == 200
    assert "categorie" in junk.context["form"].errors
    assert len(names(junk)) == 10  # the junk filter is ignored, the list still shows


def test_the_list_is_paginated_and_has_an_empty_state(personas, client_for):
    for n in range(20):
        RessourceFactory(nom=f"Atelier numérique {n:02d}", categorie="autre")
    client = client_for(personas.coordination)
    first = client.get("/ressources/", {"categorie": "autre"})
    assert len(first.context["page_obj"]) == 20
    assert first.context["page_obj"].paginator.count == 20
    for _ in range(10):
        RessourceFactory(categorie="autre")
    second = client.get("/ressources/", {"categorie": "autre", "page": 2})
    assert second.context["page_obj"].number == 2
    assert "categorie=autre&amp;page=1" in second.content.decode()
    empty = page(client.get("/ressources/", {"q": "zzz"}))
    assert "Aucune ressource ne correspond à cette recherche" in empty


def test_a_ressource_of_another_plie_is_not_in_the_catalogue(personas, client_for):
    load_preset("caen")
    client = client_for(personas.coordination)
    assert "Clauses sociales" not in names(client.get("/ressources/", {"q": "clauses"}))
    caen = RessourceTerritoire.objects.get(nom="Clauses sociales")
    assert client.get(f"/ressources/{caen.pk}/").status_code == 404


# --- create, edit, deactivate -------------------------------------------------------------------


def test_the_coordination_adds_a_ressource(personas, client_for):
    response = client_for(personas.coordination).post(
        "/ressources/nouvelle/",
        {
            "nom": "  Épicerie   solidaire ",
            "categorie": "acces_droits",
            "porteur": "CCAS de Niort",
            "contact": "05 49 00 00 00",
            "conditions": "Sur orientation d'un travailleur social.",
        },
    )
    assert response.status_code == 302
    ressource = RessourceTerritoire.objects.get(nom="Épicerie solidaire")
    assert (ressource.referentiel.code, ressource.active, ressource.porteur_libelle) == ("niort", True, "CCAS de Niort")
    assert ressource.history.first().history_user == personas.coordination


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"nom": "plateforme MOBILITÉ", "categorie": "mobilite", "porteur": "X"}, "nom", "existe déjà"),
        ({"nom": "Sans porteur", "categorie": "mobilite"}, "porteur", "Indiquez la structure"),
        ({"nom": "", "categorie": "mobilite", "porteur": "X"}, "nom", "obligatoire"),
        ({"nom": "Catégorie", "categorie": "loisirs", "porteur": "X"}, "categorie", "choix valide"),
        ({"nom": "Long", "categorie": "autre", "porteur": "X", "conditions": "x" * 2001}, "conditions", "2000"),
    ],
)
def test_bad_input_gets_a_french_message_next_to_its_field(personas, client_for, data, field, message):
    before = RessourceTerritoire.objects.count()
    response = client_for(personas.coordination).post("/ressources/nouvelle/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert RessourceTerritoire.objects.count() == before


def test_deactivation_asks_for_confirmation_and_keeps_the_etapes(personas, client_for):
    mobilite = RessourceTerritoire.objects.get(nom="Plateforme mobilité")
    EtapeFactory(parcours=personas.parcours, ressource=mobilite)
    client = client_for(personas.coordination)
    confirmation = page(client.get(f"/ressources/{mobilite.pk}/desactiver/"))
    assert "Désactiver la ressource" in confirmation
    assert "l'étape qui la mobilise la garde" in confirmation
    mobilite.refresh_from_db()
    assert mobilite.active  # a GET changes nothing
    assert client.post(f"/ressources/{mobilite.pk}/desactiver/").status_code == 302
    mobilite.refresh_from_db()
    assert not mobilite.active
    assert mobilite.etapes.count() == 1
    assert client.get(f"/ressources/{mobilite.pk}/desactiver/").status_code == 404  # already inactive
    assert "Réactiver la ressource" in page(client.get(f"/ressources/{mobilite.pk}/reactiver/"))
    assert client.post(f"/ressources/{mobilite.pk}/reactiver/").status_code == 302
    mobilite.refresh_from_db()
    assert mobilite.active


def test_without_an_active_referentiel_the_catalogue_is_empty(db, client_for):
    load_preset("niort")  # loaded, not active
    coordination = UserFactory(role="coordination")
    client = client_for(coordination)
    response = client.get("/ressources/")
    assert response.context["page_obj"].paginator.count == 0
    assert "Aucun référentiel n'est actif" in page(response)
    assert client.get("/ressources/nouvelle/").status_code == 302


def test_the_list_query_count_does_not_grow_with_rows(personas, client_for):
    client = client_for(personas.coordination)
    client.get("/ressources/")  # warm the per-process caches

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get("/ressources/")
        return len(context.captured_queries), len(response.context["page_obj"])

    small, small_rows = count()
    for n in range(12):
        RessourceFactory(nom=f"Ressource portée {n}", porteur="", structure=StructureFactory())
    large, large_rows = count()
    assert large_rows > small_rows
    assert large == small
