"""The ICDAR 2013 table competition's structure measure: cell adjacency relations.

Göbel, Hassan, Oro, Orsi, "A methodology for evaluating algorithms for table
understanding in PDF documents" (DocEng 2012), used by the ICDAR 2013 Table
Competition. A table is reduced to the set of its adjacency relations: every
non-blank cell with its nearest non-blank neighbour to the right (in each row
it spans) and below (in each column it spans), blank cells skipped. Each
relation is (direction, text of the first cell, text of the second), texts
normalised so that layout whitespace and case do not count. Precision and
recall compare the relations found with the ground truth's as multisets.

Pure functions on plain data, so the measure is tested without any PDF.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

Relation = tuple[str, str, str]  # ("h" | "v", first text, second text)


@dataclass(frozen=True)
class GridCell:
    """One cell on its table's grid: inclusive start/end row and column."""

    row: int
    col: int
    end_row: int
    end_col: int
    text: str


def normalise(text: str) -> str:
    """Text as the measure compares it: NFKC, no whitespace at all, case-folded.

    Extractors differ in how they break lines inside a cell and whether they
    keep trailing spaces; none of that is structure.
    """
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def grid_from_rows(rows: list[list[str | None]]) -> list[GridCell]:
    """Cells of a plain row-major grid (a DataFrame's or pdfplumber's rows), each 1x1.

    Extractors that report spans as a text in the first slot and blanks (or
    None) in the rest are thereby measured the same way as the ground truth:
    the blanks are skipped when looking for a neighbour.
    """
    return [GridCell(r, c, r, c, text or "")
            for r, row in enumerate(rows) for c, text in enumerate(row)]


def relations(cells: list[GridCell]) -> Counter[Relation]:
    """The adjacency relations of one table, as a multiset.

    A spanning cell has a right neighbour in each row it spans and a lower
    neighbour in each column it spans; one neighbour reached from several of
    its rows or columns counts once.
    """
    filled = [c for c in cells if normalise(c.text)]
    at: dict[tuple[int, int], GridCell] = {}
    for cell in filled:
        for r in range(cell.row, cell.end_row + 1):
            for c in range(cell.col, cell.end_col + 1):
                at.setdefault((r, c), cell)
    if not at:
        return Counter()
    last_row = max(r for r, _ in at)
    last_col = max(c for _, c in at)
    found: Counter[Relation] = Counter()
    for cell in filled:
        right = {_first(at, cell, [(r, c) for c in range(cell.end_col + 1, last_col + 1)])
                 for r in range(cell.row, cell.end_row + 1)}
        below = {_first(at, cell, [(r, c) for r in range(cell.end_row + 1, last_row + 1)])
                 for c in range(cell.col, cell.end_col + 1)}
        for direction, neighbours in (("h", right), ("v", below)):
            for other in neighbours - {None}:
                found[(direction, normalise(cell.text), normalise(other.text))] += 1
    return found


def _first(at: dict[tuple[int, int], GridCell], cell: GridCell, slots) -> GridCell | None:
    """The first slot along a walk that holds a cell other than `cell` itself."""
    for slot in slots:
        other = at.get(slot)
        if other is not None and other is not cell:
            return other
    return None


@dataclass
class Score:
    """Counts for one document or a whole run: correct, found, expected relations."""

    correct: int = 0
    found: int = 0
    expected: int = 0

    def __iadd__(self, other: "Score") -> "Score":
        self.correct += other.correct
        self.found += other.found
        self.expected += other.expected
        return self

    @property
    def precision(self) -> float:
        """Correct share of the relations found; 0 when nothing was found."""
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 0.0


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def matched(expected: Counter[Relation], found: Counter[Relation]) -> int:
    """How many found relations are in the ground truth (multiset intersection)."""
    return sum((expected & found).values())
