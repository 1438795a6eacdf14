"""The alerts at the top of the dossier, time frozen: each one appears when its rule says, and goes
when what it asks for is done; only the référent and the coordination see them."""

import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from parcours.cer import rediger
from parcours.models import Contrat, Etat, Parcours, StatutContrat
from plie.referentiel.models import Referentiel
from tests.factories import (
    ContactFactory,
    EntretienFactory,
    ParcoursFactory,
    ParticipantFactory,
    TentativeContactFactory,
)

PARIS = ZoneInfo("Europe/Paris")
D = datetime.date(2026, 3, 10)  # a Tuesday


def jours(n):
    return datetime.timedelta(days=n)


def moment(date, heure=10):
    return datetime.datetime.combine(date, datetime.time(heure), tzinfo=PARIS)


@pytest.fixture
def jour(time_machine):
    time_machine.move_to(moment(D, 9), tick=False)
    return D


def accompagne(personas, entree, **kwargs):
    """A parcours of référent A, in accompaniment since ``entree`` (no appointment yet)."""
    return ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=personas.referent_a,
        prescripteur=personas.prescripteur,
        start=entree - jours(14),
        date_entree=entree,
        date_premier_rdv=entree,
        **kwargs,
    )


def alertes(client, parcours):
    response = client.get(f"/parcours/{parcours.pk}/")
    assert response.status_code == 200
    return response.context["alertes"], unescape(response.content.decode())


def codes(client, parcours):
    return [a.code for a in alertes(client, parcours)[0]]


def signer(parcours, by):
    contrat = rediger(
        parcours,
        by,
        objectifs="Objectifs",
        actions_prevues="Première étape",
        engagements_participant="Venir",
        engagements_referent="Recevoir",
        date_debut=D,
        duree_mois=6,
    )
    Contrat.objects.filter(pk=contrat.pk).update(statut=StatutContrat.SIGNE, date_signature=D, signe_par_referent=by)


# --- the rhythm --------------------------------------------------------------------------------


def test_an_overdue_entretien_is_alerted_until_one_is_held(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(40))  # Niort: every 15 days in the first 3 months
    client = client_for(personas.referent_a)
    found, content = alertes(client, parcours)
    retard = next(a for a in found if a.code == "rythme_retard")
    assert retard.urgente
    assert "Entretien en face à face en retard de 25 jours" in content
    assert "Attendu avant le 13/02/2026" in content

    EntretienFactory(parcours=parcours, honore=True, debut=moment(D - jours(2)))
    assert not {"rythme_retard", "rythme_bientot"} & set(codes(client, parcours))


def test_an_entretien_due_within_a_week_is_alerted_until_one_is_fixed_face_to_face(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(40))
    EntretienFactory(parcours=parcours, honore=True, debut=moment(D - jours(10)))  # due on D + 5
    client = client_for(personas.referent_a)
    found, content = alertes(client, parcours)
    assert "rythme_bientot" in [a.code for a in found]
    assert "Entretien en face à face à prévoir avant le 15/03/2026" in content
    assert "Dans 5 jours" in content

    # A phone call does not make the face-to-face meeting Niort asks for.
    EntretienFactory(parcours=parcours, debut=moment(D + jours(3)), modalite="telephone", lieu_precision="")
    assert "rythme_bientot" in codes(client, parcours)
    EntretienFactory(parcours=parcours, debut=moment(D + jours(4)))
    assert "rythme_bientot" not in codes(client, parcours)


def test_no_rhythm_alert_during_a_veille(jour, personas, client_for):
    parcours = ParcoursFactory(etat=Etat.VEILLE, referent=personas.referent_a, start=D - jours(120))
    assert not {"rythme_retard", "rythme_bientot"} & set(codes(client_for(personas.referent_a), parcours))


# --- the first contact ---------------------------------------------------------------------------


def test_a_late_first_contact_is_alerted_until_the_person_is_reached(jour, personas, client_for):
    Referentiel.objects.filter(actif=True).update(delai_premier_contact_jours=5)
    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=personas.referent_a, start=D - jours(10))  # oriented D-7
    client = client_for(personas.referent_a)
    found, content = alertes(client, parcours)
    contact = next(a for a in found if a.code == "premier_contact")
    assert contact.urgente
    assert "Premier contact en retard de 2 jours" in content
    assert "à joindre avant le 08/03/2026 (aucune tentative)" in content

    TentativeContactFactory(parcours=parcours, abouti=False, date=moment(D - jours(1)))
    assert "(1 tentative sans réponse)" in alertes(client, parcours)[1]
    TentativeContactFactory(parcours=parcours, abouti=True, date=moment(D, 8))
    assert "premier_contact" not in codes(client, parcours)


def test_a_first_contact_due_today_is_alerted_not_yet_late(jour, personas, client_for):
    Referentiel.objects.filter(actif=True).update(delai_premier_contact_jours=5)
    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=personas.referent_a, start=D - jours(8))  # oriented D-5
    found, content = alertes(client_for(personas.referent_a), parcours)
    assert [a.urgente for a in found if a.code == "premier_contact"] == [False]
    assert "Premier contact à établir aujourd'hui" in content


def test_no_first_contact_alert_when_the_referentiel_sets_no_delay(jour, personas, client_for):
    assert Referentiel.objects.get(actif=True).delai_premier_contact_jours is None  # Niort's
    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=personas.referent_a, start=D - jours(60))
    assert "premier_contact" not in codes(client_for(personas.referent_a), parcours)


# --- absences ----------------------------------------------------------------------------------


def test_an_unjustified_absence_is_alerted_until_its_follow_up_is_done(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(20))
    EntretienFactory(parcours=parcours, absent=True, debut=moment(D - jours(3)))
    client = client_for(personas.referent_a)
    found, content = alertes(client, parcours)
    assert "absence_a_suivre" in [a.code for a in found]
    assert "Absence non justifiée du 07/03/2026 à suivre" in content
    assert "appeler la personne pour connaître la raison de son absence" in content

    ContactFactory(parcours=parcours, abouti=True, avertissement_absence=True, date=moment(D - jours(2)))
    assert "absence_a_suivre" in codes(client, parcours)  # a new appointment is still to offer
    EntretienFactory(parcours=parcours, debut=moment(D + jours(5)))
    assert "absence_a_suivre" not in codes(client, parcours)


def test_a_second_unjustified_absence_sends_the_parcours_to_the_cellule(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(30))
    EntretienFactory(parcours=parcours, absent=True, debut=moment(D - jours(12)))
    client = client_for(personas.referent_a)
    assert "absences_cellule" not in codes(client, parcours)  # Niort: at the second one
    EntretienFactory(parcours=parcours, absent=True, debut=moment(D - jours(3)))
    found, content = alertes(client, parcours)
    cellule = next(a for a in found if a.code == "absences_cellule")
    assert cellule.urgente
    assert "À présenter à la prochaine cellule de suivi" in content
    assert "2 absences non justifiées sans rendez-vous honoré entre elles (26/02/2026, 07/03/2026)" in content

    EntretienFactory(parcours=parcours, honore=True, debut=moment(D - jours(1)))
    assert not {"absences_cellule", "absence_a_suivre"} & set(codes(client, parcours))


# --- the contract --------------------------------------------------------------------------------


def test_an_unsigned_contract_is_alerted_until_it_is_signed(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(20))
    client = client_for(personas.referent_a)

    def contrat():
        found, content = alertes(client, parcours)
        alerte = next((a for a in found if a.code == "contrat_non_signe"), None)
        if alerte is not None:
            assert alerte.titre in content and alerte.detail in content
        return alerte and (alerte.titre, alerte.detail)

    assert contrat() == ("Contrat d'engagement réciproque non signé", "Pas encore rédigé.")
    signer_plus_tard = rediger(
        parcours,
        personas.referent_a,
        objectifs="Objectifs",
        actions_prevues="Première étape",
        engagements_participant="Venir",
        engagements_referent="Recevoir",
        date_debut=D,
        duree_mois=6,
    )
    assert contrat() == ("Contrat d'engagement réciproque non signé", "En cours de rédaction.")
    Contrat.objects.filter(pk=signer_plus_tard.pk).update(
        statut=StatutContrat.SIGNE, date_signature=D, signe_par_referent=personas.referent_a
    )
    assert contrat() is None


def test_in_accueil_the_alert_says_from_which_appointment_the_contract_is_signed(jour, personas, client_for):
    parcours = ParcoursFactory(etat=Etat.ACCUEIL, referent=personas.referent_a, start=D - jours(12))
    content = alertes(client_for(personas.referent_a), parcours)[1]
    assert "Il se signe à partir du rendez-vous n° 2." in content  # Niort's référentiel


# --- the measure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fin", "expected", "urgente"),
    [
        (D + jours(31), None, None),
        (D + jours(20), "Fin de la mesure le 30/03/2026", False),
        (D, "Fin de la mesure le 10/03/2026", False),
        (D - jours(1), "Mesure échue le 09/03/2026", True),
    ],
)
def test_the_end_of_the_measure_is_alerted_a_month_ahead(jour, personas, client_for, fin, expected, urgente):
    parcours = accompagne(personas, D - jours(170))
    Parcours.objects.filter(pk=parcours.pk).update(date_fin_mesure=fin)
    found, content = alertes(client_for(personas.referent_a), parcours)
    mesure = [a for a in found if a.code in {"fin_de_mesure", "mesure_echue"}]
    if expected is None:
        assert mesure == []
    else:
        assert [a.urgente for a in mesure] == [urgente]
        assert expected in content


def test_late_alerts_come_first(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(170))  # overdue, no contract, measure passed
    Parcours.objects.filter(pk=parcours.pk).update(date_fin_mesure=D - jours(1))
    found, _ = alertes(client_for(personas.referent_a), parcours)
    assert [a.code for a in found] == ["rythme_retard", "mesure_echue", "contrat_non_signe"]


def test_a_parcours_with_nothing_to_do_has_no_alert_card(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(20))
    EntretienFactory(parcours=parcours, honore=True, debut=moment(D - jours(1)))
    signer(parcours, personas.referent_a)
    found, content = alertes(client_for(personas.referent_a), parcours)
    assert found == []
    assert "À faire pour ce parcours" not in content


# --- who sees them -------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "shown"), [("referent_a", True), ("coordination", True), ("prescripteur", False)])
def test_alerts_are_for_the_referent_and_the_coordination(jour, personas, client_for, who, shown):
    parcours = accompagne(personas, D - jours(40), participant=ParticipantFactory(criteres=["brsa"]))
    EntretienFactory(parcours=parcours, absent=True, debut=moment(D - jours(3)))
    found, content = alertes(client_for(getattr(personas, who)), parcours)
    assert bool(found) is shown
    assert ("À faire pour ce parcours" in content) is shown
    assert ("Entretien en face à face en retard" in content) is shown


def test_the_bureau_insertion_sees_no_alert(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(40), participant=ParticipantFactory(criteres=["brsa"]), rup=True)
    found, content = alertes(client_for(personas.bureau_insertion), parcours)
    assert found == []
    assert "À faire pour ce parcours" not in content


def test_another_referent_does_not_reach_the_dossier(jour, personas, client_for):
    parcours = accompagne(personas, D - jours(40))
    assert client_for(personas.referent_b).get(f"/parcours/{parcours.pk}/").status_code == 404
