"""The participant's personal link (c/<jeton>/): what it shows and hides, the answers, an expired or
unknown link, the lockout of tokens tried in bulk, the headers that keep the token private."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parcours.models import MoyenReponse, ReponseConvocation
from plie.notifications.models import Notification
from tests.factories import (
    AtelierFactory,
    ConvocationFactory,
    EntretienFactory,
    InscriptionAtelierFactory,
    ParcoursFactory,
    ParticipantFactory,
    ReferentFactory,
    SeanceAtelierFactory,
)


@pytest.fixture
def convocation(niort):
    referent = ReferentFactory(first_name="Gwenaëlle", last_name="Kerbrat-Dantec")
    participant = ParticipantFactory(nom_usage="Vautrin-Lacombe", prenoms="Ysaline")
    parcours = ParcoursFactory(etat="accompagnement", referent=referent, participant=participant)
    debut = timezone.localtime(timezone.now() + datetime.timedelta(days=2)).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    rdv = EntretienFactory(
        parcours=parcours,
        debut=debut,
        lieu_precision="Bureau 12",
        sujet="Dettes et logement insalubre",
        notes="Problème de santé évoqué",
    )
    return ConvocationFactory(rendez_vous=rdv, jeton="AbCdE12345")


def url(convocation):
    return reverse("convocation_reponse", args=[convocation.jeton])


def test_the_page_tells_the_facts_and_nothing_of_the_person(convocation):
    response = Client().get(url(convocation))

    assert response.status_code == 200
    page = response.content.decode()
    local = timezone.localtime(convocation.debut)
    assert f"{local:%d/%m/%Y}" in page
    assert "14h30" in page
    assert "Bureau 12" in page
    assert "Gwenaëlle" in page
    assert "Votre entretien au PLIE" in page
    for secret in ("Kerbrat", "Vautrin", "Ysaline", "Dettes", "santé", "RSA"):
        assert secret not in page
    assert 'value="oui"' in page and 'value="non"' in page
    assert "csrfmiddlewaretoken" in page


def test_the_page_is_private_and_runs_no_script(convocation):
    response = Client().get(url(convocation))

    assert response.headers["Referrer-Policy"] == "strict-origin"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert "no-store" in response.headers["Cache-Control"]
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert b"<script" not in response.content
    assert b"style=" not in response.content


def test_a_phone_entretien_says_so(niort):
    rdv = EntretienFactory(
        debut=timezone.now() + datetime.timedelta(days=2), modalite="telephone", lieu=None, lieu_precision=""
    )
    convocation = ConvocationFactory(rendez_vous=rdv)

    assert "par téléphone" in Client().get(url(convocation)).content.decode()


def test_confirming_records_the_answer_by_the_link(convocation):
    response = Client(enforce_csrf_checks=False).post(url(convocation), {"reponse": "oui"}, follow=True)

    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.CONFIRMEE
    assert convocation.repondu_par == MoyenReponse.LIEN
    page = response.content.decode()
    assert "votre venue est confirmée" in page
    # Already answered: it can still be cancelled, not confirmed twice.
    assert 'value="non"' in page and 'value="oui"' not in page
    assert not Notification.objects.exists()


def test_cancelling_records_it_and_tells_the_referent(convocation):
    response = Client().post(url(convocation), {"reponse": "non"}, follow=True)

    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.ANNULEE
    assert convocation.repondu_par == MoyenReponse.LIEN
    assert "votre venue est annulée" in response.content.decode()
    notification = Notification.objects.get()
    assert notification.destinataire == convocation.parcours.referent
    assert "annulé par le participant" in notification.titre
    # Changed their mind before the event: confirmed again.
    Client().post(url(convocation), {"reponse": "oui"})
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.CONFIRMEE


def test_the_form_needs_its_csrf_token(convocation):
    response = Client(enforce_csrf_checks=True).post(url(convocation), {"reponse": "non"})

    assert response.status_code == 403
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.SANS_REPONSE


def test_once_the_event_started_the_answer_cannot_change(convocation, time_machine):
    time_machine.move_to(convocation.debut + datetime.timedelta(minutes=10), tick=False)

    page = Client().get(url(convocation)).content.decode()
    assert 'value="non"' not in page and "appelez le numéro" in page
    Client().post(url(convocation), {"reponse": "non"})
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.SANS_REPONSE


def test_an_expired_link_is_a_friendly_404(convocation, time_machine):
    time_machine.move_to(convocation.expire_le + datetime.timedelta(minutes=1), tick=False)

    response = Client().get(url(convocation))
    assert response.status_code == 404
    page = response.content.decode()
    assert "pas ou plus valable" in page
    assert "Gwenaëlle" not in page and "Bureau 12" not in page
    assert response.headers["Referrer-Policy"] == "strict-origin"
    assert Client().post(url(convocation), {"reponse": "non"}).status_code == 404
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.SANS_REPONSE


def test_an_unknown_link_is_the_same_404(convocation):
    expired = Client().get(reverse("convocation_reponse", args=["ZZZZZZZZZZ"]))

    assert expired.status_code == 404
    assert "pas ou plus valable" in expired.content.decode()


def test_tokens_tried_in_bulk_are_locked_out(convocation, settings):
    client = Client()
    statuses = [
        client.get(reverse("convocation_reponse", args=[f"essai{n:05d}"])).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert statuses == [404] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.get(url(convocation))  # even the right token, from that connection
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.content.decode()
    assert AccessAttempt.objects.filter(username="lien-convocation").exists()
    # Another connection is not concerned.
    assert Client(REMOTE_ADDR="10.0.0.9").get(url(convocation)).status_code == 200


def test_an_atelier_session_convocation(niort):
    atelier = AtelierFactory(theme="Préparer un entretien d'embauche")
    seance = SeanceAtelierFactory(atelier=atelier)
    parcours = ParcoursFactory(etat="accompagnement")
    InscriptionAtelierFactory(atelier=atelier, parcours=parcours)
    convocation = ConvocationFactory(
        rendez_vous=None,
        seance=seance,
        parcours=parcours,
        debut=seance.debut,
        expire_le=seance.fin + datetime.timedelta(hours=2),
    )

    page = Client().get(url(convocation)).content.decode()
    assert "Préparer un entretien d&#x27;embauche" in page
    assert "Salle collective" in page
    Client().post(url(convocation), {"reponse": "oui"})
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.CONFIRMEE

    # No longer registered to the atelier: nothing to answer any more.
    parcours.inscriptions_atelier.all().delete()
    page = Client().get(url(convocation)).content.decode()
    assert "annulé par le PLIE" in page and 'value="non"' not in page
    Client().post(url(convocation), {"reponse": "non"})
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.CONFIRMEE


def test_an_entretien_cancelled_by_the_plie_cannot_be_answered(convocation):
    rdv = convocation.rendez_vous
    rdv.statut = "annule"
    rdv.save()

    page = Client().get(url(convocation)).content.decode()
    assert "annulé par le PLIE" in page and 'value="oui"' not in page
    Client().post(url(convocation), {"reponse": "oui"})
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.SANS_REPONSE
