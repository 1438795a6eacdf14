"""Replies to the convocation SMS: how a text is read, and which convocation it answers."""

import datetime

import pytest
from django.utils import timezone

from parcours.convocations import appliquer_reponse_sms, interpreter_reponse
from parcours.models import MoyenReponse, ReponseConvocation
from plie.notifications.models import Notification, StatutMessage
from tests.factories import ConvocationFactory, EntretienFactory, ParcoursFactory, SMSFactory

NUMERO = "+33612345678"


@pytest.mark.parametrize(
    "texte",
    ["OUI", "Oui", "oui", "oui!", " Oui. ", "OUI merci", "Oui, merci beaucoup", "0ui", "ouiii", "Bonjour, oui", "Ok"],
)
def test_yes(texte):
    assert interpreter_reponse(texte) is True


@pytest.mark.parametrize("texte", ["NON", "non.", "Non, empêché", "non merci", "N0N", "nan", "Bonsoir non désolé"])
def test_no(texte):
    assert interpreter_reponse(texte) is False


@pytest.mark.parametrize(
    "texte",
    [
        "",
        None,
        "   ",
        "?!",
        "Peut-être",
        "demain ?",
        "oui non",
        "Non... enfin oui",
        "oui mais je ne peux pas",
        "Je serai en retard",
        "ouistiti",
        "nonante",
        "0",
    ],
)
def test_not_understood(texte):
    assert interpreter_reponse(texte) is None


def sent(convocation, numero=NUMERO, heures=1, **fields):
    return SMSFactory(
        convocation=convocation,
        numero=numero,
        statut=StatutMessage.ENVOYE,
        envoye_le=timezone.now() - datetime.timedelta(hours=heures),
        **fields,
    )


def test_the_reply_goes_to_the_latest_open_convocation_of_that_number(niort):
    parcours = ParcoursFactory(etat="accompagnement")
    ancienne = ConvocationFactory(
        rendez_vous=EntretienFactory(parcours=parcours, debut=timezone.now() + datetime.timedelta(days=5))
    )
    recente = ConvocationFactory(
        rendez_vous=EntretienFactory(parcours=parcours, debut=timezone.now() + datetime.timedelta(days=1))
    )
    sent(ancienne, heures=30)
    message = sent(recente, heures=2)

    resultat = appliquer_reponse_sms("33612345678", "oui")

    assert resultat.resultat == "appliquee"
    recente.refresh_from_db()
    ancienne.refresh_from_db()
    assert (recente.reponse, recente.repondu_par) == (ReponseConvocation.CONFIRMEE, MoyenReponse.SMS)
    assert ancienne.reponse == ReponseConvocation.SANS_REPONSE
    message.refresh_from_db()
    assert message.statut == StatutMessage.REPONDU


def test_an_expired_convocation_is_not_answered(niort, time_machine):
    convocation = ConvocationFactory()
    sent(convocation)
    time_machine.move_to(convocation.expire_le + datetime.timedelta(minutes=1), tick=False)

    assert appliquer_reponse_sms(NUMERO, "non").resultat == "sans_convocation"
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.SANS_REPONSE


def test_a_number_shared_by_two_people_is_ambiguous(niort):
    premiere, seconde = ConvocationFactory(), ConvocationFactory()
    sent(premiere, heures=3)
    sent(seconde, heures=1)

    assert appliquer_reponse_sms(NUMERO, "non").resultat == "ambigue"
    premiere.refresh_from_db()
    seconde.refresh_from_db()
    assert {c.reponse for c in (premiere, seconde)} == {ReponseConvocation.SANS_REPONSE}
    assert not Notification.objects.exists()


def test_an_unknown_number_is_ignored(niort):
    sent(ConvocationFactory())

    assert appliquer_reponse_sms("+33700000000", "oui").resultat == "sans_convocation"
    assert appliquer_reponse_sms("pas un numéro", "oui").resultat == "sans_convocation"


def test_a_reply_not_understood_is_passed_on_to_the_referent(niort):
    convocation = ConvocationFactory()
    sent(convocation)

    assert appliquer_reponse_sms(NUMERO, "Je serai en retard de 10 min").resultat == "incomprise"

    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.SANS_REPONSE
    notification = Notification.objects.get()
    assert notification.destinataire == convocation.parcours.referent
    assert "Je serai en retard de 10 min" in notification.message


def test_a_reply_after_the_start_changes_nothing(niort, time_machine):
    convocation = ConvocationFactory()
    sent(convocation)
    time_machine.move_to(convocation.debut + datetime.timedelta(minutes=5), tick=False)

    assert appliquer_reponse_sms(NUMERO, "non").resultat == "trop_tard"
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.SANS_REPONSE
