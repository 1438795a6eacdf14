from parcours.models import Etat
from tests.factories import ParcoursFactory


def test_factories_build_every_state(niort):
    for etat in Etat:
        parcours = ParcoursFactory(etat=etat)
        assert parcours.etat == etat
