"""The référent's home puts the overdue parcours first, then those due within a week; Caen's rhythm
checks people in an étape emploi / formation by any means, on the home and the dossier. Time frozen."""

import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from parcours.models import Etat
from tests.factories import (
    ContactFactory,
    EntretienFactory,
    EtapeFactory,
    ParcoursFactory,
    ParticipantFactory,
)
from tests.plie.test_query_counts import CEILING, count_queries

PARIS = ZoneInfo("Europe/Paris")
D = datetime.date(2026, 3, 10)


def jours(n):
    return datetime.timedelta(days=n)


def moment(date, heure=10):
    return datetime.datetime.combine(date, datetime.time(heure), tzinfo=PARIS)


@pytest.fixture
def jour(time_machine):
    time_machine.move_to(moment(D, 9), tick=False)
    return D


def accompagne(referent, nom, entree=None, honore=None, **kwargs):
    """In accompaniment since ``entree`` (40 days ago), its last face-to-face entretien held on ``honore``."""
    entree = entree or D - jours(40)
    parcours = ParcoursFactory(
        etat=kwargs.pop("etat", Etat.ACCOMPAGNEMENT),
        referent=referent,
        start=entree - jours(14),
        date_entree=entree,
        date_premier_rdv=entree,
        participant=ParticipantFactory(nom_usage=nom, prenoms="Test"),
        **kwargs,
    )
    if honore:
        EntretienFactory(parcours=parcours, honore=True, debut=moment(honore))
    return parcours


def priorites(client):
    """The names in « Entretiens à prévoir en priorité », in order, and the section's text."""
    response = client.get("/")
    assert response.status_code == 200
    content = unescape(response.content.decode())
    if 'id="rythme-a-voir"' not in content:
        return [], "", response
    start = content.index('id="rythme-a-voir"')
    text = content[start : content.index("</section>", start)]
    names = [ligne.parcours.participant.nom_usage for ligne in response.context["en_retard"]]
    names += [ligne.parcours.participant.nom_usage for ligne in response.context["bientot"]]
    return names, text, response


def test_the_most_overdue_come_first_then_those_due_within_a_week(jour, personas, client_for):
    referent = personas.referent_a
    personas.parcours.delete()  # the personas' own parcours, entered on another date
    accompagne(referent, "Cinqjours", honore=D - jours(20))  # Niort, first 3 months: due D-5
    accompagne(referent, "Vingtcinq")  # nothing since the entry: due D-25
    soon = accompagne(referent, "Troisjours", honore=D - jours(12))  # due D+3
    EntretienFactory(parcours=soon, debut=moment(D + jours(2)))  # already fixed
    accompagne(referent, "Tranquille", honore=D - jours(2))  # due D+13: not listed
    accompagne(referent, "Enveille", etat=Etat.VEILLE)  # the rhythm is suspended
    accompagne(personas.referent_b, "Autrereferent")  # not theirs

    names, text, response = priorites(client_for(referent))
    assert names == ["Vingtcinq", "Cinqjours", "Troisjours"]
    assert [ligne.retard for ligne in response.context["en_retard"]] == [25, 5]
    assert "13/02/2026" in text and "en retard de 25 jours" in text
    assert "05/03/2026" in text and "en retard de 5 jours" in text
    assert "13/03/2026" in text and "dans 3 jours" in text and "le 12/03/2026" in text
    assert "prochain entretien en face à face" in text
    # The rest of the list is as before: every open parcours, by name.
    assert "TRANQUILLE Test" in unescape(response.content.decode())


def test_no_priority_section_when_nothing_is_due(jour, personas, client_for):
    personas.parcours.delete()
    accompagne(personas.referent_a, "Tranquille", honore=D - jours(2))
    names, text, _ = priorites(client_for(personas.referent_a))
    assert names == [] and text == ""


# --- Caen: by any means while in an étape emploi / formation ------------------------------------


def in_an_etape(parcours, type_="emploi_classique", **kwargs):
    return EtapeFactory(parcours=parcours, type=type_, date_debut=parcours.date_entree, **kwargs)


def test_caen_a_person_in_an_etape_emploi_is_checked_by_any_means(jour, personas, caen, client_for):
    referent = personas.referent_a
    personas.parcours.delete()
    # Caen: monthly. Last face-to-face meeting 40 days ago; a phone call that reached the person 28 days ago.
    en_emploi = accompagne(referent, "Enemploi", entree=D - jours(60), honore=D - jours(40))
    in_an_etape(en_emploi)
    ContactFactory(parcours=en_emploi, abouti=True, date=moment(D - jours(28)))
    seul = accompagne(referent, "Seul", entree=D - jours(60), honore=D - jours(40))
    ContactFactory(parcours=seul, abouti=True, date=moment(D - jours(28)))
    fini = accompagne(referent, "Etapefinie", entree=D - jours(60), honore=D - jours(40))
    in_an_etape(fini, etat="realisee", date_fin=D - jours(5))
    ContactFactory(parcours=fini, abouti=True, date=moment(D - jours(28)))
    preparatoire = accompagne(referent, "Preparatoire", entree=D - jours(60), honore=D - jours(40))
    in_an_etape(preparatoire, "remobilisation")  # not emploi, formation or opération
    ContactFactory(parcours=preparatoire, abouti=True, date=moment(D - jours(28)))
    client = client_for(referent)

    names, text, response = priorites(client)
    # In an étape emploi: the phone call counts, due in 2 days; the others are 10 days late face to face.
    assert names == ["Seul", "Etapefinie", "Preparatoire", "Enemploi"]
    ligne = response.context["bientot"][0]
    assert not ligne.echeance.face_a_face and ligne.echeance.jours_restants == 2
    assert "prochain contact (tout moyen)" in text
    assert all(ligne.echeance.face_a_face for ligne in response.context["en_retard"])

    dossier = unescape(client.get(f"/parcours/{en_emploi.pk}/").content.decode())
    assert "Prochain contact (tout moyen) avant le 12/03/2026" in dossier
    assert "Contact (tout moyen) à prévoir avant le 12/03/2026" in dossier  # the alert
    dossier_seul = unescape(client.get(f"/parcours/{seul.pk}/").content.decode())
    assert "Prochain entretien en face à face attendu avant le 28/02/2026 : en retard de 10 jours" in dossier_seul


def test_niort_asks_face_to_face_meetings_whatever_the_etape(jour, personas, client_for):
    personas.parcours.delete()
    # Past the first 3 months (every 15 days): monthly.
    parcours = accompagne(personas.referent_a, "Enemploi", entree=D - jours(200), honore=D - jours(40))
    in_an_etape(parcours)
    ContactFactory(parcours=parcours, abouti=True, date=moment(D - jours(28)))
    names, text, response = priorites(client_for(personas.referent_a))
    assert names == ["Enemploi"] and response.context["en_retard"][0].echeance.face_a_face
    dossier = unescape(client_for(personas.referent_a).get(f"/parcours/{parcours.pk}/").content.decode())
    assert "Prochain entretien en face à face attendu avant le 28/02/2026" in dossier


# --- constant queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["niort", "caen"])
def test_the_referent_home_queries_do_not_grow_with_the_portfolio(personas, client_for, preset, request):
    """10 then 60 parcours, each with held and planned appointments, contacts, some in veille or in an
    étape: the same queries, under the ceiling, with either référentiel."""
    if preset == "caen":
        request.getfixturevalue("caen")
    referent = personas.referent_a
    today = timezone.localdate()

    def grow(total):
        n = referent.parcours_suivis.count()
        while n < total:
            etat = Etat.VEILLE if n % 7 == 0 else Etat.ACCOMPAGNEMENT
            parcours = accompagne(
                referent, f"Portefeuille{n}", entree=today - jours(60 + n), honore=today - jours(n % 40), etat=etat
            )
            EntretienFactory(parcours=parcours, debut=timezone.now() + jours(n % 9 + 1))
            ContactFactory(parcours=parcours, abouti=bool(n % 2), date=timezone.now() - jours(n % 30))
            if n % 3 == 0:
                in_an_etape(parcours)
            n += 1

    client = client_for(referent)
    grow(10)
    client.get("/")
    small, small_response = count_queries(client, "/")
    grow(60)
    large, large_response = count_queries(client, "/")

    def listed(response):
        return len(response.context["en_retard"]) + len(response.context["bientot"])

    assert listed(large_response) > listed(small_response) > 0
    assert len(large) <= CEILING, f"{len(large)} queries:\n" + "\n".join(large)
    assert len(large) == len(small), f"{len(small)} then {len(large)} queries:\n" + "\n".join(large)
