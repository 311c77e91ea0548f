"""CSV files (.csv): a sheet saved as text, so read like one (grid.sheet_blocks).

Excel on Chinese Windows saves CSV as GB18030 (ANSI) or UTF-8 with a BOM,
other tools as plain UTF-8; all three are tried in that order of
strictness. The delimiter is sniffed among `,`, `;` and tab, with `,` when the
sample does not tell. A merged cell saved as CSV keeps its text in its first
slot only, so nothing is folded here: runs of non-blank rows are tables, and
a row whose only text is in one cell above a table is a title line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.carriers.grid import Placed, sheet_blocks
from pipeline.errors import CorruptInput, NoFormFound
from pipeline.model import Page

SNIFF_CHARS = 64 * 1024


def read(path: Path, max_bytes: int) -> list[Page]:
    from pipeline.stages.ingest import read_dump_text  # the encodings and checks of text dumps

    text = read_dump_text(path)
    page = Page(number=1, blocks=sheet_blocks(csv_cells(text, path), 1))
    if not page.blocks:
        raise NoFormFound(f"{path}: no text in the CSV file")
    return [page]


def csv_cells(text: str, path: Path | str = "csv") -> list[Placed]:
    try:
        dialect = csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise CorruptInput(f"{path}: not a readable CSV file ({exc})") from exc
    return [Placed(r, c, 1, 1, value) for r, row in enumerate(rows) for c, value in enumerate(row)]
