"""Digital PDF page → model Page: ruled tables as Table blocks, the rest as TextLines.

pdfplumber finds the ruled tables (edges → intersections → cells → tables);
everything after that — the row/column grid, spans of merged cells, which
glyph goes into which cell, lines and phrases — is done by pipeline.geometry,
the same code the scanned path uses, so both paths produce the same shapes.

Cell text is kept raw: lines joined with "\n", spaces as the PDF has them.
Unwrapping and space removal belong to the repair stage, which can see the
form's vocabulary; doing it here would destroy evidence it needs.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from pipeline import geometry as geo
from pipeline import text_grid
from pipeline.config import Settings, TableSettings
from pipeline.model import BBox, Cell, Page, Table, TextLine

# A gap wider than this share of the glyph height is a word break, as
# pdfplumber's own 3pt x_tolerance is for 8-12pt text.
WORD_GAP_RATIO = 0.3
# No real cell is smaller than this (points): a row of 6pt text is ~8pt tall.
# Narrower "cells" are the gap of a double ruling (a thick rule under a header
# drawn as two thin ones 4-6pt apart); they are dropped, and grid boundaries
# this close are one boundary, so the gap adds no phantom row or column.
MIN_CELL_SIZE = 6.0
# A text layer whose glyphs are mostly undecodable is no text layer: the page
# should go to OCR like a scan.
# a page with more unmapped glyphs than this is read by OCR: a font without a ToUnicode map turns its
# Chinese into `(cid:N)` while its digits still decode, so a numbers-heavy page can look mostly fine
GARBAGE_SHARE = 0.1


def triage(work, settings: Settings):
    """Page step: read a PDF page's text layer when it is usable; else send it to OCR.

    "Usable" means visible glyphs that decode to text. A scanned page with an
    invisible OCR layer of garbage, or none, goes to the scanned path.
    """
    if work.plumber is None:
        return work  # an image file: scanned from the start
    page = work.plumber
    if page_has_text_layer(page):
        work.page = extract_pdf_page(page, work.page.number, settings.tables).model_copy(
            update={"file": work.page.file, "file_page": work.page.file_page})
    else:
        work.page.scanned = True
        work.page.width, work.page.height = _size(page, "width"), _size(page, "height")
    return work


def extract_pdf_page(page: Any, number: int, settings: TableSettings) -> Page:
    """Read one pdfplumber page; trouble is recorded in Page.errors, never raised.

    One malformed content stream must not cost the other pages of the file,
    so any exception from pdfplumber / pdfminer becomes an error entry.
    """
    try:
        return _extract(page, number, settings)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises anything on broken streams
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Page(number=number, width=_size(page, "width"), height=_size(page, "height"),
                    errors=[f"page {number}: {reason}"])


def page_has_text_layer(page: Any) -> bool:
    """Whether the page carries usable text, or must be treated as a scan.

    Needs at least one visible glyph, and not a majority of garbage: glyphs
    pdfminer could not map to Unicode come out as "(cid:123)", U+FFFD or
    private-use code points.
    """
    texts = [c["text"] for c in page.chars if c["text"].strip()]
    if not texts:
        return False
    garbage = sum(1 for t in texts if _is_garbage(t))
    return garbage / len(texts) < GARBAGE_SHARE


def finder_settings(settings: TableSettings) -> dict[str, Any]:
    """pdfplumber table settings: ruled tables only, our tolerances."""
    return {
        "vertical_strategy": "lines",
        "horizontal_strategy": "lines",
        "snap_tolerance": settings.snap_tolerance,
        "join_tolerance": settings.join_tolerance,
        "edge_min_length": settings.edge_min_length,
        "intersection_tolerance": settings.intersection_tolerance,
    }


# --- internals ----------------------------------------------------------------

def _extract(page: Any, number: int, settings: TableSettings) -> Page:
    # Invisible (white) rectangles are page furniture, e.g. a table of contents
    # laid out on white boxes; their edges would make phantom tables.
    found = page.filter(_is_visible).find_tables(finder_settings(settings))
    chars = [c for c in page.dedupe_chars().chars if c["text"]]
    grid_tol = max(settings.snap_tolerance, MIN_CELL_SIZE)
    grids = [g for g in (_Grid(t.cells, grid_tol) for t in found)
             if g.rects and g.n_rows >= settings.min_rows and g.n_cols >= settings.min_cols]
    if settings.find_unruled:
        # A partly ruled table is left to the text alignment, and so is a
        # one-row grid: a shaded band of a striped table, or a boxed header
        # over unruled rows.
        grids = [g for g in grids if g.n_rows > 1 and not g.under_split(chars, settings)]

    loose: list[dict] = []
    for char in chars:
        point = geo.centre(_box(char))
        if not any(g.take(char, point) for g in grids):
            loose.append(char)

    keyed: list[tuple[tuple[float, float, int], Any]] = []
    found_tables = [g.to_table(number, settings) for g in grids]
    unruled: list[Table] = []
    if settings.find_unruled:
        unruled, loose = _unruled_tables(loose, number, settings)
    for table in found_tables + unruled:
        keyed.append(((table.bbox[1], table.bbox[0], 0), table))
    for line in _text_lines(loose, number, settings):
        keyed.append(line)
    keyed.sort(key=lambda kb: kb[0])
    return Page(number=number, width=float(page.width), height=float(page.height),
                blocks=[b for _, b in keyed])


class _Grid:
    """One found table: its cell rectangles placed on the row/column grid."""

    def __init__(self, rects: list[BBox], tol: float):
        self.rects = [r for r in rects if r[2] - r[0] > tol and r[3] - r[1] > tol]
        self.xs, self.ys = geo.grid_from_cells(self.rects, tol) if self.rects else ([], [])
        self.n_rows, self.n_cols = max(len(self.ys) - 1, 0), max(len(self.xs) - 1, 0)
        self.spans = [geo.cell_span(r, self.xs, self.ys) for r in self.rects]
        self.slot: dict[tuple[int, int], int] = {}
        for i, (row, col, rs, cs) in enumerate(self.spans):
            for r in range(row, row + rs):
                for c in range(col, col + cs):
                    self.slot.setdefault((r, c), i)
        self.chars: list[list[dict]] = [[] for _ in self.rects]

    def under_split(self, chars: list[dict], settings: TableSettings) -> bool:
        """Whether its cells hold text laid out as more rows or columns (text_grid.under_split)."""
        inside: list[list[dict]] = [[] for _ in self.rects]
        for char in chars:
            if char["text"].strip():
                x, y = geo.centre(_box(char))
                row, col = geo.locate(y, self.ys), geo.locate(x, self.xs)
                i = self.slot.get((row, col)) if row is not None and col is not None else None
                if i is not None:
                    inside[i].append(char)
        rows: list[list] = [[] for _ in range(self.n_rows)]
        for (row, *_), glyphs in zip(self.spans, inside):
            rows[row].append([[geo.union_bbox([_box(c) for c in chunk]) for chunk in line]
                              for line in _chunked_lines(glyphs, settings)])
        return text_grid.under_split(rows)

    def take(self, char: dict, point: tuple[float, float]) -> bool:
        """Put a glyph into the cell under its centre; False if none is there."""
        row, col = geo.locate(point[1], self.ys), geo.locate(point[0], self.xs)
        i = self.slot.get((row, col)) if row is not None and col is not None else None
        if i is None:
            return False
        self.chars[i].append(char)
        return True

    def to_table(self, number: int, settings: TableSettings) -> Table:
        cells = [
            Cell(row=row, col=col, row_span=rs, col_span=cs, bbox=_round(rect),
                 text=_cell_text(chars, settings), page=number)
            for rect, (row, col, rs, cs), chars in zip(self.rects, self.spans, self.chars)
        ]
        cells.sort(key=lambda c: (c.row, c.col))
        return Table(page=number, bbox=_round(geo.union_bbox(self.rects)),
                     n_rows=self.n_rows, n_cols=self.n_cols, cells=cells)


def _unruled_tables(chars: list[dict], number: int,
                    settings: TableSettings) -> tuple[list[Table], list[dict]]:
    """Tables drawn without ruling, from the alignment of the text outside ruled ones.

    Returns them and the glyphs they leave loose. Lines and their chunks are
    cut here (glyph boxes, our line rule); which runs of lines are tables is
    decided by pipeline.text_grid on the boxes alone.
    """
    lines = _chunked_lines(chars, settings)
    chunk_boxes = [[geo.union_bbox([_box(c) for c in chunk]) for chunk in line] for line in lines]
    tables, taken = [], set()
    for found in text_grid.find_text_tables(chunk_boxes):
        cells = []
        for cell in found.cells:
            glyphs = [c for i, chunks in cell.parts for j in chunks for c in lines[i][j]]
            taken.update(id(c) for c in glyphs)
            text = "\n".join(_join([c for j in chunks for c in lines[i][j]]) for i, chunks in cell.parts)
            cells.append(Cell(row=cell.row, col=cell.col, col_span=cell.last - cell.col + 1,
                              page=number, bbox=_round(geo.union_bbox([_box(c) for c in glyphs])),
                              text=text))
        tables.append(Table(page=number, bbox=_round(geo.union_bbox([c.bbox for c in cells])),
                            n_rows=found.n_rows, n_cols=found.n_cols, cells=cells))
    boxes = [t.bbox for t in tables]
    loose = [c for c in chars if id(c) not in taken
             and not (not c["text"].strip() and any(geo.contains(b, geo.centre(_box(c))) for b in boxes))]
    return tables, loose


def _chunked_lines(chars: list[dict], settings: TableSettings) -> list[list[list[dict]]]:
    """Inked glyphs as text lines (top to bottom), each cut into chunks at cell-wide gaps."""
    inked = [c for c in chars if c["text"].strip()]
    lines: list[list[list[dict]]] = []
    for idx in geo.group_lines([_box(c) for c in inked], settings.line_gap_ratio):
        glyphs = [inked[i] for i in idx]
        boxes = [_box(c) for c in glyphs]
        gap = text_grid.chunk_gap([b[3] - b[1] for b in boxes])
        chunks = [[glyphs[j] for j in chunk] for chunk in geo.split_phrases(boxes, gap)]
        lines.append(_bullets_joined(chunks))
    return lines


# A list bullet set apart from its item is not a cell of its own.
BULLETS = frozenset("•●○◦▪■□‣∙·")


def _bullets_joined(chunks: list[list[dict]]) -> list[list[dict]]:
    out: list[list[dict]] = []
    for chunk in chunks:
        if out and len(out[-1]) == 1 and out[-1][0]["text"] in BULLETS:
            out[-1] = out[-1] + chunk
        else:
            out.append(chunk)
    return out


def _cell_text(chars: list[dict], settings: TableSettings) -> str:
    boxes = [_box(c) for c in chars]
    lines = []
    for idx in geo.group_lines(boxes, settings.line_gap_ratio):
        text = _join([chars[i] for i in idx])
        if text:
            lines.append(text)
    return "\n".join(lines)


def _text_lines(chars: list[dict], number: int, settings: TableSettings):
    """TextLines for glyphs outside tables: one per phrase, keyed for ordering.

    Phrases are split on the gaps between inked glyphs only: Word-made forms
    push "金额单位：万元" to the right with a run of space characters, which
    fills the gap with glyph boxes but is still a gap to the reader.
    """
    boxes = [_box(c) for c in chars]
    for idx in geo.group_lines(boxes, settings.line_gap_ratio):
        line = [chars[i] for i in idx]
        inked = [c for c in line if c["text"].strip()]
        if not inked:
            continue
        line_top = min(c["top"] for c in line)
        for phrase_idx in geo.split_phrases([_box(c) for c in inked], settings.phrase_gap):
            phrase = [inked[j] for j in phrase_idx]
            bbox = geo.union_bbox([_box(c) for c in phrase])
            # spaces between the phrase's own glyphs still separate its words
            spaces = [c for c in line if not c["text"].strip()
                      and bbox[0] <= geo.centre(_box(c))[0] < bbox[2]]
            yield ((line_top, bbox[0], 1),
                   TextLine(page=number, text=_join(phrase + spaces), bbox=_round(bbox),
                            font_size=round(median(c["size"] for c in phrase), 2)))


def _join(chars: list[dict]) -> str:
    if not chars:
        return ""
    size = median(c["bottom"] - c["top"] for c in chars)
    return geo.join_words([c["text"] for c in chars], [_box(c) for c in chars],
                          WORD_GAP_RATIO * size)


def _box(obj: dict) -> BBox:
    return (obj["x0"], obj["top"], obj["x1"], obj["bottom"])


def _round(box: BBox) -> BBox:
    return tuple(round(float(v), 2) for v in box)  # type: ignore[return-value]


def _is_white(color: Any) -> bool:
    """White in DeviceGray (1), RGB (1,1,1) or CMYK (0,0,0,0)."""
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)) or not color:
        return False
    if not all(isinstance(v, (int, float)) for v in color):
        return False  # pattern or named colour: assume visible
    if len(color) == 4:
        return all(v == 0 for v in color)
    return all(v == 1 for v in color)


def _is_visible(obj: dict) -> bool:
    """False for graphics that paint only white: they draw no ruling."""
    if obj.get("object_type") not in ("rect", "line", "curve"):
        return True
    paints = []
    if obj.get("fill"):
        paints.append(obj.get("non_stroking_color"))
    if obj.get("stroke", obj.get("object_type") == "line"):
        paints.append(obj.get("stroking_color"))
    return not paints or not all(_is_white(p) for p in paints)


def _is_garbage(text: str) -> bool:
    return text.startswith("(cid:") or any(
        ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF for ch in text)


def _size(page: Any, attr: str) -> float | None:
    try:
        return float(getattr(page, attr))
    except Exception:  # noqa: BLE001 - only used on the error path
        return None
