"""One way to ask a user's role: ``User.has_role``, where a superuser acts as the coordination."""

import pathlib
import re

import pytest

from plie.accounts.models import Role
from tests.conftest import Personas
from tests.factories import UserFactory

ROOT = pathlib.Path(__file__).resolve().parents[3]
APPS = ["plie", "parcours", "prescriptions", "cellules", "sorties", "financement"]


@pytest.mark.parametrize("who", Personas.NAMES)
def test_each_persona_has_its_own_role_and_no_other(personas, who):
    user = getattr(personas, who)
    assert user.has_role(user.role)
    assert not user.has_role(*(role for role in Role if role != user.role))


def test_a_superuser_acts_as_the_coordination(db):
    admin = UserFactory(role=Role.REFERENT, is_superuser=True, is_staff=True)
    assert admin.has_role(Role.COORDINATION)
    assert not admin.has_role(Role.REFERENT)


def test_no_module_compares_a_users_role_by_hand():
    # ``user.role == …`` beside ``is_superuser`` was written three ways; has_role is the one left.
    pattern = re.compile(r"\b(user|request\.user|referent)\.role\s*(==|!=|in\b)")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders
