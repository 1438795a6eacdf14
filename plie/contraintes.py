"""Database constraints Django cannot declare portably: periods of a row that must not overlap.

PostgreSQL refuses two overlapping periods of the same owner with an exclusion constraint (GiST over a
date range, with ``btree_gist`` for the owner's id); SQLite, the embedded default of ``make demo``, has
no such thing, so the migration adds it on PostgreSQL only and the forms refuse the overlap everywhere.
"""

from django.db import migrations


class SansChevauchement(migrations.operations.base.Operation):
    """Refuse two rows of ``table`` with the same ``owner`` whose [debut, fin] periods overlap.

    ``fin`` may be NULL (a period still running: it extends without end). ``bornes``: "[]" when ``fin``
    is the period's last day (a suspension; a veille, which the rhythm counts to its end day included),
    "[)" when it is the first day after it.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, table, owner, name, bornes="[]"):
        self.table, self.owner, self.name, self.bornes = table, owner, name, bornes

    def state_forwards(self, app_label, state):
        pass  # not in the models' state: Django does not know this constraint

    def _sql(self):
        return (
            f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{self.name}" EXCLUDE USING gist '
            f'("{self.owner}" WITH =, daterange("debut", "fin", \'{self.bornes}\') WITH &&)'
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(self._sql())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "{self.table}" DROP CONSTRAINT IF EXISTS "{self.name}"')

    def describe(self):
        return f"Périodes sans chevauchement sur {self.table} ({self.name})"

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"table": self.table, "owner": self.owner, "name": self.name, "bornes": self.bornes},
        )
