"""How a count is shown to those who may not see people (financeurs, opérateurs): statistical secrecy.

Counts from 1 to 4 are shown as "< 5" (primary secrecy): in a PLIE of a few hundred people, a
small count is a person. A total shown below them must not let anyone compute a hidden cell back
(secondary secrecy): more cells are hidden, the smallest first, until no hidden cell can be worked
out from the shown cells, the total and what the labels say ("< 5" means 1 to 4, "secret" means
5 or more). The one function every dashboard uses is :func:`secret_statistique`.
"""

from dataclasses import dataclass

SEUIL = 5
PETIT = "< 5"
SECRET = "secret"
LEGENDE = (
    f"« {PETIT} » : effectif de 1 à 4, masqué. « {SECRET} » : effectif masqué pour que les effectifs "
    "masqués ne puissent pas être recalculés à partir du total."
)


@dataclass(frozen=True)
class Chiffre:
    """One cell as a reader sees it; ``valeur`` stays on the server side of the template."""

    valeur: int
    masque: bool = False

    @property
    def petit(self) -> bool:
        return 1 <= self.valeur < SEUIL

    def __str__(self) -> str:
        if not self.masque:
            return f"{self.valeur:,}".replace(",", "\u202f")  # 1 234, as French readers write it
        return PETIT if self.petit else SECRET


def _bounds(cell: Chiffre) -> tuple[int, float]:
    """What a reader knows of a hidden cell from its label."""
    return (1, SEUIL - 1) if cell.petit else (SEUIL, float("inf"))


def _some_cell_can_be_worked_out(cells: list[Chiffre], total: int) -> bool:
    hidden = [c for c in cells if c.masque]
    if not hidden:
        return False
    rest = total - sum(c.valeur for c in cells if not c.masque)  # what the hidden cells add up to
    for i, cell in enumerate(hidden):
        others = [_bounds(c) for j, c in enumerate(hidden) if j != i]
        low, high = _bounds(cell)
        low = max(low, rest - sum(h for _, h in others))
        high = min(high, rest - sum(lo for lo, _ in others))
        if low >= high:
            return True
    return False


def secret_statistique(valeurs: list[int], total: int | None = None) -> tuple[list[Chiffre], Chiffre | None]:
    """The cells (and their total, if one is shown) as financeurs and opérateurs may see them."""
    cells = [Chiffre(v, masque=1 <= v < SEUIL) for v in valeurs]
    if total is None:
        return cells, None
    total_cell = Chiffre(total, masque=1 <= total < SEUIL)
    if total_cell.masque:  # every cell is smaller than the total: all of them are small
        return [Chiffre(c.valeur, masque=c.valeur > 0) for c in cells], total_cell
    while _some_cell_can_be_worked_out(cells, total):
        shown = [i for i, c in enumerate(cells) if not c.masque and c.valeur > 0]
        if not shown:
            return cells, Chiffre(total, masque=True)
        smallest = min(shown, key=lambda i: cells[i].valeur)
        cells[smallest] = Chiffre(cells[smallest].valeur, masque=True)
    return cells, total_cell
