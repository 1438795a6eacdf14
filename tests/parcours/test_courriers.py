"""Convocation letters: the référent's « Courriers à envoyer », the letter read back from its PDF
(pdftotext), posted once; failed convocations on the référent's home with their fallback
(parcours/courriers.py)."""

import datetime
import subprocess
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours import convocations, courriers
from plie.acces.models import AccesDossier, Action
from plie.notifications.models import Canal, Message, StatutMessage
from tests.conftest import Personas
from tests.factories import EntretienFactory, ParcoursFactory, SMSFactory
from tests.html import page

LISTE = "/courriers/"
CARTE = "/courriers/a-reprendre/"


def carte(client):
    """The card the référent's home loads after the page (htmx)."""
    response = client.get(CARTE, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return unescape(response.content.decode())


def sans_mobile_ni_email(parcours, email=""):
    participant = parcours.participant
    participant.telephone_mobile = ""
    participant.telephone_fixe = "+33549123456"  # a landline: no SMS
    participant.email = email
    participant.adresse = "3 rue des Lilas"
    participant.code_postal = "79000"
    participant.save()
    return participant


def entretien_convoque(parcours, jours=3):
    debut = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=jours), datetime.time(14, 30))
    )
    rdv = EntretienFactory(
        parcours=parcours,
        debut=debut,
        lieu_precision="Maison de l'emploi, salle 4",
        sujet="Dettes et dossier RSA",
        notes="Problème de santé évoqué",
    )
    convocation = convocations.convoquer_rdv(rdv)
    return rdv, convocation


@pytest.fixture
def courrier(named):
    sans_mobile_ni_email(named.parcours)
    rdv, convocation = entretien_convoque(named.parcours)
    [message] = convocation.messages.all()
    assert message.canal == Canal.COURRIER and message.statut == StatutMessage.A_ENVOYER
    return message


def pdftotext(contenu, tmp_path):
    path = tmp_path / "courrier.pdf"
    path.write_bytes(contenu)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_participant_with_a_landline_only_gets_a_letter_to_post(named, courrier, client_for, tmp_path):
    client = client_for(named.referent_a)
    content = unescape(page(client, LISTE))
    assert "Vautrin-Lacombe".upper() in content
    assert f'href="/courriers/{courrier.pk}/pdf/"' in content
    assert "1 courrier à envoyer." in content
    assert f'href="{LISTE}"' in unescape(page(client, "/"))  # from the navigation and the home

    response = client.get(f"/courriers/{courrier.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    texte = pdftotext(response.content, tmp_path)
    debut = timezone.localtime(courrier.convocation.debut)
    assert "Madame Ysaline VAUTRIN-LACOMBE" in texte
    assert "3 rue des Lilas" in texte and "79000" in texte
    assert f"Le {timezone.localdate():%d/%m/%Y}" in texte  # the letter's date
    assert f"Date : {debut:%d/%m/%Y}" in texte
    assert "Heure : 14h30" in texte
    assert "Lieu : Maison de l'emploi, salle 4" in texte
    assert "PLIE du Niortais" in texte
    assert "/c/" in texte  # the personal link
    for motif in ("Dettes", "RSA", "santé"):
        assert motif not in texte
    [acces] = AccesDossier.objects.filter(utilisateur=named.referent_a, action=Action.TELECHARGEMENT)
    assert (acces.objet_id, acces.refuse) == (named.parcours.pk, False)

    url = f"/courriers/{courrier.pk}/poster/"
    assert "Oui, il est posté" in page(client, url)  # the confirmation step changes nothing
    courrier.refresh_from_db()
    assert courrier.statut == StatutMessage.A_ENVOYER
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == LISTE
    courrier.refresh_from_db()
    assert courrier.statut == StatutMessage.ENVOYE
    assert courrier.poste_par == named.referent_a and courrier.envoye_le is not None
    content = unescape(page(client, LISTE))
    assert "est marqué comme posté" in content
    assert "Aucun courrier à envoyer" in content


def test_a_second_click_posts_once(named, courrier, client_for):
    first, second = client_for(named.referent_a), client_for(named.coordination)
    assert first.post(f"/courriers/{courrier.pk}/poster/").status_code == 302
    courrier.refresh_from_db()
    envoye_le = courrier.envoye_le
    assert second.post(f"/courriers/{courrier.pk}/poster/").status_code == 302
    courrier.refresh_from_db()
    assert (courrier.poste_par, courrier.envoye_le) == (named.referent_a, envoye_le)
    assert "déjà marqué comme posté" in unescape(page(second, LISTE))
    assert not courriers.marquer_poste(courrier, named.coordination)


@pytest.mark.parametrize("name", Personas.NAMES + ("referent_b_own",))
def test_each_role_sees_only_the_letters_it_may_post(named, courrier, client_for, name, tmp_path):
    if name == "referent_b_own":  # référent B with a letter of their own: never A's
        user = named.referent_b
        propre = ParcoursFactory(referent=user, etat=named.parcours.etat)
        sans_mobile_ni_email(propre)
        entretien_convoque(propre)
    else:
        user = getattr(named, name)
    client = client_for(user)
    allowed = name in ("coordination", "referent_a")
    list_status = 200 if name in ("coordination", "referent_a", "referent_b", "referent_b_own") else 403
    response = client.get(LISTE)
    assert response.status_code == list_status
    if list_status == 200:
        assert ("VAUTRIN-LACOMBE" in response.content.decode()) is allowed
    for url in (f"/courriers/{courrier.pk}/pdf/", f"/courriers/{courrier.pk}/poster/"):
        assert client.get(url).status_code == (200 if allowed else 404)
    response = client.post(f"/courriers/{courrier.pk}/poster/")
    assert response.status_code == (302 if allowed else 404)
    courrier.refresh_from_db()
    assert (courrier.statut == StatutMessage.ENVOYE) is allowed
    refus = AccesDossier.objects.filter(utilisateur=user, objet_id=named.parcours.pk, refuse=True).count()
    assert refus == (0 if allowed else 3)  # every refusal logged, naming the file asked for


# --- failed convocations on the référent's home ------------------------------------------------------


def echec(parcours, **champs):
    rdv, convocation = entretien_convoque(parcours)
    convocation.messages.all().delete()
    return SMSFactory(
        convocation=convocation,
        statut=StatutMessage.ECHEC,
        echec_le=timezone.now(),
        tentatives=1,
        numero="+33612345678",
        derniere_erreur="Numéro invalide (refusé par le fournisseur)",
        cle=convocations.cle(convocation, "convocation", "sms"),
        **champs,
    )


def test_a_failed_sms_offers_an_email_when_the_participant_has_one(
    named, client_for, django_capture_on_commit_callbacks
):
    sans_mobile_ni_email(named.parcours, email="ysaline@exemple.fr")
    message = echec(named.parcours)
    client = client_for(named.referent_a)
    assert f'hx-get="{CARTE}" hx-trigger="load"' in page(client, "/")
    content = carte(client)
    assert "Convocations non remises" in content
    assert "Le SMS au 06 12 34 56 78 n'a pas pu être remis après 1 essai." in content
    assert "Numéro invalide (refusé par le fournisseur)" in content
    assert "Envoyer par email" in content and "Préparer un courrier" not in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/courriers/echecs/{message.pk}/remplacer/", {"canal": "email"})
    assert response.status_code == 302
    repli = Message.objects.get(cle=f"{message.cle}:repli")
    assert (repli.canal, repli.genre, repli.destinataires) == ("email", "convocation", ["ysaline@exemple.fr"])
    assert repli.statut == StatutMessage.ENVOYE  # sent after commit (eager worker, locmem email)
    [email] = mail.outbox
    assert "Dettes" not in email.body and "/c/" in email.body
    assert "part par email" in unescape(page(client, "/"))
    assert "Convocations non remises" not in carte(client)  # done: the card is gone
    # A second click (another tab) writes nothing more.
    client.post(f"/courriers/echecs/{message.pk}/remplacer/", {"canal": "email"})
    assert Message.objects.filter(convocation=message.convocation).count() == 2


def test_a_failed_sms_without_email_offers_a_letter(named, client_for):
    sans_mobile_ni_email(named.parcours)
    message = echec(named.parcours)
    client = client_for(named.referent_a)
    content = carte(client)
    assert "Préparer un courrier" in content and "Envoyer par email" not in content
    assert client.post(f"/courriers/echecs/{message.pk}/remplacer/", {"canal": "courrier"}).status_code == 302
    repli = Message.objects.get(cle=f"{message.cle}:repli")
    assert (repli.canal, repli.statut) == ("courrier", StatutMessage.A_ENVOYER)
    assert "VAUTRIN-LACOMBE" in page(client, LISTE)
    content = carte(client)
    assert "Convocations non remises" not in content
    assert "1 courrier de convocation à poster." in content
    assert "1 courrier de convocation à poster." in unescape(page(client, CARTE))  # without JavaScript, a page


def test_an_email_is_refused_without_an_address(named):
    sans_mobile_ni_email(named.parcours)
    message = echec(named.parcours)
    with pytest.raises(courriers.RepliImpossible, match="pas d'adresse email"):
        courriers.repli(message, Canal.EMAIL)
    assert not Message.objects.filter(cle=f"{message.cle}:repli").exists()


@pytest.mark.parametrize("name", Personas.NAMES)
def test_only_the_referent_and_the_coordination_replace_a_failed_message(named, client_for, name):
    sans_mobile_ni_email(named.parcours)
    message = echec(named.parcours)
    user = getattr(named, name)
    client = client_for(user)
    allowed = name in ("coordination", "referent_a")
    response = client.post(f"/courriers/echecs/{message.pk}/remplacer/", {"canal": "courrier"})
    assert response.status_code == (302 if allowed else 404)
    assert Message.objects.filter(cle=f"{message.cle}:repli").exists() is allowed
    [acces] = AccesDossier.objects.filter(utilisateur=user, objet_id=named.parcours.pk)
    assert acces.refuse is not allowed


@pytest.mark.parametrize("name", Personas.NAMES)
def test_the_card_of_failures_shows_only_the_referents_own(named, client_for, name):
    sans_mobile_ni_email(named.parcours)
    echec(named.parcours)
    user = getattr(named, name)
    response = client_for(user).get(CARTE, headers={"HX-Request": "true"})
    assert response.status_code == (200 if name in ("coordination", "referent_a", "referent_b") else 403)
    assert ("VAUTRIN-LACOMBE" in response.content.decode()) is (name == "referent_a")
    logged = AccesDossier.objects.filter(utilisateur=user, objet_id=named.parcours.pk, refuse=False).exists()
    assert logged is (name == "referent_a")


def test_the_card_query_count_does_not_grow_with_failures(named, client_for):
    client = client_for(named.referent_a)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(CARTE, headers={"HX-Request": "true"}).status_code == 200
        return len(context.captured_queries)

    sans_mobile_ni_email(named.parcours, email="a@exemple.fr")
    echec(named.parcours)
    count()  # the first request of a session writes it
    one = count()
    for _ in range(3):
        parcours = ParcoursFactory(referent=named.referent_a, etat=named.parcours.etat)
        sans_mobile_ni_email(parcours)
        echec(parcours)
    assert carte(client).count("n'a pas pu être remis") == 4
    assert count() == one
