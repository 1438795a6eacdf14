"""Every list: search, filters, pagination that keeps the filters, a French empty state, junk tolerated.

The lists share ``plie.listes`` (FiltresForm, paginer) and the includes ``filtres.html`` and
``pagination.html``; each case below builds 26 rows named « Pagination » (51 for the journal, 50 a page).
"""

import pathlib

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from parcours.models import Etat
from plie.acces.models import AccesDossier, Action, TypeObjet
from plie.listes import paginer
from plie.notifications.models import Notification
from prescriptions.models import Avis, Organisme, ValidationPrescription
from tests.factories import (
    DemandeFactory,
    ParcoursFactory,
    ParticipantFactory,
    PrescriptionFactory,
    ReferentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOM = "Pagination"


def _queue(personas):
    for _ in range(26):
        PrescriptionFactory(nom_usage=NOM)


def _mine(personas):
    for _ in range(26):
        PrescriptionFactory(nom_usage=NOM, prescripteur=personas.prescripteur)


def _validations(personas):
    for _ in range(26):
        ValidationPrescription.objects.create(
            prescription=PrescriptionFactory(nom_usage=NOM, criteres=["brsa"]),
            organisme=Organisme.BUREAU_INSERTION,
            demandee_le=timezone.now(),
            avis=Avis.EN_ATTENTE,
        )


def _parcours(personas):
    for _ in range(26):
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, participant=ParticipantFactory(nom_usage=NOM))


def _referents(personas):
    for _ in range(26):
        ReferentFactory(last_name=NOM, structure=personas.referent_a.structure)


def _journal(personas):
    for i in range(51):
        AccesDossier.objects.create(
            utilisateur=personas.referent_b,
            utilisateur_libelle=f"{NOM} {i}",
            type_objet=TypeObjet.PARCOURS,
            objet_id=personas.parcours.pk,
            action=Action.CONSULTATION,
            chemin="/",
        )


def _users(personas):
    for _ in range(26):
        UserFactory(last_name=NOM)


def _notifications(personas):
    for i in range(26):
        Notification.objects.create(destinataire=personas.coordination, titre=f"{NOM} {i}")


def _demandes(personas):
    for _ in range(26):
        parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, participant=ParticipantFactory(nom_usage=NOM))
        DemandeFactory(parcours=parcours)


# url name, who, seeding, a filter that keeps the rows, a filter with junk, the empty state after a search
LISTS = [
    ("prescriptions:queue", "coordination", _queue, "statut=envoyee", "statut=zzz", "ne correspond à ces filtres"),
    ("prescriptions:mine", "prescripteur", _mine, "statut=envoyee", "statut=zzz", "ne correspond à cette recherche"),
    ("prescriptions:validations", "bureau_insertion", _validations, "avis=en_attente", "avis=zzz", "ne correspond"),
    ("parcours:list", "coordination", _parcours, "etat=accompagnement", "etat=zzz", "à cette recherche"),
    ("referents", "coordination", _referents, "statut=actif", "statut=zzz", "à cette recherche"),
    ("acces:journal", "coordination", _journal, "type_objet=parcours", "objet=abc", "à cette recherche"),
    ("user_list", "coordination", _users, "role=coordination", "role=zzz", "ne correspond à cette recherche"),
    ("notifications:list", "coordination", _notifications, "lues=non", "lues=zzz", "ne correspond à cette recherche"),
    ("demandes:a_traiter", "coordination", _demandes, "type=entree_veille", "type=zzz", "ne correspond à ce choix"),
]
IDS = [case[0] for case in LISTS]


@pytest.mark.parametrize(("url", "who", "seed", "filtre", "junk", "vide"), LISTS, ids=IDS)
def test_list_searches_filters_and_pages_keeping_the_filters(personas, client_for, url, who, seed, filtre, junk, vide):
    seed(personas)
    client = client_for(getattr(personas, who))
    response = client.get(f"{reverse(url)}?q={NOM.lower()}&{filtre}")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Page 1 sur 2" in content
    assert f"q={NOM.lower()}&amp;{filtre}&amp;page=2" in content  # the next page keeps search and filter
    second = client.get(f"{reverse(url)}?q={NOM.lower()}&{filtre}&page=2")
    assert "Page 2 sur 2" in second.content.decode()


@pytest.mark.parametrize(("url", "who", "seed", "filtre", "junk", "vide"), LISTS, ids=IDS)
def test_list_has_a_french_empty_state_and_tolerates_junk(personas, client_for, url, who, seed, filtre, junk, vide):
    client = client_for(getattr(personas, who))
    empty = client.get(reverse(url), {"q": "personne-que-nul-ne-connait"})
    assert empty.status_code == 200 and vide in empty.content.decode()
    for query in (junk, "page=zzz", "page=99999", "q=" + "x" * 500):
        response = client.get(f"{reverse(url)}?{query}")
        assert response.status_code == 200, query
    junk_page = client.get(f"{reverse(url)}?{junk}").content.decode()
    assert "is-invalid" in junk_page and 'aria-invalid="true"' in junk_page  # the error is next to the field


def test_territoire_has_search_filter_and_empty_state(personas, client_for):
    client = client_for(personas.coordination)
    content = client.get(reverse("territoire:list"), {"q": "zzzz"}).content.decode()
    assert "Aucune commune ne correspond à cette recherche." in content
    assert 'name="sans_coordonnees"' in content


def test_one_filter_bar_everywhere(personas, client_for):
    """The include's form (role=search, « Effacer » back to the list) is on every list."""
    for url, who, *_ in LISTS:
        content = client_for(getattr(personas, who)).get(reverse(url)).content.decode()
        assert 'aria-label="Rechercher et filtrer"' in content, url
        assert f'href="{reverse(url)}">Effacer</a>' in content, url


def test_the_list_frame_shows_rows_and_pagination_or_the_empty_state(rf):
    frame = Template("{% load listes %}{% liste %}<p>{{ page_obj|length }} lignes</p>{% vide %}Rien ici.{% finliste %}")
    request = rf.get("/", {"q": "x", "page": "2"})
    full = frame.render(Context({"request": request, **paginer(request, list(range(30)))}))
    assert "<p>5 lignes</p>" in full and "Page 2 sur 2" in full and "q=x&amp;page=1" in full
    assert "Rien ici." not in full
    empty = frame.render(Context({"request": request, **paginer(request, [])}))
    assert '<div class="alert alert-info">Rien ici.</div>' in empty and "lignes" not in empty


def test_every_list_template_uses_the_one_frame():
    """The pagination and the empty state of a list are written once (includes/liste.html)."""
    templates = pathlib.Path(__file__).resolve().parents[2] / "templates"
    paged = [p for p in templates.rglob("*.html") if "page_obj" in p.read_text()]
    assert len(paged) >= 14
    for path in paged:
        if path.parent.name == "includes":
            continue
        assert "{% liste %}" in path.read_text(), path
    including = {p.name for p in templates.rglob("*.html") if "includes/pagination.html" in p.read_text()}
    assert including <= {"liste.html", "pagination.html"}, including
