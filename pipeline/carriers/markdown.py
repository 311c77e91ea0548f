"""Markdown (.md) as docling and MinerU write it: pipe tables whose merged cells are repeated.

A pipe table has no spans, so these tools write a merged cell's text into
every slot it covers: the project name seven times across its row,
`产出指标` down every row of its category. Read as they stand, the repeats
would be taken for values. Here they are folded back into one spanning cell,
but only where a repeat cannot be two real values that happen to be equal:

- across a row: a run of identical cells is as many values when the nearest
  row above that is not one text over those slots has a distinct text over
  each (a header, or a body row with other values there): `100 | 100` and
  `按期完成 | 按期完成` under 中期指标值 | 年度指标值. Otherwise — no row above, a
  row of other label–value pairs above, or a run that opens the row (a row's
  first cell is its label: `总分 | 总分 | … | 100`) — it is one merged cell
  (`年度本级预算金额 | 20 | 20`, the project name across its row);
- down a column: a run of identical cells is one cell only in a label
  column: the leftmost, or one whose left neighbour is a merged cell
  covering the whole run (二级指标 inside its 一级指标), and only for text
  that names something (has letters), never a number or a placeholder `/`;
- a cell without letters or digits (`/`, `-`) is never merged: it is a mark
  written in each slot on purpose.

MinerU writes tables as HTML inside the markdown; those are read as HTML
(html_tables.py), with their real spans. `#` headings become text lines.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.carriers.grid import Placed, make_table
from pipeline.carriers.html_tables import parse_html
from pipeline.model import Page, Table

_NUMBER = re.compile(r"^[≥≤><=＞＜]?\s*[-+]?\d[\d,]*(?:\.\d+)?\s*[%％‰]?$")
_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)


def read(path: Path, max_bytes: int) -> list[Page]:
    from pipeline.stages.ingest import read_dump_text

    return [parse_markdown(read_dump_text(path))]


def parse_markdown(text: str) -> Page:
    """One page: pipe tables with their repeats folded, HTML tables as HTML, the rest as lines."""
    from pipeline.stages.ingest import parse_dump

    page = Page(number=1)
    start = 0
    for match in [*_HTML_TABLE.finditer(text), None]:
        before = text[start:match.start() if match else len(text)]
        for block in parse_dump(before).blocks:
            page.blocks.append(fold_repeats(block) if isinstance(block, Table) else block)
        if match:
            page.blocks += parse_html(match.group(0), 1)
            start = match.end()
    return page


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def _is_mark(text: str) -> bool:
    """No letter or digit in it: `/`, `-`, `—`, a lone bracket."""
    return not any(ch.isalnum() for ch in text)


def fold_repeats(table: Table) -> Table:
    grid = [[""] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        grid[cell.row][cell.col] = cell.text.strip()
    pieces = _fold_across(grid)
    return make_table(_fold_down(pieces, len(grid)), table.page)


def _fold_across(grid: list[list[str]]) -> list[list[Placed]]:
    """Each row as cells, with its runs of repeats folded where that is safe (module docstring)."""
    out: list[list[Placed]] = []
    for r, row in enumerate(grid):
        cells: list[Placed] = []
        col = 0
        while col < len(row):
            end = col + 1
            while end < len(row) and row[end] == row[col]:
                end += 1
            for start, stop in _merges(row[col], col, end, _columns_above(grid, r, col, end)):
                cells.append(Placed(r, start, 1, stop - start, row[col]))
            col = end
        out.append(cells)
    return out


def _columns_above(grid: list[list[str]], r: int, start: int, end: int) -> list[str] | None:
    """The nearest row above that tells slots [start, end) apart (not one text across them): the
    columns those slots are; None when no row above does (a first row, or rows all merged there)."""
    for above in reversed(grid[:r]):
        if len(set(above[start:end])) > 1:
            return above
    return None


def _merges(text: str, start: int, end: int, columns: list[str] | None) -> list[tuple[int, int]]:
    """The slots [start, end) of one run of `text`, as the (start, stop) of the cells they are."""
    singles = [(c, c + 1) for c in range(start, end)]
    if end - start == 1 or not text or _is_mark(text):
        return singles
    if start > 0 and columns is not None and len(set(columns[start:end])) == end - start:
        return singles  # under as many distinct columns: so many values (中期指标值 | 年度指标值)
    # nothing above tells these slots apart, or a row of other label–value pairs does only in part
    # (`年度本级预算金额 | 20 | 20 | 项目类别 | …` above `项目支出实施期 | P | P | …`): one merged cell
    return [(start, end)]


def _fold_down(rows: list[list[Placed]], n_rows: int) -> list[Placed]:
    """Fold runs of identical labels down label columns, leftmost column first."""
    owner: dict[tuple[int, int], Placed] = {}  # slot → the cell covering it
    for row in rows:
        for cell in row:
            for c in range(cell.col, cell.col + cell.col_span):
                owner[(cell.row, c)] = cell
    starts = sorted({cell.col for row in rows for cell in row})
    removed: set[int] = set()
    for col in starts:
        r = 0
        while r < n_rows:
            top = owner.get((r, col))
            if top is None or top.col != col or top.row != r or not _label(top.text):
                r += 1
                continue
            end = r + 1
            while end < n_rows and _same_cell(owner.get((end, col)), top, end) and _under_left(owner, r, end, col):
                end += 1
            for below in range(r + 1, end):
                gone = owner[(below, col)]
                removed.add(id(gone))
                for c in range(col, col + top.col_span):
                    owner[(below, c)] = top
            top.row_span = end - r
            r = end
    return [cell for row in rows for cell in row if id(cell) not in removed]


def _label(text: str) -> bool:
    return any(ch.isalpha() for ch in text) and not _is_number(text)


def _same_cell(cell: Placed | None, top: Placed, row: int) -> bool:
    return cell is not None and cell.row == row and cell.col == top.col and cell.col_span == top.col_span \
        and cell.text == top.text


def _under_left(owner: dict[tuple[int, int], Placed], top_row: int, row: int, col: int) -> bool:
    """Is `col` a label column from `top_row` to `row`: the leftmost, or inside one merged cell to its left?"""
    if col == 0:
        return True
    left = owner.get((row, col - 1))
    return left is not None and left is owner.get((top_row, col - 1)) and left.row <= top_row \
        and left.row + left.row_span > row
