"""Date arithmetic in SQL (plie/dates_sql.py) against Python's, day by day, on the suite's database
(PostgreSQL in CI; SQLite, the demo's default, when DATABASE_URL is unset)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from plie.accounts.models import User
from plie.dates_sql import AjoutJours, AjoutMois, JoursEntre, jour
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Two years, a leap one (2024) and an ordinary one: every end of month, 29/02 included.
JOURS = [datetime.date(2023, 1, 1) + datetime.timedelta(days=i) for i in range(731)]


def en_sql(expressions: dict):
    """The values of ``expressions`` computed by the database, in one query over one row."""
    user = UserFactory()
    return User.objects.filter(pk=user.pk).annotate(**expressions).values(*expressions).get()


@pytest.mark.parametrize("mois", [1, 6, 11, 12, 24, 36])
def test_adding_months_clamps_to_the_end_of_the_month_as_relativedelta_does(mois):
    valeurs = en_sql({f"d{i}": AjoutMois(jour(date), mois) for i, date in enumerate(JOURS)})
    attendu = {f"d{i}": date + relativedelta(months=mois) for i, date in enumerate(JOURS)}
    assert valeurs == attendu
    # The cases SQLite's own « +N months » gets wrong: 31/01 + 1 month is 28/02 or 29/02, not March.
    if mois == 1:
        assert valeurs[f"d{JOURS.index(datetime.date(2024, 1, 31))}"] == datetime.date(2024, 2, 29)
        assert valeurs[f"d{JOURS.index(datetime.date(2023, 1, 31))}"] == datetime.date(2023, 2, 28)


def test_adding_days_and_counting_days_between_two_dates():
    debut = datetime.date(2024, 2, 27)
    jours = [0, 1, 2, 3, 365, 366, -1, -60]
    valeurs = en_sql(
        {
            **{f"plus{i}": AjoutJours(jour(debut), n) for i, n in enumerate(jours)},
            **{f"entre{i}": JoursEntre(jour(debut), jour(date)) for i, date in enumerate(JOURS[::37])},
        }
    )
    for i, n in enumerate(jours):
        assert valeurs[f"plus{i}"] == debut + datetime.timedelta(days=n)
    for i, date in enumerate(JOURS[::37]):
        assert valeurs[f"entre{i}"] == (date - debut).days
