"""Convocations (parcours/convocations.py): the right channel, at the référentiel's hour, once, saying
nothing sensitive; moved and cancelled events; the sweep for events nobody convoked."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from parcours import ateliers, convocations, entretiens
from parcours.models import Convocation, Etat, Modalite, MoyenReponse, ReponseConvocation
from plie.notifications import envoi
from plie.notifications.models import Canal, GenreMessage, Message, Notification, StatutMessage
from plie.notifications.tasks import balayer_messages
from plie.referentiel.models import Referentiel
from plie.sms import gsm
from tests.factories import (
    AtelierFactory,
    InscriptionAtelierFactory,
    ParcoursFactory,
    ParticipantFactory,
    SeanceAtelierFactory,
)

PARIS = timezone.get_default_timezone()
# A Monday morning; the entretien is on Wednesday afternoon (J+2).
LUNDI_8H = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=PARIS)
MERCREDI_14H = datetime.datetime(2027, 3, 3, 14, 0, tzinfo=PARIS)


@pytest.fixture
def sms_file(settings, tmp_path):
    """The file provider: every SMS the outbox hands over is one JSON line, read back here."""
    path = tmp_path / "sms.jsonl"
    settings.SMS = {**settings.SMS, "backend": "file", "file_path": str(path)}

    def lines():
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return lines


def _parcours(referent, **participant):
    return ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent, participant=ParticipantFactory(**participant))


def _planifier(parcours, debut=MERCREDI_14H, **kwargs):
    kwargs.setdefault("lieu_precision", "Bureau 3")
    return entretiens.planifier_entretien(parcours, parcours.referent, debut, **kwargs)


@time_machine.travel(LUNDI_8H, tick=False)
def test_an_entretien_at_j_plus_2_gives_exactly_one_sms_at_the_configured_hour(personas, sms_file):
    parcours = _parcours(personas.referent_a, telephone_mobile="06 12 34 56 78", email="")
    rdv = _planifier(parcours)

    message = Message.objects.get()
    assert (message.canal, message.genre, message.statut) == (Canal.SMS, GenreMessage.CONVOCATION, "a_envoyer")
    assert message.numero == "+33612345678"
    assert timezone.localtime(message.du_le) == datetime.datetime(2027, 3, 1, 10, 0, tzinfo=PARIS)
    assert message.convocation.rendez_vous == rdv

    balayer_messages()  # 8:00: not yet
    assert sms_file() == []
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, 30, tzinfo=PARIS), tick=False):
        balayer_messages()
        balayer_messages()  # a second beat
        convocations.convoquer_manquants()  # the sweep of forgotten events finds it convoked
    sent = sms_file()
    assert len(sent) == 1
    assert sent[0]["tag"] == message.cle
    assert sent[0]["numero"] == "+33612345678"
    assert "03/03/2027 à 14h00" in sent[0]["texte"]
    message.refresh_from_db()
    assert message.statut == StatutMessage.ENVOYE
    assert message.fournisseur == "file"


@time_machine.travel(LUNDI_8H, tick=False)
def test_the_referentiel_decides_the_delay_and_hour(personas, sms_file):
    Referentiel.objects.active().__class__.objects.filter(actif=True).update(
        convocation_delai_jours=1, convocation_heure=datetime.time(17, 30)
    )
    _planifier(_parcours(personas.referent_a))
    assert timezone.localtime(Message.objects.get().du_le) == datetime.datetime(2027, 3, 2, 17, 30, tzinfo=PARIS)


@time_machine.travel(LUNDI_8H, tick=False)
def test_planned_after_the_hour_is_sent_at_once(personas, sms_file, django_capture_on_commit_callbacks):
    demain_9h = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=PARIS)
    with django_capture_on_commit_callbacks(execute=True):
        _planifier(_parcours(personas.referent_a), debut=demain_9h)
    assert len(sms_file()) == 1
    assert Message.objects.get().statut == StatutMessage.ENVOYE


@time_machine.travel(LUNDI_8H, tick=False)
def test_a_landline_without_email_gets_a_letter_on_the_courriers_list(personas, sms_file):
    parcours = _parcours(personas.referent_a, telephone_mobile="", telephone_fixe="05 49 12 34 56", email="")
    _planifier(parcours)
    letter = Message.objects.get()
    assert (letter.canal, letter.genre, letter.statut, letter.numero) == (
        Canal.COURRIER,
        "convocation",
        "a_envoyer",
        "",
    )
    assert "03/03/2027" in letter.corps and "14h00" in letter.corps and "Bureau 3" in letter.corps
    # A letter leaves a few days ahead, to arrive in time: it is on the list now.
    assert list(Message.objects.courriers_a_envoyer()) == [letter]
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 1, tzinfo=PARIS), tick=False):
        balayer_messages()
    assert sms_file() == []  # a landline never gets an SMS; the sweep never « sends » a letter
    letter.refresh_from_db()
    assert letter.statut == StatutMessage.A_ENVOYER


@pytest.mark.parametrize("landline", ["05 49 12 34 56", "+33 1 45 67 89 10"])
@time_machine.travel(LUNDI_8H, tick=False)
def test_a_landline_in_the_mobile_field_is_not_texted(personas, landline):
    parcours = _parcours(personas.referent_a, telephone_mobile=landline, email="marie@exemple.fr")
    assert convocations.destination(parcours.participant).canal == Canal.EMAIL


@pytest.mark.parametrize("mobile", ["06 12 34 56 78", "+262 692 12 34 56", "0696 12 34 56"])
def test_french_and_overseas_mobiles_get_sms(db, mobile):
    dest = convocations.destination(ParticipantFactory(telephone_mobile=mobile))
    assert dest.canal == Canal.SMS
    assert dest.numero.startswith("+")


@time_machine.travel(LUNDI_8H, tick=False)
def test_no_mobile_but_an_email_gets_an_email(personas, mailoutbox):
    parcours = _parcours(personas.referent_a, telephone_mobile="", email="Marie.Durand@Exemple.fr")
    _planifier(parcours)
    message = Message.objects.get()
    assert message.canal == Canal.EMAIL
    assert message.destinataires == ["marie.durand@exemple.fr"]
    assert message.sujet == "PLIE : Rappel : votre entretien au PLIE du 03/03/2027 à 14h00"
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 1, tzinfo=PARIS), tick=False):
        balayer_messages()
    assert len(mailoutbox) == 1
    assert convocations.lien(message.convocation) in mailoutbox[0].body


@time_machine.travel(LUNDI_8H, tick=False)
def test_the_first_rdv_is_confirmed_at_once_then_reminded(personas, sms_file, django_capture_on_commit_callbacks):
    from parcours import accueil

    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=personas.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        accueil.fixer_premier_rdv(parcours, personas.referent_a, MERCREDI_14H, lieu_precision="Accueil du PLIE")
    genres = dict(Message.objects.exclude(genre=GenreMessage.SERVICE).values_list("genre", "statut"))
    assert genres == {GenreMessage.CONFIRMATION: StatutMessage.ENVOYE, GenreMessage.CONVOCATION: "a_envoyer"}
    assert len(sms_file()) == 1
    assert "premier rendez-vous" in sms_file()[0]["texte"]


@time_machine.travel(LUNDI_8H, tick=False)
def test_a_first_rdv_too_close_for_a_reminder_gets_the_confirmation_only(personas, sms_file):
    from parcours import accueil

    parcours = ParcoursFactory(etat=Etat.ORIENTE, referent=personas.referent_a)
    accueil.fixer_premier_rdv(
        parcours, personas.referent_a, datetime.datetime(2027, 3, 2, 9, 0, tzinfo=PARIS), lieu_precision="Accueil"
    )
    convocation = Convocation.objects.get()
    assert list(convocation.messages.values_list("genre", flat=True)) == [GenreMessage.CONFIRMATION]


@time_machine.travel(LUNDI_8H, tick=False)
def test_a_convocation_says_nothing_sensitive(personas):
    parcours = _parcours(personas.referent_a, nom_usage="Kervella", prenoms="Anaïs")
    parcours.rsa = True
    parcours.save()
    _planifier(parcours, modalite=Modalite.TELEPHONE, lieu_precision="")
    texte = Message.objects.get().corps
    assert "par téléphone" in texte  # « é » is GSM-7; « ê » is not: « Empêchement » is transliterated
    assert "Empechement" in texte
    assert personas.referent_a.first_name in texte
    for word in ["Kervella", "Anaïs", "RSA", "santé", "handicap", personas.referent_a.last_name]:
        assert word.lower() not in texte.lower()
    assert gsm.est_gsm7(texte)


@time_machine.travel(LUNDI_8H, tick=False)
def test_an_alphanumeric_sender_asks_for_the_link_a_number_for_a_reply(personas):
    parcours = _parcours(personas.referent_a)
    _planifier(parcours)
    assert "Répondez OUI" not in Message.objects.get().corps
    assert "/c/" in Message.objects.get().corps
    Referentiel.objects.filter(actif=True).update(sms_expediteur="33612000000")
    Message.objects.all().delete()
    Convocation.objects.all().delete()
    _planifier(parcours, debut=MERCREDI_14H + datetime.timedelta(hours=2))
    assert "Répondez OUI pour confirmer, NON pour annuler" in Message.objects.get().corps


@time_machine.travel(LUNDI_8H, tick=False)
def test_a_session_convocation_names_its_theme(personas):
    atelier = AtelierFactory(
        animateur=personas.referent_a,
        theme="Préparer un entretien d'embauche",
        premiere_date=datetime.date(2027, 3, 3),
    )
    seance = SeanceAtelierFactory(atelier=atelier)
    parcours = _parcours(personas.referent_a)
    ateliers.inviter(atelier, personas.referent_a, [parcours])
    convocation = Convocation.objects.get(seance=seance, parcours=parcours)
    texte = convocation.messages.get().corps
    assert "l'atelier \"Préparer un entretien d'embauche\" le 03/03/2027" in texte
    assert "03/03/2027 à 09h30" in texte


@time_machine.travel(LUNDI_8H, tick=False)
def test_a_cancelled_entretien_sends_nothing_more(personas, sms_file):
    rdv = _planifier(_parcours(personas.referent_a))
    rdv.annuler(personas.referent_a)
    assert Message.objects.get().statut == StatutMessage.ANNULE
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 1, tzinfo=PARIS), tick=False):
        balayer_messages()
    assert sms_file() == []


@time_machine.travel(LUNDI_8H, tick=False)
def test_a_moved_session_is_convoked_again_and_its_answer_reset(personas):
    atelier = AtelierFactory(animateur=personas.referent_a, premiere_date=datetime.date(2027, 3, 3))
    seance = SeanceAtelierFactory(atelier=atelier)
    parcours = _parcours(personas.referent_a)
    ateliers.inviter(atelier, personas.referent_a, [parcours])
    convocation = Convocation.objects.get()
    convocations.repondre(convocation, True)
    debut = datetime.datetime(2027, 3, 4, 14, 0, tzinfo=PARIS)
    ateliers.modifier_seance(
        seance, personas.referent_a, debut=debut, fin=debut + datetime.timedelta(hours=2), lieu_precision="Salle B"
    )
    convocation.refresh_from_db()
    assert convocation.reponse == ReponseConvocation.SANS_REPONSE
    statuts = sorted(convocation.messages.values_list("statut", flat=True))
    assert statuts == [StatutMessage.A_ENVOYER, StatutMessage.ANNULE]
    nouveau = convocation.messages.get(statut=StatutMessage.A_ENVOYER)
    assert "04/03/2027 à 14h00" in nouveau.corps


@time_machine.travel(LUNDI_8H, tick=False)
def test_the_sweep_convokes_events_nobody_convoked_once(personas):
    parcours = _parcours(personas.referent_a)
    from tests.factories import EntretienFactory

    rdv = EntretienFactory(parcours=parcours, debut=MERCREDI_14H)  # written directly: no convocation
    atelier = AtelierFactory(animateur=personas.referent_a, premiere_date=datetime.date(2027, 3, 2))
    seance = SeanceAtelierFactory(atelier=atelier)
    InscriptionAtelierFactory(atelier=atelier, parcours=parcours)
    loin = EntretienFactory(parcours=parcours, debut=MERCREDI_14H + datetime.timedelta(days=10))
    assert convocations.convoquer_manquants() == 2
    assert convocations.convoquer_manquants() == 0
    assert Convocation.objects.filter(rendez_vous=rdv).count() == 1
    assert Convocation.objects.filter(seance=seance, parcours=parcours).count() == 1
    assert not Convocation.objects.filter(rendez_vous=loin).exists()
    assert Message.objects.count() == 2


@time_machine.travel(LUNDI_8H, tick=False)
def test_a_cancellation_notifies_the_referent_and_an_expired_link_refuses(personas):
    rdv = _planifier(_parcours(personas.referent_a))
    convocation = rdv.convocation
    convocations.repondre(convocation, False, moyen=MoyenReponse.SMS)
    convocation.refresh_from_db()
    assert (convocation.reponse, convocation.repondu_par) == (ReponseConvocation.ANNULEE, MoyenReponse.SMS)
    notification = Notification.objects.get(destinataire=personas.referent_a)
    assert "annulé par le participant" in notification.titre
    convocations.repondre(convocation, False)  # the same answer again: no second notification
    assert Notification.objects.filter(destinataire=personas.referent_a).count() == 1
    later = MERCREDI_14H + datetime.timedelta(hours=4)
    with time_machine.travel(later, tick=False), pytest.raises(convocations.ConvocationError):
        convocations.repondre(convocation, True)


def test_reconcile_asks_the_file_provider_before_resending(personas, sms_file):
    """A claim left by a dead worker after the provider took the SMS: found by its tag, never resent."""
    from tests.factories import SMSFactory

    message = SMSFactory(convocation__rendez_vous__parcours=personas.parcours)
    claimed = envoi.reclamer(message.pk)
    envoi.transmettre(claimed)  # the provider accepted it; the worker died before recording it
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert envoi.reconcilier(now=later) == 1
    message.refresh_from_db()
    assert message.statut == StatutMessage.ENVOYE
    assert envoi.envoyer(message.pk, now=later) == "absent"
    assert len(sms_file()) == 1


@pytest.mark.parametrize(
    ("texte", "encodage", "segments", "par_segment"),
    [
        ("a" * 160, "GSM-7", 1, 160),
        ("a" * 161, "GSM-7", 2, 153),
        ("€" * 80, "GSM-7", 1, 160),  # an extension character counts twice
        ("€" * 81, "GSM-7", 2, 153),
        ("你" * 70, "UCS-2", 1, 70),
        ("你" * 71, "UCS-2", 2, 67),
    ],
)
def test_segments_are_counted_as_operators_do(texte, encodage, segments, par_segment):
    decompte = gsm.decompter(texte)
    assert (decompte.encodage, decompte.segments, decompte.par_segment) == (encodage, segments, par_segment)


def test_transliteration_keeps_the_meaning_in_gsm7():
    texte = gsm.translitterer("Rendez-vous à l’hôtel de ville « salle Gîte » : ça, œuvre, être, maïs…")
    assert gsm.est_gsm7(texte)
    assert texte == 'Rendez-vous à l\'hotel de ville "salle Gite" : ca, oeuvre, etre, mais...'


def test_the_beat_sweeps_the_outbox_every_minute_and_convokes_forgotten_events():
    """plie/celery.py's schedule: read, not restated. The sweep runs often enough for « at the hour »."""
    from celery.schedules import crontab

    from plie.celery import app

    schedule = app.conf.beat_schedule
    balayage, convoquer = schedule["balayer-messages"], schedule["convoquer"]
    assert balayage["task"] == "plie.notifications.tasks.balayer_messages"
    assert balayage["schedule"] == crontab(minute="*")
    assert convoquer["task"] == "parcours.tasks.convoquer"
    assert isinstance(convoquer["schedule"], crontab) and convoquer["schedule"].minute == set(range(0, 60, 5))
    app.loader.import_default_modules()
    assert {balayage["task"], convoquer["task"]} <= set(app.tasks)


@time_machine.travel(LUNDI_8H, tick=False)
def test_the_periodic_task_convokes_then_the_sweep_sends_at_the_hour(personas, sms_file):
    from parcours.tasks import convoquer
    from tests.factories import EntretienFactory

    EntretienFactory(parcours=_parcours(personas.referent_a), debut=MERCREDI_14H)  # seeded: no convocation
    assert convoquer.delay().get() == 1
    balayer_messages()
    assert sms_file() == []
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, 5, tzinfo=PARIS), tick=False):
        assert convoquer.delay().get() == 0
        balayer_messages()
    assert len(sms_file()) == 1


@time_machine.travel(LUNDI_8H, tick=False)
def test_the_letter_gives_the_number_to_call_or_the_referent(personas):
    parcours = _parcours(personas.referent_a, telephone_mobile="", email="marie@exemple.fr")
    _planifier(parcours)
    assert "En cas de difficulté, contactez votre référent." in Message.objects.get().corps
    Referentiel.objects.filter(actif=True).update(telephone_contact="+33549123456")
    _planifier(parcours, debut=MERCREDI_14H + datetime.timedelta(hours=2))
    assert "En cas de difficulté, appelez le 05 49 12 34 56." in Message.objects.order_by("-pk").first().corps
