"""Date arithmetic in SQL, the same on PostgreSQL and SQLite, and the same as Python's.

Lists that sort or count by a computed date (a parcours's maximum length: its entry plus the référentiel's
months plus days of veille and suspension) compute it in the database rather than reading every candidate
row into Python. The months are added as ``dateutil.relativedelta`` adds them, the day kept and clamped to
the month's end (31/01 + 1 month = 28/02 or 29/02): PostgreSQL's ``date + interval`` does this; SQLite's
``date(d, '+N months')`` overflows into the next month (31/01 → 03/03), so its expression clamps by hand.
``tests/plie/test_dates_sql.py`` checks both against Python, day by day over leap and ordinary years.
"""

import re

from django.db.models import DateField, Func, IntegerField, Value


class AjoutMois(Func):
    """``date`` plus ``mois`` months (a constant), as ``relativedelta(months=mois)`` adds them."""

    output_field = DateField()

    def __init__(self, date, mois: int):
        super().__init__(date)
        self.mois = int(mois)

    def as_postgresql(self, compiler, connection):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + make_interval(months => %s))::date", (*params, self.mois)

    def as_sqlite(self, compiler, connection):
        sql, params = compiler.compile(self.source_expressions[0])
        # The same day of the month N months on, or the last day of that month when it is shorter.
        meme_jour = f"date({sql}, 'start of month', %s, '+' || (CAST(strftime(%s, {sql}) AS INTEGER) - 1) || ' days')"
        fin_du_mois = f"date({sql}, 'start of month', %s, '-1 day')"
        return (
            f"MIN({meme_jour}, {fin_du_mois})",
            (*params, f"{self.mois:+d} months", "%d", *params, *params, f"{self.mois + 1:+d} months"),
        )


class _DeuxTermes(Func):
    """A function of two expressions whose SQL differs per database: ``SQL`` maps the vendor to a template of
    ``{0}`` and ``{1}``, the two compiled terms, each used once in any order (their parameters follow it)."""

    arity = 2
    SQL: dict[str, str] = {}

    def _sql(self, compiler, connection):
        termes = [compiler.compile(e) for e in self.source_expressions]
        gabarit = self.SQL[connection.vendor]
        ordre = [int(i) for i in re.findall(r"\{(\d)\}", gabarit)]
        params = [p for i in ordre for p in termes[i][1]]
        return gabarit.format(*(sql for sql, _ in termes)), tuple(params)

    as_postgresql = as_sqlite = _sql


class AjoutJours(_DeuxTermes):
    """``date`` plus ``jours`` days (an integer expression)."""

    output_field = DateField()
    SQL = {
        "postgresql": "(({0}) + ({1})::integer)",
        "sqlite": "date({0}, CAST(({1}) AS TEXT) || ' days')",
    }


class JoursEntre(_DeuxTermes):
    """Days from ``debut`` to ``fin`` (two dates): ``(fin - debut).days``."""

    output_field = IntegerField()
    SQL = {
        "postgresql": "(({1}) - ({0}))",
        "sqlite": "CAST(julianday({1}) - julianday({0}) AS INTEGER)",
    }


def jour(date) -> Value:
    """A date as an SQL value of the date type."""
    return Value(date, output_field=DateField())
