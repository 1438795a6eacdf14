"""The référent's agenda: the free slots of a day, the day and week pages, who may open them, the access
log, and a query count that does not grow with the appointments."""

import datetime
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from parcours import agenda
from parcours.models import AbsenceReferent, Etat, Modalite, NatureAbsence, RendezVous, StatutRendezVous
from plie.acces.models import AccesDossier, TypeObjet
from tests.factories import EntretienFactory, ParcoursFactory, ParticipantFactory
from tests.plie.test_query_counts import count_queries

PARIS = ZoneInfo("Europe/Paris")
LUNDI = datetime.date(2026, 3, 2)
MERCREDI = LUNDI + datetime.timedelta(days=2)
SAMEDI = LUNDI + datetime.timedelta(days=5)
URL = "/agenda/"


def at(jour, heure, minute=0):
    return timezone.make_aware(datetime.datetime(jour.year, jour.month, jour.day, heure, minute), PARIS)


def rdv(jour, heure, minute=0, duree=60, statut=StatutRendezVous.PREVU, pk=None, **fields):
    """An appointment in memory: the slot rule reads no database."""
    return RendezVous(pk=pk, debut=at(jour, heure, minute), duree_minutes=duree, statut=statut, **fields)


def hours(creneaux):
    """(start, end, 'libre' or 'rdv') of each slot, as « HH:MM »."""
    return [(f"{c.debut:%H:%M}", f"{c.fin:%H:%M}", "libre" if c.libre else "rdv") for c in creneaux]


@pytest.fixture
def frozen(time_machine):
    """Wednesday 4 March 2026, 8:00 in Paris."""
    time_machine.move_to(at(MERCREDI, 8), tick=False)
    return MERCREDI


# --- the free slots of a day (the rule, without the database) -----------------------------------


def test_an_empty_working_day_is_free_within_the_working_hours():
    assert hours(agenda.creneaux(LUNDI, [])) == [("09:00", "12:30", "libre"), ("13:30", "17:30", "libre")]


def test_an_appointment_cuts_the_free_slot_around_it():
    assert hours(agenda.creneaux(LUNDI, [rdv(LUNDI, 10)])) == [
        ("09:00", "10:00", "libre"),
        ("10:00", "11:00", "rdv"),
        ("11:00", "12:30", "libre"),
        ("13:30", "17:30", "libre"),
    ]


def test_an_appointment_over_the_lunch_break_takes_from_both_half_days():
    assert hours(agenda.creneaux(LUNDI, [rdv(LUNDI, 12, duree=120)])) == [
        ("09:00", "12:00", "libre"),
        ("12:00", "14:00", "rdv"),
        ("14:00", "17:30", "libre"),
    ]


def test_overlapping_appointments_and_a_gap_too_short_to_offer():
    slots = agenda.creneaux(
        LUNDI,
        [
            rdv(LUNDI, 9, 10, pk=1),  # 10 minutes after the opening: no free slot before it
            rdv(LUNDI, 9, 30, duree=90, pk=2),  # overlaps the first one, ends at 11:00
            rdv(LUNDI, 11, 10, duree=80, pk=3),  # 10 minutes after: no slot; ends at 12:30
            rdv(LUNDI, 14, duree=30, pk=4),
        ],
    )
    assert hours(slots) == [
        ("09:10", "10:10", "rdv"),
        ("09:30", "11:00", "rdv"),
        ("11:10", "12:30", "rdv"),
        ("13:30", "14:00", "libre"),
        ("14:00", "14:30", "rdv"),
        ("14:30", "17:30", "libre"),
    ]


def test_a_cancelled_appointment_frees_its_slot_and_is_not_shown():
    slots = agenda.creneaux(LUNDI, [rdv(LUNDI, 10, statut=StatutRendezVous.ANNULE)])
    assert hours(slots) == [("09:00", "12:30", "libre"), ("13:30", "17:30", "libre")]


@pytest.mark.parametrize("statut", [StatutRendezVous.HONORE, StatutRendezVous.ABSENT, StatutRendezVous.EXCUSE])
def test_a_closed_appointment_still_holds_its_slot(statut):
    held = rdv(LUNDI, 14, duree=60, statut=statut, duree_reelle_minutes=90 if statut == "honore" else None)
    end = "15:30" if statut == StatutRendezVous.HONORE else "15:00"  # held: its real length
    assert ("14:00", end, "rdv") in hours(agenda.creneaux(LUNDI, [held]))


def test_without_a_planned_length_the_referentiel_average_holds_the_slot():
    slots = agenda.creneaux(LUNDI, [rdv(LUNDI, 9, duree=None)], duree_par_defaut=45)
    assert hours(slots)[:2] == [("09:00", "09:45", "rdv"), ("09:45", "12:30", "libre")]
    assert hours(agenda.creneaux(LUNDI, [rdv(LUNDI, 9, duree=None)], duree_par_defaut=None))[0][1] == "10:00"


def test_no_free_slot_at_the_weekend_or_an_absent_day_but_the_appointments_stay():
    assert hours(agenda.creneaux(SAMEDI, [])) == []
    assert hours(agenda.creneaux(SAMEDI, [rdv(SAMEDI, 10)])) == [("10:00", "11:00", "rdv")]
    assert hours(agenda.creneaux(LUNDI, [rdv(LUNDI, 10)], absent=True)) == [("10:00", "11:00", "rdv")]


def test_an_appointment_outside_the_hours_or_on_another_day():
    slots = agenda.creneaux(LUNDI, [rdv(LUNDI, 18), rdv(MERCREDI, 10)])
    assert hours(slots) == [("09:00", "12:30", "libre"), ("13:30", "17:30", "libre"), ("18:00", "19:00", "rdv")]


def test_the_day_follows_paris_time_across_the_daylight_saving_change():
    dimanche_ete = datetime.date(2026, 3, 29)  # clocks go forward at 2:00
    lundi = dimanche_ete + datetime.timedelta(days=1)
    assert hours(agenda.creneaux(lundi, [rdv(lundi, 9, duree=30)]))[:2] == [
        ("09:00", "09:30", "rdv"),
        ("09:30", "12:30", "libre"),
    ]


def test_periods_and_the_previous_and_next_links():
    assert agenda.periode(MERCREDI, "semaine") == (LUNDI, LUNDI + datetime.timedelta(days=6))
    assert agenda.periode(MERCREDI, "jour") == (MERCREDI, MERCREDI)
    assert agenda.precedent_suivant(MERCREDI, "semaine") == (
        LUNDI - datetime.timedelta(days=7),
        LUNDI + datetime.timedelta(days=7),
    )
    # Day by day the weekend is skipped.
    assert agenda.precedent_suivant(LUNDI, "jour") == (
        LUNDI - datetime.timedelta(days=3),
        LUNDI + datetime.timedelta(days=1),
    )
    vendredi = LUNDI + datetime.timedelta(days=4)
    assert agenda.precedent_suivant(vendredi, "jour")[1] == LUNDI + datetime.timedelta(days=7)


def test_working_days_of_absence_count_once_and_skip_the_weekend():
    absences = [
        AbsenceReferent(debut=LUNDI, fin=LUNDI + datetime.timedelta(days=6), nature=NatureAbsence.CONGE),
        AbsenceReferent(debut=MERCREDI, fin=MERCREDI + datetime.timedelta(days=7), nature=NatureAbsence.MALADIE),
    ]
    # 2 to 11 March: 8 working days; within the period from 3 March: 7.
    assert (
        agenda.jours_ouvres_d_absence(
            absences, LUNDI - datetime.timedelta(days=10), LUNDI + datetime.timedelta(days=30)
        )
        == 8
    )
    assert (
        agenda.jours_ouvres_d_absence(absences, LUNDI + datetime.timedelta(days=1), LUNDI + datetime.timedelta(days=30))
        == 7
    )
    assert agenda.jours_ouvres_d_absence([], LUNDI, MERCREDI) == 0


# --- the page ------------------------------------------------------------------------------------


def entretien(parcours, jour, heure, **fields):
    return EntretienFactory(parcours=parcours, debut=at(jour, heure), duree_minutes=60, **fields)


@pytest.fixture
def semaine(frozen, named):
    """Référent A's week: an entretien on Monday 10:00 (held) and Wednesday 14:00 (planned), one cancelled,
    one on the next week; référent B's on Wednesday 10:00; référent A is away on Friday."""
    parcours = named.parcours
    other = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=named.referent_b,
        participant=ParticipantFactory(nom_usage="Kerbrat", prenoms="Solenn"),
    )
    named.lundi = entretien(parcours, LUNDI, 10, statut="honore", duree_reelle_minutes=60, cloture_le=at(LUNDI, 11))
    named.mercredi = entretien(parcours, MERCREDI, 14, modalite=Modalite.TELEPHONE, lieu_precision="")
    entretien(parcours, MERCREDI, 16, statut="annule", cloture_le=at(LUNDI, 9))
    entretien(parcours, LUNDI + datetime.timedelta(days=7), 10)
    entretien(other, MERCREDI, 10)
    named.absence = AbsenceReferent.objects.create(
        referent=named.referent_a,
        debut=LUNDI + datetime.timedelta(days=4),
        fin=LUNDI + datetime.timedelta(days=4),
        nature=NatureAbsence.FORMATION,
        commentaire="Formation PLIE",
    )
    return named


def text(response):
    """The page's text, tags left out, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_referent_sees_their_week_with_the_free_slots_and_the_absent_day(semaine, client_for):
    response = client_for(semaine.referent_a).get(URL)
    assert response.status_code == 200
    content = text(response)
    assert "Mon agenda" in content and "Semaine du 02/03/2026 au 08/03/2026" in content
    jours = [j for j, _lien in response.context["jours"]]
    assert [j.date for j in jours] == [LUNDI + datetime.timedelta(days=i) for i in range(5)]
    lundi, _, mercredi, _, vendredi = jours
    assert hours(lundi.creneaux) == [
        ("09:00", "10:00", "libre"),
        ("10:00", "11:00", "rdv"),
        ("11:00", "12:30", "libre"),
        ("13:30", "17:30", "libre"),
    ]
    assert [c.rdv for c in mercredi.creneaux if not c.libre] == [semaine.mercredi]  # the cancelled one is left out
    assert vendredi.absences == [semaine.absence] and vendredi.creneaux == []
    assert "Absence : formation" in content and "Formation le 06/03/2026 — Formation PLIE" in content
    assert "09:00 – 10:00 libre" in content
    assert "2 rendez-vous, 10 créneaux libres" in content
    name = semaine.parcours.participant.nom_complet
    assert f'<a href="/parcours/{semaine.parcours.pk}/">{name}</a>' in unescape(response.content.decode())
    assert "KERBRAT" not in content  # référent B's person
    assert "Par téléphone" in content and "Honoré" in content


def test_the_day_view_and_its_links(semaine, client_for):
    client = client_for(semaine.referent_a)
    response = client.get(URL, {"jour": "2026-03-02", "vue": "jour"})
    content = unescape(response.content.decode())
    assert [j.date for j, _ in response.context["jours"]] == [LUNDI]
    assert "Lundi 2 mars 2026" in content
    me = semaine.referent_a.pk
    assert f'href="/agenda/?referent={me}&jour=2026-02-27&vue=jour">Jour précédent' in content  # Friday before
    assert f'href="/agenda/?referent={me}&jour=2026-03-03&vue=jour">Jour suivant' in content
    assert f'href="/agenda/?referent={me}&jour=2026-03-04&vue=jour">Aujourd\'hui' in content
    week = unescape(client.get(URL, {"jour": "2026-03-04"}).content.decode())
    assert f'href="/agenda/?referent={me}&jour=2026-02-23&vue=semaine">Semaine précédente' in week
    assert f'href="/agenda/?referent={me}&jour=2026-03-09&vue=semaine">Semaine suivante' in week
    assert f'href="/agenda/?referent={me}&jour=2026-03-02&vue=jour">Lundi 2 mars' in week
    # A Saturday with an appointment is shown in its week; junk in the URL is ignored with its message.
    response = client.get(URL, {"jour": "31/02/2026", "vue": "mois"})
    assert response.status_code == 200
    assert response.context["vue"] == "semaine" and response.context["jour"] == MERCREDI
    assert "Saisissez une date valide." in unescape(response.content.decode())


def test_a_weekend_appointment_shows_its_day(semaine, client_for):
    entretien(semaine.parcours, SAMEDI, 10)
    response = client_for(semaine.referent_a).get(URL)
    assert SAMEDI in [j.date for j, _ in response.context["jours"]]


def test_the_coordination_chooses_any_referent(semaine, client_for):
    client = client_for(semaine.coordination)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["referent"] is None
    assert "Choisissez un référent" in text(response)
    assert not AccesDossier.objects.exists()
    response = client.get(URL, {"referent": semaine.referent_b.pk, "jour": "2026-03-04", "vue": "jour"})
    assert response.status_code == 200
    assert f"Agenda de {semaine.referent_b.get_full_name()}" in text(response)
    assert "KERBRAT Solenn" in text(response)
    # A référent's absences are entered from their agenda by the coordination too.
    assert f"/agenda/absences/nouvelle/?referent={semaine.referent_b.pk}" in response.content.decode()


def test_the_coordination_asking_a_non_referent_gets_the_selector_with_a_message(semaine, client_for):
    response = client_for(semaine.coordination).get(URL, {"referent": semaine.prescripteur.pk})
    assert response.status_code == 200 and response.context["referent"] is None
    assert "Sélectionnez un choix valide" in text(response)


@pytest.mark.parametrize("who", ["referent_a", "referent_b"])
def test_a_referent_asking_another_agenda_gets_a_404(semaine, client_for, who):
    user = getattr(semaine, who)
    other = semaine.referent_b if who == "referent_a" else semaine.referent_a
    client = client_for(user)
    assert client.get(URL, {"referent": other.pk}).status_code == 404
    assert client.get(URL, {"referent": "junk"}).status_code == 404
    assert client.get(URL, {"referent": user.pk}).status_code == 200


@pytest.mark.parametrize("who", ["prescripteur", "autre_prescripteur", "bureau_insertion", "operateur", "financeur"])
def test_the_other_roles_are_refused_the_agenda(semaine, client_for, who):
    client = client_for(getattr(semaine, who))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"referent": semaine.referent_a.pk}).status_code == 403


def test_anonymous_is_sent_to_login(semaine):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/")


def test_each_parcours_shown_is_logged_once_and_a_refusal_too(semaine, client_for):
    client_for(semaine.referent_a).get(URL)
    rows = list(AccesDossier.objects.order_by("id"))
    assert [(r.utilisateur, r.type_objet, r.objet_id, r.refuse, r.chemin) for r in rows] == [
        (semaine.referent_a, TypeObjet.PARCOURS, semaine.parcours.pk, False, URL)
    ]
    client_for(semaine.referent_b).get(URL, {"referent": semaine.referent_a.pk})
    refused = AccesDossier.objects.filter(utilisateur=semaine.referent_b).get()
    assert (refused.refuse, refused.objet_id) == (True, None)
    client_for(semaine.financeur).get(URL)
    assert AccesDossier.objects.get(utilisateur=semaine.financeur).refuse is True


def test_the_navigation_offers_the_agenda_to_the_referent_and_the_coordination(semaine, client_for):
    for who, offered in [("referent_a", True), ("coordination", True), ("prescripteur", False), ("financeur", False)]:
        content = client_for(getattr(semaine, who)).get("/").content.decode()
        assert ('href="/agenda/"' in content) is offered, who


# --- queries ---------------------------------------------------------------------------------------


def add_rendez_vous(referent, total):
    """Up to ``total`` appointments on Wednesday, spread over as many parcours as a tenth of them."""
    existing = RendezVous.objects.filter(parcours__referent=referent).count()
    parcours = [
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent, start=LUNDI - datetime.timedelta(days=60))
        for _ in range(max(1, (total - existing) // 10))
    ]
    RendezVous.objects.bulk_create(
        RendezVous(
            parcours=parcours[i % len(parcours)],
            objet="entretien",
            debut=at(MERCREDI, 9) + datetime.timedelta(minutes=i),
            duree_minutes=30,
            lieu_precision="Bureau 2",
        )
        for i in range(total - existing)
    )


@pytest.mark.parametrize("vue", ["semaine", "jour"])
def test_the_query_count_does_not_grow_with_the_appointments(frozen, personas, client_for, vue):
    client = client_for(personas.referent_a)
    url = f"{URL}?jour=2026-03-04&vue={vue}"
    add_rendez_vous(personas.referent_a, 10)
    client.get(url)  # warm the per-process caches
    small, small_response = count_queries(client, url)
    add_rendez_vous(personas.referent_a, 300)
    large, large_response = count_queries(client, url)
    assert small_response.context["nombre_rdv"] == 10 and large_response.context["nombre_rdv"] == 300
    assert len(large) == len(small), "\n".join(large)
    assert AccesDossier.objects.filter(chemin=URL).count() >= 30
