"""Which table continues which: a table split over pages becomes one.

A table B continues the table A before it when
- B is the first table on the page after A's last page, and A was the last table on its page;
- no line stands above B on its page (a new table has its title above it; page numbers
  do not count);
- B's column rules are rules of A (`map_columns`, within `generic.edge_tolerance_pt`
  after aligning the left edges): same columns, or fewer where B merges some (a 合计 row).
B's first rows are dropped when they repeat A's header: their text, whitespace
removed, at least `generic.min_header_similarity` alike (difflib ratio, so an OCR
slip does not keep a repeated header as data). Otherwise B's rows are all body:
a continuation without a repeated header.
"""

from __future__ import annotations

import difflib

from pipeline.generic.grid import GridCell
from pipeline.generic.values import normalise


def row_texts(cells: list[GridCell], rows: int) -> list[str]:
    """Each of the first `rows` rows as one string: its cells' text, left to right, no whitespace."""
    return ["".join(normalise(c.text) for c in sorted((c for c in cells if c.row == r), key=lambda c: c.col))
            for r in range(rows)]


def repeats_header(header: list[str], first_rows: list[str], min_similarity: float) -> bool:
    if not header or len(first_rows) < len(header):
        return False
    a, b = "".join(header), "".join(first_rows)
    return bool(a) and difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio() >= min_similarity
