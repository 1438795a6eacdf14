"""Étapes de parcours: who reaches the pages, the state machine, bad input, the rule helpers, query counts."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.etapes import TRANSITIONS, CategorieEtape, EtapeError, EtatEtape, TypeEtape, categorie_de
from parcours.models import Etape, Etat, EvenementEtape
from plie.acces.models import AccesDossier
from plie.territoire.models import RessourceTerritoire
from tests.conftest import Personas
from tests.factories import EtapeFactory, ParcoursFactory, RessourceFactory

TODAY = datetime.date(2026, 3, 16)
DAY = datetime.timedelta(days=1)
MAY = {"coordination", "referent_a"}


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC), tick=False)


def page(response) -> str:
    return unescape(response.content.decode())


def ressource(nom):
    return RessourceTerritoire.objects.get(nom=nom)


# --- who reaches the pages --------------------------------------------------------------------


def urls(personas):
    parcours = personas.parcours
    planned = EtapeFactory(parcours=parcours, etat="prevue")
    ongoing = EtapeFactory(parcours=parcours)
    return [
        f"/parcours/{parcours.pk}/etapes/nouvelle/",
        f"/parcours/{parcours.pk}/etapes/{planned.pk}/",
        f"/parcours/{parcours.pk}/etapes/{planned.pk}/commencer/",
        f"/parcours/{parcours.pk}/etapes/{ongoing.pk}/terminer/",
        f"/parcours/{parcours.pk}/etapes/{ongoing.pk}/abandonner/",
    ]


@pytest.mark.parametrize("who", Personas.NAMES)
def test_the_etape_pages_exist_only_for_the_referent_and_the_coordination(personas, client_for, who):
    client = client_for(getattr(personas, who))
    for url in urls(personas):
        response = client.get(url)
        assert response.status_code == (200 if who in MAY else 404), url
        # A named person's file: every request is logged, refused or not.
        row = AccesDossier.objects.filter(utilisateur=getattr(personas, who), chemin=url).get()
        assert (row.objet_id, row.refuse) == (personas.parcours.pk, who not in MAY)


@pytest.mark.parametrize("who", Personas.NAMES)
def test_a_post_from_whom_may_not_is_a_404_and_changes_nothing(personas, client_for, who):
    if who in MAY:
        return
    etape = EtapeFactory(parcours=personas.parcours)
    client = client_for(getattr(personas, who))
    url = f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}/terminer/"
    assert client.post(url, {"date": "15/03/2026"}).status_code == 404
    new = f"/parcours/{personas.parcours.pk}/etapes/nouvelle/"
    assert client.post(new, {"type": "autre", "date_debut": "16/03/2026"}).status_code == 404
    etape.refresh_from_db()
    assert etape.etat == EtatEtape.EN_COURS
    assert Etape.objects.count() == 1


@pytest.mark.parametrize("who", Personas.NAMES)
def test_the_parcours_page_shows_the_etapes_to_whom_may_see_them(personas, client_for, who):
    EtapeFactory(parcours=personas.parcours, ressource=ressource("Plateforme mobilité"), commentaire="Permis B visé")
    response = client_for(getattr(personas, who)).get(f"/parcours/{personas.parcours.pk}/")
    if response.status_code == 404:
        assert who not in MAY
        return
    content = page(response)
    assert ("Étapes du parcours" in content) is (who in MAY)
    assert ("Plateforme mobilité" in content) is (who in MAY)
    assert ("Permis B visé" in content) is (who in MAY)


def test_an_étape_of_another_parcours_is_a_404(personas, client_for):
    other = EtapeFactory()  # another référent's participant
    client = client_for(personas.referent_a)
    assert client.get(f"/parcours/{personas.parcours.pk}/etapes/{other.pk}/").status_code == 404
    assert client.get(f"/parcours/{other.parcours.pk}/etapes/{other.pk}/").status_code == 404


def test_a_closed_parcours_takes_no_new_etape(personas, client_for):
    parcours = ParcoursFactory(etat=Etat.SORTI, referent=personas.referent_a)
    etape = EtapeFactory(parcours=parcours, etat="realisee")
    client = client_for(personas.referent_a)
    assert client.get(f"/parcours/{parcours.pk}/etapes/nouvelle/").status_code == 404
    assert client.get(f"/parcours/{parcours.pk}/etapes/{etape.pk}/").status_code == 404
    content = page(client.get(f"/parcours/{parcours.pk}/"))
    assert "Étapes du parcours" in content  # still read
    assert "Ajouter une étape" not in content


def test_an_unknown_transition_in_the_url_is_a_404(personas, client_for):
    etape = EtapeFactory(parcours=personas.parcours, etat="prevue")
    client = client_for(personas.coordination)
    for name in ["planifier", "supprimer", "terminer"]:  # a creation, nothing, not from « prévue »
        assert client.get(f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}/{name}/").status_code == 404


# --- adding and editing -------------------------------------------------------------------------


def test_the_referent_plans_an_etape_from_the_catalogue(personas, client_for):
    parcours = personas.parcours
    creche = ressource("Places en crèche et halte-garderie")
    response = client_for(personas.referent_a).post(
        f"/parcours/{parcours.pk}/etapes/nouvelle/",
        {
            "type": "levee_frein",
            "ressource": creche.pk,
            "date_debut": "01/04/2026",
            "date_fin_prevue": "30/06/2026",
            "commentaire": "Place demandée pour la rentrée",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/parcours/{parcours.pk}/#etapes"
    etape = parcours.etapes.get()
    assert (etape.type, etape.etat, etape.ressource, etape.date_debut, etape.date_fin_prevue, etape.cree_par) == (
        TypeEtape.LEVEE_FREIN,
        EtatEtape.PREVUE,
        creche,
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
        personas.referent_a,
    )
    [log] = etape.evenements.all()
    assert (log.transition, log.etat_avant, log.etat_apres, log.auteur) == (
        "planifier",
        "",
        "prevue",
        personas.referent_a,
    )
    content = page(client_for(personas.referent_a).get(f"/parcours/{parcours.pk}/"))
    assert "Levée de frein" in content
    assert "début prévu le 01/04/2026, fin prévue le 30/06/2026" in content
    assert "Places en crèche et halte-garderie" in content


def test_an_etape_already_begun_is_recorded_in_progress(personas, client_for):
    response = client_for(personas.coordination).post(
        f"/parcours/{personas.parcours.pk}/etapes/nouvelle/",
        {"type": "emploi_iae", "date_debut": "02/03/2026", "commencee": "on"},
    )
    assert response.status_code == 302
    etape = personas.parcours.etapes.get()
    assert (etape.etat, etape.date_debut) == (EtatEtape.EN_COURS, datetime.date(2026, 3, 2))
    assert etape.evenements.get().transition == "enregistrer_en_cours"


def test_an_etape_ending_before_it_starts_is_refused_next_to_the_field_keeping_the_typing(personas, client_for):
    typed = {
        "type": "formation_qualifiante",
        "date_debut": "01/05/2026",
        "date_fin_prevue": "01/04/2026",
        "commentaire": "Titre professionnel d'agent de propreté",
    }
    response = client_for(personas.referent_a).post(f"/parcours/{personas.parcours.pk}/etapes/nouvelle/", typed)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"date_fin_prevue": ["La fin prévue ne peut précéder le début de l'étape (01/05/2026)."]}
    content = page(response)
    assert 'id="id_date_fin_prevue"' in content and "is-invalid" in content
    assert "Titre professionnel d'agent de propreté" in content  # nothing typed is lost
    assert form["date_debut"].value() == "01/05/2026"
    assert not Etape.objects.exists()


def test_an_etape_begun_in_the_future_is_refused(personas, client_for):
    response = client_for(personas.referent_a).post(
        f"/parcours/{personas.parcours.pk}/etapes/nouvelle/",
        {"type": "autre", "date_debut": "20/03/2026", "commencee": "on"},
    )
    assert response.context["form"].errors == {
        "date_debut": ["Une étape déjà commencée a débuté au plus tard aujourd'hui."]
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": "", "date_debut": "01/04/2026"}, "type"),
        ({"type": "stage", "date_debut": "01/04/2026"}, "type"),
        ({"type": "autre", "date_debut": "31/02/2026"}, "date_debut"),
        ({"type": "autre", "date_debut": ""}, "date_debut"),
        ({"type": "autre", "date_debut": "01/04/2026", "commentaire": "x" * 2001}, "commentaire"),
        ({"type": "autre", "date_debut": "01/04/2026", "ressource": "999999"}, "ressource"),
    ],
)
def test_bad_input_gets_a_french_message_next_to_its_field(personas, client_for, data, field):
    response = client_for(personas.referent_a).post(f"/parcours/{personas.parcours.pk}/etapes/nouvelle/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert not any("This field" in e or "Enter a" in e for e in errors[field])
    assert not Etape.objects.exists()


def test_an_inactive_ressource_is_not_offered_for_a_new_etape(personas, client_for):
    old = RessourceFactory(nom="Ancienne plateforme", active=False)
    client = client_for(personas.referent_a)
    form = client.get(f"/parcours/{personas.parcours.pk}/etapes/nouvelle/").context["form"]
    assert old not in form.fields["ressource"].queryset
    response = client.post(
        f"/parcours/{personas.parcours.pk}/etapes/nouvelle/",
        {"type": "autre", "date_debut": "01/04/2026", "ressource": old.pk},
    )
    assert list(response.context["form"].errors) == ["ressource"]


def test_an_etape_keeps_its_ressource_once_deactivated(personas, client_for):
    old = RessourceFactory(nom="Ancienne plateforme", active=False)
    etape = EtapeFactory(parcours=personas.parcours, ressource=old)
    client = client_for(personas.referent_a)
    url = f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}/"
    form = client.get(url).context["form"]
    assert old in form.fields["ressource"].queryset
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(commentaire="Suite", date_debut=etape.date_debut.strftime("%d/%m/%Y"))
    assert client.post(url, data).status_code == 302
    etape.refresh_from_db()
    assert (etape.ressource, etape.commentaire) == (old, "Suite")


def test_the_ressource_search_reshows_the_form_with_the_matches_and_saves_nothing(personas, client_for):
    typed = {
        "type": "levee_frein",
        "date_debut": "01/04/2026",
        "commentaire": "Rien de perdu",
        "recherche_ressource": "CRECHE",
        "chercher_ressource": "1",
    }
    response = client_for(personas.referent_a).post(f"/parcours/{personas.parcours.pk}/etapes/nouvelle/", typed)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound  # no error shown: nothing was submitted yet
    assert [r.nom for r in form.fields["ressource"].queryset] == ["Places en crèche et halte-garderie"]
    content = page(response)
    assert "Rien de perdu" in content
    assert 'value="01/04/2026"' in content or 'value="2026-04-01"' in content
    assert not Etape.objects.exists()


def test_the_htmx_search_returns_the_matching_options_accent_free(personas, client_for):
    client = client_for(personas.referent_a)
    response = client.get("/ressources/options/", {"recherche_ressource": "ecoute", "ressource": ""})
    assert response.status_code == 200
    content = page(response)
    assert "Santé — Écoute psychologique (PLIE du Niortais)" in content
    assert "Plateforme mobilité" not in content
    assert '<option value="" selected>' in content
    nothing = page(client.get("/ressources/options/", {"recherche_ressource": "zzz"}))
    assert "Aucune ressource ne correspond" in nothing
    # The ressource already chosen stays, selected, whatever is typed.
    mobilite = ressource("Plateforme mobilité")
    kept = page(client.get("/ressources/options/", {"recherche_ressource": "ecoute", "ressource": mobilite.pk}))
    assert f'<option value="{mobilite.pk}" selected>' in kept
    assert "Écoute psychologique" in kept


@pytest.mark.parametrize("who", Personas.NAMES)
def test_the_htmx_search_is_for_the_referents_and_the_coordination(personas, client_for, who):
    response = client_for(getattr(personas, who)).get("/ressources/options/", {"recherche_ressource": "a"})
    assert response.status_code == (200 if who in {"coordination", "referent_a", "referent_b"} else 403)


def test_the_referent_edits_an_etape(personas, client_for):
    etape = EtapeFactory(parcours=personas.parcours, etat="prevue")
    client = client_for(personas.referent_a)
    url = f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(type="immersion", date_debut="23/03/2026", date_fin_prevue="27/03/2026")
    assert client.post(url, data).status_code == 302
    etape.refresh_from_db()
    assert (etape.type, etape.date_debut, etape.date_fin_prevue) == (
        TypeEtape.IMMERSION,
        datetime.date(2026, 3, 23),
        datetime.date(2026, 3, 27),
    )
    assert etape.history.first().history_user == personas.referent_a


def test_a_done_etape_cannot_be_moved_to_start_after_its_end(personas, client_for):
    etape = EtapeFactory(parcours=personas.parcours, etat="realisee", date_debut=TODAY - 20 * DAY, date_fin=TODAY - DAY)
    client = client_for(personas.referent_a)
    url = f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(date_debut="16/03/2026", date_fin_prevue="")
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date_debut": ["L'étape s'est terminée le 15/03/2026 : elle ne peut commencer après."]
    }
    etape.refresh_from_db()
    assert etape.date_debut == TODAY - 20 * DAY


# --- the state machine --------------------------------------------------------------------------

ALLOWED = {
    ("prevue", "commencer"),
    ("prevue", "abandonner"),
    ("en_cours", "terminer"),
    ("en_cours", "abandonner"),
}


@pytest.mark.parametrize("etat", EtatEtape.values)
@pytest.mark.parametrize("name", ["commencer", "terminer", "abandonner"])
def test_each_transition_from_each_state(db, etat, name):
    etape = EtapeFactory(etat=etat, date_debut=TODAY - 10 * DAY if etat != "prevue" else TODAY - 2 * DAY)
    before = etape.evenements.count()
    method = getattr(etape, name)
    if (etat, name) in ALLOWED:
        method(etape.parcours.referent, TODAY, "Motif")
        etape.refresh_from_db()
        assert etape.etat == TRANSITIONS[name].target
        log = etape.evenements.first()
        assert (log.transition, log.etat_avant, log.etat_apres) == (name, etat, etape.etat)
    else:
        with pytest.raises(EtapeError) as excinfo:
            method(etape.parcours.referent, TODAY, "Motif")
        assert "impossible" in excinfo.value.message
        etape.refresh_from_db()
        assert etape.etat == etat
        assert etape.evenements.count() == before


def test_starting_sets_the_real_start_and_finishing_the_real_end(personas, client_for):
    etape = EtapeFactory(parcours=personas.parcours, etat="prevue", date_debut=TODAY + 3 * DAY)
    client = client_for(personas.referent_a)
    base = f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}"
    assert client.post(f"{base}/commencer/", {"date": "12/03/2026"}).status_code == 302
    etape.refresh_from_db()
    assert (etape.etat, etape.date_debut) == (EtatEtape.EN_COURS, datetime.date(2026, 3, 12))
    assert client.post(f"{base}/terminer/", {"date": "16/03/2026"}).status_code == 302
    etape.refresh_from_db()
    assert (etape.etat, etape.date_fin) == (EtatEtape.REALISEE, TODAY)
    assert [e.transition for e in EvenementEtape.objects.filter(etape=etape).order_by("id")] == [
        "commencer",
        "terminer",
    ]


def test_finishing_before_the_start_is_refused_next_to_the_date(personas, client_for):
    etape = EtapeFactory(parcours=personas.parcours, date_debut=TODAY - 5 * DAY)
    response = client_for(personas.referent_a).post(
        f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}/terminer/", {"date": "01/03/2026", "motif": "Noté"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"date": ["La fin de l'étape ne peut précéder son début (11/03/2026)."]}
    assert "Noté" in page(response)
    etape.refresh_from_db()
    assert (etape.etat, etape.date_fin) == (EtatEtape.EN_COURS, None)


@pytest.mark.parametrize("name", ["commencer", "terminer"])
def test_a_transition_dated_in_the_future_is_refused(personas, client_for, name):
    etape = EtapeFactory(parcours=personas.parcours, etat="prevue" if name == "commencer" else "en_cours")
    response = client_for(personas.referent_a).post(
        f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}/{name}/", {"date": "17/03/2026"}
    )
    assert list(response.context["form"].errors) == ["date"]


def test_abandoning_needs_a_motif(personas, client_for):
    etape = EtapeFactory(parcours=personas.parcours)
    url = f"/parcours/{personas.parcours.pk}/etapes/{etape.pk}/abandonner/"
    client = client_for(personas.referent_a)
    response = client.post(url, {"date": "16/03/2026", "motif": "  "})
    assert list(response.context["form"].errors) == ["motif"]
    assert client.post(url, {"date": "16/03/2026", "motif": "Déménagement de la personne"}).status_code == 302
    etape.refresh_from_db()
    assert (etape.etat, etape.date_fin) == (EtatEtape.ABANDONNEE, TODAY)
    assert etape.evenements.first().motif == "Déménagement de la personne"
    shown = page(client.get(f"/parcours/{personas.parcours.pk}/"))
    assert 'Abandonnée</span><div class="small">Déménagement de la personne</div>' in shown


def test_an_etape_given_up_before_it_began_never_counts_as_lived(db):
    etape = EtapeFactory(etat="prevue", date_debut=TODAY + 10 * DAY)
    etape.abandonner(etape.parcours.referent, TODAY, "La formation est annulée")
    etape.refresh_from_db()
    assert (etape.etat, etape.date_fin) == (EtatEtape.ABANDONNEE, TODAY)
    for date in [TODAY, TODAY + 10 * DAY]:
        assert not Etape.objects.en_cours(date).exists()


def test_a_stale_copy_is_refused(db):
    etape = EtapeFactory()
    stale = Etape.objects.get(pk=etape.pk)
    etape.terminer(etape.parcours.referent, TODAY)
    with pytest.raises(EtapeError, match="vient d'être modifiée"):
        stale.abandonner(etape.parcours.referent, TODAY, "Motif")


def test_the_parcours_page_offers_the_transitions_of_each_state(personas, client_for):
    EtapeFactory(parcours=personas.parcours, etat="prevue")
    EtapeFactory(parcours=personas.parcours, etat="realisee")
    content = page(client_for(personas.referent_a).get(f"/parcours/{personas.parcours.pk}/"))
    assert content.count("Commencer l'étape") == 1
    assert "Terminer l'étape" not in content
    assert content.count("Abandonner l'étape") == 1


# --- the rule helpers (the tableau de bord, the rhythm rule) -----------------------------------


def test_every_type_counts_in_one_category():
    assert Etape(type=TypeEtape.CLAUSE_INSERTION).categorie == CategorieEtape.EMPLOI
    assert Etape(type=TypeEtape.FORMATION_PREQUALIFIANTE).categorie == CategorieEtape.FORMATION
    assert Etape(type=TypeEtape.IMMERSION).categorie == CategorieEtape.PREPARATOIRE
    assert Etape(type=TypeEtape.DIAGNOSTIC).categorie == CategorieEtape.ACCOMPAGNEMENT_SEUL
    assert categorie_de([]) == CategorieEtape.ACCOMPAGNEMENT_SEUL
    assert categorie_de(["immersion", "emploi_classique", "formation_qualifiante"]) == CategorieEtape.EMPLOI


def test_en_cours_and_en_action_on_a_date(db):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    formation = EtapeFactory(parcours=parcours, type="formation_qualifiante", date_debut=TODAY - 30 * DAY)
    operation = EtapeFactory(
        parcours=parcours,
        type="operation_plie",
        etat="realisee",
        date_debut=TODAY - 60 * DAY,
        date_fin=(fin := TODAY - 40 * DAY),
    )
    bilan = EtapeFactory(parcours=parcours, type="diagnostic", etat="prevue", date_debut=TODAY + DAY)
    immersion = EtapeFactory(parcours=parcours, type="immersion", date_debut=TODAY - 3 * DAY)

    assert set(Etape.objects.en_cours(TODAY)) == {formation, immersion}
    assert set(Etape.objects.en_cours(TODAY - 50 * DAY)) == {operation}
    assert set(Etape.objects.en_cours(fin)) == {operation}  # its last day counts
    assert set(Etape.objects.en_cours(fin + DAY)) == set()
    assert set(Etape.objects.en_action(TODAY)) == {formation}  # an immersion is no action (C §III.1.3)
    assert set(Etape.objects.en_action(TODAY - 45 * DAY)) == {operation}
    assert bilan not in Etape.objects.en_cours(TODAY + DAY)  # planned: not lived yet
    assert set(Etape.objects.de_categorie(CategorieEtape.PREPARATOIRE)) == {operation, immersion}


def test_categories_par_parcours_in_one_query(db, django_assert_num_queries):
    en_emploi = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    EtapeFactory(parcours=en_emploi, type="emploi_iae", date_debut=TODAY - 10 * DAY)
    EtapeFactory(parcours=en_emploi, type="remobilisation", date_debut=TODAY - 10 * DAY)
    en_formation = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    EtapeFactory(parcours=en_formation, type="formation_prequalifiante", date_debut=TODAY - 10 * DAY)
    seul = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    EtapeFactory(parcours=seul, type="emploi_classique", etat="prevue")
    with django_assert_num_queries(1):
        categories = Etape.objects.categories_par_parcours(TODAY)
    assert categories == {en_emploi.pk: CategorieEtape.EMPLOI, en_formation.pk: CategorieEtape.FORMATION}


# --- the parcours page's queries do not grow with its étapes ------------------------------------


def test_the_parcours_page_query_count_is_the_same_with_3_and_30_etapes(personas, client_for):
    parcours = personas.parcours
    client = client_for(personas.referent_a)
    ressources = list(RessourceTerritoire.objects.all()[:5])

    def grow(total):
        while parcours.etapes.count() < total:
            n = parcours.etapes.count()
            EtapeFactory(
                parcours=parcours,
                etat=EtatEtape.values[n % 4],
                type=TypeEtape.values[n % len(TypeEtape.values)],
                ressource=ressources[n % len(ressources)],
            )

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"/parcours/{parcours.pk}/")
        assert response.status_code == 200
        return len(context.captured_queries), page(response)

    grow(3)
    client.get(f"/parcours/{parcours.pk}/")  # warm the per-process caches
    small, small_page = count()
    grow(30)
    large, large_page = count()
    assert large_page.count("Modifier</a>") > small_page.count("Modifier</a>")
    assert large == small


def test_the_etape_dates_are_shown_jj_mm_aaaa(personas, client_for):
    EtapeFactory(parcours=personas.parcours, etat="realisee", date_debut=datetime.date(2026, 1, 5), date_fin=TODAY)
    content = page(client_for(personas.coordination).get(f"/parcours/{personas.parcours.pk}/"))
    assert "du 05/01/2026 au 16/03/2026" in content
    assert timezone.localdate() == TODAY
