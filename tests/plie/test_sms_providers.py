"""Brevo's and OVHcloud's adapters over real HTTP, against the fake provider on 127.0.0.1, and the
outbox's send path through them (retry, refusal, rate limit, timeout, reconciliation by tag)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from plie.notifications import envoi
from plie.notifications.models import Message, StatutMessage
from plie.sms import fournisseur
from plie.sms.base import SMS, ErreurPermanente, ErreurTransitoire
from plie.sms.brevo import numero_brevo
from plie.sms.ovh import numero_ovh
from tests.fakes.sms_provider import CLE_BREVO

M = StatutMessage
BACKENDS = ["brevo", "ovh"]


@pytest.fixture(params=BACKENDS)
def backend(request, settings, faux_sms):
    settings.SMS = {**faux_sms.config(request.param), "read_timeout": 1}
    return request.param


def _sms(tag="conv:1:convocation:sms:20261208T1300Z", texte="PLIE : votre entretien le 08/12/2026 à 14h00"):
    return SMS(numero="+33612345678", texte=texte, expediteur="PLIENIORT", tag=tag)


def _message(**champs):
    return Message.objects.create(
        canal="sms",
        cle=champs.pop("cle", "test:sms:1"),
        numero="+33612345678",
        corps="PLIE : votre rendez-vous demain à 9h00",
        **champs,
    )


# --- the adapters, one HTTP call each ---


def test_a_send_returns_the_provider_id_and_the_provider_holds_our_tag(backend, faux_sms):
    identifiant = fournisseur().envoyer(_sms())
    [recu] = faux_sms.acceptes["conv:1:convocation:sms:20261208T1300Z"]
    assert identifiant == recu["id"] and identifiant.isdigit()
    assert recu["expediteur"] == "PLIENIORT"
    assert recu["texte"] == "PLIE : votre entretien le 08/12/2026 à 14h00"
    # Each API's form of the number: Brevo the digits, OVHcloud the international form.
    assert recu["numero"] == {"brevo": "33612345678", "ovh": "+33612345678"}[backend]
    if backend == "brevo":
        assert recu["type"] == "transactional" and recu["unicode"] is False
    else:
        assert recu["no_stop_clause"] is True


def test_brevo_says_unicode_when_the_text_leaves_gsm7(settings, faux_sms):
    settings.SMS = faux_sms.config("brevo")
    fournisseur().envoyer(_sms(texte="Réunion « collective » à 9h"))
    [recu] = faux_sms.acceptes["conv:1:convocation:sms:20261208T1300Z"]
    assert recu["unicode"] is True


def test_a_wrong_brevo_key_is_refused_for_good_and_the_key_is_never_in_the_message(settings, faux_sms):
    settings.SMS = {**faux_sms.config("brevo"), "api_key": "xkeysib-mauvaise-cle"}
    with pytest.raises(ErreurPermanente, match="HTTP 401") as refus:
        fournisseur().envoyer(_sms())
    assert "xkeysib" not in str(refus.value)
    assert faux_sms.total() == 0


def test_a_wrong_ovh_signature_is_refused(settings, faux_sms):
    """The fake checks the signature with the real secret: one wrong byte of ours fails it."""
    settings.SMS = {**faux_sms.config("ovh"), "ovh_application_secret": "un-autre-secret"}
    with pytest.raises(ErreurPermanente, match="HTTP 400") as refus:
        fournisseur().envoyer(_sms())
    assert "un-autre-secret" not in str(refus.value)
    assert faux_sms.total() == 0


@pytest.mark.parametrize(
    ("action", "erreur", "retry_after", "incertain"),
    [
        ("500", ErreurTransitoire, None, False),
        ("429:7", ErreurTransitoire, 7.0, False),
        ("400", ErreurPermanente, None, None),
        ("suspendu", ErreurTransitoire, None, True),
        ("accepte_coupe", ErreurTransitoire, None, True),
    ],
)
def test_each_failure_maps_to_its_error(backend, faux_sms, action, erreur, retry_after, incertain):
    faux_sms.programmer(action)
    with pytest.raises(erreur) as levee:
        fournisseur().envoyer(_sms())
    if erreur is ErreurTransitoire:
        assert levee.value.retry_after == retry_after
        assert levee.value.incertain is incertain
    assert faux_sms.total() == (1 if action == "accepte_coupe" else 0)


def test_a_provider_that_is_down_is_a_plain_retry(settings, faux_sms):
    url = faux_sms.url
    faux_sms.arreter()
    settings.SMS = {**faux_sms.config("brevo"), "api_url": url}
    with pytest.raises(ErreurTransitoire, match="connexion refusée") as levee:
        fournisseur().envoyer(_sms())
    assert levee.value.incertain is False  # nothing reached it: no need to ask


def test_found_again_by_tag_or_not(backend, faux_sms):
    identifiant = fournisseur().envoyer(_sms(tag="conv:7:convocation:sms:20261209T0800Z"))
    assert fournisseur().retrouver("conv:7:convocation:sms:20261209T0800Z") == identifiant
    assert fournisseur().retrouver("conv:8:convocation:sms:20261209T0800Z") is None


def test_numbers_in_each_api_form():
    assert numero_brevo("+33612345678") == "33612345678"
    assert numero_brevo("0033612345678") == "33612345678"
    assert numero_ovh("+33612345678") == "+33612345678"
    assert numero_ovh("0033612345678") == "+33612345678"
    for faux in ("06 12", "+33abc", ""):
        with pytest.raises(ErreurPermanente):
            numero_brevo(faux)
        with pytest.raises(ErreurPermanente):
            numero_ovh(faux)


def test_the_fakes_key_is_not_a_real_one():
    assert CLE_BREVO.startswith("xkeysib-faux")


# --- the outbox through the adapters ---


@pytest.mark.django_db
def test_a_5xx_then_a_success_delivers_once_after_a_retry(backend, faux_sms):
    message = _message()
    faux_sms.programmer("500")
    avant = timezone.now()
    assert envoi.envoyer(message.pk).startswith("reporte:")
    message.refresh_from_db()
    assert message.statut == M.A_ENVOYER and message.prochain_essai_le > avant
    assert "HTTP 500" in message.derniere_erreur and message.tentatives == 1
    # Not due before its next try; due after.
    assert envoi.envoyer(message.pk) == "absent"
    assert envoi.envoyer(message.pk, now=message.prochain_essai_le + timedelta(seconds=1)) == "envoye"
    message.refresh_from_db()
    assert message.statut == M.ENVOYE and message.tentatives == 2 and message.fournisseur == backend
    assert faux_sms.compte("test:sms:1") == 1
    assert message.id_fournisseur == faux_sms.acceptes["test:sms:1"][0]["id"]
    assert envoi.envoyer(message.pk, now=message.prochain_essai_le or timezone.now() + timedelta(days=1)) == "absent"
    assert faux_sms.compte("test:sms:1") == 1


@pytest.mark.django_db
def test_a_4xx_fails_for_good_with_its_reason_and_no_retry(backend, faux_sms):
    message = _message()
    faux_sms.programmer("400")
    assert envoi.envoyer(message.pk) == "echec"
    message.refresh_from_db()
    assert message.statut == M.ECHEC and message.echec_le is not None
    assert "HTTP 400" in message.derniere_erreur and "Sender is not valid" in message.derniere_erreur
    assert envoi.envoyer(message.pk, now=timezone.now() + timedelta(days=1)) == "absent"
    assert faux_sms.envois_tentes() == 1 and faux_sms.total() == 0


@pytest.mark.django_db
def test_a_429_waits_at_least_its_retry_after(backend, faux_sms, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 1  # the backoff alone would retry within 1.5 s
    message = _message()
    faux_sms.programmer("429:120")
    avant = timezone.now()
    resultat = envoi.envoyer(message.pk)
    assert resultat.startswith("reporte:") and float(resultat.split(":")[1]) >= 120
    message.refresh_from_db()
    assert message.statut == M.A_ENVOYER
    assert message.prochain_essai_le >= avant + timedelta(seconds=120)
    assert faux_sms.total() == 0


@pytest.mark.django_db
def test_a_timeout_resends_nothing_blind(backend, faux_sms, settings):
    """No answer: maybe accepted. The claim is kept; past the claim timeout the provider is asked
    by tag: not found → due again and sent once."""
    settings.OUTBOX_CLAIM_TIMEOUT = 60
    message = _message()
    faux_sms.programmer("suspendu")
    assert envoi.envoyer(message.pk) == "incertain"
    message.refresh_from_db()
    assert message.statut == M.EN_COURS and "pas répondu" in message.derniere_erreur
    assert envoi.reconcilier() == 0  # too recent to be judged
    plus_tard = timezone.now() + timedelta(seconds=61)
    assert envoi.reconcilier(now=plus_tard) == 1
    message.refresh_from_db()
    assert message.statut == M.A_ENVOYER
    assert envoi.envoyer(message.pk, now=plus_tard) == "envoye"
    assert faux_sms.compte("test:sms:1") == 1


@pytest.mark.django_db
def test_accepted_then_no_answer_is_reconciled_as_sent(backend, faux_sms, settings):
    settings.OUTBOX_CLAIM_TIMEOUT = 60
    message = _message()
    faux_sms.programmer("accepte_coupe")
    assert envoi.envoyer(message.pk) == "incertain"
    assert faux_sms.compte("test:sms:1") == 1
    assert envoi.reconcilier(now=timezone.now() + timedelta(seconds=61)) == 1
    message.refresh_from_db()
    assert message.statut == M.ENVOYE and message.id_fournisseur == faux_sms.acceptes["test:sms:1"][0]["id"]
    assert envoi.envoyer(message.pk, now=timezone.now() + timedelta(days=1)) == "absent"
    assert faux_sms.compte("test:sms:1") == 1


@pytest.mark.django_db
def test_reconciling_a_stale_claim_asks_the_provider_first(backend, faux_sms, settings):
    """A dead worker's claims: the one the provider holds is marked sent, never resent; the other
    is due again."""
    settings.OUTBOX_CLAIM_TIMEOUT = 60
    vieux = timezone.now() - timedelta(seconds=120)
    parti = _message(cle="test:parti", statut=M.EN_COURS, envoi_commence_le=vieux, tentatives=1)
    perdu = _message(cle="test:perdu", statut=M.EN_COURS, envoi_commence_le=vieux, tentatives=1)
    recent = _message(cle="test:recent", statut=M.EN_COURS, envoi_commence_le=timezone.now(), tentatives=1)
    identifiant = fournisseur().envoyer(SMS(numero=parti.numero, texte=parti.corps, expediteur="PLIE", tag=parti.cle))
    assert envoi.reconcilier() == 2
    for message in (parti, perdu, recent):
        message.refresh_from_db()
    assert parti.statut == M.ENVOYE and parti.id_fournisseur == identifiant and parti.fournisseur == backend
    assert perdu.statut == M.A_ENVOYER and perdu.prochain_essai_le is None
    assert recent.statut == M.EN_COURS
    assert faux_sms.comptes() == {"test:parti": 1}  # nothing was sent by the reconciliation


@pytest.mark.django_db
def test_an_unreachable_provider_leaves_the_claim_to_the_next_sweep(settings, faux_sms):
    settings.OUTBOX_CLAIM_TIMEOUT = 60
    url = faux_sms.url
    faux_sms.arreter()
    settings.SMS = {**faux_sms.config("brevo"), "api_url": url}
    message = _message(statut=M.EN_COURS, envoi_commence_le=timezone.now() - timedelta(seconds=120), tentatives=1)
    assert envoi.reconcilier() == 0
    message.refresh_from_db()
    assert message.statut == M.EN_COURS


# --- the sweep's batches ---


@pytest.mark.django_db
def test_a_batch_is_claimed_at_once_and_each_message_recorded_as_it_goes(settings, faux_sms):
    settings.SMS = faux_sms.config("brevo")
    lot = [_message(cle=f"test:lot:{i}") for i in range(5)]
    deja = _message(cle="test:lot:deja", statut=M.ENVOYE, envoye_le=timezone.now())
    faux_sms.programmer("ok", "500", "ok", "400")
    resultats = envoi.envoyer_lot([m.pk for m in lot] + [deja.pk])
    assert [resultats[m.pk] for m in lot] == ["envoye", resultats[lot[1].pk], "envoye", "echec", "envoye"]
    assert resultats[lot[1].pk].startswith("reporte:") and resultats[deja.pk] == "absent"
    statuts = dict(Message.objects.values_list("cle", "statut"))
    assert [statuts[m.cle] for m in lot] == [M.ENVOYE, M.A_ENVOYER, M.ENVOYE, M.ECHEC, M.ENVOYE]
    assert faux_sms.comptes() == {"test:lot:0": 1, "test:lot:2": 1, "test:lot:4": 1}
    assert envoi.envoyer_lot([m.pk for m in lot]) == {m.pk: "absent" for m in lot}  # a second beat
    assert faux_sms.total() == 3


@pytest.mark.django_db
def test_a_batch_gives_back_the_claims_too_old_to_be_used_safely(settings, faux_sms):
    """Claim timeout 3 s, longest send 2 s: once a claim is 1 s old no send starts (the reconciler
    could take it mid-send); the rest of the batch is due again, its try not counted."""
    settings.SMS = {**faux_sms.config("ovh"), "connect_timeout": 1, "read_timeout": 1}
    settings.OUTBOX_CLAIM_TIMEOUT = 3
    lot = [_message(cle=f"test:vieux:{i}") for i in range(3)]
    faux_sms.programmer("suspendu")  # the first send waits its whole read timeout
    resultats = envoi.envoyer_lot([m.pk for m in lot])
    assert resultats == {lot[0].pk: "incertain", lot[1].pk: "absent", lot[2].pk: "absent"}
    rows = {m.cle: m for m in Message.objects.all()}
    assert rows["test:vieux:0"].statut == M.EN_COURS  # left to the reconciliation by tag
    assert [(rows[m.cle].statut, rows[m.cle].tentatives) for m in lot[1:]] == [(M.A_ENVOYER, 0)] * 2
    assert faux_sms.total() == 0
    assert envoi.envoyer_lot([m.pk for m in lot[1:]]) == {lot[1].pk: "envoye", lot[2].pk: "envoye"}


@pytest.mark.django_db
def test_without_margin_a_batch_claims_each_message_right_before_its_send(settings, faux_sms):
    settings.SMS = faux_sms.config("brevo")  # 5 s + 10 s per send
    settings.OUTBOX_CLAIM_TIMEOUT = 10
    lot = [_message(cle=f"test:serre:{i}") for i in range(2)]
    assert envoi.envoyer_lot([m.pk for m in lot]) == {lot[0].pk: "envoye", lot[1].pk: "envoye"}
    assert faux_sms.comptes() == {"test:serre:0": 1, "test:serre:1": 1}


@pytest.mark.django_db
def test_an_email_with_no_margin_in_a_batch_is_claimed_again_before_its_send(settings, faux_sms, mailoutbox):
    """SMTP may take EMAIL_TIMEOUT (10 s), more than this claim timeout allows: the email is given
    back and claimed on its own right before its send; the SMS of the batch go as usual."""
    settings.SMS = {**faux_sms.config("brevo"), "connect_timeout": 1, "read_timeout": 1}
    settings.OUTBOX_CLAIM_TIMEOUT = 8
    settings.EMAIL_TIMEOUT = 10
    sms = _message(cle="test:mixte:sms")
    email = Message.objects.create(
        canal="email", cle="test:mixte:email", destinataires=["p@exemple.fr"], sujet="PLIE : test", corps="Bonjour"
    )
    assert envoi.envoyer_lot([email.pk, sms.pk]) == {email.pk: "envoye", sms.pk: "envoye"}
    email.refresh_from_db()
    assert email.statut == M.ENVOYE and email.tentatives == 1
    assert [m.subject for m in mailoutbox] == ["PLIE : test"]
    assert faux_sms.comptes() == {"test:mixte:sms": 1}
