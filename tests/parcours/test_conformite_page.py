"""« Respect du rythme »: the figures of a small known case (time frozen), who sees which lines, the period
form, Caen's rule during an étape, statistical secrecy, and a query count that does not grow with the parcours."""

import datetime
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from parcours import rythme
from parcours.models import AbsenceReferent, Etat, Modalite, NatureAbsence, Parcours, StatutRendezVous
from plie.referentiel.services import load_preset
from tests.factories import (
    EtapeFactory,
    ParcoursFactory,
    ParticipantFactory,
    RendezVousFactory,
    TentativeContactFactory,
)
from tests.plie.test_query_counts import count_queries

PARIS = ZoneInfo("Europe/Paris")
URL = "/respect-du-rythme/"
ENTREE = datetime.date(2026, 1, 5)
PCT = "\u202f%"  # « 93 % », a narrow no-break space before the sign


def d(month, day, year=2026):
    return datetime.date(year, month, day)


@pytest.fixture
def frozen(time_machine):
    """Sunday 1 February 2026, 18:00 in Paris: the last full month is January."""
    time_machine.move_to(datetime.datetime(2026, 2, 1, 18, 0, tzinfo=PARIS), tick=False)


def suivi(referent, nom, entree=ENTREE):
    return ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=referent,
        start=entree - datetime.timedelta(days=14),
        date_entree=entree,
        date_premier_rdv=entree,
        participant=ParticipantFactory(nom_usage=nom, prenoms="Test"),
    )


def tenu(parcours, date, modalite=Modalite.PRESENTIEL):
    debut = timezone.make_aware(datetime.datetime.combine(date, datetime.time(10, 0)), PARIS)
    return RendezVousFactory(
        parcours=parcours,
        objet="entretien",
        debut=debut,
        statut=StatutRendezVous.HONORE,
        duree_reelle_minutes=60,
        cloture_le=debut + datetime.timedelta(hours=1),
        modalite=modalite,
        lieu=None,
        lieu_precision="Au CCAS" if modalite == Modalite.PRESENTIEL else "",
    )


@pytest.fixture
def janvier(frozen, personas):
    """Niort. Référent A: one parcours seen late (25/01, due 20/01), one on time (05/01, 18/01), and away
    from 12 to 18 January (5 working days). Référent B: one parcours never seen since its entry."""
    Parcours.objects.filter(pk=personas.parcours.pk).update(
        etat=Etat.ORIENTE, date_premier_rdv=None, date_entree=None, date_fin_mesure=None
    )
    personas.en_retard = suivi(personas.referent_a, "Tardieu")
    tenu(personas.en_retard, d(1, 25))
    personas.ponctuel = suivi(personas.referent_a, "Ponctuel")
    for day in (5, 18):
        tenu(personas.ponctuel, d(1, day))
    personas.jamais = suivi(personas.referent_b, "Oubliette")
    AbsenceReferent.objects.create(referent=personas.referent_a, debut=d(1, 12), fin=d(1, 18), nature="conge")
    AbsenceReferent.objects.create(referent=personas.referent_a, debut=d(2, 2), fin=d(2, 6), nature="formation")
    return personas


def text(response):
    """The page's text, tags left out, spaces collapsed (the narrow no-break space of « 93 % » kept)."""
    return re.sub(r"[ \t\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def lignes(response):
    return {ligne.referent: ligne for ligne in response.context["page_obj"]}


def test_the_figures_of_january_for_each_referent_and_the_plie(janvier, client_for):
    response = client_for(janvier.coordination).get(URL)
    assert response.status_code == 200
    assert (response.context["debut"], response.context["fin"]) == (d(1, 1), d(1, 31))
    niort = load_preset("niort")
    # The page reads the one rule: each figure is what rythme.conformite says of the parcours.
    expected = {
        p: rythme.conformite(Parcours.objects.get(pk=p.pk), niort, d(1, 1), d(1, 31))
        for p in (janvier.en_retard, janvier.ponctuel, janvier.jamais)
    }
    assert [(r.jours, r.jours_conformes, r.sans_retard) for r in expected.values()] == [
        (27, 23, False),
        (27, 27, True),
        (27, 16, False),
    ]
    rows = lignes(response)
    a, b = rows[janvier.referent_a], rows[janvier.referent_b]
    assert (a.parcours, a.jours_conformes, a.sans_retard, a.jours_absence) == (2, pytest.approx(50 / 54), 0.5, 5)
    assert (b.parcours, b.jours_conformes, b.sans_retard, b.jours_absence) == (1, pytest.approx(16 / 27), 0.0, 0)
    plie = response.context["plie"]
    assert (plie.parcours, plie.jours_conformes, plie.sans_retard) == (3, pytest.approx(66 / 81), pytest.approx(1 / 3))
    content = text(response)
    assert "du 01/01/2026 au 31/01/2026" in content
    name_a = janvier.referent_a.get_full_name()
    assert f"{name_a} 2 93{PCT} 50{PCT} 5 " in content
    assert re.search(f"Part des jours-parcours dans le rythme 81{PCT} Part des parcours sans retard 33{PCT}", content)
    # No participant is named.
    for nom in ("TARDIEU", "PONCTUEL", "OUBLIETTE", "Tardieu", "Ponctuel", "Oubliette"):
        assert nom not in content


def test_a_referent_sees_their_own_line_and_the_plie(janvier, client_for):
    response = client_for(janvier.referent_a).get(URL)
    assert response.status_code == 200
    assert list(lignes(response)) == [janvier.referent_a]
    assert response.context["plie"].parcours == 3
    assert janvier.referent_b.get_full_name() not in text(response)
    assert response.context["secret"] is False


def test_the_operateur_sees_its_referents_under_statistical_secrecy(janvier, client_for):
    response = client_for(janvier.operateur).get(URL)
    assert response.status_code == 200
    rows = lignes(response)
    assert set(rows) == {janvier.referent_a, janvier.referent_b}  # both employed by the opérateur
    a = rows[janvier.referent_a]
    assert (str(a.parcours), a.jours_conformes, a.sans_retard, a.jours_absence) == ("< 5", None, None, 5)
    plie = response.context["plie"]
    assert (str(plie.parcours), plie.jours_conformes) == ("< 5", None)
    content = text(response)
    assert "Un taux calculé sur moins de 5 parcours n'est pas affiché." in content
    assert f"93{PCT}" not in content and f"81{PCT}" not in content


def test_an_operateur_does_not_see_another_employers_referents(janvier, client_for):
    from tests.factories import ReferentFactory

    ailleurs = ReferentFactory()
    suivi(ailleurs, "Ailleurs")
    rows = lignes(client_for(janvier.operateur).get(URL))
    assert ailleurs not in rows
    assert ailleurs in lignes(client_for(janvier.coordination).get(URL))


def test_the_financeur_sees_the_plie_figure_only(janvier, client_for):
    for i in range(2):
        p = suivi(janvier.referent_b, f"Autre{i}")
        tenu(p, d(1, 10))
        tenu(p, d(1, 24))
    response = client_for(janvier.financeur).get(URL)
    assert response.status_code == 200
    assert response.context["avec_referents"] is False
    plie = response.context["plie"]
    assert str(plie.parcours) == "5" and plie.jours_conformes == pytest.approx((66 + 54) / 135)
    content = text(response)
    assert "Par référent" not in content
    assert janvier.referent_a.get_full_name() not in content


@pytest.mark.parametrize("who", ["prescripteur", "autre_prescripteur", "bureau_insertion"])
def test_the_other_roles_are_refused(janvier, client_for, who):
    assert client_for(getattr(janvier, who)).get(URL).status_code == 403


def test_anonymous_is_sent_to_login(janvier):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/")


def test_without_an_active_referentiel_the_page_says_so(janvier, client_for):
    from plie.referentiel.models import Referentiel

    Referentiel.objects.update(actif=False)
    response = client_for(janvier.coordination).get(URL)
    assert response.status_code == 404


# --- the period -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "period"),
    [
        ({"debut": "01/01/2026", "fin": "15/01/2026"}, (d(1, 1), d(1, 15))),
        ({"debut": "2026-01-10", "fin": "2026-01-20"}, (d(1, 10), d(1, 20))),
        ({"debut": "01/12/2025"}, (d(12, 1, 2025), d(12, 31, 2025))),  # the month of the one date given
        ({"fin": "15/01/2026"}, (d(1, 1), d(1, 15))),
    ],
)
def test_the_period_in_french_dates(janvier, client_for, query, period):
    response = client_for(janvier.coordination).get(URL, query)
    assert (response.context["debut"], response.context["fin"]) == period
    assert f"du {period[0]:%d/%m/%Y} au {period[1]:%d/%m/%Y}" in text(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"debut": "20/01/2026", "fin": "10/01/2026"},
            "La fin de la période ne peut précéder son début, le 20/01/2026.",
        ),
        ({"debut": "01/01/2024", "fin": "31/01/2026"}, "Choisissez une période d'au plus 366 jours."),
        ({"debut": "31/02/2026", "fin": "junk"}, "Saisissez une date valide."),
    ],
)
def test_a_refused_period_says_why_and_shows_the_last_month(janvier, client_for, query, message):
    response = client_for(janvier.coordination).get(URL, query)
    assert response.status_code == 200
    assert message in text(response)
    assert (response.context["debut"], response.context["fin"]) == (d(1, 1), d(1, 31))


# --- Caen: a contact by any means counts while the person is in an étape ------------------------------


@pytest.mark.parametrize("en_etape", [True, False])
def test_caen_counts_any_contact_during_an_etape_en_action(frozen, personas, client_for, en_etape):
    caen = load_preset("caen", activate=True)
    Parcours.objects.filter(pk=personas.parcours.pk).update(
        etat=Etat.ORIENTE, date_premier_rdv=None, date_entree=None, date_fin_mesure=None
    )
    parcours = suivi(personas.referent_a, "Caennais", entree=d(12, 1, 2025))
    TentativeContactFactory(
        parcours=parcours, abouti=True, date=timezone.make_aware(datetime.datetime(2025, 12, 20, 9, 0), PARIS)
    )
    tenu(parcours, d(1, 8), modalite=Modalite.TELEPHONE)
    if en_etape:
        EtapeFactory(parcours=parcours, type="formation_qualifiante", date_debut=d(12, 10, 2025))
    line = lignes(client_for(personas.coordination).get(URL))[personas.referent_a]
    parcours.refresh_from_db()
    expected = rythme.conformite(parcours, caen, d(1, 1), d(1, 31), en_etape=en_etape)
    if en_etape:  # the phone entretien of 08/01 counts: due on 07/02
        assert (expected.jours, expected.jours_conformes) == (31, 31)
    else:  # face to face only: due on 31/12, late all January
        assert (expected.jours, expected.jours_conformes) == (31, 0)
    assert line.jours_conformes == pytest.approx(expected.jours_conformes / expected.jours)


# --- queries ------------------------------------------------------------------------------------------


def grow(personas, total):
    """Parcours of référent A (and some of B) up to ``total`` for A, each with appointments, a contact, an
    étape, and a day of absence of its référent."""
    while Parcours.objects.filter(referent=personas.referent_a, date_entree__isnull=False).count() < total:
        n = Parcours.objects.count()
        p = suivi(personas.referent_a if n % 3 else personas.referent_b, f"Nom{n}", entree=d(12, 1, 2025))
        tenu(p, d(1, 5 + n % 20))
        tenu(p, d(12, 15, 2025), modalite=Modalite.TELEPHONE)
        TentativeContactFactory(parcours=p, abouti=True, date=timezone.make_aware(datetime.datetime(2026, 1, 12, 9)))
        EtapeFactory(parcours=p, type="formation_qualifiante", date_debut=d(12, 10, 2025))
        jour = d(1, 1) + datetime.timedelta(days=n % 31)
        AbsenceReferent.objects.get_or_create(
            referent=p.referent, debut=jour, defaults={"fin": jour, "nature": NatureAbsence.AUTRE}
        )


@pytest.mark.parametrize("preset", ["niort", "caen"])
@pytest.mark.parametrize("who", ["coordination", "referent_a", "operateur", "financeur"])
def test_the_query_count_does_not_grow_with_the_parcours(frozen, personas, client_for, preset, who):
    load_preset(preset, activate=True)
    client = client_for(getattr(personas, who))
    grow(personas, 3)
    client.get(URL)  # warm the per-process caches
    small, small_response = count_queries(client, URL)
    grow(personas, 25)
    large, large_response = count_queries(client, URL)
    assert small_response.context["plie"].parcours != large_response.context["plie"].parcours
    assert len(large) == len(small), "\n".join(large)
