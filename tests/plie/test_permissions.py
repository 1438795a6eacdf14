"""Who sees what: the visibility matrix, the rule functions, the 403/404 pages and the navigation.

Every test is asked of the personas of ``tests/conftest.py``: the same parcours (followed by
référent A, sent by the prescripteur) seen through the eyes of each role.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils.html import escape

from parcours.models import Etat, Parcours
from parcours.workflow import TRANSITIONS
from plie import permissions
from plie.accounts.models import Role, User
from plie.referentiel.models import CriterePublic, Referentiel
from plie.territoire.models import Commune
from tests.conftest import Personas
from tests.factories import ParcoursFactory, ParticipantFactory, ReferentFactory, UserFactory
from tests.snapshots import instantane

ALL_PERSONAS = list(Personas.NAMES)
# Who may open ``personas.parcours`` (followed by référent A, sent by ``prescripteur``, no BRSA).
SEES_PARCOURS = {"coordination", "referent_a", "prescripteur"}
# Who may open the list page at all; the others get a 403.
MAY_LIST = {
    "coordination",
    "referent_a",
    "referent_b",
    "prescripteur",
    "autre_prescripteur",
    "prescripteur_ailleurs",
    "bureau_insertion",
}


def persona_params(expected):
    """One ``pytest.param(name, expected(name), id=name)`` per persona."""
    return [pytest.param(name, expected(name), id=name) for name in ALL_PERSONAS]


@pytest.fixture
def brsa_parcours(named):
    """A parcours of an RSA beneficiary, followed by référent B and sent by another prescripteur."""
    return ParcoursFactory(
        etat=Etat.ACCUEIL,
        referent=named.referent_b,
        participant=ParticipantFactory(nom_usage="Keraudren", prenoms="Maëlys", criteres=["brsa"]),
    )


# --- the visibility matrix ------------------------------------------------------------------


@pytest.mark.parametrize(("who", "sees"), persona_params(lambda name: name in SEES_PARCOURS))
def test_visible_to_matrix(named, who, sees):
    user = getattr(named, who)
    assert (named.parcours in Parcours.objects.visible_to(user)) is sees


@pytest.mark.parametrize(("who", "status"), persona_params(lambda name: 200 if name in SEES_PARCOURS else 404))
def test_detail_page_matrix(named, client_for, who, status):
    response = client_for(getattr(named, who)).get(f"/parcours/{named.parcours.pk}/")
    assert response.status_code == status
    if status == 200:
        assert escape(named.parcours.participant.nom_complet) in response.content.decode()


@pytest.mark.parametrize(
    ("who", "outcome"),
    persona_params(lambda name: "listed" if name in SEES_PARCOURS else "absent" if name in MAY_LIST else 403),
)
def test_list_page_matrix(named, client_for, who, outcome):
    response = client_for(getattr(named, who)).get("/parcours/")
    if outcome == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert ("VAUTRIN-LACOMBE Ysaline" in content) is (outcome == "listed")
    assert (f'href="/parcours/{named.parcours.pk}/"' in content) is (outcome == "listed")


def test_superuser_sees_every_parcours(named, brsa_parcours):
    admin = User.objects.create_superuser(
        email="admin@exemple.fr", password="mot-de-passe-admin-2026", first_name="Ada", last_name="Admin"
    )
    assert set(Parcours.objects.visible_to(admin)) == {named.parcours, brsa_parcours}


def test_anonymous_user_sees_no_parcours(named):
    assert not Parcours.objects.visible_to(AnonymousUser()).exists()
    assert not permissions.can_list_parcours(AnonymousUser())


def test_prescripteur_sees_only_what_they_sent_not_their_colleagues(named):
    """Policy: a prescripteur sees only the parcours they personally sent, not their structure's."""
    colleague_sent = ParcoursFactory(prescripteur=named.autre_prescripteur)
    assert colleague_sent.structure_prescriptrice == named.prescripteur.structure
    assert list(Parcours.objects.visible_to(named.prescripteur)) == [named.parcours]
    assert list(Parcours.objects.visible_to(named.autre_prescripteur)) == [colleague_sent]


@pytest.mark.parametrize(
    ("who", "status"),
    persona_params(lambda name: 200 if name in {"coordination", "bureau_insertion", "referent_b"} else 404),
)
def test_brsa_parcours_detail_matrix(named, brsa_parcours, client_for, who, status):
    """The bureau insertion opens the parcours of RSA beneficiaries; référent B follows this one."""
    response = client_for(getattr(named, who)).get(f"/parcours/{brsa_parcours.pk}/")
    assert response.status_code == status


def test_bureau_insertion_lists_brsa_parcours_only(named, brsa_parcours, client_for):
    assert list(Parcours.objects.visible_to(named.bureau_insertion)) == [brsa_parcours]
    content = client_for(named.bureau_insertion).get("/parcours/").content.decode()
    assert escape(brsa_parcours.participant.nom_complet) in content
    assert "VAUTRIN-LACOMBE" not in content


def test_bureau_insertion_visibility_follows_the_criterion(named, client_for):
    """Adding the BRSA criterion opens the parcours to the bureau insertion, removing it closes it."""
    client = client_for(named.bureau_insertion)
    url = f"/parcours/{named.parcours.pk}/"
    assert client.get(url).status_code == 404
    named.parcours.participant.criteres.set(CriterePublic.objects.filter(code__in=["brsa", "deld"]))
    assert client.get(url).status_code == 200
    named.parcours.participant.criteres.set(CriterePublic.objects.filter(code="deld"))
    assert client.get(url).status_code == 404


# --- anonymous visitors ---------------------------------------------------------------------

PROTECTED_PAGES = [
    "/",
    "/parcours/",
    "/parcours/{pk}/",
    "/parcours/{pk}/action/orienter/",
    "/parcours/{pk}/action/proposer_sortie/",
    "/parcours/{pk}/journal/",
    "/referentiel/",
    "/referentiel/modifier/",
    "/territoire/",
    "/territoire/79191/",
    "/compte/mot-de-passe/changer/",
    "/compte/mot-de-passe/change/",
    "/admin/parcours/parcours/",
    "/journal-des-acces/",
]


@pytest.mark.parametrize("path", PROTECTED_PAGES, ids=PROTECTED_PAGES)
def test_anonymous_is_redirected_to_login(named, path):
    url = path.format(pk=named.parcours.pk)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/compte/connexion/?next={url}"


def test_anonymous_post_is_refused_and_changes_nothing(named):
    """Not a redirect, which would lose the text: a page saying nothing was saved (plie/sessions.py)."""
    url = f"/parcours/{named.parcours.pk}/action/proposer_sortie/"
    response = Client().post(url, {"date_sortie_prevue": "2030-01-01", "motif": "Anonyme"})
    assert response.status_code == 403
    assert "n'a pas été enregistré" in response.content.decode()
    assert 'href="/compte/connexion/"' in response.content.decode()
    named.parcours.refresh_from_db()
    assert named.parcours.etat == Etat.ACCOMPAGNEMENT
    assert not named.parcours.transitions.exists()


def test_anonymous_admin_index_goes_to_a_login_page(db):
    """The admin index keeps Django's own login page (it answers to the same email backend)."""
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


PUBLIC_PAGES = ["/compte/connexion/", "/compte/mot-de-passe/oublie/", "/healthz/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES, ids=PUBLIC_PAGES)
def test_public_pages_answer_anonymous(db, path):
    assert Client().get(path).status_code == 200


def test_healthz_says_ok(db):
    response = Client().get("/healthz/")
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


# --- pages reserved to some roles -----------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), persona_params(lambda name: 403 if "prescripteur" in name else 200))
def test_referentiel_detail_access(named, client_for, who, status):
    assert client_for(getattr(named, who)).get("/referentiel/").status_code == status


@pytest.mark.parametrize(("who", "status"), persona_params(lambda name: 200 if name == "coordination" else 403))
def test_referentiel_edit_access(named, client_for, who, status):
    client = client_for(getattr(named, who))
    assert client.get("/referentiel/modifier/").status_code == status
    if status == 403:
        assert client.post("/referentiel/modifier/", {"nom": "Piraté"}).status_code == 403
        assert Referentiel.objects.active().nom == "PLIE du Niortais"


@pytest.mark.parametrize(("who", "status"), persona_params(lambda name: 200 if name == "coordination" else 403))
@pytest.mark.parametrize("path", ["/territoire/", "/territoire/79191/"], ids=["list", "edit"])
def test_territoire_access(named, communes, client_for, who, status, path):
    assert client_for(getattr(named, who)).get(path).status_code == status


@pytest.mark.parametrize(("who", "status"), persona_params(lambda name: 200 if name == "coordination" else 403))
def test_territoire_post_is_refused_to_others(named, communes, client_for, who, status):
    client = client_for(getattr(named, who))
    snapshot = instantane(client, "/territoire/79009/") if status == 200 else {}
    response = client.post("/territoire/79009/", {"latitude": "46.2", "longitude": "-0.6", **snapshot})
    assert response.status_code == (302 if status == 200 else 403)
    amure = Commune.objects.get(insee="79009")
    assert (amure.latitude is not None) is (status == 200)


# --- transitions: who may ask for which ------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    persona_params(lambda name: 200 if name in {"coordination", "referent_a"} else 404),
)
def test_proposer_sortie_page_matrix(named, client_for, who, status):
    url = f"/parcours/{named.parcours.pk}/action/proposer_sortie/"
    assert client_for(getattr(named, who)).get(url).status_code == status


@pytest.mark.parametrize(("who", "status"), persona_params(lambda name: 404))
def test_the_creation_has_no_page_on_a_parcours(named, client_for, who, status):
    """A parcours is born oriented on the prescription's acceptance page: no « orienter » action on it."""
    url = f"/parcours/{named.parcours.pk}/action/orienter/"
    assert client_for(getattr(named, who)).get(url).status_code == status
    assert client_for(getattr(named, who)).post(url, {"referent": named.referent_b.pk}).status_code == status


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        pytest.param(
            "coordination",
            {
                "mettre_en_veille",
                "renouveler",
                "accorder_distance",
                "retirer_distance",
                "proposer_sortie",
                "changer_referent",
            },
            id="coordination",
        ),
        pytest.param("referent_a", {"proposer_sortie"}, id="referent_a"),
        *[pytest.param(name, set(), id=name) for name in ALL_PERSONAS if name not in {"coordination", "referent_a"}],
    ],
)
def test_can_apply_transition_on_accompagnement(named, who, allowed):
    user = getattr(named, who)
    granted = {name for name, t in TRANSITIONS.items() if permissions.can_apply_transition(user, named.parcours, t)}
    assert granted == allowed


def test_can_apply_transition_respects_the_source_state(named):
    parcours = ParcoursFactory(etat=Etat.SORTI, referent=named.referent_a)
    for transition in TRANSITIONS.values():
        assert not permissions.can_apply_transition(named.coordination, parcours, transition)
        assert not permissions.can_apply_transition(named.referent_a, parcours, transition)


def test_referent_loses_transitions_when_the_parcours_moves_to_a_colleague(named):
    named.parcours.changer_referent(by=named.coordination, referent=named.referent_b, motif="Congé long")
    proposer = TRANSITIONS["proposer_sortie"]
    assert not permissions.can_apply_transition(named.referent_a, named.parcours, proposer)
    assert permissions.can_apply_transition(named.referent_b, named.parcours, proposer)
    assert named.parcours not in Parcours.objects.visible_to(named.referent_a)


# --- the rule functions ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "sensitive"), persona_params(lambda name: name in {"coordination", "referent_a"}))
def test_can_view_sensitive(named, who, sensitive):
    assert permissions.can_view_sensitive(getattr(named, who), named.parcours) is sensitive


@pytest.mark.parametrize(("who", "shown"), persona_params(lambda name: name in {"coordination", "referent_a"}))
def test_can_view_alertes(named, who, shown):
    """The dossier's alerts tell of absences and étapes: the référent's and the coordination's."""
    assert permissions.can_view_alertes(getattr(named, who), named.parcours) is shown


@pytest.mark.parametrize(
    ("rule", "granted"),
    [
        pytest.param(permissions.can_list_parcours, MAY_LIST, id="can_list_parcours"),
        pytest.param(
            permissions.can_view_referentiel,
            set(ALL_PERSONAS) - {"prescripteur", "autre_prescripteur", "prescripteur_ailleurs"},
            id="can_view_referentiel",
        ),
        pytest.param(permissions.can_edit_referentiel, {"coordination"}, id="can_edit_referentiel"),
        pytest.param(permissions.can_edit_communes, {"coordination"}, id="can_edit_communes"),
        pytest.param(permissions.is_coordination, {"coordination"}, id="is_coordination"),
        pytest.param(permissions.can_view_access_log, {"coordination"}, id="can_view_access_log"),
        pytest.param(permissions.can_manage_structures, {"coordination"}, id="can_manage_structures"),
        pytest.param(permissions.can_manage_postes, {"coordination"}, id="can_manage_postes"),
        pytest.param(permissions.can_manage_users, {"coordination"}, id="can_manage_users"),
        pytest.param(permissions.can_reassign, {"coordination"}, id="can_reassign"),
        pytest.param(
            permissions.can_view_aggregates, {"coordination", "operateur", "financeur"}, id="can_view_aggregates"
        ),
        pytest.param(permissions.can_view_agenda, {"coordination", "referent_a", "referent_b"}, id="can_view_agenda"),
        pytest.param(
            permissions.can_view_conformite,
            {"coordination", "referent_a", "referent_b", "operateur", "financeur"},
            id="can_view_conformite",
        ),
        pytest.param(
            permissions.sees_aggregates_only,
            set(ALL_PERSONAS) - {"coordination", "referent_a", "referent_b"},
            id="sees_aggregates_only",
        ),
    ],
)
def test_role_rules(named, rule, granted):
    assert {name for name in ALL_PERSONAS if rule(getattr(named, name))} == granted


def test_superuser_passes_every_role_rule(db):
    admin = User.objects.create_superuser(
        email="root@exemple.fr", password="mot-de-passe-admin-2026", first_name="Root", last_name="Admin"
    )
    for rule in [
        permissions.is_coordination,
        permissions.can_list_parcours,
        permissions.can_view_referentiel,
        permissions.can_edit_referentiel,
        permissions.can_edit_communes,
        permissions.can_view_aggregates,
        permissions.can_view_access_log,
        permissions.can_manage_structures,
        permissions.can_manage_postes,
        permissions.can_manage_users,
        permissions.can_reassign,
        permissions.can_view_agenda,
        permissions.can_view_conformite,
    ]:
        assert rule(admin), rule.__name__
    assert not permissions.sees_aggregates_only(admin)


def test_inactive_user_cannot_log_in_with_a_session(named):
    """A deactivated account loses its session at the next request."""
    client = Client()
    client.force_login(named.referent_a)
    named.referent_a.is_active = False
    named.referent_a.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


# --- navigation ------------------------------------------------------------------------------

NAV_ENTRIES = {
    "/": "Accueil",
    "/parcours/": "Parcours",
    "/agenda/": "Agenda",
    "/ateliers/": "Ateliers",
    "/emargement/lots/": "Émargement",
    "/respect-du-rythme/": "Respect du rythme",
    "/revue-des-parcours/": "Revue des parcours",
    "/referents/": "Référents",
    "/referentiel/": "Référentiel",
    "/territoire/": "Territoire",
    "/ressources/": "Ressources",
    "/prescriptions/a-traiter/": "Prescriptions",
    "/demandes/": "Demandes à traiter",
    "/prescriptions/": "Mes prescriptions",
    "/prescriptions/validations/": "Validations RSA",
    "/structures/": "Structures",
    "/lieux/": "Lieux",
    "/compte/invitations/": "Invitations",
    "/compte/utilisateurs/": "Comptes",
    "/journal-des-acces/": "Journal des accès",
    "/budget-ateliers/": "Budget ateliers",
    "/budget-ateliers/a-valider/": "Dépenses à valider",
    "/courriers/": "Courriers à envoyer",
    "/referentiel/convocations/": "Convocations",
}
EXPECTED_NAV = {
    "coordination": {
        "/",
        "/parcours/",
        "/agenda/",
        "/ateliers/",
        "/emargement/lots/",
        "/respect-du-rythme/",
        "/revue-des-parcours/",
        "/referents/",
        "/referentiel/",
        "/territoire/",
        "/ressources/",
        "/prescriptions/a-traiter/",
        "/demandes/",
        "/structures/",
        "/lieux/",
        "/compte/invitations/",
        "/compte/utilisateurs/",
        "/journal-des-acces/",
        "/budget-ateliers/",
        "/budget-ateliers/a-valider/",
        "/courriers/",
        "/referentiel/convocations/",
    },
    "referent_a": {
        "/",
        "/parcours/",
        "/agenda/",
        "/ateliers/",
        "/emargement/lots/",
        "/respect-du-rythme/",
        "/referentiel/",
        "/ressources/",
        "/budget-ateliers/",
        "/courriers/",
    },
    "referent_b": {
        "/",
        "/parcours/",
        "/agenda/",
        "/ateliers/",
        "/emargement/lots/",
        "/respect-du-rythme/",
        "/referentiel/",
        "/ressources/",
        "/budget-ateliers/",
        "/courriers/",
    },
    "prescripteur": {"/", "/parcours/", "/prescriptions/"},
    "autre_prescripteur": {"/", "/parcours/", "/prescriptions/"},
    "prescripteur_ailleurs": {"/", "/parcours/", "/prescriptions/"},
    "bureau_insertion": {"/", "/parcours/", "/referentiel/", "/prescriptions/", "/prescriptions/validations/"},
    "operateur": {"/", "/respect-du-rythme/", "/referents/", "/referentiel/", "/budget-ateliers/"},
    "financeur": {"/", "/respect-du-rythme/", "/referentiel/", "/budget-ateliers/"},
}


def nav_links(content):
    """The (href, label) pairs of the main navigation's left-hand list."""
    menu = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', content, re.S)
    assert menu, "main navigation not found"
    links = set()
    for attributes, label in re.findall(r"<a\b([^>]*)>(.*?)</a>", menu.group(1), re.S):
        href = re.search(r'href="([^"]*)"', attributes).group(1)
        links.add((href, re.sub(r"<[^>]+>", "", label).strip()))
    return links


@pytest.mark.parametrize(("who", "expected"), persona_params(EXPECTED_NAV.get))
def test_navigation_lists_exactly_the_pages_one_may_open(named, communes, client_for, who, expected):
    client = client_for(getattr(named, who))
    links = nav_links(client.get("/").content.decode())
    assert links == {(href, escape(NAV_ENTRIES[href])) for href in expected}
    for href in NAV_ENTRIES:
        assert client.get(href).status_code == (200 if href in expected else 403), href


def test_navigation_shows_administration_to_staff_only(named, client_for):
    assert "/admin/" not in client_for(named.coordination).get("/").content.decode()
    staff = UserFactory(role=Role.COORDINATION, is_staff=True)
    assert 'href="/admin/"' in client_for(staff).get("/").content.decode()


@pytest.mark.parametrize(("who", "may"), persona_params(lambda name: name in {"coordination", "operateur"}))
def test_who_may_declare_the_vacancy_of_referent_a(named, who, may):
    """The coordination, and the opérateur that employs the référent (N §VII)."""
    assert permissions.can_declare_vacancy(getattr(named, who), named.referent_a) is may


def test_an_operateur_may_not_declare_another_employers_vacancy(named):
    assert not permissions.can_declare_vacancy(named.operateur, UserFactory(role=Role.REFERENT))


def test_nobody_deactivates_themselves_or_an_administrator(named):
    admin = User.objects.create_superuser(
        email="root2@exemple.fr", password="mot-de-passe-admin-2026", first_name="Root", last_name="Admin"
    )
    assert permissions.can_deactivate_user(named.coordination, named.referent_a)
    assert not permissions.can_deactivate_user(named.coordination, named.coordination)
    assert not permissions.can_deactivate_user(named.coordination, admin)
    assert not permissions.can_deactivate_user(named.operateur, named.referent_a)


# --- the référent's agenda, their absences, the compliance lines --------------------------------


@pytest.mark.parametrize(("who", "may"), persona_params(lambda name: name in {"coordination", "referent_a"}))
def test_who_may_open_referent_a_agenda_and_enter_their_absences(named, who, may):
    user = getattr(named, who)
    assert permissions.can_view_agenda(user, named.referent_a) is may
    assert permissions.can_edit_absences_referent(user, named.referent_a) is may


@pytest.mark.parametrize(
    ("who", "may"), persona_params(lambda name: name in {"coordination", "referent_a", "operateur"})
)
def test_who_may_read_referent_a_compliance_line(named, who, may):
    """The coordination, référent A, and the opérateur that employs référent A."""
    assert permissions.can_view_conformite_referent(getattr(named, who), named.referent_a) is may


def test_nobody_has_the_agenda_or_the_line_of_someone_who_is_not_a_referent(named):
    for target in [named.coordination, named.prescripteur, named.operateur]:
        assert not permissions.can_view_agenda(named.coordination, target)
        assert not permissions.can_view_conformite_referent(named.coordination, target)
    other = ReferentFactory()  # another employer's référent
    assert not permissions.can_view_conformite_referent(named.operateur, other)
    assert not permissions.can_view_agenda(AnonymousUser(), named.referent_a)
    assert not permissions.can_view_conformite(AnonymousUser())
