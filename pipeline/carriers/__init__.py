"""Carriers: forms that arrive as Word, Excel, HTML, markdown or CSV rather than PDF.

Each reader turns its file into the pages of the one document model
(pipeline/model.py): text lines and tables in reading order, merged cells
given once at their top-left slot with their spans, no geometry. From there
the forms, repair, normalise and write stages treat them exactly like the
pages of a PDF. The files are small and hold their text already, so they are
read whole by the ingest stage, like text dumps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from pipeline.carriers import delimited, excel, html_tables, markdown, word
from pipeline.errors import UnsupportedInput
from pipeline.model import Page

Reader = Callable[[Path, int], list[Page]]

# by suffix; which suffixes a run accepts is the config's (office_suffixes, markup_suffixes)
READERS: dict[str, Reader] = {
    ".docx": word.read,  # not .docm: python-docx refuses its content type
    ".xlsx": excel.read, ".xlsm": excel.read,
    ".html": html_tables.read, ".htm": html_tables.read, ".xhtml": html_tables.read,
    ".md": markdown.read, ".markdown": markdown.read,
    ".csv": delimited.read,
}


def read(path: Path, max_bytes: int) -> list[Page]:
    """The file's pages, by the reader for its suffix."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnsupportedInput(f"{path}: no reader for '{path.suffix}' files (readers: {', '.join(READERS)})")
    return reader(path, max_bytes)
