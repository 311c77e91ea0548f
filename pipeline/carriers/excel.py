"""Excel (.xlsx/.xlsm) originals: each visible sheet is one page of text lines and tables.

The workbook is opened in full (not read-only), as only then does openpyxl
know the merged ranges; with data_only, a formula gives the value Excel last
computed. A merged range becomes one cell at its top-left with its spans.

Cell values keep their meaning as text: a number is written the way a
person reads it, not the way a float prints (`20`, not `20.0`; `977.11`, not
`977.1100000000001`), a percentage format shows the percentage (0.95 → `95%`),
and a date is written in ISO form. How a sheet is cut into title lines and
tables is grid.sheet_blocks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pipeline.carriers.grid import Placed, sheet_blocks
from pipeline.carriers.package import check_package, one_line
from pipeline.errors import CorruptInput
from pipeline.model import Page

SIGNIFICANT_DIGITS = 15  # what a double holds exactly; the digits past it are float noise


def read(path: Path, max_bytes: int) -> list[Page]:
    check_package(path, "xl/workbook.xml", "Excel workbook", max_bytes)
    import openpyxl  # only Excel inputs need it

    try:
        workbook = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl and lxml fail in many ways on a broken part
        raise CorruptInput(f"{path}: damaged Excel workbook ({one_line(exc)})") from exc
    pages = []
    try:
        for index, sheet in enumerate(workbook.worksheets):
            # hidden sheets hold what the form is built from (drop-down lists), not the form
            if sheet.sheet_state != "visible" or not hasattr(sheet, "merged_cells"):
                continue
            number = index + 1
            pages.append(Page(number=number, blocks=sheet_blocks(sheet_cells(sheet), number)))
    finally:
        workbook.close()
    return pages


def sheet_cells(sheet) -> list[Placed]:
    """Every cell of the sheet that is not covered by a merge, with its spans (0-based positions)."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for merged in sheet.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (merged.max_row - merged.min_row + 1,
                                                   merged.max_col - merged.min_col + 1)
        covered.update((r, c) for r in range(merged.min_row, merged.max_row + 1)
                       for c in range(merged.min_col, merged.max_col + 1))
    cells = []
    for row in sheet.iter_rows():
        for cell in row:
            key = (cell.row, cell.column)
            if key in covered and key not in spans:
                continue
            row_span, col_span = spans.get(key, (1, 1))
            cells.append(Placed(cell.row - 1, cell.column - 1, row_span, col_span,
                                value_text(cell.value, cell.number_format)))
    return cells


def value_text(value, number_format: str | None = "General") -> str:
    """A cell's value as the text it means."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            return number_text(value * 100) + "%"
        return number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def number_text(value: int | float) -> str:
    """The shortest plain decimal that is the number to SIGNIFICANT_DIGITS digits: no exponent, no `.0`."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    text = f"{value:.{SIGNIFICANT_DIGITS}g}"
    if "e" in text:
        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
