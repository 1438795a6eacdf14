"""The workflow kernel is reusable: a machine built here on an existing table (a user's role,
logged as notifications) gets the row lock, the stale-copy and wrong-state refusals, the motif
check, the guard and the log row without writing any of them."""

import pytest
from django.utils import timezone

from parcours.workflow import TRANSITIONS as PARCOURS
from plie import permissions
from plie.accounts.models import Role, User
from plie.notifications.models import Notification
from plie.workflow import Machine, Transition, TransitionError, table
from prescriptions.workflow import TRANSITIONS as PRESCRIPTIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _log(user, transition, source, by, motif):
    Notification.objects.create(destinataire=user, titre=f"{transition.name} : {source} → {user.role}", message=motif)


ROLES = Machine(
    transitions=table(
        Transition(
            "promouvoir",
            "Confier la coordination",
            frozenset({Role.PRESCRIPTEUR}),
            Role.COORDINATION,
            frozenset({Role.COORDINATION}),
            needs_motif=True,
        ),
        Transition("confirmer", "Confirmer le rôle", frozenset(Role), None, frozenset({Role.COORDINATION})),
    ),
    log=_log,
    stale_message="Ce compte vient d'être modifié : rechargez la page.",
    impossible_message="Action « {label} » impossible : le compte est « {etat} ».",
    state_field="role",
    version_field="last_login",
)


def promouvoir(user, by, motif, actif_requis=True):
    with ROLES.appliquer(user, "promouvoir", by, motif):
        if actif_requis and not user.is_active:
            raise TransitionError("Ce compte est désactivé.", field="is_active")
        user.first_name = "Promue"


def test_applied_saved_and_logged():
    by = UserFactory(role=Role.COORDINATION)
    user = UserFactory(role=Role.PRESCRIPTEUR)
    promouvoir(user, by, "  Remplace la coordinatrice  ")
    user.refresh_from_db()
    assert (user.role, user.first_name) == (Role.COORDINATION, "Promue")
    log = Notification.objects.get(destinataire=user)
    assert log.titre == "promouvoir : prescripteur → coordination" and log.message == "Remplace la coordinatrice"


def test_a_target_of_none_keeps_the_state():
    user = UserFactory(role=Role.REFERENT)
    with ROLES.appliquer(user, "confirmer", UserFactory()):
        pass
    user.refresh_from_db()
    assert user.role == Role.REFERENT and Notification.objects.filter(destinataire=user).count() == 1


def test_stale_copy_refused():
    user = UserFactory(role=Role.PRESCRIPTEUR)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())  # someone else changed it
    with pytest.raises(TransitionError, match="vient d'être modifié"):
        promouvoir(user, UserFactory(), "Motif")
    assert User.objects.get(pk=user.pk).role == Role.PRESCRIPTEUR
    assert not Notification.objects.filter(destinataire=user).exists()


def test_wrong_source_refused_with_the_state_label():
    user = UserFactory(role=Role.REFERENT)
    with pytest.raises(TransitionError, match="« Confier la coordination » impossible : le compte est « Référent"):
        promouvoir(user, UserFactory(), "Motif")


def test_missing_motif_refused_on_its_field():
    user = UserFactory(role=Role.PRESCRIPTEUR)
    with pytest.raises(TransitionError) as error:
        promouvoir(user, UserFactory(), "   ")
    assert (error.value.message, error.value.field) == ("Indiquez un motif.", "motif")


def test_guard_failure_leaves_the_row_unchanged():
    user = UserFactory(role=Role.PRESCRIPTEUR)
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    first_name = user.first_name
    with pytest.raises(TransitionError) as error:
        promouvoir(user, UserFactory(), "Motif")
    assert error.value.field == "is_active"
    stored = User.objects.get(pk=user.pk)
    assert (stored.role, stored.first_name) == (Role.PRESCRIPTEUR, first_name)
    assert not Notification.objects.filter(destinataire=user).exists()


def test_actors_and_transitions_from_are_readable():
    assert ROLES.actors("promouvoir") == {Role.COORDINATION}
    assert [t.name for t in ROLES.transitions_from(Role.PRESCRIPTEUR)] == ["promouvoir", "confirmer"]
    assert [t.name for t in ROLES.transitions_from(Role.REFERENT)] == ["confirmer"]


def test_a_name_declared_twice_is_refused():
    t = Transition("x", "X", frozenset(), None, frozenset())
    with pytest.raises(ValueError):
        table(t, t)


def test_both_tables_declare_the_actors_the_permissions_read():
    for transition in [*PARCOURS.values(), *PRESCRIPTIONS.values()]:
        assert transition.actors and transition.actors <= set(Role)
    coordination, referent = UserFactory(role=Role.COORDINATION), UserFactory(role=Role.REFERENT)
    promouvoir_ = ROLES.transitions["promouvoir"]
    assert permissions.acts_as(coordination, promouvoir_) and not permissions.acts_as(referent, promouvoir_)
    assert permissions.can_instruct_prescriptions(coordination)
    assert not permissions.can_instruct_prescriptions(referent)
