"""The demo PLIE is believable: every role, every state, consistent histories."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from parcours.models import Etat, Parcours, Participant, TransitionParcours
from parcours.workflow import ETATS_OUVERTS
from plie.accounts.models import Role, User
from plie.demo import DEMO_PASSWORD


@pytest.fixture
def demo(niort, communes):
    out = io.StringIO()
    call_command("seed_demo", "--participants", "300", stdout=out)
    return out.getvalue()


def test_prints_one_login_per_role(demo, client):
    for role in Role:
        user = User.objects.filter(role=role, email__in=_printed_emails(demo)).first()
        assert user is not None, f"no printed login for {role.label}"
        assert client.login(username=user.email, password=DEMO_PASSWORD)
        assert client.get("/").status_code == 200
        client.logout()
    assert DEMO_PASSWORD in demo


def _printed_emails(output):
    return [word for word in output.split() if "@" in word]


def test_every_state_is_represented(demo):
    counts = dict(Parcours.objects.values_list("etat").annotate(n=Count("id")))
    assert set(counts) == set(Etat.values)
    assert Participant.objects.count() == 300


def test_histories_are_consistent(demo):
    # Every oriented parcours carries the log of its orientation, every exit its validation.
    assert (
        not Parcours.objects.filter(date_orientation__isnull=False).exclude(transitions__transition="orienter").exists()
    )
    assert not Parcours.objects.filter(etat=Etat.SORTI).exclude(transitions__transition="valider_sortie").exists()
    assert not Parcours.objects.filter(etat=Etat.VEILLE).exclude(periodes_veille__fin__isnull=True).exists()
    for log in TransitionParcours.objects.select_related("parcours")[:500]:
        assert log.date.date() >= log.parcours.date_prescription
    # One open parcours at most per person; some people came back after an exit.
    assert not Participant.objects.annotate(ouverts=Count("parcours", filter=_open())).filter(ouverts__gt=1).exists()


def _open():
    from django.db.models import Q

    return Q(parcours__etat__in=ETATS_OUVERTS)


def test_referents_have_profiles_places_and_one_vacant_post(demo):
    referents = User.objects.filter(role=Role.REFERENT)
    assert 5 <= referents.filter(referent_profile__actif=True).count() <= 40
    assert referents.filter(referent_profile__actif=False, referent_profile__date_vacance__isnull=False).count() == 1
    assert not referents.filter(referent_profile__actif=True, referent_profile__lieux__isnull=True).exists()
    # The vacant post is not proposed for new assignments and follows no one.
    assert not Parcours.objects.filter(referent__referent_profile__actif=False).exists()


def test_refuses_a_second_run_unless_if_empty(demo):
    with pytest.raises(CommandError, match="déjà des données"):
        call_command("seed_demo", "--participants", "5", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "conservée" in out.getvalue()
    assert Participant.objects.count() == 300


def test_needs_an_active_referentiel(db, communes):
    with pytest.raises(CommandError, match="Aucun référentiel n'est actif"):
        call_command("seed_demo", "--participants", "5", stdout=io.StringIO())
