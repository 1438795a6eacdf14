"""The coordination moves a référent's participants to others in one action."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.models import Etat, Parcours, TransitionParcours
from parcours.reaffectation import ReaffectationError, reaffecter
from plie.acces.models import AccesDossier
from plie.notifications.models import Notification
from tests.conftest import Personas
from tests.factories import ParcoursFactory, ParticipantFactory, ReferentFactory


@pytest.fixture
def portefeuille(named):
    """Référent A follows three open parcours (the personas' one and two more) and a closed one."""
    deux = [
        ParcoursFactory(
            etat=Etat.ACCUEIL, referent=named.referent_a, participant=ParticipantFactory(nom_usage=f"Nom{i}")
        )
        for i in range(2)
    ]
    ParcoursFactory(etat=Etat.SORTI, referent=named.referent_a)
    return [named.parcours, *deux]


def url(referent):
    return f"/parcours/reaffectation/{referent.pk}/"


@pytest.mark.parametrize("who", Personas.NAMES)
def test_only_the_coordination_reassigns(named, client_for, who):
    status = client_for(getattr(named, who)).get(url(named.referent_a)).status_code
    assert status == (200 if who == "coordination" else 403)


def test_the_page_lists_the_open_parcours_and_logs_each_access(named, portefeuille, client_for):
    response = client_for(named.coordination).get(url(named.referent_a))
    rows = response.context["form"].rows()
    assert [p.pk for p, _ in rows] == sorted(
        [p.pk for p in portefeuille], key=lambda pk: Parcours.objects.get(pk=pk).participant.nom_usage
    )
    assert set(AccesDossier.objects.values_list("objet_id", flat=True)) == {p.pk for p in portefeuille}


def test_all_to_one_moves_every_open_parcours_logs_and_notifies(
    named, portefeuille, client_for, django_capture_on_commit_callbacks
):
    client = client_for(named.coordination)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(named.referent_a), {"tous": named.referent_b.pk, "motif": "Poste vacant"})
    assert response.status_code == 302
    assert set(Parcours.objects.filter(referent=named.referent_b)) == set(portefeuille)
    assert Parcours.objects.filter(referent=named.referent_a).get().etat == Etat.SORTI
    logs = TransitionParcours.objects.filter(transition="changer_referent")
    assert {log.parcours_id for log in logs} == {p.pk for p in portefeuille}
    assert all(log.motif == "Poste vacant" for log in logs)
    assert Notification.objects.filter(destinataire=named.referent_b).count() == 3
    [email] = mail.outbox
    assert email.to == [named.referent_b.email]
    assert "3 parcours vous sont confiés" in email.subject
    assert "VAUTRIN" not in email.subject.upper()
    assert "VAUTRIN-LACOMBE Ysaline" in email.body


def test_per_participant_choices_and_the_rest_stays(named, portefeuille, client_for):
    autre = ReferentFactory()
    premier, deuxieme, troisieme = portefeuille
    data = {f"parcours_{premier.pk}": autre.pk, f"parcours_{deuxieme.pk}": named.referent_b.pk, "motif": "Charge"}
    assert client_for(named.coordination).post(url(named.referent_a), data).status_code == 302
    assert Parcours.objects.get(pk=premier.pk).referent == autre
    assert Parcours.objects.get(pk=deuxieme.pk).referent == named.referent_b
    assert Parcours.objects.get(pk=troisieme.pk).referent == named.referent_a
    assert Notification.objects.filter(destinataire=autre).count() == 1


def test_nothing_chosen_or_no_motive_is_refused_in_french(named, portefeuille, client_for):
    client = client_for(named.coordination)
    response = client.post(url(named.referent_a), {"motif": "Charge"})
    assert "Choisissez un référent pour tous les parcours" in response.content.decode()
    response = client.post(url(named.referent_a), {"tous": named.referent_b.pk, "motif": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Parcours.objects.filter(referent=named.referent_b).exists()


def test_a_vacant_referent_cannot_receive_and_one_failure_moves_nothing(named, portefeuille, client_for):
    """The choices offer référents in post; a move refused by the transition rolls every move back."""
    client = client_for(named.coordination)
    vacant = ReferentFactory()
    vacant.referent_profile.actif = False
    vacant.referent_profile.date_vacance = "2026-01-01"
    vacant.referent_profile.save()
    response = client.post(url(named.referent_a), {"tous": vacant.pk, "motif": "x"})
    assert "Sélectionnez un choix valide" in response.content.decode()
    # A parcours given to someone else meanwhile: nothing moves, the coordination is told why.
    Parcours.objects.filter(pk=portefeuille[2].pk).update(referent=ReferentFactory())
    moves = {p.pk: named.referent_b for p in portefeuille}
    with pytest.raises(ReaffectationError, match="rechargez la page"):
        reaffecter(named.coordination, named.referent_a, moves, "Charge")
    assert not Parcours.objects.filter(referent=named.referent_b).exists()
    # A move the transition refuses (the same référent) rolls back the moves before it.
    moves = {portefeuille[0].pk: named.referent_b, portefeuille[1].pk: named.referent_a}
    with pytest.raises(ReaffectationError, match="Ce référent suit déjà le parcours"):
        reaffecter(named.coordination, named.referent_a, moves, "Charge")
    assert not Parcours.objects.filter(referent=named.referent_b).exists()
    assert not TransitionParcours.objects.filter(transition="changer_referent").exists()


def test_the_coordination_home_links_a_vacant_post_to_its_reassignment(named, portefeuille, client_for):
    profile = named.referent_a.referent_profile
    profile.actif, profile.date_vacance = False, "2026-01-02"
    profile.save()
    content = client_for(named.coordination).get("/").content.decode()
    assert "Postes vacants" in content
    assert "3 parcours ouverts à réaffecter" in content
    assert url(named.referent_a) in content


def _queries(client, path):
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_the_page_runs_as_many_queries_for_forty_parcours_as_for_three(named, portefeuille, client_for):
    client = client_for(named.coordination)
    ReferentFactory()
    _queries(client, url(named.referent_a))  # the session's first request writes it
    small = _queries(client, url(named.referent_a))
    for _ in range(37):
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=named.referent_a)
        ReferentFactory()
    assert _queries(client, url(named.referent_a)) == small
