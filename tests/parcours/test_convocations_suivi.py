"""What the staff see of the convocations: the participant's answer and the latest message's fate, on
the dossier's entretiens (card and full list) and on the agenda; who sees them; constant queries."""

import datetime
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from parcours.convocations_suivi import libelle_message
from parcours.models import ReponseConvocation
from plie.notifications.models import StatutMessage
from tests.factories import ConvocationFactory, EntretienFactory, MessageFactory, SMSFactory
from tests.plie.test_query_counts import count_queries

PARIS = ZoneInfo("Europe/Paris")


def text(response):
    return re.sub(r"\s+", " ", unescape(strip_tags(response.content.decode())))


def test_the_labels():
    du_le = datetime.datetime(2026, 12, 7, 18, 0, tzinfo=PARIS)
    assert libelle_message("sms", "a_envoyer", du_le) == "SMS à envoyer le 07/12 à 18h00"
    assert libelle_message("email", "a_envoyer", du_le) == "Email à envoyer le 07/12 à 18h00"
    assert libelle_message("courrier", "a_envoyer", du_le) == "Courrier à poster"
    assert libelle_message("courrier", "envoye", du_le) == "Courrier posté"
    assert libelle_message("sms", "envoye", du_le) == "SMS envoyé"
    assert libelle_message("sms", "delivre", du_le) == "SMS délivré"
    assert libelle_message("sms", "echec", du_le) == "SMS : échec de l'envoi"
    assert libelle_message("sms", "repondu", du_le) == "Réponse reçue par SMS"


def dans_deux_jours(heure):
    jour = timezone.localdate() + datetime.timedelta(days=2)
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure, 0)))


@pytest.fixture
def convoque(named):
    """Référent A's participant, convoked to an entretien in two days: confirmed, the SMS delivered."""
    rdv = EntretienFactory(parcours=named.parcours, debut=dans_deux_jours(10), notes="Note confidentielle")
    convocation = ConvocationFactory(
        rendez_vous=rdv,
        reponse=ReponseConvocation.CONFIRMEE,
        repondu_le=timezone.now(),
        repondu_par="sms",
    )
    maintenant = timezone.now()
    SMSFactory(
        convocation=convocation,
        statut=StatutMessage.DELIVRE,
        du_le=maintenant - datetime.timedelta(hours=3),
        envoye_le=maintenant - datetime.timedelta(hours=3),
        delivre_le=maintenant - datetime.timedelta(hours=2),
    )
    return named


DOSSIER = "/parcours/{pk}/"
LISTE = "/parcours/{pk}/entretiens/"


@pytest.mark.parametrize("who", ["referent_a", "coordination"])
def test_the_team_sees_the_answer_and_the_message(convoque, client_for, who):
    client = client_for(getattr(convoque, who))
    for url in (DOSSIER, LISTE):
        page = text(client.get(url.format(pk=convoque.parcours.pk)))
        assert "Convocation : Confirmé" in page, url
        assert "SMS délivré" in page, url


def test_another_referent_gets_a_404(convoque, client_for):
    client = client_for(convoque.referent_b)
    for url in (DOSSIER, LISTE):
        assert client.get(url.format(pk=convoque.parcours.pk)).status_code == 404


def test_the_prescripteur_sees_neither_the_convocation_nor_the_notes(convoque, client_for):
    client = client_for(convoque.prescripteur)
    response = client.get(DOSSIER.format(pk=convoque.parcours.pk))
    assert response.status_code == 200  # the prescripteur follows the person they sent
    page = text(response)
    assert convoque.parcours.participant.nom_usage.upper() in page.upper()
    assert "Convocation :" not in page and "SMS délivré" not in page
    assert "Note confidentielle" not in page
    assert client.get(LISTE.format(pk=convoque.parcours.pk)).status_code == 404


@pytest.mark.parametrize("who", ["financeur", "operateur", "bureau_insertion"])
def test_the_other_roles_see_nothing(convoque, client_for, who):
    client = client_for(getattr(convoque, who))
    for url in (DOSSIER, LISTE):
        response = client.get(url.format(pk=convoque.parcours.pk))
        assert response.status_code in (403, 404)
        assert "SMS délivré" not in text(response)
    assert client_for(getattr(convoque, who)).get("/agenda/").status_code == 403


def test_the_states_on_the_agenda(convoque, client_for):
    parcours = convoque.parcours
    # Another entretien the same week: cancelled by the participant, its letter still to post.
    debut = dans_deux_jours(12)
    annulee = ConvocationFactory(
        rendez_vous=EntretienFactory(parcours=parcours, debut=debut),
        reponse=ReponseConvocation.ANNULEE,
        repondu_le=timezone.now(),
        repondu_par="lien",
    )
    MessageFactory(convocation=annulee, canal="courrier", genre="convocation", destinataires=[], sujet="Convocation")
    # A third one, no answer, its SMS due tomorrow at 18:00 (Paris).
    demain = timezone.localdate() + datetime.timedelta(days=1)
    du_le = timezone.make_aware(datetime.datetime.combine(demain, datetime.time(18, 0)))
    sans = ConvocationFactory(
        rendez_vous=EntretienFactory(parcours=parcours, debut=debut + datetime.timedelta(hours=1))
    )
    SMSFactory(convocation=sans, du_le=du_le)

    jour = timezone.localdate(debut).isoformat()
    page = text(client_for(convoque.referent_a).get("/agenda/", {"jour": jour, "vue": "jour"}))

    assert "Convocation : Confirmé" in page and "SMS délivré" in page
    assert "Convocation : Annulé par le participant" in page and "Courrier à poster" in page
    assert f"Convocation : Sans réponse SMS à envoyer le {demain:%d/%m} à 18h00" in page


def test_a_closed_entretien_shows_no_convocation(convoque, client_for):
    rdv = convoque.parcours.rendez_vous.get()
    rdv.statut, rdv.duree_reelle_minutes, rdv.cloture_le = "honore", 45, rdv.debut + datetime.timedelta(hours=1)
    rdv.save()

    page = text(client_for(convoque.referent_a).get(LISTE.format(pk=convoque.parcours.pk)))
    assert "Convocation :" not in page


def add_convoked(parcours, n, jour):
    for i in range(n):
        debut = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(9, 0))) + datetime.timedelta(
            minutes=5 * (i + parcours.rendez_vous.count())
        )
        convocation = ConvocationFactory(rendez_vous=EntretienFactory(parcours=parcours, debut=debut))
        SMSFactory(convocation=convocation, du_le=debut - datetime.timedelta(days=1))


@pytest.mark.parametrize("page", ["agenda", "liste"])
def test_the_queries_do_not_grow_with_the_convocations(named, client_for, page):
    parcours = named.parcours
    jour = timezone.localdate() + datetime.timedelta(days=3)
    client = client_for(named.referent_a)
    url = f"/agenda/?jour={jour.isoformat()}&vue=jour" if page == "agenda" else LISTE.format(pk=parcours.pk)
    add_convoked(parcours, 3, jour)
    client.get(url)
    small, small_response = count_queries(client, url)
    add_convoked(parcours, 20, jour)
    large, large_response = count_queries(client, url)
    assert text(large_response).count("Convocation : Sans réponse") == 23
    assert len(large) == len(small), "\n".join(large)
