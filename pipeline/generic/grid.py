"""A table as a grid of cells, placed in the columns of the table it belongs to.

A table continued on the next page may draw fewer column rules there (a 合计 row
merged across the code columns): its columns are placed by their x edges on the
first part's edges, so its cells land in the right columns with the right spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from pipeline.model import BBox, Table


@dataclass
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str  # as read: lines joined with "\n"
    page: int | None = None
    bbox: BBox | None = None
    source: str = "pdf-text"  # or "ocr": only OCR readings are ever put right
    confidence: float = 1.0  # the recogniser's, for an OCR reading


def column_edges(table: Table) -> list[float] | None:
    """The x of each column rule (n_cols + 1 of them), from the cells' boxes; None without geometry."""
    edges: list[float] = []
    for i in range(table.n_cols + 1):
        xs = [c.bbox[0] for c in table.cells if c.bbox and c.col == i]
        xs += [c.bbox[2] for c in table.cells if c.bbox and c.col + c.col_span == i]
        if not xs:
            return None
        edges.append(median(xs))
    return edges


def map_columns(edges: list[float], onto: list[float], tol: float) -> list[int] | None:
    """For each of `edges`, the index of the edge of `onto` it is; None if any is not one.

    Both are taken relative to their left edge, so a page scanned a few points
    to the side still matches. The outer edges must both match.
    """
    if len(edges) < 2 or len(onto) < 2:
        return None
    rel = [x - edges[0] for x in edges]
    ref = [x - onto[0] for x in onto]
    if abs(rel[-1] - ref[-1]) > tol:
        return None
    mapping = []
    for x in rel:
        i = min(range(len(ref)), key=lambda k: abs(ref[k] - x))
        if abs(ref[i] - x) > tol or (mapping and i <= mapping[-1]):
            return None
        mapping.append(i)
    return mapping


def grid_cells(table: Table, mapping: list[int] | None = None) -> list[GridCell]:
    """The table's cells; with a column mapping, in the columns it maps to."""
    out = []
    for c in table.cells:
        col, end = (c.col, c.col + c.col_span) if mapping is None else (mapping[c.col], mapping[c.col + c.col_span])
        out.append(GridCell(row=c.row, col=col, row_span=c.row_span, col_span=end - col,
                            text=c.text, page=c.page or table.page, bbox=c.bbox, source=c.source,
                            confidence=c.confidence))
    return out


def slots(cells: list[GridCell], n_rows: int, n_cols: int) -> list[list[GridCell | None]]:
    """Each grid position → the cell covering it (None where no cell was found)."""
    grid: list[list[GridCell | None]] = [[None] * n_cols for _ in range(n_rows)]
    for cell in cells:
        for r in range(cell.row, min(cell.row + cell.row_span, n_rows)):
            for c in range(cell.col, min(cell.col + cell.col_span, n_cols)):
                if grid[r][c] is None:
                    grid[r][c] = cell
    return grid


def merge_phantom_columns(table: Table) -> Table:
    """Columns made by a rule drawn over part of the rows only, and holding no text, merged away.

    A scan shows strokes the text layer does not (the edge of a white box behind a
    name in some rows): the grid then gains a column that is empty wherever it is
    separate and spanned over wherever the stroke is missing. Such a column is
    merged into its neighbour across that partial rule. A column with text of its
    own (a `备注` header over a blank body) is a real column and stays.

    A stroke inside one cell (a glyph's stem, a box edge) can also cut that one cell in
    two while every other row crosses it (at least MIN_CROSSING_ROWS rows): the two
    pieces are joined again, their text too.
    """
    while True:
        merged = _merge_one(table)
        if merged is None:
            return table
        table = merged


def _merge_one(table: Table) -> Table | None:
    for rule in range(1, table.n_cols):
        if _splits_one_row_only(table, rule):
            return _join_at_rule(table, rule)
    for k in range(table.n_cols):
        own = [c for c in table.cells if c.col == k and c.col_span == 1]
        if any(c.text.strip() for c in own):
            continue
        for rule in (k + 1, k):  # the rule to drop: right of column k, or left of it
            if 0 < rule < table.n_cols and _removable(table, k, rule):
                return _without_rule(table, k, rule)
    return None


MIN_CROSSING_ROWS = 3  # a rule in one row only, crossed in this many others, is no column rule


def _splits_one_row_only(table: Table, rule: int) -> bool:
    touching = [c for c in table.cells if c.col + c.col_span == rule or c.col == rule]
    crossing_rows = {r for c in table.cells if c.col < rule < c.col + c.col_span
                     for r in range(c.row, c.row + c.row_span)}
    rows = {(c.row, c.row_span) for c in touching}
    return len(touching) == 2 and len(rows) == 1 and len(crossing_rows) >= MIN_CROSSING_ROWS


def _join_at_rule(table: Table, rule: int) -> Table:
    left = next(c for c in table.cells if c.col + c.col_span == rule)
    right = next(c for c in table.cells if c.col == rule)
    lines = [a + b for a, b in zip(left.text.split("\n"), right.text.split("\n"))]
    longer = left.text.split("\n") if left.text.count("\n") > right.text.count("\n") else right.text.split("\n")
    text = "\n".join(lines + longer[len(lines):])
    box = (left.bbox[0], left.bbox[1], right.bbox[2], right.bbox[3]) if left.bbox and right.bbox else left.bbox
    joined = left.model_copy(update={"col_span": left.col_span + right.col_span - 1, "text": text, "bbox": box})
    cells = []
    for c in table.cells:
        if c is right:
            continue
        if c is left:
            cells.append(joined)
        elif c.col < rule < c.col + c.col_span:
            cells.append(c.model_copy(update={"col_span": c.col_span - 1}))
        elif c.col >= rule:
            cells.append(c.model_copy(update={"col": c.col - 1}))
        else:
            cells.append(c)
    return table.model_copy(update={"n_cols": table.n_cols - 1, "cells": cells})


def _removable(table: Table, k: int, rule: int) -> bool:
    """Only column k's own empty cells stop at the rule on this side, and some cell crosses it."""
    touching = [c for c in table.cells if (c.col + c.col_span == rule if rule > k else c.col == rule)]
    crossing = [c for c in table.cells if c.col < rule < c.col + c.col_span]
    return bool(crossing) and all(c.col == k and c.col_span == 1 and not c.text.strip() for c in touching)


def _without_rule(table: Table, k: int, rule: int) -> Table:
    edges = column_edges(table)
    cells = []
    for c in table.cells:
        if c.col == k and c.col_span == 1:
            continue  # column k's own (empty) pieces: the neighbour now covers them
        start, end, box = c.col, c.col + c.col_span, c.bbox
        if start == rule:  # starts at the dropped rule: now at the one before it
            box = (edges[rule - 1], *box[1:]) if box and edges else box
            start = rule - 1
        elif start > rule:
            start -= 1
        if end == rule:  # ends at the dropped rule: now at the one after it
            box = (*box[:2], edges[rule + 1], box[3]) if box and edges else box
        elif end > rule:
            end -= 1
        cells.append(c.model_copy(update={"col": start, "col_span": end - start, "bbox": box}))
    return table.model_copy(update={"n_cols": table.n_cols - 1, "cells": cells})
