"""The migration that removed the states before orientation keeps every parcours, closed as cancelled.

It runs the real migrations backwards and forwards on the test database (PostgreSQL in CI), with rows
written through the historical models of before the change.
"""

import datetime
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from parcours.models import Parcours as ParcoursActuel
from parcours.models import TransitionParcours as TransitionActuelle
from tests.factories import ParticipantFactory, ReferentFactory

BEFORE = [("parcours", "0008_indexes_ordering_file_active_contacts"), ("financement", "0001_initial")]


@contextmanager
def _before():
    """The models as they were before the change, then the database migrated to the latest, whatever happens."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate()


def _migrate(targets=None):
    """Migrate to ``targets``, or to the latest migration of every app; the models of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_parcours_in_removed_states_are_cancelled_and_the_log_keeps_existing_transitions():
    # People and accounts are written with today's models: the migration does not touch their tables.
    referent = ReferentFactory()
    participants = ParticipantFactory.create_batch(4)
    with _before() as apps:
        Parcours = apps.get_model("parcours", "Parcours")
        TransitionParcours = apps.get_model("parcours", "TransitionParcours")
        debut = datetime.date(2026, 1, 5)

        def parcours(etat, **fields):
            return Parcours.objects.create(
                participant_id=participants.pop().pk, etat=etat, date_prescription=debut, **fields
            )

        prescrit, a_valider = parcours("prescrit"), parcours("a_valider")
        refuse = parcours("refuse", date_cloture=debut, motif_cloture="Hors territoire")
        oriente = parcours("oriente", referent_id=referent.pk, date_orientation=debut)
        for p, name, avant, apres in [
            (a_valider, "demander_validation", "prescrit", "a_valider"),
            (refuse, "refuser", "prescrit", "refuse"),
            (oriente, "orienter", "a_valider", "oriente"),
        ]:
            TransitionParcours.objects.create(parcours=p, transition=name, etat_avant=avant, etat_apres=apres)

    rows = {p.pk: p for p in ParcoursActuel.objects.all()}
    for never_oriented in (prescrit, a_valider):
        row = rows[never_oriented.pk]
        assert (row.etat, "jamais orienté" in row.motif_cloture) == ("annule", True)
        assert row.date_cloture >= debut
    assert (rows[refuse.pk].etat, rows[refuse.pk].motif_cloture, rows[refuse.pk].date_cloture) == (
        "annule",
        "Hors territoire",
        debut,
    )
    assert (rows[oriente.pk].etat, rows[oriente.pk].referent_id) == ("oriente", referent.pk)
    logs = TransitionActuelle.objects.values_list("parcours_id", "transition", "etat_avant", "etat_apres")
    assert list(logs) == [(oriente.pk, "orienter", "", "oriente")]
