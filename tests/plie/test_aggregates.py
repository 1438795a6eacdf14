"""Statistical secrecy: small counts hidden, and no hidden count recomputable from a shown total."""

import itertools
import random

import pytest

from parcours.models import Etat
from plie.aggregates import PETIT, SECRET, SEUIL, secret_statistique
from tests.factories import ParcoursFactory, ReferentFactory


def possible_values(cells, total):
    """Every vector a reader could believe in, given what is shown: brute force, for small totals."""
    ranges = []
    for c in cells:
        if not c.masque:
            ranges.append([c.valeur])
        elif str(c) == PETIT:
            ranges.append(range(1, SEUIL))
        else:
            ranges.append(range(SEUIL, total + 1))
    return [v for v in itertools.product(*ranges) if sum(v) == total]


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ([0, 12, 30], ["0", "12", "30"]),
        ([3, 12, 30], [PETIT, SECRET, "30"]),  # 3 alone would be 45 - 12 - 30
        ([1, 2, 30], [PETIT, PETIT, "30"]),  # 1 + 2 = 3: each is 1 or 2, nobody knows which
        ([4, 4, 40, 40], [PETIT, PETIT, SECRET, "40"]),  # two "< 5" making 8 are both 4: hide more
    ],
)
def test_known_cases(values, shown):
    cells, total = secret_statistique(values, sum(values))
    assert [str(c) for c in cells] == shown
    assert str(total) == str(sum(values))


def test_small_counts_are_shown_as_less_than_five_without_a_total():
    cells, total = secret_statistique([0, 1, 4, 5, 120])
    assert [str(c) for c in cells] == ["0", PETIT, PETIT, "5", "120"]
    assert total is None


def test_a_small_total_hides_every_non_zero_cell():
    cells, total = secret_statistique([0, 1, 2], 3)
    assert [str(c) for c in cells] == ["0", PETIT, PETIT]
    assert str(total) == PETIT


def test_thousands_are_written_the_french_way():
    cells, _ = secret_statistique([12345])
    assert str(cells[0]) == "12\u202f345"


def test_no_hidden_cell_can_be_worked_out_from_the_total():
    """Over many random tables: each hidden cell could take at least two values."""
    rng = random.Random(2026)
    for _ in range(400):
        values = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12]) for _ in range(rng.randint(2, 5))]
        total = sum(values)
        cells, total_cell = secret_statistique(values, total)
        assert all(c.masque for c in cells if 1 <= c.valeur < SEUIL), values
        if total_cell.masque:
            continue
        worlds = possible_values(cells, total)
        assert tuple(values) in worlds
        for i, cell in enumerate(cells):
            if cell.masque:
                assert len({w[i] for w in worlds}) > 1, (values, [str(c) for c in cells])


# --- the pages that use it --------------------------------------------------------------------


def test_financeur_home_hides_small_counts(named, client_for):
    for _ in range(2):
        ParcoursFactory(etat=Etat.VEILLE)
    content = client_for(named.financeur).get("/").content.decode()
    assert "&lt; 5" in content
    assert "<td>2</td>" not in content  # the two in veille
    # the coordination sees the real figures
    coordination = client_for(named.coordination).get("/").content.decode()
    assert "&lt; 5" not in coordination


def test_operateur_home_hides_a_small_file_active_and_its_rate(named, client_for):
    referent = ReferentFactory(structure=named.operateur.structure, first_name="Ilona", last_name="Saumur")
    for _ in range(3):
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent)
    content = client_for(named.operateur).get("/").content.decode()
    row = content[content.index("Ilona Saumur") :].split("</tr>")[0]
    assert "&lt; 5" in row
    assert "%" not in row  # 3 / 40 = 8 % would give the count back


def test_operateur_sees_a_count_of_five_or_more(named, client_for):
    referent = ReferentFactory(structure=named.operateur.structure, first_name="Ilona", last_name="Saumur")
    for _ in range(6):
        ParcoursFactory(etat=Etat.ACCOMPAGNEMENT, referent=referent)
    content = client_for(named.operateur).get("/").content.decode()
    row = content[content.index("Ilona Saumur") :].split("</tr>")[0]
    assert ">6<" in row
