"""Date arithmetic in SQL, the same on PostgreSQL and SQLite, and the same as Python's.

Lists that sort or count by a computed date (a parcours's maximum length: its entry plus the référentiel's
months plus days of veille and suspension) compute it in the database rather than reading every candidate
row into Python. The months are added as ``dateutil.relativedelta`` adds them, the day kept and clamped to
the month's end (31/01 + 1 month = 28/02 or 29/02): PostgreSQL's ``date + interval`` does this; SQLite's
``date(d, '+N months')`` overflows into the next month (31/01 → 03/03), so its expression clamps by hand.
``tests/plie/test_dates_sql.py`` checks both against Python, day by day over leap and ordinary years.
"""

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


class AjoutJours(Func):
    """``date`` plus ``jours`` days (an integer expression)."""

    output_field = DateField()
    arity = 2

    def as_postgresql(self, compiler, connection):
        date, date_params = compiler.compile(self.source_expressions[0])
        jours, jours_params = compiler.compile(self.source_expressions[1])
        return f"(({date}) + ({jours})::integer)", (*date_params, *jours_params)

    def as_sqlite(self, compiler, connection):
        date, date_params = compiler.compile(self.source_expressions[0])
        jours, jours_params = compiler.compile(self.source_expressions[1])
        return f"date({date}, CAST(({jours}) AS TEXT) || ' days')", (*date_params, *jours_params)


class JoursEntre(Func):
    """Days from ``debut`` to ``fin`` (two dates): ``(fin - debut).days``."""

    output_field = IntegerField()
    arity = 2

    def as_postgresql(self, compiler, connection):
        debut, debut_params = compiler.compile(self.source_expressions[0])
        fin, fin_params = compiler.compile(self.source_expressions[1])
        return f"(({fin}) - ({debut}))", (*fin_params, *debut_params)

    def as_sqlite(self, compiler, connection):
        debut, debut_params = compiler.compile(self.source_expressions[0])
        fin, fin_params = compiler.compile(self.source_expressions[1])
        return f"CAST(julianday({fin}) - julianday({debut}) AS INTEGER)", (*fin_params, *debut_params)


def jour(date) -> Value:
    """A date as an SQL value of the date type."""
    return Value(date, output_field=DateField())
