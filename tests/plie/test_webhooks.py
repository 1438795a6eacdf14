"""The SMS provider's callbacks (plie/notifications/webhooks.py), over Django's test client: the shared
secret, the delivery statuses, the replies, replays, unknown messages and unreadable bodies."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parcours.models import MoyenReponse, ReponseConvocation
from plie.notifications.models import EvenementFournisseur, Message, StatutMessage
from tests.factories import SMSFactory

SECRET = "un-secret-partage-assez-long"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.SMS = {**settings.SMS, "webhook_secret": SECRET}


@pytest.fixture
def sms(niort):
    """A convocation SMS Brevo accepted an hour ago."""
    envoye = timezone.now() - datetime.timedelta(hours=1)
    return SMSFactory(statut=StatutMessage.ENVOYE, envoye_le=envoye, fournisseur="brevo", id_fournisseur="4242")


def statut_url(fournisseur="brevo", secret=SECRET):
    url = reverse("webhooks:sms_statut", args=[fournisseur])
    return f"{url}?secret={secret}" if secret else url


def reponse_url(fournisseur="brevo", secret=SECRET):
    url = reverse("webhooks:sms_reponse", args=[fournisseur])
    return f"{url}?secret={secret}" if secret else url


def post_json(url, payload, **extra):
    return Client().post(url, json.dumps(payload), content_type="application/json", **extra)


def brevo_statut(sms, msg_status="delivered"):
    return {"id": 26570, "to": "33612345678", "messageId": 4242, "msg_status": msg_status, "tag": sms.cle}


def test_a_delivery_report_with_the_secret_marks_the_message_delivered(sms):
    response = post_json(statut_url(), brevo_statut(sms))

    assert response.status_code == 200
    sms.refresh_from_db()
    assert sms.statut == StatutMessage.DELIVRE
    assert sms.delivre_le is not None
    assert EvenementFournisseur.objects.get().message == sms


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_X_PLIE_WEBHOOK_SECRET": SECRET}, {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}],
    ids=["header", "bearer"],
)
def test_the_secret_may_come_in_a_header(sms, headers):
    assert post_json(statut_url(secret=""), brevo_statut(sms), **headers).status_code == 200
    sms.refresh_from_db()
    assert sms.statut == StatutMessage.DELIVRE


@pytest.mark.parametrize("secret", ["", "faux", SECRET[:-1], SECRET + "x"], ids=["absent", "faux", "court", "long"])
def test_a_wrong_or_missing_secret_is_refused(sms, secret):
    assert secret != SECRET
    response = post_json(statut_url(secret=secret), brevo_statut(sms))

    assert response.status_code == 403
    sms.refresh_from_db()
    assert sms.statut == StatutMessage.ENVOYE
    assert not EvenementFournisseur.objects.exists()


def test_only_brevo_takes_a_bearer_token(sms):
    ovh = Client().post(statut_url("ovh", secret=""), {"id": "4242", "dlr": "1"}, HTTP_AUTHORIZATION=f"Bearer {SECRET}")
    assert ovh.status_code == 403


def test_no_secret_configured_is_refused_in_production(sms, settings):
    settings.SMS = {**settings.SMS, "webhook_secret": ""}
    settings.PLIE_ENV = "prod"

    assert post_json(statut_url(secret=""), brevo_statut(sms)).status_code == 403


def test_repeated_wrong_secrets_lock_the_caller_out(sms, settings):
    codes = [
        post_json(statut_url(secret="faux"), brevo_statut(sms)).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert codes == [403] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert post_json(statut_url(), brevo_statut(sms)).status_code == 429  # even with the secret, until the cool-off
    assert post_json(statut_url(), brevo_statut(sms), REMOTE_ADDR="10.1.2.3").status_code == 200


def test_a_replayed_event_is_ignored(sms):
    assert post_json(statut_url(), brevo_statut(sms)).status_code == 200
    sms.refresh_from_db()
    delivre_le = sms.delivre_le

    assert post_json(statut_url(), brevo_statut(sms)).status_code == 200
    sms.refresh_from_db()
    assert sms.delivre_le == delivre_le
    assert EvenementFournisseur.objects.count() == 1


def test_a_hard_bounce_is_a_failure_with_its_date(sms):
    post_json(statut_url(), brevo_statut(sms, "hard_bounce"))

    sms.refresh_from_db()
    assert sms.statut == StatutMessage.ECHEC
    assert sms.echec_le is not None
    assert "hard_bounce" in sms.derniere_erreur


def test_a_soft_bounce_changes_nothing_yet(sms):
    post_json(statut_url(), brevo_statut(sms, "soft_bounce"))

    sms.refresh_from_db()
    assert sms.statut == StatutMessage.ENVOYE
    assert EvenementFournisseur.objects.count() == 1


def test_a_late_delivery_report_never_undoes_a_reply(sms):
    Message.objects.filter(pk=sms.pk).update(statut=StatutMessage.REPONDU)
    post_json(statut_url(), brevo_statut(sms, "hard_bounce"))

    sms.refresh_from_db()
    assert sms.statut == StatutMessage.REPONDU


def test_the_message_is_found_by_the_providers_id_without_a_tag(sms):
    payload = {**brevo_statut(sms), "tag": ""}
    post_json(statut_url(), payload)

    sms.refresh_from_db()
    assert sms.statut == StatutMessage.DELIVRE


def test_an_unknown_tag_is_recorded_and_ignored(sms):
    response = post_json(statut_url(), {**brevo_statut(sms), "tag": "conv:999999:x", "messageId": 1})

    assert response.status_code == 200
    sms.refresh_from_db()
    assert sms.statut == StatutMessage.ENVOYE
    assert EvenementFournisseur.objects.get().message is None


def test_a_batch_of_events(sms):
    autre = SMSFactory(statut=StatutMessage.ENVOYE, envoye_le=timezone.now(), fournisseur="brevo", id_fournisseur="7")
    response = post_json(statut_url(), [brevo_statut(sms), {**brevo_statut(autre), "messageId": 7}])

    assert response.status_code == 200
    assert set(Message.objects.values_list("statut", flat=True)) == {StatutMessage.DELIVRE}


@pytest.mark.parametrize(
    "body",
    ["{pas du json", "", "42", "[1, 2]", "[]", '"texte"', b"\xff\xfe", "[" * 100_000],
    ids=["cassé", "vide", "nombre", "liste-de-nombres", "liste-vide", "chaîne", "binaire", "trop-profond"],
)
def test_an_unreadable_body_is_a_400(sms, body):
    response = Client().post(statut_url(), body, content_type="application/json")

    assert response.status_code == 400
    assert not EvenementFournisseur.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"msg_status": None, "messageId": None, "tag": None},
        {"msg_status": ["delivered"], "messageId": {"a": 1}, "tag": [None]},
        {"msg_status": "delivered", "tag": "x" * 5000},
        {"msg_status": 12, "messageId": 1.5, "to": 336},
        {"event": "reply", "reply": None, "to": ["+33612345678"]},
    ],
)
def test_odd_payloads_never_make_an_error(sms, payload):
    assert post_json(statut_url(), payload).status_code == 200
    assert post_json(reponse_url(), payload).status_code == 200


def test_an_unreadable_ovh_form_is_a_400(sms):
    body = '--frontiere\r\nContent-Disposition: form-data; name="id"\r\n\r\n1'
    response = Client().post(statut_url("ovh"), body, content_type="multipart/form-data")  # no boundary
    assert response.status_code == 400
    response = Client().post(statut_url("ovh"), "{cassé", content_type="application/json")
    assert response.status_code == 400


def test_the_methods(sms):
    assert Client().get(statut_url()).status_code == 405  # Brevo posts
    ovh = Client().get(statut_url("ovh", secret=""), {"id": "1", "dlr": "1", "secret": SECRET})
    assert ovh.status_code == 200  # OVHcloud calls with GET
    assert Client().post(statut_url("inconnu"), {}).status_code == 404


# --- replies ------------------------------------------------------------------------------------


def test_a_reply_oui_confirms_the_convocation(sms):
    response = post_json(
        reponse_url(), {"event": "reply", "from": "33612345678", "reply": "Oui merci !", "messageId": 4242}
    )

    assert response.status_code == 200
    convocation = sms.convocation
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.CONFIRMEE
    assert convocation.repondu_par == MoyenReponse.SMS
    sms.refresh_from_db()
    assert sms.statut == StatutMessage.REPONDU


def test_a_reply_found_by_the_number_alone(sms):
    post_json(reponse_url(), {"event": "reply", "from": "+33612345678", "reply": "non."})

    sms.convocation.refresh_from_db()
    assert sms.convocation.reponse == ReponseConvocation.ANNULEE


def test_a_replayed_reply_is_applied_once(sms):
    payload = {"event": "reply", "from": "33612345678", "reply": "non", "messageId": 4242, "date": "2026-12-06"}
    post_json(reponse_url(), payload)
    post_json(reponse_url(), payload)

    assert EvenementFournisseur.objects.count() == 1
    assert sms.convocation.parcours.referent.notifications.count() == 1


def test_an_ovh_delivery_report_and_reply(niort):
    sms = SMSFactory(
        statut=StatutMessage.ENVOYE, envoye_le=timezone.now(), fournisseur="ovh", id_fournisseur="123456789"
    )
    rapport = Client().get(statut_url("ovh", secret=""), {"id": "123456789", "dlr": "1", "secret": SECRET})
    assert rapport.status_code == 200
    sms.refresh_from_db()
    assert sms.statut == StatutMessage.DELIVRE

    response = Client().post(reponse_url("ovh"), {"id": "987", "sender": "0033612345678", "message": "OUI"})
    assert response.status_code == 200
    sms.convocation.refresh_from_db()
    assert sms.convocation.reponse == ReponseConvocation.CONFIRMEE


def test_an_ovh_failure_report(niort):
    sms = SMSFactory(statut=StatutMessage.ENVOYE, envoye_le=timezone.now(), fournisseur="ovh", id_fournisseur="55")
    Client().post(statut_url("ovh"), {"id": "55", "dlr": "16", "description": "Numéro inconnu"})

    sms.refresh_from_db()
    assert sms.statut == StatutMessage.ECHEC
    assert "Numéro inconnu" in sms.derniere_erreur
