"""The paginator of every list on a long list: a bounded count, and deep pages read by their ids.

``plie.listes.Paginateur`` counts up to ``BORNE`` rows (or up to the page asked for), and a page past
``PROFONDEUR`` rows selects its ids first. Run on SQLite and on PostgreSQL alike: the rows and their
order must be those of a plain OFFSET, whatever path the page took.
"""

import datetime

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.models import Etat, Parcours
from plie import listes
from plie.acces.models import AccesDossier, Action, TypeObjet
from prescriptions.models import Prescription, decidee
from tests.factories import ParcoursFactory, ParticipantFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

URL = "/journal-des-acces/"


def _journal(personas, n):
    """n rows of the access log in one insert, a second apart (the journal lists newest first)."""
    start = timezone.now() - datetime.timedelta(days=1)
    AccesDossier.objects.bulk_create(
        AccesDossier(
            utilisateur=personas.referent_b,
            utilisateur_libelle=f"Ligne {i}",
            type_objet=TypeObjet.PARCOURS,
            objet_id=personas.parcours.pk,
            action=Action.CONSULTATION,
            chemin="/",
            date=start + datetime.timedelta(seconds=i),
        )
        for i in range(n)
    )


def _libelles(response):
    return [row.utilisateur_libelle for row in response.context["page_obj"]]


def test_a_long_list_is_counted_up_to_the_bound_and_its_pages_go_on(personas, client_for):
    _journal(personas, listes.BORNE + 60)  # 1 060 rows, 50 a page: 22 pages
    client = client_for(personas.coordination)
    first = client.get(URL)
    paginator = first.context["page_obj"].paginator
    assert paginator.count == listes.BORNE + 1 and not paginator.exact  # not counted to the end
    content = first.content.decode()
    assert "plus de 1\u202f000 accès." in content
    assert "Page 1 sur plus de 20" in content  # 20 pages are sure, more exist
    assert f"{URL}?page=2" in content or "page=2" in content
    assert _libelles(first)[0] == "Ligne 1059"

    # Past the bound, the count goes up to the page asked for: the page and « Suivante » stay right.
    page_21 = client.get(f"{URL}?page=21")
    assert page_21.context["page_obj"].number == 21 and page_21.context["page_obj"].has_next()
    assert "Page 21 sur plus de 21" in page_21.content.decode()
    assert _libelles(page_21) == [f"Ligne {i}" for i in range(59, 9, -1)]  # deep: read by ids
    last = client.get(f"{URL}?page=22")
    assert "Page 22 sur 22" in last.content.decode()  # counted to the end, exactly
    assert _libelles(last) == [f"Ligne {i}" for i in range(9, -1, -1)]
    assert not last.context["page_obj"].has_next()
    # A junk page number or one past the end still gives a real page.
    assert client.get(f"{URL}?page=99999").context["page_obj"].number == 22
    for junk in ("zzz", "0", "-3", "2.5"):
        response = client.get(f"{URL}?page={junk}")
        assert response.context["page_obj"].number == 1 and len(response.context["page_obj"]) == 50, junk


def test_a_short_list_is_counted_exactly(personas, client_for):
    _journal(personas, 60)
    response = client_for(personas.coordination).get(URL)
    paginator = response.context["page_obj"].paginator
    assert paginator.exact and paginator.nombre == str(AccesDossier.objects.count())
    assert "Page 1 sur 2" in response.content.decode()


def _pages(queryset, per_page, profondeur):
    """Every page's ids through the bounded paginator (both ways of reading a deep page) and Django's."""
    plain = Paginator(queryset, per_page)
    pages = []
    for number in plain.page_range:
        expected = [row.pk for row in plain.page(number)]
        # The page asked for: its ids read while counting.
        asked = listes.Paginateur(queryset, per_page, demandee=number, borne=3, profondeur=profondeur)
        assert [row.pk for row in asked.page(number)] == expected, number
        # Another page of a list counted to its end: its ids in a subquery.
        counted = listes.Paginateur(queryset, per_page, borne=10_000, profondeur=profondeur)
        assert [row.pk for row in counted.page(number)] == expected, number
        pages.append(expected)
    return pages


def test_deep_pages_read_by_ids_give_the_rows_of_a_plain_offset(personas):
    for i in range(23):
        ParcoursFactory(
            etat=Etat.ACCOMPAGNEMENT,
            participant=ParticipantFactory(nom_usage=f"Profond {i}"),
            date_prescription=timezone.localdate() - datetime.timedelta(days=400 + i % 4),  # ties: the id decides
        )
    parcours = Parcours.objects.select_related("participant", "referent").order_by("-date_prescription", "-id")
    pages = _pages(parcours, 5, profondeur=5)  # every page after the first reads its ids first
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3 + Parcours.objects.count() - 23]


def test_deep_pages_keep_an_ordering_on_an_annotation(personas):
    """« Mes prescriptions » sorts on an expression (decided ones last): the ids subquery keeps it."""
    for i in range(9):
        PrescriptionFactory(prescripteur=personas.prescripteur, nom_usage=f"Ordre {i}")
    mine = (
        Prescription.objects.filter(prescripteur=personas.prescripteur)
        .annotate(decidee=decidee())
        .order_by("decidee", "-envoyee_le", "-id")
    )
    pages = _pages(mine, 2, profondeur=2)
    assert sum(pages, []) == list(mine.values_list("pk", flat=True))


def test_a_deep_page_reads_its_ids_then_its_rows_and_a_first_page_its_rows(personas):
    for _ in range(6):
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    parcours = Parcours.objects.select_related("participant").order_by("-date_prescription", "-id")
    assert parcours.count() >= 7

    def page_sql(number, demandee):
        paginator = listes.Paginateur(parcours, 2, demandee=demandee, borne=3, profondeur=2)
        with CaptureQueriesContext(connection) as queries:
            rows = list(paginator.get_page(number))
        assert len(rows) == 2 and len(queries) == 2  # counting, then the rows
        return [query["sql"] for query in queries], paginator

    # Page 3 asked for: one walk of the index for its ids and the next one, then 2 rows by id.
    (ids, rows), paginator = page_sql(3, 3)
    assert ids.startswith('SELECT "parcours_parcours"."id" AS "pk" FROM') and ids.endswith("LIMIT 3 OFFSET 4")
    assert '"id" IN (' in rows and "IN (SELECT" not in rows and "OFFSET" not in rows
    assert paginator.count == 7 and not paginator.exact and paginator.page(3).has_next()
    # Page 1: a bounded count, then its rows.
    (count, rows), _ = page_sql(1, 1)
    assert count.startswith("SELECT COUNT(*)") and "IN (" not in rows
