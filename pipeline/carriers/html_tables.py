"""HTML tables (.html/.htm), as other tools write them: PP-Structure, MinerU, an export from Excel or Word.

The page is read with the standard library's HTML parser: the text of each
block outside tables (headings, paragraphs, divs, list items, captions)
becomes a line, each outermost `<table>` a Table. `rowspan`/`colspan` are
placed on the grid the way a browser places them (grid.place): a cell takes
the first slot no cell from above still covers. A table nested in a cell
adds its text to that cell. PP-Structure writes bare `<table><tr><td>`
without `<thead>`/`<tbody>`, which is read the same way.

Bytes are decoded by their byte-order mark, else the charset the page
declares in a `<meta>`, else UTF-8, else GB18030.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

from pipeline.carriers.grid import make_table, place
from pipeline.encodings import decode_text
from pipeline.errors import CorruptInput, NoFormFound
from pipeline.model import Block, Page, TextLine

# a line of text outside tables ends where one of these opens or closes
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "br", "hr", "section",
               "article", "header", "footer", "caption", "title", "blockquote", "pre", "dt", "dd", "body"}
_SKIPPED = {"script", "style", "head", "template", "noscript"}  # their content is not page text
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def read(path: Path, max_bytes: int) -> list[Page]:
    text = decode(path.read_bytes(), path)
    page = Page(number=1, blocks=parse_html(text, 1))
    if not page.blocks:
        raise NoFormFound(f"{path}: no text in the HTML page")
    return [page]


def decode(raw: bytes, path: Path) -> str:
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CorruptInput(f"{path}: binary data, not an HTML page")
    declared = _CHARSET.search(raw[:4096])
    return decode_text(raw, path, declared.group(1).decode("ascii") if declared else None)


def parse_html(text: str, page: int) -> list[Block]:
    parser = _PageParser(page)
    parser.feed(text)
    parser.close()
    parser.end_line()
    return parser.blocks


def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
    value = dict(attrs).get(name) or "1"
    digits = re.match(r"\s*(\d+)", value)
    return int(digits.group(1)) if digits else 1


class _PageParser(HTMLParser):
    def __init__(self, page: int):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.blocks: list[Block] = []
        self.line: list[str] = []  # text of the current line outside tables
        self.skipping = 0
        self.depth = 0  # table nesting: only the outermost table is a grid
        self.rows: list[list[tuple[str, int, int]]] = []
        self.cell: list[str] | None = None  # text of the open cell of the outermost table
        self.spans = (1, 1)

    # --- text outside tables ----------------------------------------------------------------------
    def end_line(self) -> None:
        text = " ".join("".join(self.line).split())
        self.line = []
        if text:
            self.blocks.append(TextLine(page=self.page, text=text, source="table-file"))

    # --- parser events ----------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "table":
            if self.depth == 0:
                self.end_line()
                self.rows = []
            elif self.cell is not None:
                self.cell.append("\n")
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self._close_cell()
            self.rows.append([])
        elif self.depth == 1 and tag in ("td", "th"):
            self._close_cell()
            if not self.rows:  # a cell before any <tr>: browsers open the row for it
                self.rows.append([])
            self.cell = []
            self.spans = (_span(attrs, "rowspan"), _span(attrs, "colspan"))
        elif self.depth >= 1 and self.cell is not None and tag in ("br", "p", "div", "tr", "li"):
            self.cell.append("\n")
        elif self.depth >= 1 and self.cell is not None and tag in ("td", "th"):
            self.cell.append(" ")
        elif self.depth == 0 and tag in _BLOCK_TAGS:
            self.end_line()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "td", "th", "tr", "table"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "table" and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self._close_cell()
                self._emit_table()
        elif self.depth == 1 and tag in ("td", "th"):
            self._close_cell()
        elif self.depth == 0 and tag in _BLOCK_TAGS:
            self.end_line()

    def handle_data(self, data):
        if self.skipping:
            return
        if self.depth:
            if self.cell is not None:
                self.cell.append(data)
        else:
            self.line.append(data)

    # --- tables -----------------------------------------------------------------------------------
    def _close_cell(self) -> None:
        if self.cell is not None:
            lines = [" ".join(line.split()) for line in "".join(self.cell).split("\n")]
            text = "\n".join(line for line in lines if line)
            self.rows[-1].append((text, *self.spans))
            self.cell = None

    def _emit_table(self) -> None:
        rows = self.rows
        self.rows = []
        if any(rows):
            self.blocks.append(make_table(place(rows), self.page))
