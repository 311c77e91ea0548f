"""What every carrier reader shares: placed cells → model Tables, and sheets → lines and tables.

Word, HTML and markdown say where their tables begin and end. A spreadsheet
or a CSV file does not: a form sits in a grid of cells together with its
title row, its `填报单位：…` row and, often, the next form. `sheet_blocks`
cuts such a grid into text lines and tables by the shape of each row, so
the forms stage sees the same blocks a PDF page gives it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pipeline.model import Block, Cell, Table, TextLine

# a lone cell merged over this share of the used width is a title or a unit line, wherever it stands
TEXT_ROW_MIN_WIDTH_SHARE = 2 / 3
# `填报单位：某某局` — a cell holding a label and its value, as the lines above a form's grid do
_LABELLED = re.compile(r"^[^：:]{1,12}[：:]")


@dataclass
class Placed:
    """One cell where its carrier put it: top-left position and extent, in grid slots."""

    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""


def make_table(cells: list[Placed], page: int, source: str = "table-file") -> Table:
    """A model Table from placed cells whose positions start at row 0 and column 0.

    Each merged cell is given once, at its top-left slot; the slots it covers
    hold no cell, exactly as the PDF reader leaves them (model.Table.rows).
    """
    n_rows = max(c.row + c.row_span for c in cells)
    n_cols = max(c.col + c.col_span for c in cells)
    ordered = sorted(cells, key=lambda c: (c.row, c.col))
    return Table(page=page, n_rows=n_rows, n_cols=n_cols, cells=[
        Cell(row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span, text=c.text,
             source=source, page=page) for c in ordered])


def place(rows: list[list[tuple[str, int, int]]]) -> list[Placed]:
    """Cells given row by row as (text, row_span, col_span), placed as HTML places them.

    A cell takes the first slot of its row that no cell from a row above still
    covers; a span reaching past the last row stops there. This is the grid
    occupancy of the HTML table model, which Word's and markdown's tables obey too.
    """
    n_rows = len(rows)
    covered: set[tuple[int, int]] = set()
    placed: list[Placed] = []
    for r, row in enumerate(rows):
        col = 0
        for text, row_span, col_span in row:
            while (r, col) in covered:
                col += 1
            row_span = max(1, min(row_span, n_rows - r))
            col_span = max(1, col_span)
            placed.append(Placed(r, col, row_span, col_span, text))
            covered.update((r + dr, col + dc) for dr in range(row_span) for dc in range(col_span))
            col += col_span
    return placed


def sheet_blocks(cells: list[Placed], page: int, source: str = "table-file") -> list[Block]:
    """A spreadsheet-like grid (every cell placed, spans known) as text lines and tables, top to bottom.

    Each row is one of three things:
    - blank: no text, and no merged cell with text reaches down into it — it ends a table;
    - a text line: its only cell with text spans most of the used width, or stands alone in a
      row above a grid (after a blank row, another text line or the top) — a title, a unit line;
      above a grid, a row whose every cell reads `label：value` (`填报单位：…` left, `金额单位：万元`
      right) is a text line per cell;
    - a grid row: anything else; consecutive grid rows make one table.
    A lone narrow cell inside a grid (an empty category's label, a wrapped continuation) stays a
    grid row, and so does any row that a merged cell from above crosses.
    """
    filled = [c for c in cells if c.text.strip()]
    if not filled:
        return []
    left = min(c.col for c in filled)
    width = max(c.col + c.col_span for c in filled) - left
    by_row: dict[int, list[Placed]] = {}
    crossed: set[int] = set()
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
        if cell.text.strip():
            crossed.update(range(cell.row + 1, cell.row + cell.row_span))
    blocks: list[Block] = []
    grid_rows: list[int] = []

    def flush() -> None:
        if grid_rows:
            blocks.append(_table(grid_rows, by_row, left, page, source))
            grid_rows.clear()

    previous = "blank"
    for r in range(min(by_row), max(by_row) + 1):
        texts = [c for c in by_row.get(r, []) if c.text.strip()]
        if not texts and r not in crossed:
            kind = "blank"
        elif r not in crossed and len(texts) == 1 and (
                texts[0].col_span >= math.ceil(TEXT_ROW_MIN_WIDTH_SHARE * width) or previous != "grid"):
            kind = "text"
        elif r not in crossed and previous != "grid" and all(_LABELLED.match(c.text.strip()) for c in texts):
            kind = "text"
        else:
            kind = "grid"
        if kind == "grid":
            grid_rows.append(r)
        else:
            flush()
            blocks += [TextLine(page=page, text=c.text.strip(), source=source)
                       for c in sorted(texts, key=lambda c: c.col)]
        previous = kind
    flush()
    return blocks


def _table(rows: list[int], by_row: dict[int, list[Placed]], left: int, page: int, source: str) -> Table:
    """One run of grid rows as a Table; a merged cell reaching below the run is cut at its end."""
    top, end = rows[0], rows[-1] + 1
    cells = [Placed(c.row - top, c.col - left, min(c.row_span, end - c.row), c.col_span, c.text)
             for r in rows for c in by_row.get(r, []) if c.col >= left]
    return make_table(cells, page, source)
