"""Put the cells of one row into the fields of its header, by what they are.

A damaged row may be shifted left or right, or lack a cell; a clean row sits
under its header. Both are handled by one order-preserving assignment: each
cell goes to at most one field, fields keep their header order, and the cost
of a placement is how badly the cell's content fits the field plus how far it
sits from that field's column. Small rows (≤ 10 cells), so a plain DP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pipeline.model import Cell

POSITION_WEIGHT = 1.0  # cost per header column between a cell and the field it fills
DROP_COST = 7.0  # leaving a cell unplaced: worse than any plausible placement


@dataclass(frozen=True)
class Slot:
    """A field and the columns its header cell covers: [col_start, col_end)."""

    field: str
    col_start: int
    col_end: int


def slot_position(cell: Cell, slots: list[Slot]) -> float:
    """Where a cell sits, in units of header slots (fractional between slots)."""
    for index, slot in enumerate(slots):
        if slot.col_start <= cell.col < slot.col_end:
            return float(index)
    if not slots:
        return 0.0
    if cell.col < slots[0].col_start:
        return -float(slots[0].col_start - cell.col)
    if cell.col >= slots[-1].col_end:
        return len(slots) - 1 + float(cell.col - slots[-1].col_end + 1)
    for index in range(len(slots) - 1):  # in a gap between two slots
        if slots[index].col_end <= cell.col < slots[index + 1].col_start:
            return index + 0.5
    return 0.0


SHIFT_COST = 0.5  # reading a whole row as shifted one column: cheaper than moving each cell


def align_row(cells: list[Cell], slots: list[Slot], fit: Callable[[Cell, str], float],
              positions: list[float] | None = None, shifts: tuple[int, ...] = (0,)) -> tuple[dict[str, Cell], list[Cell]]:
    """Assign `cells` (in column order) to `slots`; returns (field → cell, unplaced cells).

    `shifts`: whole-row offsets to try (-1, 0, 1): a row the extraction shifted by a column is
    one shift, not a distance paid by every cell.
    """
    if positions is None:
        positions = [slot_position(c, slots) for c in cells]
    best = None
    for shift in shifts:
        cost, placed, dropped = _align(cells, slots, fit, [p + shift for p in positions])
        cost += SHIFT_COST * abs(shift)
        if best is None or cost < best[0]:
            best = (cost, placed, dropped)
    return best[1], best[2]


def _align(cells: list[Cell], slots: list[Slot], fit: Callable[[Cell, str], float],
           positions: list[float]) -> tuple[float, dict[str, Cell], list[Cell]]:
    m, k = len(cells), len(slots)
    inf = float("inf")
    # best[i][j]: least cost with the first i cells handled using the first j slots
    best = [[inf] * (k + 1) for _ in range(m + 1)]
    step: dict[tuple[int, int], tuple[int, int, str]] = {}
    best[0][0] = 0.0
    for i in range(m + 1):
        for j in range(k + 1):
            here = best[i][j]
            if here == inf:
                continue
            if j < k and here < best[i][j + 1]:  # leave slot j empty
                best[i][j + 1] = here
                step[(i, j + 1)] = (i, j, "skip")
            if i < m:
                drop = here + DROP_COST
                if drop < best[i + 1][j]:  # leave cell i unplaced
                    best[i + 1][j] = drop
                    step[(i + 1, j)] = (i, j, "drop")
                if j < k:
                    cost = here + fit(cells[i], slots[j].field) + POSITION_WEIGHT * abs(positions[i] - j)
                    if cost < best[i + 1][j + 1]:
                        best[i + 1][j + 1] = cost
                        step[(i + 1, j + 1)] = (i, j, "take")
    placed: dict[str, Cell] = {}
    dropped: list[Cell] = []
    i, j = m, k
    while (i, j) != (0, 0):
        pi, pj, action = step[(i, j)]
        if action == "take":
            placed[slots[pj].field] = cells[pi]
        elif action == "drop":
            dropped.append(cells[pi])
        i, j = pi, pj
    dropped.reverse()
    return best[m][k], placed, dropped
