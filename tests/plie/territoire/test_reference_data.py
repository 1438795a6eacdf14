import pytest
from django.core.management import call_command

from plie.referentiel.criteres import CRITERES
from plie.referentiel.models import CriterePublic


@pytest.mark.django_db(transaction=True)
def test_criteria_survive_a_flush():
    """Transactional tests and benchmarks flush the database; reference rows come back."""
    call_command("flush", "--noinput", verbosity=0)
    assert set(CriterePublic.objects.values_list("code", flat=True)) == {code for code, _ in CRITERES}
    assert CriterePublic.objects.get(code="rqth").sensible is True
