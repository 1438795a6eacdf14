"""Unjustified absences (N §III.d): the follow-up tasks on the parcours and the référent's home,
the bureau insertion emailed when the référent is RUP, and the flag for the cellule de suivi after
the référentiel's number of absences with no attended appointment between them (Niort 2; Caen none).

Time is frozen on Tuesday 10 March 2026, 10:00 in Paris, and ticks from there.
"""

import datetime
import re
import zoneinfo
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from parcours import absences, contacts
from parcours.models import Etat, Modalite, StatutRendezVous
from plie.accounts.models import PrescripteurKind
from plie.notifications.models import Message
from plie.referentiel.services import activate_referentiel, load_preset
from tests.factories import (
    AtelierFactory,
    EntretienFactory,
    InscriptionAtelierFactory,
    ParcoursFactory,
    PresenceAtelierFactory,
    SeanceAtelierFactory,
)
from tests.plie.test_query_counts import count_queries

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)
S = StatutRendezVous


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW)


def rdv(parcours, days_ago, issue=None, modalite=Modalite.PRESENTIEL, by=None):
    """An entretien ``days_ago`` days back at 10:00, closed through its transition (``issue``)."""
    entretien = EntretienFactory(
        parcours=parcours,
        debut=NOW - datetime.timedelta(days=days_ago),
        modalite=modalite,
        lieu_precision="Bureau 2" if modalite == Modalite.PRESENTIEL else "",
    )
    by = by or parcours.referent
    if issue == S.HONORE:
        entretien.honorer(by, 50)
    elif issue == S.ABSENT:
        entretien.noter_absence(by)
    elif issue == S.EXCUSE:
        entretien.excuser(by)
    elif issue == S.ANNULE:
        entretien.annuler(by)
    return entretien


def day(days_ago):
    return (NOW - datetime.timedelta(days=days_ago)).date()


# --- the flag for the cellule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "flagged", "dates"),
    [
        # Oldest first: (days ago, issue).
        ([(30, S.HONORE), (20, S.ABSENT)], False, [20]),
        ([(30, S.ABSENT), (20, S.ABSENT)], True, [30, 20]),
        ([(30, S.ABSENT), (25, S.HONORE), (20, S.ABSENT)], False, [20]),
        # Excused and cancelled appointments were not attended: they do not break the run.
        ([(30, S.ABSENT), (25, S.EXCUSE), (22, S.ANNULE), (20, S.ABSENT)], True, [30, 20]),
        ([(40, S.ABSENT), (30, S.ABSENT), (20, S.HONORE)], False, []),
        ([(30, S.ABSENT), (20, S.ABSENT), (10, S.ABSENT)], True, [30, 20, 10]),
    ],
)
def test_niort_flags_the_second_unjustified_absence_in_a_row(named, niort, history, flagged, dates):
    for days_ago, issue in history:
        rdv(named.parcours, days_ago, issue)
    signalement = absences.absences_a_signaler(named.parcours, niort)
    assert (signalement.a_signaler, signalement.dates, signalement.seuil) == (flagged, [day(d) for d in dates], 2)


def test_remote_entretiens_count_the_same(named, niort):
    rdv(named.parcours, 30, S.ABSENT, modalite=Modalite.VISIO)
    rdv(named.parcours, 20, S.ABSENT, modalite=Modalite.TELEPHONE)
    assert absences.absences_a_signaler(named.parcours, niort).a_signaler


def test_caen_sets_no_threshold_so_nothing_is_flagged(named, caen):
    for days_ago in (30, 20, 10):
        rdv(named.parcours, days_ago, S.ABSENT)
    signalement = absences.absences_a_signaler(named.parcours, caen)
    assert (signalement.a_signaler, len(signalement.dates), signalement.seuil) == (False, 3, None)


def test_the_threshold_is_the_referentiels(named, caen):
    caen.absences_avant_cellule = 3
    rdv(named.parcours, 30, S.ABSENT)
    rdv(named.parcours, 20, S.ABSENT)
    assert not absences.absences_a_signaler(named.parcours, caen).a_signaler
    rdv(named.parcours, 10, S.ABSENT)
    assert absences.absences_a_signaler(named.parcours, caen).a_signaler


def test_the_parcours_page_shows_the_flag_with_the_dates(named, client_for):
    rdv(named.parcours, 30, S.ABSENT)
    rdv(named.parcours, 20, S.ABSENT)
    content = unescape(client_for(named.referent_a).get(f"/parcours/{named.parcours.pk}/").content.decode())
    assert "À présenter à la prochaine cellule de suivi" in content
    assert f"le {day(30):%d/%m/%Y}, le {day(20):%d/%m/%Y}" in content


def test_under_caen_the_page_shows_no_flag(named, client_for):
    activate_referentiel(load_preset("caen"))
    rdv(named.parcours, 30, S.ABSENT)
    rdv(named.parcours, 20, S.ABSENT)
    content = client_for(named.referent_a).get(f"/parcours/{named.parcours.pk}/").content.decode()
    assert "prochaine cellule de suivi" not in content
    assert "Absence non justifiée du" in content  # the follow-up is the same


# --- the follow-up tasks ------------------------------------------------------------------------


def states(parcours):
    """The tasks as lists compute them (SQL, ``avec_absence``), checked against the dossier's reading of
    the same rows (``suivi_lu``, in Python)."""
    suivi = absences.suivi(parcours)
    lu = absences.suivi_lu(
        list(parcours.rendez_vous.all()),
        list(parcours.tentatives_contact.all()),
        list(parcours.presences_atelier.select_related("seance")),
    )
    assert lu == suivi
    return None if suivi is None else {t.code: t.faite for t in suivi.taches}


def test_a_session_of_an_atelier_counts_as_an_appointment_in_both_readings(named):
    """Absent from a session after a held entretien: to follow; present at a later one: no more."""
    parcours = named.parcours
    rdv(parcours, 30, S.HONORE)
    atelier = AtelierFactory(animateur=named.referent_a, premiere_date=day(10))
    inscription = InscriptionAtelierFactory(atelier=atelier, parcours=parcours)
    seance = SeanceAtelierFactory(atelier=atelier, tenue=True)
    PresenceAtelierFactory(seance=seance, parcours=inscription.parcours, statut="absent_injustifie")
    assert states(parcours) == {"appeler": False, "proposer": False, "avertir": False}
    assert absences.suivi(parcours).absence_debut == seance.debut
    trois_jours = datetime.timedelta(days=3)
    suivante = SeanceAtelierFactory(
        atelier=atelier, tenue=True, debut=seance.debut + trois_jours, fin=seance.fin + trois_jours
    )
    PresenceAtelierFactory(seance=suivante, parcours=parcours)
    assert states(parcours) is None


def test_each_task_is_done_by_what_it_asks_for_and_a_held_rdv_ends_the_follow_up(named, time_machine):
    parcours, referent = named.parcours, named.referent_a
    assert states(parcours) is None
    absence = rdv(parcours, 2, S.ABSENT)
    assert absences.suivi(parcours).absence_debut == absence.debut
    assert states(parcours) == {"appeler": False, "proposer": False, "avertir": False}
    # A partner heard of is no call to the person.
    contacts.noter_contact(parcours, referent, "partenaire", partenaire="CCAS")
    assert states(parcours)["appeler"] is False
    contacts.noter_contact(parcours, referent, "telephone", abouti=False)
    assert states(parcours) == {"appeler": True, "proposer": False, "avertir": False}
    prochain = EntretienFactory(parcours=parcours, debut=NOW + datetime.timedelta(days=5))
    assert states(parcours) == {"appeler": True, "proposer": True, "avertir": False}
    contacts.noter_contact(parcours, referent, "sms", avertissement_absence=True)
    assert states(parcours) == {"appeler": True, "proposer": True, "avertir": True}
    time_machine.move_to(NOW + datetime.timedelta(days=5, hours=2))
    prochain.honorer(referent, 60)
    assert states(parcours) is None


def test_a_cancelled_new_appointment_is_no_offer(named):
    rdv(named.parcours, 2, S.ABSENT)
    EntretienFactory(parcours=named.parcours, debut=NOW + datetime.timedelta(days=5)).annuler(named.referent_a)
    assert states(named.parcours)["proposer"] is False


def test_tasks_show_on_the_parcours_page_and_the_referents_home(named, client_for):
    rdv(named.parcours, 2, S.ABSENT)
    client = client_for(named.referent_a)
    page = unescape(client.get(f"/parcours/{named.parcours.pk}/").content.decode())
    assert f"Absence non justifiée du {day(2):%d/%m/%Y} à suivre" in page
    for libelle in absences.LIBELLES.values():
        assert f"☐ à faire</span> — {libelle}" in page
    home = unescape(client.get("/").content.decode())
    assert "Absences à suivre" in home
    assert f"VAUTRIN-LACOMBE Ysaline</a> — absence du {day(2):%d/%m/%Y}" in home
    assert "☐ appel" in home


def test_the_home_of_another_referent_does_not_list_it(named, client_for):
    rdv(named.parcours, 2, S.ABSENT)
    assert "Absences à suivre" not in client_for(named.referent_b).get("/").content.decode()


def test_the_prescripteur_sees_no_tasks(named, client_for):
    rdv(named.parcours, 2, S.ABSENT)
    content = client_for(named.prescripteur).get(f"/parcours/{named.parcours.pk}/").content.decode()
    assert "à suivre" not in content


# --- the bureau insertion, when the référent is RUP ---------------------------------------------


@pytest.fixture
def bureau(named):
    bi = named.bureau_insertion
    bi.structure.type_prescripteur = PrescripteurKind.BUREAU_INSERTION
    bi.structure.email = "bi@departement.example"
    bi.structure.save()
    return bi


def close_absent(client, entretien):
    url = reverse("parcours:entretien_clore", args=[entretien.parcours_id, entretien.pk])
    token = re.search(r'name="instantane" value="([^"]+)"', client.get(url).content.decode()).group(1)
    return client.post(url, {"instantane": token, "statut": S.ABSENT})


def test_the_bureau_insertion_is_emailed_after_commit_when_the_referent_is_rup(
    named, bureau, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    named.parcours.rup = True
    named.parcours.save()
    entretien = rdv(named.parcours, 1)
    client = client_for(named.referent_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert close_absent(client, entretien).status_code == 302
    assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    [message] = mailoutbox
    assert sorted(message.to) == sorted([bureau.email, "bi@departement.example"])
    assert message.subject == f"PLIE : absence non justifiée à un rendez-vous du {day(1):%d/%m/%Y}"
    assert "Vautrin" not in message.subject and "VAUTRIN" not in message.subject
    assert "VAUTRIN-LACOMBE Ysaline" in message.body
    assert named.referent_a.get_full_name() in message.body


@pytest.mark.parametrize("issue", [S.EXCUSE, S.HONORE])
def test_no_email_for_anything_but_an_unjustified_absence(named, bureau, issue):
    named.parcours.rup = True
    named.parcours.save()
    rdv(named.parcours, 1, issue)
    assert not Message.objects.exists()


def test_no_email_when_the_referent_is_not_rup(named, bureau, client_for, django_capture_on_commit_callbacks):
    entretien = rdv(named.parcours, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert close_absent(client_for(named.referent_a), entretien).status_code == 302
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_the_home_query_count_does_not_grow_with_absences(named, client_for):
    client = client_for(named.referent_a)

    def add(n):
        for _ in range(n):
            parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_a)
            rdv(parcours, 3, S.ABSENT)

    add(2)
    client.get("/")
    small, small_response = count_queries(client, "/")
    add(8)
    large, large_response = count_queries(client, "/")
    assert len(small_response.context["absences_a_suivre"]) == 2
    assert len(large_response.context["absences_a_suivre"]) == 10
    assert len(large) == len(small), "\n".join(large)


def test_a_run_longer_than_the_card_is_read_in_full(named, client_for):
    """The card reads the run from its latest rows when it can, and asks for it when they fall short."""
    rdv(named.parcours, 52, S.HONORE)
    for days_ago in range(48, 0, -4):  # twelve absences in a row, more than the card shows
        rdv(named.parcours, days_ago, S.ABSENT)
    response = client_for(named.referent_a).get(f"/parcours/{named.parcours.pk}/")
    signalement = response.context["suivi_entretiens"].signalement
    assert signalement.dates == [day(d) for d in range(48, 0, -4)]
    assert signalement.dates == absences.absences_a_signaler(named.parcours, load_preset("niort")).dates
