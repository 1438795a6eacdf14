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
from tests.factories import StructureFactory, UserFactory

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
        Transition(
            "ouvrir_referent",
            "Ouvrir un compte de référent",
            frozenset(),
            Role.REFERENT,
            frozenset({Role.COORDINATION}),
        ),
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


def ouvrir_referent(email, by, motif=""):
    user = User(email=email, first_name="Nouvelle", structure=StructureFactory())
    with ROLES.creer(user, "ouvrir_referent", by, motif):
        if not email.endswith(".fr"):
            raise TransitionError("Une adresse du territoire, en .fr.", field="email")
    return user


def test_a_creation_saves_the_object_in_its_target_state_and_logs_no_state_before():
    user = ouvrir_referent("nouvelle@plie.fr", UserFactory(role=Role.COORDINATION), "  Poste créé  ")
    stored = User.objects.get(pk=user.pk)
    assert stored.role == Role.REFERENT
    log = Notification.objects.get(destinataire=stored)
    assert (log.titre, log.message) == ("ouvrir_referent : None → referent", "Poste créé")


def test_a_refused_creation_saves_nothing():
    with pytest.raises(TransitionError) as error:
        ouvrir_referent("nouvelle@example.com", UserFactory())
    assert error.value.field == "email"
    assert not User.objects.filter(email="nouvelle@example.com").exists()
    assert not Notification.objects.exists()


def test_a_creation_is_never_applied_to_a_row_nor_listed_from_a_state():
    user = UserFactory(role=Role.REFERENT, first_name="Avant")
    with pytest.raises(TransitionError, match="impossible"), ROLES.appliquer(user, "ouvrir_referent", UserFactory()):
        user.first_name = "Jamais"
    with pytest.raises(ValueError), ROLES.creer(user, "ouvrir_referent", UserFactory()):
        user.first_name = "Jamais"
    assert User.objects.get(pk=user.pk).first_name == "Avant"
    with pytest.raises(ValueError), ROLES.creer(User(email="x@plie.fr"), "confirmer", UserFactory()):
        user.first_name = "Jamais"
    assert not User.objects.filter(email="x@plie.fr").exists()
    assert [t.name for t in ROLES.creations()] == ["ouvrir_referent"]
    assert all(t.sources for state in Role for t in ROLES.transitions_from(state))


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
