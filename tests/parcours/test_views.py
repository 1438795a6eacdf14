"""The parcours pages as each role uses them: the dossier, its sensitive data and the transitions."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from parcours.models import Etat, TransitionParcours
from tests.factories import (
    ParcoursFactory,
    ParticipantFactory,
    ReferentFactory,
)
from tests.html import field_block, field_value, page

# --- sensitive data on the parcours page -----------------------------------------------------

PHONE = re.compile(r"6\W?12\W?34\W?56\W?78")  # +33612345678 or 06 12 34 56 78, however it is shown
ADDRESS = "12 rue des Tanneurs"
MOTIF = "Note confidentielle"


@pytest.fixture
def sensitive_parcours(named):
    """A parcours with disability data (RQTH), contact details and a motif in its log."""
    parcours = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=named.referent_a,
        prescripteur=named.prescripteur,
        participant=ParticipantFactory(
            nom_usage="Keraudren",
            prenoms="Maëlys",
            criteres=["rqth", "brsa"],
            adresse=ADDRESS,
            code_postal="79000",
            telephone_mobile="+33612345678",
        ),
    )
    parcours.proposer_sortie(
        by=named.referent_a, date_sortie_prevue=parcours.date_entree + datetime.timedelta(days=90), motif=MOTIF
    )
    return parcours


@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_sensitive_data_shown_to_referent_and_coordination(named, sensitive_parcours, client_for, who):
    content = page(client_for(getattr(named, who)), f"/parcours/{sensitive_parcours.pk}/")
    assert "RQTH" in content
    assert "Bénéficiaire du RSA (BRSA)" in content
    assert "Travailleur handicapé (RQTH / BOETH)" in content
    assert PHONE.search(content)
    assert ADDRESS in content
    assert MOTIF in content


@pytest.mark.parametrize("who", ["prescripteur", "bureau_insertion"])
def test_sensitive_data_hidden_from_prescripteurs(named, sensitive_parcours, client_for, who):
    content = page(client_for(getattr(named, who)), f"/parcours/{sensitive_parcours.pk}/")
    assert escape("KERAUDREN Maëlys") in content  # the page itself is shown
    assert "Proposer la sortie" in content  # so is the step in the log, without its motif
    assert "Bénéficiaire du RSA (BRSA)" in content  # non-sensitive criteria are listed
    assert "RQTH" not in content
    assert "handicap" not in content.lower()
    assert not PHONE.search(content)
    assert ADDRESS not in content
    assert MOTIF not in content


def test_cancellation_motif_hidden_from_prescripteur(named, client_for):
    parcours = ParcoursFactory(etat=Etat.ORIENTE, prescripteur=named.prescripteur)
    parcours.annuler(by=named.coordination, motif="Situation de santé incompatible")
    assert "Situation de santé incompatible" not in page(client_for(named.prescripteur), f"/parcours/{parcours.pk}/")
    assert "Situation de santé incompatible" in page(client_for(named.coordination), f"/parcours/{parcours.pk}/")


def test_detail_page_offers_only_allowed_actions(named, client_for):
    url = f"/parcours/{named.parcours.pk}/"
    action = f'href="/parcours/{named.parcours.pk}/action/'
    referent = page(client_for(named.referent_a), url)
    assert f"{action}proposer_sortie/" in referent
    assert f"{action}mettre_en_veille/" not in referent
    coordination = page(client_for(named.coordination), url)
    assert f"{action}mettre_en_veille/" in coordination
    assert f"{action}proposer_sortie/" in coordination
    assert action not in page(client_for(named.prescripteur), url)


# --- transitions ------------------------------------------------------------------------------


def test_coordination_cancels_a_parcours_before_the_first_appointment(named, client_for):
    parcours = ParcoursFactory(etat=Etat.ORIENTE, prescripteur=named.prescripteur)
    url = f"/parcours/{parcours.pk}/action/annuler/"
    client = client_for(named.coordination)
    assert "Annuler le parcours" in page(client, url)
    today = timezone.localdate()
    response = client.post(url, {"date": today.isoformat(), "motif": "Ne s'est pas présentée"})
    assert response.status_code == 302
    assert response["Location"] == f"/parcours/{parcours.pk}/"
    parcours.refresh_from_db()
    assert (parcours.etat, parcours.date_cloture, parcours.motif_cloture) == (
        Etat.ANNULE,
        today,
        "Ne s'est pas présentée",
    )
    log = TransitionParcours.objects.get(parcours=parcours)
    assert (log.transition, log.etat_avant, log.etat_apres, log.auteur) == (
        "annuler",
        Etat.ORIENTE,
        Etat.ANNULE,
        named.coordination,
    )
    assert "c&#x27;est enregistré" in page(client, response["Location"])


def test_referent_proposes_the_exit(named, client_for):
    parcours = named.parcours
    url = f"/parcours/{parcours.pk}/action/proposer_sortie/"
    client = client_for(named.referent_a)
    assert "Proposer la sortie" in page(client, url)
    date = parcours.date_entree + datetime.timedelta(days=60)
    response = client.post(url, {"date_sortie_prevue": date.isoformat(), "motif": "Embauche en CDI"})
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert parcours.etat == Etat.SORTIE_PROPOSEE
    assert parcours.date_sortie_prevue == date
    log = TransitionParcours.objects.get(parcours=parcours)
    assert (log.transition, log.auteur, log.motif) == ("proposer_sortie", named.referent_a, "Embauche en CDI")


def test_french_date_format_is_accepted(named, client_for):
    parcours = named.parcours
    date = parcours.date_entree + datetime.timedelta(days=30)
    response = client_for(named.referent_a).post(
        f"/parcours/{parcours.pk}/action/proposer_sortie/",
        {"date_sortie_prevue": date.strftime("%d/%m/%Y"), "motif": "Formation qualifiante"},
    )
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert parcours.date_sortie_prevue == date


@pytest.mark.parametrize("who", ["referent_b", "prescripteur", "financeur", "operateur", "bureau_insertion"])
def test_transition_refused_to_others_get_and_post(named, client_for, who):
    url = f"/parcours/{named.parcours.pk}/action/proposer_sortie/"
    client = client_for(getattr(named, who))
    assert client.get(url).status_code == 404
    date = named.parcours.date_entree + datetime.timedelta(days=60)
    assert client.post(url, {"date_sortie_prevue": date.isoformat(), "motif": "Tentative"}).status_code == 404
    named.parcours.refresh_from_db()
    assert named.parcours.etat == Etat.ACCOMPAGNEMENT
    assert not named.parcours.transitions.exists()


@pytest.mark.parametrize(
    ("who", "name"),
    [
        pytest.param("coordination", "inconnue", id="unknown-name"),
        pytest.param("coordination", "valider_sortie", id="coordination-not-from-this-state"),
        pytest.param("coordination", "orienter", id="coordination-orienter-already-oriented"),
        pytest.param("referent_a", "accueillir", id="referent-not-from-this-state"),
        pytest.param("referent_a", "mettre_en_veille", id="referent-not-an-actor"),
        pytest.param("referent_a", "changer_referent", id="referent-cannot-change-referent"),
    ],
)
def test_transition_unavailable_is_404(named, client_for, who, name):
    client = client_for(getattr(named, who))
    url = f"/parcours/{named.parcours.pk}/action/{name}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"motif": "x", "date": timezone.localdate().isoformat()}).status_code == 404
    named.parcours.refresh_from_db()
    assert named.parcours.etat == Etat.ACCOMPAGNEMENT


def test_transition_on_missing_parcours_is_404(named, client_for):
    assert client_for(named.coordination).get("/parcours/999999/action/orienter/").status_code == 404
    assert client_for(named.coordination).get("/parcours/999999/").status_code == 404


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        pytest.param({"date_sortie_prevue": "", "motif": "Motif tapé à la main"}, "date_sortie_prevue", id="date"),
        pytest.param({"date_sortie_prevue": "{date}", "motif": "   "}, "motif", id="motif"),
    ],
)
def test_missing_field_rerenders_with_french_error(named, client_for, data, missing):
    parcours = named.parcours
    date = (parcours.date_entree + datetime.timedelta(days=60)).isoformat()
    data = {key: value.format(date=date) for key, value in data.items()}
    response = client_for(named.referent_a).post(f"/parcours/{parcours.pk}/action/proposer_sortie/", data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce champ est obligatoire." in field_block(content, missing)
    if missing == "date_sortie_prevue":
        assert field_value(field_block(content, "motif"), "motif") == "Motif tapé à la main"
    else:
        assert field_value(field_block(content, "date_sortie_prevue"), "date_sortie_prevue") == date
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert not TransitionParcours.objects.exists()


def test_guard_failure_rerenders_with_domain_message(named, client_for):
    parcours = named.parcours
    before = parcours.date_entree - datetime.timedelta(days=1)
    response = client_for(named.referent_a).post(
        f"/parcours/{parcours.pk}/action/proposer_sortie/",
        {"date_sortie_prevue": before.isoformat(), "motif": "Sortie anticipée"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    message = f"La sortie ne peut précéder l&#x27;entrée du {parcours.date_entree:%d/%m/%Y}."
    assert message in field_block(content, "date_sortie_prevue")
    assert field_value(field_block(content, "motif"), "motif") == "Sortie anticipée"
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT
    assert parcours.date_sortie_prevue is None
    assert not TransitionParcours.objects.exists()
    assert parcours.history.count() == 1  # only the creation


def test_changing_to_an_inactive_referent_is_refused(named, client_for):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT)
    referent = parcours.referent
    vacant = ReferentFactory()
    profile = vacant.referent_profile
    profile.actif = False
    profile.date_vacance = timezone.localdate()
    profile.save()
    response = client_for(named.coordination).post(
        f"/parcours/{parcours.pk}/action/changer_referent/",
        {"referent": vacant.pk, "motif": "Départ en congé"},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in field_block(response.content.decode(), "referent")
    parcours.refresh_from_db()
    assert (parcours.etat, parcours.referent) == (Etat.ACCOMPAGNEMENT, referent)


# --- key dates and contact on the dossier --------------------------------------------------------


def test_the_dossier_gives_the_next_appointment_the_maximum_length_and_a_phone_to_tap(named, client_for, niort):
    from dateutil.relativedelta import relativedelta

    from parcours.models import PeriodeVeille
    from tests.factories import EntretienFactory

    niort.duree_max_parcours_mois = 24
    niort.save()
    parcours = ParcoursFactory(
        etat=Etat.ACCOMPAGNEMENT,
        referent=named.referent_a,
        participant=ParticipantFactory(nom_usage="Keraudren", telephone_mobile="+33612345678"),
    )
    client = client_for(named.referent_a)
    html = page(client, f"/parcours/{parcours.pk}/")
    assert 'Prochain rendez-vous</dt><dd class="col-sm-7">aucun de fixé' in html
    limite = parcours.date_entree + relativedelta(months=24)
    assert f"jusqu'au {limite:%d/%m/%Y}" in html
    assert '<a href="tel:+33612345678">06 12 34 56 78</a>' in html

    demain = timezone.now() + datetime.timedelta(days=1)
    EntretienFactory(parcours=parcours, debut=demain - datetime.timedelta(days=3), honore=True)
    EntretienFactory(parcours=parcours, debut=demain)
    # Ten days of veille, and its last day, postpone the limit by as many days.
    debut = parcours.date_entree + datetime.timedelta(days=5)
    PeriodeVeille.objects.create(
        parcours=parcours,
        motif="sante",
        debut=debut,
        fin_prevue=debut + datetime.timedelta(days=10),
        fin=debut + datetime.timedelta(days=10),
    )
    html = page(client, f"/parcours/{parcours.pk}/")
    local = timezone.localtime(demain)
    assert f"le {local:%d/%m/%Y} à {local:%H:%M}" in html
    assert f"jusqu'au {limite + datetime.timedelta(days=11):%d/%m/%Y}" in html


@pytest.mark.parametrize("year", ["9999", "1850"])
def test_a_veille_dated_beyond_plausible_years_is_refused_next_to_the_field(named, client_for, caen, year):
    """Caen's 3-month limit is added to the date: year 9999 overflowed it into a 500 before."""
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_a)
    url = f"/parcours/{parcours.pk}/action/mettre_en_veille/"
    data = {"motif_veille": "sante", "debut": f"{year}-11-15", "fin_prevue": f"{year}-12-15", "motif": ""}
    response = client_for(named.coordination).post(url, data)
    assert response.status_code == 200
    assert "Saisissez une date entre 2000 et 2100." in response.content.decode()
    assert response.context["form"]["debut"].value() == f"{year}-11-15"  # what was typed is kept
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCOMPAGNEMENT


def test_a_suspension_dated_beyond_plausible_years_is_refused(named, client_for):
    parcours = ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_a)
    response = client_for(named.referent_a).post(
        f"/suspensions/parcours/{parcours.pk}/ajouter/", {"motif": "conges", "debut": "9999-12-01", "fin": "9999-12-30"}
    )
    assert response.status_code == 200
    assert "Saisissez une date entre 2000 et 2100." in response.content.decode()
    assert not parcours.suspensions.exists()
