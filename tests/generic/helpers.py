"""Small ruled tables built in the test: texts on a grid, merged cells by span."""

from __future__ import annotations

from pipeline.model import Cell, Document, Page, Table, TextLine

ROW_H = 20.0


def make_table(page: int, grid: list[list[str | None]], xs: list[float], top: float = 100.0,
               spans: dict[tuple[int, int], tuple[int, int]] | None = None) -> Table:
    """`grid[r][c]` is a cell's text, None where a merged cell covers it; `xs` are the column rules."""
    spans = spans or {}
    cells = []
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text is None:
                continue
            rs, cs = spans.get((r, c), (1, 1))
            cells.append(Cell(row=r, col=c, row_span=rs, col_span=cs, text=text, page=page,
                              bbox=(xs[c], top + r * ROW_H, xs[c + cs], top + (r + rs) * ROW_H)))
    return Table(page=page, bbox=(xs[0], top, xs[-1], top + len(grid) * ROW_H),
                 n_rows=len(grid), n_cols=len(xs) - 1, cells=cells)


def line(page: int, text: str, top: float = 50.0) -> TextLine:
    return TextLine(page=page, text=text, bbox=(60.0, top, 300.0, top + 12))


def document(*pages: list) -> Document:
    """A digital document whose page i+1 holds the blocks pages[i]."""
    return Document(path="putuo-like.pdf", kind="pdf", out_name="putuo-like",
                    pages=[Page(number=i + 1, width=842.0, height=595.0, blocks=blocks)
                           for i, blocks in enumerate(pages)])
