"""OCR readings of amounts put right by the shape every amount has (scanned cells only).

PP-OCR reads the thin strokes of a scan's separators loosely: `86.959.408.34`,
`4;765,000.00`, `2278800:00`, a speck as a dot (`17,841,0.03`), the cell's rule as
`[` (`[200,000`), and a lone `0` as `o`, `O`, `Q`, `○`. An amount has one shape:
digits grouped in threes by commas, or not grouped, and a decimal point before
two digits. A reading made only of digits and separators that does not already
read as a number is rebuilt in that shape; the digits themselves are never changed.
A lone zero look-alike becomes `0` only in a column of numbers.
Digital text is never touched: it is the document's own text.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = ".,;:"
_NUMBERISH = re.compile(r"^[\d.,;:]*\d[\d.,;:]*$")
_EDGE_JUNK = "[]|"  # a cell's rule read as part of its text
_ZERO_LOOKALIKES = {"o", "O", "Q", "○", "〇", "D"}


def _squash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text).replace("．", ".").replace("，", ",").replace("；", ";").replace("：", ":")


def _well_grouped(groups: list[str]) -> bool:
    """`2278800` alone, or `79`,`189`,`400`: a first group of 1-3 digits, then threes."""
    if len(groups) == 1:
        return bool(groups[0])
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def repair_amount(text: str) -> str | None:
    """The amount a damaged reading stands for, or None when it is not a damaged amount."""
    from pipeline.generic.values import parse_number

    s = _squash(text).strip(_EDGE_JUNK)
    if not _NUMBERISH.match(s) or not any(ch in _SEPARATORS for ch in s):
        return s if s != text and parse_number(s) is not None else None
    if parse_number(s) is not None:
        return s if s != text else None
    pieces = re.split(r"[.,;:]", s)
    grouped = len(pieces) > 2 or "," in s or ";" in s
    last_sep = max(s.rfind(ch) for ch in _SEPARATORS)
    if len(pieces[-1]) == 2 and s[last_sep] in ".:;" and _well_grouped([p for p in pieces[:-1]]):
        whole, cents = "".join(pieces[:-1]), pieces[-1]
        return f"{_group(whole) if grouped and len(pieces) > 2 else whole}.{cents}"
    digits = "".join(pieces)
    return _group(digits) if grouped else digits


def repair_zero(text: str) -> str | None:
    """`o`, `O.`, `○`: a lone zero, read as a letter; None for anything else."""
    s = _squash(text).strip(".")
    return "0" if s in _ZERO_LOOKALIKES else None


def repair_readings(cells: list, header_rows: int, n_cols: int) -> None:
    """Put right, in place, the OCR'd body cells that are damaged amounts or lone zeros."""
    from pipeline.generic.values import parse_number

    body = [c for c in cells if c.row >= header_rows and c.source == "ocr" and c.text.strip()]
    for cell in body:
        fixed = repair_amount(cell.text)
        if fixed is not None:
            cell.text = fixed
    for col in range(n_cols):
        column = [c for c in cells if c.row >= header_rows and c.col == col and c.text.strip()]
        numbers = sum(1 for c in column if parse_number(c.text) is not None)
        if numbers * 2 < len(column):
            continue  # not a column of numbers: an `O` there may be an O
        for cell in column:
            if cell.source == "ocr" and (zero := repair_zero(cell.text)) is not None:
                cell.text = zero
