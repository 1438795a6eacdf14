"""The rules of the ateliers' budget in plie/permissions.py, persona by persona (the pages are in test_pages.py).

The financeur's choice: the PLIE's totals per category and year, no référent named (a budget per référent
would tell a professional's activity to the funder); never an expense nor a receipt."""

import pytest
from django.utils import timezone

from financement.depenses import depenses_visibles
from financement.models import StatutDepense
from plie import permissions
from plie.accounts.models import Role
from tests.conftest import Personas
from tests.factories import DepenseAtelierFactory, UserFactory

ALL = Personas.NAMES


def each(allowed):
    return [pytest.param(name, name in allowed, id=name) for name in ALL]


@pytest.mark.parametrize(("who", "may"), each({"coordination", "referent_a", "referent_b", "operateur", "financeur"}))
def test_who_opens_the_budget_pages(personas, who, may):
    assert permissions.can_view_budgets_ateliers(getattr(personas, who)) is may


@pytest.mark.parametrize(("who", "may"), each({"coordination", "referent_a", "operateur"}))
def test_who_reads_referent_as_budget_and_receipts(personas, who, may):
    user = getattr(personas, who)
    assert permissions.can_view_budget_referent(user, personas.referent_a) is may
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    assert permissions.can_download_justificatif(user, depense) is may
    assert (depense in depenses_visibles(user)) is may


def test_an_operateur_of_another_structure_reads_nothing(personas):
    ailleurs = UserFactory(role=Role.OPERATEUR)
    assert not permissions.can_view_budget_referent(ailleurs, personas.referent_a)
    DepenseAtelierFactory(referent=personas.referent_a)
    assert not depenses_visibles(ailleurs).exists()


@pytest.mark.parametrize(("who", "may"), each({"referent_a", "referent_b"}))
def test_who_enters_an_expense(personas, who, may):
    assert permissions.can_add_depense_atelier(getattr(personas, who)) is may


@pytest.mark.parametrize(("who", "may"), each({"referent_a"}))
def test_only_its_referent_changes_an_expense_and_only_until_decided(personas, who, may):
    user = getattr(personas, who)
    depense = DepenseAtelierFactory(referent=personas.referent_a)
    assert permissions.can_edit_depense_atelier(user, depense) is may
    depense.statut, depense.decide_le = StatutDepense.VALIDEE, timezone.now()
    assert permissions.can_edit_depense_atelier(user, depense) is False


@pytest.mark.parametrize(("who", "may"), each({"coordination"}))
def test_only_the_coordination_decides(personas, who, may):
    assert permissions.can_decide_depenses_ateliers(getattr(personas, who)) is may


@pytest.mark.parametrize(("who", "may"), each({"financeur"}))
def test_the_financeur_reads_totals_only(personas, who, may):
    assert permissions.sees_budget_totals_only(getattr(personas, who)) is may
    DepenseAtelierFactory(referent=personas.referent_a)
    assert depenses_visibles(getattr(personas, who)).exists() is (who in {"coordination", "referent_a", "operateur"})


def test_a_superuser_acts_as_the_coordination(personas):
    superuser = UserFactory(is_superuser=True, is_staff=True, role="", structure=None)
    assert permissions.can_decide_depenses_ateliers(superuser)
    assert permissions.can_view_budget_referent(superuser, personas.referent_a)
    assert not permissions.can_add_depense_atelier(superuser)
