"""Typeset Layouts as digital PDFs with reportlab: ruled grids, merged cells, wrapped text.

Fonts are embedded TrueType faces from fonts.FONTS; a glyph a face lacks (cwTeX Fangsong is a
traditional-Chinese face) is drawn from fonts.FALLBACK, as office software substitutes. A grid
longer than a page continues on the next with its indicator header repeated (or, per file, not);
a merged cell cut by a page break gets a box on both pages and its text in the larger piece.
Output is deterministic (reportlab invariant mode).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from scripts.corpus.fonts import FALLBACK, register
from scripts.corpus.layout import Cell, Layout

PEN = (0.08, 0.12, 0.45)        # the signer's ballpoint
SIGN_FONTS = ("UKai", "WenKai", "KaitiGB")
BREAK_BEFORE_FORBIDDEN = set("，。、；：？！）》”’%")
_TOKEN = re.compile(r"[A-Za-z0-9.+\-]+|\s|.", re.S)


@dataclass
class PdfStyle:
    font: str
    orientation: str = "portrait"   # or "landscape"
    size: float = 9.5
    fill: float = 0.92              # share of the usable page width the grid takes
    repeat_header: bool = True
    margin_x: float = 42.0
    margin_top: float = 42.0
    margin_bottom: float = 46.0
    pad_x: float = 3.0
    pad_y: float = 4.0
    leading: float = 1.3
    min_row_h: float = 20.0


@lru_cache(maxsize=None)
def _glyphs(font: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """The text cut into (font, piece) runs: the main face, the fallback where it lacks a glyph."""
    have, out = _glyphs(font), []
    for ch in text:
        f = font if (ord(ch) in have or ch.isspace()) else FALLBACK
        if out and out[-1][0] == f:
            out[-1] = (f, out[-1][1] + ch)
        else:
            out.append((f, ch))
    return out


def width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, f, size) for f, piece in runs(text, font))


def draw(c: canvas.Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    for f, piece in runs(text, font):
        c.setFont(f, size)
        c.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, f, size)


def wrap(text: str, font: str, size: float, limit: float) -> list[str]:
    """Lines of `text` no wider than `limit`, measured in `font` with its fallback face."""
    return break_lines(text, lambda chunk: width(chunk, font, size) <= limit)


def break_lines(text: str, fits) -> list[str]:
    """Greedy line breaking by `fits(chunk)`: CJK characters break anywhere; runs of digits/latin
    letters stay whole unless they alone are wider than the line; closing punctuation never starts
    a line (it pulls the previous character down with it). make_samples.py breaks its lines here too.
    """
    lines: list[str] = []
    for para in text.split("\n"):
        cur: list[str] = []
        for tok in _TOKEN.findall(para):
            if not fits(tok):
                for ch in tok:
                    if cur and not fits("".join(cur) + ch):
                        lines.append("".join(cur))
                        cur = []
                    cur.append(ch)
            elif not cur or fits("".join(cur) + tok):
                cur.append(tok)
            elif tok in BREAK_BEFORE_FORBIDDEN and len(cur) > 1:
                carry = cur.pop()
                lines.append("".join(cur).rstrip())
                cur = [carry, tok]
            else:
                lines.append("".join(cur).rstrip())
                cur = [] if tok.isspace() else [tok]
        lines.append("".join(cur).rstrip())
    return lines


class Sheet:
    """One form's grid measured for a page: column widths, wrapped lines, row heights."""

    def __init__(self, lay: Layout, st: PdfStyle, page_w: float):
        self.lay, self.st = lay, st
        total = (page_w - 2 * st.margin_x) * st.fill
        scale = total / sum(lay.weights)
        self.col_w = [w * scale for w in lay.weights]
        self.x0 = (page_w - total) / 2
        self.col_x = [self.x0 + sum(self.col_w[:k]) for k in range(len(self.col_w) + 1)]
        self.lines = {id(cell): self._lines(cell) for cell in lay.cells}
        self.heights = self._heights()

    def cell_w(self, cell: Cell) -> float:
        return sum(self.col_w[cell.col:cell.col + cell.col_span])

    def _lines(self, cell: Cell) -> list[str]:
        if not cell.text:
            return []
        return wrap(cell.text, self.st.font, self.st.size, self.cell_w(cell) - 2 * self.st.pad_x)

    def _heights(self) -> list[float]:
        st, line_h = self.st, self.st.size * self.st.leading
        need = lambda cell: len(self.lines[id(cell)]) * line_h + 2 * st.pad_y
        h = [st.min_row_h] * self.lay.n_rows
        for cell in self.lay.cells:
            if cell.row_span == 1:
                h[cell.row] = max(h[cell.row], need(cell))
        for cell in self.lay.cells:
            if cell.row_span > 1:
                span = range(cell.row, cell.row + cell.row_span)
                deficit = need(cell) - sum(h[r] for r in span)
                if deficit > 0:
                    h[span[-1]] += deficit
        return h


def _paginate(heights: list[float], first: float, nxt: float, header_h: float, after: int | None) -> list[range]:
    pages, start, used, avail = [], 0, 0.0, first
    for r, h in enumerate(heights):
        if used + h > avail and r > start:
            pages.append(range(start, r))
            start, avail = r, nxt
            used = header_h if after is not None and r > after else 0.0
        used += h
    pages.append(range(start, len(heights)))
    return pages


def _text(c: canvas.Canvas, sheet: Sheet, cell: Cell, x: float, top: float, w: float, h: float) -> None:
    st, lines = sheet.st, sheet.lines[id(cell)]
    line_h = st.size * st.leading
    y = top - (h - len(lines) * line_h) / 2 - line_h + (line_h - st.size) / 2 + st.size * 0.14
    for line in lines:
        lx = x + st.pad_x if cell.align == "left" else x + (w - width(line, st.font, st.size)) / 2
        draw(c, lx, y, line, st.font, st.size)
        y -= line_h


def draw_grid(c: canvas.Canvas, sheet: Sheet, y_top: float, page_h: float) -> None:
    lay, st, heights = sheet.lay, sheet.st, sheet.heights
    hr = lay.header_row if st.repeat_header else None
    header_cells = [cl for cl in lay.cells if hr is not None and cl.row == hr and cl.row_span == 1]
    header_h = heights[hr] if hr is not None else 0.0
    pages = _paginate(heights, y_top - st.margin_bottom, page_h - st.margin_top - st.margin_bottom, header_h, hr)
    owner = {}
    for cell in lay.cells:
        parts = [sum(heights[r] for r in rows if cell.row <= r < cell.row + cell.row_span) for rows in pages]
        owner[id(cell)] = max(range(len(pages)), key=lambda p: (parts[p], -p))
    header_cols = {k for cl in header_cells for k in range(cl.col, cl.col + cl.col_span)}
    for p, rows in enumerate(pages):
        if p > 0:
            c.showPage()
            y_top = page_h - st.margin_top
        top = y_top
        repeat = hr is not None and p > 0 and rows.start > hr
        if repeat:
            for cell in header_cells:
                x, w = sheet.col_x[cell.col], sheet.cell_w(cell)
                c.setLineWidth(0.6)
                c.rect(x, top - header_h, w, header_h)
                _text(c, sheet, cell, x, top, w, header_h)
            top -= header_h
        row_top = {r: top - sum(heights[rows.start:r]) for r in rows}
        c.setLineWidth(0.6)
        for cell in lay.cells:
            first, last = max(cell.row, rows.start), min(cell.row + cell.row_span, rows.stop) - 1
            if first > last:
                continue
            x, w = sheet.col_x[cell.col], sheet.cell_w(cell)
            t = row_top[first]
            if repeat and first == rows.start and cell.row < rows.start and cell.col not in header_cols:
                t = y_top                 # a label merged down the side also runs past the header
            h = t - (row_top[last] - heights[last])
            c.rect(x, t - h, w, h)
            if owner[id(cell)] == p and cell.text:
                _text(c, sheet, cell, x, t, w, h)
        bottom = row_top[rows[-1]] - heights[rows[-1]]
        c.setLineWidth(1.1)
        c.rect(sheet.x0, bottom, sheet.col_x[-1] - sheet.x0, y_top - bottom)


def draw_signer(c: canvas.Canvas, name: str, x: float, y: float, font: str) -> None:
    c.saveState()
    c.setFillColorRGB(*PEN)
    for k, ch in enumerate(name):
        size = 19 + (1.5 if k % 2 else 0)
        draw(c, x, y + (0.9, -0.6, 0.3, -0.2)[k % 4], ch, font, size)
        x += width(ch, font, size) + 1.5
    c.restoreState()


def draw_form(c: canvas.Canvas, lay: Layout, st: PdfStyle, sign_font: str) -> None:
    page_w, page_h = landscape(A4) if st.orientation == "landscape" else A4
    sheet = Sheet(lay, st, page_w)
    x0, x1 = sheet.x0, sheet.col_x[-1]
    y = page_h - st.margin_top - 12
    if lay.signer:
        draw_signer(c, lay.signer, x0 + 14, y, sign_font)
    y -= 32
    c.saveState()
    c.setLineWidth(0.35)
    title = c.beginText((page_w - width(lay.title, st.font, 17)) / 2, y)
    title.setTextRenderMode(2)       # fill + stroke: the bold look of a printed title
    for f, piece in runs(lay.title, st.font):
        title.setFont(f, 17)
        title.textOut(piece)
    c.drawText(title)
    c.restoreState()
    if lay.subtitle:
        y -= 22
        draw(c, (page_w - width(lay.subtitle, st.font, 12)) / 2, y, lay.subtitle, st.font, 12)
    y -= 26
    draw(c, x0, y, lay.unit_left, st.font, 10.5)
    draw(c, x1 - width(lay.unit_right, st.font, 10.5), y, lay.unit_right, st.font, 10.5)
    draw_grid(c, sheet, y - 9, page_h)
    c.showPage()


def render(path, layouts: list[Layout], st: PdfStyle, sign_font: str, title: str) -> None:
    for f in {st.font, FALLBACK, sign_font}:
        register(f)
    size = landscape(A4) if st.orientation == "landscape" else A4
    c = canvas.Canvas(str(path), pagesize=size, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("formpipe scripts/make_corpus.py")
    c.setCreator("formpipe scripts/make_corpus.py")
    for lay in layouts:
        draw_form(c, lay, st, sign_font)
    c.save()
