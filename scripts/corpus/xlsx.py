"""Layouts as spreadsheets (openpyxl): each form's grid below its title lines, merged ranges with
merge_cells, numbers as numbers; two forms stacked on one sheet, or one form a sheet."""

from __future__ import annotations

import datetime as dt
import io
import random

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from scripts.corpus.layout import Layout
from scripts.corpus.zipfix import normalise

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def place(ws, lay: Layout, top: int) -> int:
    """Write one form with its title lines from row `top` (1-based); returns the next free row."""
    n = lay.n_cols
    r = top
    if lay.signer:
        ws.cell(r, 1, lay.signer)
        r += 1
    ws.cell(r, 1, lay.title).font = Font(bold=True, size=16)
    ws.cell(r, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
    r += 1
    if lay.subtitle:
        ws.cell(r, 1, lay.subtitle).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
        r += 1
    ws.cell(r, 1, lay.unit_left)
    ws.cell(r, n, lay.unit_right)
    r += 1
    grid_top = r
    for cell in lay.cells:
        row, col = grid_top + cell.row, 1 + cell.col
        target = ws.cell(row, col, cell.number if cell.number is not None else (cell.text or None))
        if isinstance(target.value, str) and target.value.startswith("="):
            # typed as text (`=100%` is a target, not a formula): what Excel stores for '=100%
            target.data_type = "s"
            target.quotePrefix = True
        target.alignment = Alignment(horizontal="left" if cell.align == "left" else "center",
                                     vertical="center", wrap_text=True)
        for rr in range(cell.row_span):
            for cc in range(cell.col_span):
                ws.cell(row + rr, col + cc).border = BOX
        if cell.row_span > 1 or cell.col_span > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + cell.row_span - 1,
                           end_column=col + cell.col_span - 1)
    return grid_top + lay.n_rows


def grid_origin(lay: Layout, top: int) -> int:
    """The sheet row (1-based) of the grid's first row when the form is placed from `top`."""
    return top + (1 if lay.signer else 0) + 1 + (1 if lay.subtitle else 0) + 1


def render(path, layouts: list[Layout], rng: random.Random) -> list[tuple[str, int]]:
    """Write the workbook; returns, per form, (sheet name, grid origin row) for checks."""
    wb = Workbook()
    wb.properties.creator = "formpipe scripts/make_corpus.py"
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 1)
    stacked = len(layouts) > 1 and rng.random() < 0.5
    ws, top, where = wb.active, 1, []
    ws.title = "Sheet1"
    for k, lay in enumerate(layouts):
        if k and not stacked:
            ws, top = wb.create_sheet(f"Sheet{k + 1}"), 1
        where.append((ws.title, grid_origin(lay, top)))
        top = place(ws, lay, top) + rng.randint(2, 4)
        scale = rng.uniform(0.16, 0.22)
        for c, w in enumerate(lay.weights, 1):
            ws.column_dimensions[get_column_letter(c)].width = round(w * scale, 1)
    buf = io.BytesIO()
    wb.save(buf)
    with open(path, "wb") as fh:
        fh.write(normalise(buf.getvalue()))
    return where
