"""Header rows: how many there are, their text unwrapped, and one flattened name per column.

A header is the run of rows at the top that states no number, where each row
after the first either lies under a header cell spanning rows, or splits a
header cell spanning columns into parts (项目 → 功能分类科目编码 → 类 款 项).
A row that does neither is body text, even without numbers (a blank template's
`一、财政拨款收入` rows); rows a header cell reaches by its row span are header.
"""

from __future__ import annotations

from pipeline.generic.grid import GridCell
from pipeline.generic.values import parse_number
from pipeline.text import clean_text


def unwrap(text: str) -> str:
    """Cell text as one line: `事业单位\\n经营收入` → `事业单位经营收入` (forms' clean_text)."""
    return clean_text(text)


def header_row_count(cells: list[GridCell], n_rows: int, max_rows: int) -> int:
    starting = [[c for c in cells if c.row == r] for r in range(n_rows)]
    h = 0
    while h < min(max_rows, n_rows):
        row = starting[h]
        if _states_a_number(row) or not any(c.text.strip() for c in row):
            break
        if h > 0 and not _covered(cells, h) and not _splits(cells, h):
            break
        h += 1
    while True:  # a header cell's row span pulls the rows it reaches into the header
        reach = max([h] + [c.row + c.row_span for c in cells if c.row < h])
        if reach == h:
            return min(h, n_rows)
        h = reach


def flatten(cells: list[GridCell], header_rows: int, n_cols: int) -> list[str]:
    """One name per column: the header cells above it, top to bottom, joined with `/`.

    Empty header cells are skipped; a column with no header text is `列N`; a name
    that repeats (two `科目名称` columns side by side) gets ` (2)`, ` (3)`.
    """
    names = []
    for col in range(n_cols):
        parts: list[str] = []
        for cell in sorted((c for c in cells if c.row < header_rows and c.col <= col < c.col + c.col_span),
                           key=lambda c: c.row):
            text = unwrap(cell.text)
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        names.append("/".join(parts) or f"列{col + 1}")
    return _unique(names)


def header_path(cells: list[GridCell], header_rows: int, col: int) -> list[str]:
    return [unwrap(c.text) for c in sorted(cells, key=lambda c: c.row)
            if c.row < header_rows and c.col <= col < c.col + c.col_span and c.text.strip()]


def _states_a_number(row: list[GridCell]) -> bool:
    return any(parse_number(c.text) is not None for c in row if c.text.strip())


def _covered(cells: list[GridCell], r: int) -> bool:
    return any(c.row < r < c.row + c.row_span for c in cells)


def _splits(cells: list[GridCell], r: int) -> bool:
    """Whether row r divides a header cell above it that spans columns."""
    above = [c for c in cells if c.row + c.row_span == r and c.col_span > 1]
    row = [c for c in cells if c.row == r]
    return any(sum(1 for c in row if a.col <= c.col and c.col + c.col_span <= a.col + a.col_span) >= 2
               for a in above)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
