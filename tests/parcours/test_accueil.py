"""The accueil: contact attempts, the first appointment, the prescripteur's email, the countdown on the
référent's home page, and who may do what.

Time is frozen on Tuesday 10 March 2026, 09:00 in Paris (winter time); the appointments used fall on
either side of the switch to summer time (29 March), so that a time shown in UTC would be caught.
"""

import datetime
import re
import zoneinfo
from html import unescape

import pytest
from django.core import mail
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from parcours import accueil
from parcours.models import (
    CanalContact,
    Etat,
    Modalite,
    ObjetRendezVous,
    RendezVous,
    StatutRendezVous,
    TentativeContact,
    TransitionParcours,
)
from parcours.workflow import TransitionError
from plie.notifications.models import Message
from plie.referentiel.models import Referentiel
from tests.conftest import Personas
from tests.factories import (
    CommuneFactory,
    LieuFactory,
    ParcoursFactory,
    ParticipantFactory,
    RendezVousFactory,
    TentativeContactFactory,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)
TODAY = NOW.date()
ORIENTATION = datetime.date(2026, 3, 6)
NAME = "KERAUDREN Maëlys"
COMMENT = "Rappeler après 17 h : suivi psychiatrique le matin"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def lieu(named):
    """A place of référent A."""
    lieu = LieuFactory(nom="Maison de l'emploi", adresse="8 rue Brisson", commune=CommuneFactory(nom="Chauray"))
    named.referent_a.referent_profile.lieux.add(lieu)
    return lieu


@pytest.fixture
def oriente(named):
    """Oriented to référent A on 6 March, sent by the prescripteur; an RSA beneficiary, so that the bureau
    insertion sees the parcours and its 404 comes from the permission check, not from visibility."""
    return ParcoursFactory(
        etat=Etat.ORIENTE,
        referent=named.referent_a,
        prescripteur=named.prescripteur,
        date_prescription=ORIENTATION - datetime.timedelta(days=4),
        date_orientation=ORIENTATION,
        participant=ParticipantFactory(nom_usage="Keraudren", prenoms="Maëlys", criteres=["brsa"]),
    )


def rdv_url(parcours):
    return reverse("parcours:premier_rdv", args=[parcours.pk])


def tentative_url(parcours):
    return reverse("parcours:tentative_contact", args=[parcours.pk])


def field_block(content, name):
    """The HTML of one crispy field: from its wrapper to the next field's wrapper (or the form's end)."""
    start = content.find(f'id="div_id_{name}"')
    assert start != -1, f"field {name} not rendered"
    ends = [i for i in (content.find('id="div_id_', start + 1), content.find("</form>", start)) if i != -1]
    return content[start : min(ends)]


def input_value(content, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', field_block(content, name))
    assert match, f"no value rendered for {name}"
    return unescape(match.group(1))


def checked_value(content, name):
    """The value of the checked radio button, or of the selected option, of a field."""
    block = field_block(content, name)
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*checked', block) or re.search(
        r'<option value="([^"]*)"[^>]*selected', block
    )
    assert match, f"nothing selected for {name}"
    return match.group(1)


def rdv_data(**overrides):
    return {
        "date": "2026-03-17",
        "heure": "14:30",
        "modalite": Modalite.PRESENTIEL,
        "lieu": "",
        "lieu_precision": "",
        "duree_minutes": "60",
        **overrides,
    }


def make_prescription(parcours, souhaite_assister):
    """The referral the parcours came from, with the prescripteur's wish to attend the first appointment."""
    from prescriptions.models import Prescription, SituationProfessionnelle
    from prescriptions.workflow import Statut

    participant = parcours.participant
    return Prescription.objects.create(
        statut=Statut.ACCEPTEE,
        prescripteur=parcours.prescripteur,
        structure=parcours.prescripteur.structure,
        nom_usage=participant.nom_usage,
        prenoms=participant.prenoms,
        sexe=participant.sexe,
        date_naissance=participant.date_naissance,
        situation=SituationProfessionnelle.DEMANDEUR_EMPLOI,
        inscrit_france_travail=False,
        motifs="Recherche d'emploi depuis deux ans",
        envoyee_le=NOW - datetime.timedelta(days=8),
        decidee_le=NOW - datetime.timedelta(days=4),
        parcours=parcours,
        souhaite_assister_premier_rdv=souhaite_assister,
    )


# --- who may open the pages -------------------------------------------------------------------

PAGES = {"premier_rdv": rdv_url, "tentative": tentative_url}
OTHERS = ["referent_b", "prescripteur", "bureau_insertion", "operateur", "financeur"]


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_pages_open_to_the_referent_and_the_coordination(named, oriente, lieu, client_for, who, url):
    content = client_for(getattr(named, who)).get(url(oriente)).content.decode()
    assert escape(NAME) in content
    assert '<form method="post"' in content


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
@pytest.mark.parametrize("who", OTHERS)
def test_pages_are_404_to_everyone_else_get_and_post(named, oriente, lieu, client_for, who, url):
    client = client_for(getattr(named, who))
    assert client.get(url(oriente)).status_code == 404
    data = {**rdv_data(lieu=lieu.pk), "canal": CanalContact.TELEPHONE, "commentaire": "Tentative"}
    assert client.post(url(oriente), data).status_code == 404
    oriente.refresh_from_db()
    assert oriente.etat == Etat.ORIENTE
    assert not TentativeContact.objects.exists()
    assert not RendezVous.objects.exists()
    assert not Message.objects.exists()


def test_the_bureau_insertion_sees_the_parcours_it_may_not_act_on(named, oriente, client_for):
    """So that the 404s above test the permission check, not only the visibility."""
    assert client_for(named.bureau_insertion).get(f"/parcours/{oriente.pk}/").status_code == 200


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_pages_send_anonymous_visitors_to_the_login_page(oriente, client, url):
    response = client.get(url(oriente))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("etat", "rdv_status", "tentative_status"),
    [
        (Etat.ORIENTE, 200, 200),
        (Etat.ACCUEIL, 404, 200),  # the first appointment is fixed; it may still take calls to reach the person
        (Etat.ACCOMPAGNEMENT, 404, 404),
        (Etat.ANNULE, 404, 404),
    ],
)
def test_pages_follow_the_state_of_the_parcours(named, client_for, etat, rdv_status, tentative_status):
    parcours = ParcoursFactory(etat=etat, referent=named.referent_a)
    client = client_for(named.referent_a)
    assert client.get(rdv_url(parcours)).status_code == rdv_status
    assert client.get(tentative_url(parcours)).status_code == tentative_status


def test_generic_accueillir_action_leads_to_the_first_appointment_page(named, oriente, client_for):
    url = f"/parcours/{oriente.pk}/action/accueillir/"
    for method in ("get", "post"):
        response = getattr(client_for(named.referent_a), method)(url, {"date_premier_rdv": "2026-03-17"})
        assert response.status_code == 302
        assert response["Location"] == rdv_url(oriente)
    oriente.refresh_from_db()
    assert oriente.etat == Etat.ORIENTE
    assert client_for(named.referent_b).get(url).status_code == 404


def test_detail_page_action_links_to_the_first_appointment_page(named, oriente, client_for):
    content = client_for(named.referent_a).get(f"/parcours/{oriente.pk}/").content.decode()
    assert f'href="{rdv_url(oriente)}">Fixer le premier rendez-vous</a>' in content
    assert f"/parcours/{oriente.pk}/action/accueillir/" not in content
    assert f'href="{tentative_url(oriente)}">Noter une tentative de contact</a>' in content


# --- the whole accueil, through the pages -----------------------------------------------------


@pytest.mark.parametrize(
    "souhaite_assister", [None, False, True], ids=["no-prescription", "not-asked", "asked-to-attend"]
)
def test_attempts_then_first_appointment(
    named, oriente, lieu, client_for, django_capture_on_commit_callbacks, souhaite_assister
):
    if souhaite_assister is not None:
        make_prescription(oriente, souhaite_assister)
    client = client_for(named.referent_a)

    # A call nobody answered (date left empty: now), then an SMS answered the next morning.
    response = client.post(
        tentative_url(oriente), {"canal": CanalContact.TELEPHONE, "date": "", "commentaire": f"  {COMMENT} "}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/parcours/{oriente.pk}/"
    response = client.post(
        tentative_url(oriente),
        {"canal": CanalContact.SMS, "abouti": "on", "date": "2026-03-09T08:15", "next": "/"},
    )
    assert response["Location"] == "/"
    first, second = TentativeContact.objects.order_by("date")
    assert (first.canal, first.abouti, first.auteur, first.commentaire) == (
        CanalContact.SMS,
        True,
        named.referent_a,
        "",
    )
    assert first.date == datetime.datetime(2026, 3, 9, 8, 15, tzinfo=PARIS)
    assert (second.canal, second.abouti, second.date, second.commentaire) == (
        CanalContact.TELEPHONE,
        False,
        NOW,
        COMMENT,
    )

    # The first appointment, on 31 March at 14:30 Paris time (summer time by then: 12:30 UTC).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(rdv_url(oriente), rdv_data(date="31/03/2026", lieu=lieu.pk, lieu_precision="Bureau 3"))
    assert response.status_code == 302
    assert response["Location"] == f"/parcours/{oriente.pk}/"

    oriente.refresh_from_db()
    assert oriente.etat == Etat.ACCUEIL
    assert oriente.date_premier_rdv == datetime.date(2026, 3, 31)
    rdv = RendezVous.objects.get()
    assert rdv.parcours == oriente
    assert rdv.objet == ObjetRendezVous.PREMIER_RDV
    assert rdv.statut == StatutRendezVous.PREVU
    assert rdv.debut == datetime.datetime(2026, 3, 31, 12, 30, tzinfo=datetime.UTC)
    assert (rdv.lieu, rdv.lieu_precision, rdv.modalite, rdv.duree_minutes, rdv.cree_par) == (
        lieu,
        "Bureau 3",
        Modalite.PRESENTIEL,
        60,
        named.referent_a,
    )
    log = TransitionParcours.objects.get(parcours=oriente)
    assert (log.transition, log.etat_avant, log.etat_apres, log.auteur) == (
        "accueillir",
        Etat.ORIENTE,
        Etat.ACCUEIL,
        named.referent_a,
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [named.prescripteur.email]
    assert message.subject == "PLIE : premier rendez-vous fixé le 31/03/2026"
    assert NAME not in message.subject
    body = message.body
    assert "Date : 31/03/2026" in body
    assert "Heure : 14:30 (durée prévue : 60 minutes)" in body
    assert "Lieu : Maison de l'emploi (8 rue Brisson, Chauray) — Bureau 3" in body
    assert NAME in body
    assert named.referent_a.get_full_name() in body
    assert f"/parcours/{oriente.pk}/" in body
    assert "&#x27;" not in body  # a text email is not HTML-escaped
    assert COMMENT not in body
    invited = "Comme vous l'avez demandé, vous pouvez assister à ce premier rendez-vous"
    may_ask = "Si vous souhaitez assister à ce premier rendez-vous, demandez-le à"
    if souhaite_assister:
        assert invited in body
        assert may_ask not in body
    else:
        assert may_ask in body
        assert invited not in body

    # The parcours page shows the appointment and the attempts; the referent's note too.
    content = client.get(response["Location"]).content.decode()
    assert "Premier rendez-vous fixé le 31/03/2026 à 14:30. Le prescripteur en est informé par email." in unescape(
        content
    )
    card = unescape(content[content.index('id="premier-contact"') :])
    assert "le 31/03/2026 à 14:30 (60 min)" in card
    assert "Maison de l'emploi (8 rue Brisson, Chauray) — Bureau 3" in card
    assert "09/03/2026 08:15" in card
    assert "10/03/2026 09:00" in card
    assert COMMENT in card


def test_the_coordination_may_fix_the_appointment_for_the_referent(
    named, oriente, lieu, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(named.coordination).post(rdv_url(oriente), rdv_data(lieu=lieu.pk))
    assert response.status_code == 302
    assert RendezVous.objects.get().cree_par == named.coordination
    assert TransitionParcours.objects.get().auteur == named.coordination
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "debut",
    [datetime.datetime(2026, 3, 12, 10, 0), datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC)],
    ids=["naive-read-in-paris", "utc"],
)
def test_remote_appointment_needs_no_place_and_keeps_none(
    named, oriente, lieu, django_capture_on_commit_callbacks, debut
):
    with django_capture_on_commit_callbacks(execute=True):
        rdv = accueil.fixer_premier_rdv(
            oriente,
            by=named.referent_a,
            debut=debut,
            lieu=lieu,
            modalite=Modalite.TELEPHONE,
        )
    rdv.refresh_from_db()
    assert rdv.debut == datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC)
    assert rdv.lieu is None
    assert rdv.lieu_libelle == "Par téléphone"
    assert "Modalité : Par téléphone" in mail.outbox[0].body
    assert "Heure : 10:00\n" in mail.outbox[0].body


def test_no_email_without_a_prescripteur(named, lieu, client_for, django_capture_on_commit_callbacks):
    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a, prescripteur=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(named.referent_a).post(
            rdv_url(parcours), rdv_data(date=parcours.date_orientation.isoformat(), lieu=lieu.pk)
        )
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ACCUEIL
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_old_callers_of_accueillir_still_work(named, oriente):
    oriente.accueillir(by=named.referent_a, date_premier_rdv=ORIENTATION)
    oriente.refresh_from_db()
    assert (oriente.etat, oriente.date_premier_rdv) == (Etat.ACCUEIL, ORIENTATION)


# --- bad input --------------------------------------------------------------------------------


def test_appointment_before_the_orientation_is_refused_values_kept(named, oriente, lieu, client_for):
    response = client_for(named.referent_a).post(
        rdv_url(oriente), rdv_data(date="2026-03-05", heure="9h30", lieu=lieu.pk, lieu_precision="Bureau 3")
    )
    assert response.status_code == 200
    content = response.content.decode()
    error = "Le premier rendez-vous ne peut précéder l&#x27;orientation du 06/03/2026."
    assert error in field_block(content, "date")
    assert input_value(content, "date") == "2026-03-05"
    assert input_value(content, "heure") == "9h30"
    assert input_value(content, "lieu_precision") == "Bureau 3"
    assert checked_value(content, "lieu") == str(lieu.pk)
    assert checked_value(content, "modalite") == Modalite.PRESENTIEL
    _nothing_saved(oriente)


def test_face_to_face_without_a_place_is_refused_next_to_the_place(named, oriente, lieu, client_for):
    response = client_for(named.referent_a).post(rdv_url(oriente), rdv_data(heure=""))
    assert response.status_code == 200
    content = response.content.decode()
    # Both errors at once: the missing time and the missing place.
    assert "Ce champ est obligatoire." in field_block(content, "heure")
    assert "Indiquez le lieu du rendez-vous" in field_block(content, "lieu")
    assert input_value(content, "date") == "2026-03-17"
    assert input_value(content, "duree_minutes") == "60"
    _nothing_saved(oriente)


def test_a_place_of_another_referent_is_refused(named, oriente, lieu, client_for):
    other = LieuFactory()
    named.referent_b.referent_profile.lieux.add(other)
    response = client_for(named.referent_a).post(rdv_url(oriente), rdv_data(lieu=other.pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in field_block(response.content.decode(), "lieu")
    with pytest.raises(TransitionError, match="pas l'un des lieux d'accompagnement du référent"):
        accueil.fixer_premier_rdv(oriente, by=named.referent_a, debut=NOW, lieu=other)
    _nothing_saved(oriente)


def test_only_the_referents_places_are_offered(named, oriente, lieu, client_for):
    other = LieuFactory(nom="Permanence d'un collègue")
    named.referent_b.referent_profile.lieux.add(other)
    content = unescape(client_for(named.coordination).get(rdv_url(oriente)).content.decode())
    assert "Maison de l'emploi, 8 rue Brisson, Chauray" in content
    assert "Permanence d'un collègue" not in content


JUNK = ["", " ", "-1", "0", "99999999999999999999", "NaN", "31/02/2026", "2026-13-45", "25:61", "x" * 5000]


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_in_any_field_is_answered_not_a_server_error(named, lieu, client_for, junk):
    client = client_for(named.referent_a)
    valid_rdv = rdv_data(lieu=lieu.pk)
    for name in valid_rdv:
        parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a, date_orientation=ORIENTATION)
        response = client.post(rdv_url(parcours), {**valid_rdv, name: junk})
        parcours.refresh_from_db()
        # Only the optional fields may take some of it (a blank duration, a precision of a few words).
        if name in {"duree_minutes", "lieu_precision"} and response.status_code == 302:
            assert parcours.etat == Etat.ACCUEIL
        else:
            assert response.status_code == 200, (name, junk[:20])
            assert parcours.etat == Etat.ORIENTE, (name, junk[:20])
            assert not parcours.rendez_vous.exists()
    valid_attempt = {"canal": CanalContact.COURRIER, "abouti": "", "date": "2026-03-09T10:00", "commentaire": ""}
    oriente = ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a, date_orientation=ORIENTATION)
    for name in valid_attempt:
        response = client.post(tentative_url(oriente), {**valid_attempt, name: junk})
        assert response.status_code in {200, 302}, (name, junk[:20])
        if name == "canal":
            assert response.status_code == 200
    assert set(TentativeContact.objects.values_list("canal", flat=True)) <= {CanalContact.COURRIER}


@pytest.mark.parametrize(
    ("date", "message"),
    [
        pytest.param("2026-03-11T09:00", "Une tentative de contact ne peut être dans le futur.", id="future"),
        pytest.param(
            "2026-03-05T18:00", "La tentative ne peut précéder l&#x27;orientation du 06/03/2026.", id="before"
        ),
        pytest.param("hier", "Saisissez une date et une heure valides.", id="junk"),
    ],
)
def test_attempt_with_a_wrong_date_is_refused_values_kept(named, oriente, client_for, date, message):
    response = client_for(named.referent_a).post(
        tentative_url(oriente), {"canal": CanalContact.EMAIL, "abouti": "on", "date": date, "commentaire": COMMENT}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert message in field_block(content, "date")
    assert checked_value(content, "canal") == CanalContact.EMAIL
    assert COMMENT in unescape(field_block(content, "commentaire"))
    assert "checked" in field_block(content, "abouti")
    assert not TentativeContact.objects.exists()


def test_attempt_without_a_channel_is_refused(named, oriente, client_for):
    response = client_for(named.referent_a).post(tentative_url(oriente), {"canal": "", "date": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in field_block(response.content.decode(), "canal")
    assert not TentativeContact.objects.exists()


def test_attempt_redirects_only_to_this_site(named, oriente, client_for):
    response = client_for(named.referent_a).post(
        tentative_url(oriente), {"canal": CanalContact.TELEPHONE, "next": "https://exemple.com/"}
    )
    assert response["Location"] == f"/parcours/{oriente.pk}/"


def _nothing_saved(parcours):
    parcours.refresh_from_db()
    assert parcours.etat == Etat.ORIENTE
    assert parcours.date_premier_rdv is None
    assert not RendezVous.objects.exists()
    assert not TransitionParcours.objects.filter(parcours=parcours).exists()
    assert not Message.objects.exists()


def test_database_refuses_a_face_to_face_appointment_without_a_place(oriente):
    with pytest.raises(IntegrityError, match="rendez_vous_presentiel_has_place"):
        RendezVous.objects.create(
            parcours=oriente, objet=ObjetRendezVous.PREMIER_RDV, debut=NOW, modalite=Modalite.PRESENTIEL
        )


def test_database_refuses_a_second_first_appointment(named):
    rdv = RendezVousFactory(parcours=ParcoursFactory(etat=Etat.ACCUEIL, referent=named.referent_a))
    # PostgreSQL names the constraint; SQLite names the unique index columns.
    with pytest.raises(IntegrityError, match="rendez_vous_one_first_per_parcours|parcours_rendezvous.parcours_id"):
        RendezVousFactory(parcours=rdv.parcours)


def test_a_cancelled_first_appointment_leaves_room_for_another(named):
    rdv = RendezVousFactory(parcours=ParcoursFactory(etat=Etat.ACCUEIL, referent=named.referent_a))
    rdv.statut = StatutRendezVous.ANNULE
    rdv.save()
    nouveau = RendezVousFactory(parcours=rdv.parcours, debut=rdv.debut + datetime.timedelta(days=2))
    assert rdv.parcours.rendez_vous.premier_rdv() == nouveau


# --- the countdown ----------------------------------------------------------------------------


@pytest.fixture
def delai_5(niort):
    niort.delai_premier_contact_jours = 5
    niort.save()
    return niort


@pytest.mark.parametrize(
    ("days_ago", "echeance", "jours_restants", "decompte"),
    [
        (0, "15/03/2026", 5, "J-5"),
        (2, "13/03/2026", 3, "J-3"),
        (5, "10/03/2026", 0, "aujourd'hui"),
        (6, "09/03/2026", -1, "en retard de 1 jour"),
        (7, "08/03/2026", -2, "en retard de 2 jours"),
    ],
)
def test_countdown_with_a_five_day_delay(named, delai_5, client_for, days_ago, echeance, jours_restants, decompte):
    parcours = ParcoursFactory(
        etat=Etat.ORIENTE,
        referent=named.referent_a,
        date_prescription=TODAY - datetime.timedelta(days=20),
        date_orientation=TODAY - datetime.timedelta(days=days_ago),
    )
    delai = accueil.delai_premier_contact(parcours, Referentiel.objects.active())
    assert f"{delai.echeance:%d/%m/%Y}" == echeance
    assert delai.jours_restants == jours_restants
    assert delai.decompte == decompte
    assert delai.en_retard is (jours_restants < 0)

    content = unescape(client_for(named.referent_a).get("/").content.decode())
    row = _row(content, parcours)
    assert f"à contacter avant le {echeance}" in row
    assert f">{decompte}</span>" in row
    assert "délai non fixé" not in row


def test_countdown_when_the_referentiel_fixes_no_delay(named, niort, client_for):
    assert niort.delai_premier_contact_jours is None  # Niort's cahier des charges sets none
    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a)
    assert accueil.delai_premier_contact(parcours, niort) is None
    assert accueil.delai_premier_contact(parcours, None) is None
    row = _row(unescape(client_for(named.referent_a).get("/").content.decode()), parcours)
    assert "délai non fixé par le référentiel" in row
    assert "à contacter avant" not in row


def _row(content, parcours):
    section = content[content.index('id="nouvelles-orientations"') : content.index("Parcours en cours")]
    start = section.index(f'href="/parcours/{parcours.pk}/"')
    return section[start : section.index("</tr>", start)]


# --- the référent's home ----------------------------------------------------------------------


def test_home_lists_new_orientations_oldest_first_with_attempts(named, delai_5, client_for):
    old = ParcoursFactory(
        etat=Etat.ORIENTE,
        referent=named.referent_a,
        date_orientation=TODAY - datetime.timedelta(days=8),
        participant=ParticipantFactory(nom_usage="Ancien", prenoms="Aurèle"),
    )
    recent = ParcoursFactory(
        etat=Etat.ORIENTE,
        referent=named.referent_a,
        date_orientation=TODAY - datetime.timedelta(days=1),
        participant=ParticipantFactory(nom_usage="Récent", prenoms="Rose"),
    )
    received = ParcoursFactory(
        etat=Etat.ACCUEIL, referent=named.referent_a, participant=ParticipantFactory(nom_usage="Reçu", prenoms="Rémi")
    )
    elsewhere = ParcoursFactory(
        etat=Etat.ORIENTE, referent=named.referent_b, participant=ParticipantFactory(nom_usage="Ailleurs")
    )
    TentativeContactFactory(parcours=old, date=NOW - datetime.timedelta(days=3), canal=CanalContact.COURRIER)
    TentativeContactFactory(
        parcours=old, date=NOW - datetime.timedelta(hours=2), canal=CanalContact.TELEPHONE, commentaire=COMMENT
    )

    content = unescape(client_for(named.referent_a).get("/").content.decode())
    section = content[content.index('id="nouvelles-orientations"') : content.index("Parcours en cours")]
    assert section.index("ANCIEN Aurèle") < section.index("RÉCENT Rose")
    assert "REÇU Rémi" in content  # in the list of parcours below, not among the new orientations
    assert escape(received.participant.nom_complet) not in section
    assert escape(elsewhere.participant.nom_complet) not in content

    old_row = _row(content, old)
    assert f">{old.date_orientation:%d/%m/%Y}<" in old_row
    assert "en retard de 3 jours" in old_row
    assert "2 tentatives" in old_row
    assert "dernière : téléphone, le 10/03/2026 à 07:00, sans réponse" in old_row
    assert COMMENT not in content  # notes stay on the parcours page
    assert f'href="{tentative_url(old)}?next=/"' in old_row
    assert f'href="{rdv_url(old)}"' in old_row
    recent_row = _row(content, recent)
    assert "J-4" in recent_row
    assert "aucune" in recent_row


def test_home_empty_state_for_new_orientations(named, client_for):
    content = client_for(named.referent_a).get("/").content.decode()
    assert "Aucune nouvelle orientation en attente d'un premier rendez-vous." in content
    assert escape(named.parcours.participant.nom_complet) in content  # the parcours in accompaniment is listed


def test_home_lists_the_oldest_new_orientations_and_links_to_all_when_more_wait(named, client_for):
    """25 at most on the home page, the oldest (most urgent) ones; the list of parcours has them all."""
    from plie.views.home import NOUVELLES_AFFICHEES

    waiting = [
        ParcoursFactory(
            etat=Etat.ORIENTE,
            referent=named.referent_a,
            date_orientation=TODAY - datetime.timedelta(days=30 - i),
        )
        for i in range(NOUVELLES_AFFICHEES)
    ]
    client = client_for(named.referent_a)
    response = client.get("/")
    assert [n.parcours for n in response.context["nouvelles"]] == waiting
    assert "toutes vos nouvelles orientations" not in response.content.decode()

    ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a, date_orientation=TODAY)
    response = client.get("/")
    assert [n.parcours for n in response.context["nouvelles"]] == waiting  # the newest one waits below
    content = response.content.decode()
    assert f"Les {NOUVELLES_AFFICHEES} plus anciennes sont ci-dessus" in content
    assert f'href="{reverse("parcours:list")}?etat=oriente">toutes vos nouvelles orientations</a>' in content


def test_home_query_count_does_not_grow_with_orientations_and_attempts(named, delai_5, client_for):
    client = client_for(named.referent_a)

    def grow(n):
        for _ in range(n):
            parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=named.referent_a)
            TentativeContactFactory(parcours=parcours, canal=CanalContact.SMS, abouti=True)
            TentativeContactFactory(parcours=parcours)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.status_code == 200
        return len(queries), len(response.context["nouvelles"])

    grow(1)
    client.get("/")  # warm the per-process caches
    small, small_rows = measure()
    grow(6)
    large, large_rows = measure()
    assert (small_rows, large_rows) == (1, 7)
    assert large == small


# --- what each role reads on the parcours page ------------------------------------------------


@pytest.fixture
def with_attempt(named, oriente):
    TentativeContactFactory(parcours=oriente, canal=CanalContact.TELEPHONE, commentaire=COMMENT)
    return oriente


@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_attempt_comments_shown_to_the_referent_and_the_coordination(named, with_attempt, client_for, who):
    content = unescape(client_for(getattr(named, who)).get(f"/parcours/{with_attempt.pk}/").content.decode())
    assert "Premier contact" in content
    assert COMMENT in content


@pytest.mark.parametrize("who", ["prescripteur", "bureau_insertion"])
def test_attempt_comments_hidden_from_prescripteurs(named, with_attempt, client_for, who):
    content = unescape(client_for(getattr(named, who)).get(f"/parcours/{with_attempt.pk}/").content.decode())
    assert "Premier contact" in content
    assert "Téléphone" in content  # the attempt itself is shown
    assert COMMENT not in content
    assert tentative_url(with_attempt) not in content


def test_card_shows_the_first_appointment_to_the_prescripteur(named, lieu, client_for):
    parcours = ParcoursFactory(etat=Etat.ACCUEIL, referent=named.referent_a, prescripteur=named.prescripteur)
    RendezVousFactory(
        parcours=parcours,
        debut=datetime.datetime(2026, 4, 2, 9, 15, tzinfo=PARIS),
        lieu=None,
        lieu_precision="Au CCAS de Chauray",
    )
    content = unescape(client_for(named.prescripteur).get(f"/parcours/{parcours.pk}/").content.decode())
    card = content[content.index('id="premier-contact"') :]
    assert "le 02/04/2026 à 09:15" in card
    assert "Au CCAS de Chauray" in card


def test_card_is_left_out_once_accompanied_without_accueil_data(named, client_for):
    content = client_for(named.referent_a).get(f"/parcours/{named.parcours.pk}/").content.decode()
    assert 'id="premier-contact"' not in content


def test_attempts_are_refused_once_the_accompaniment_started(named):
    with pytest.raises(TransitionError, match="avant l'entrée en accompagnement"):
        accueil.noter_tentative(named.parcours, by=named.referent_a, canal=CanalContact.TELEPHONE)
    assert not TentativeContact.objects.exists()


@pytest.mark.parametrize("who", Personas.NAMES)
def test_contact_attempt_page_shows_the_phones_as_tap_to_call_links(named, oriente, client_for, who):
    """The référent calls from the page; only those who may see the numbers get the page at all."""
    from plie import permissions

    oriente.participant.telephone_fixe = "+33549123456"
    oriente.participant.save()
    user = getattr(named, who)
    response = client_for(user).get(tentative_url(oriente))
    if not permissions.can_view_sensitive(user, oriente):
        assert response.status_code == 404
        assert b"+33612345678" not in response.content
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert '<a href="tel:+33612345678">06 12 34 56 78</a>' in content
    assert '<a href="tel:+33549123456">05 49 12 34 56</a>' in content
