"""Layouts as Word documents (python-docx): a ruled table per form, merged cells made with
cell.merge (gridSpan across, vMerge down), the lines around it as paragraphs, one form a page."""

from __future__ import annotations

import datetime as dt
import io
import random

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, Mm

from scripts.corpus.layout import Layout
from scripts.corpus.zipfix import normalise

# the typeface names Word documents of this kind ask for, by the face's style
WORD_FONTS = {"song": "宋体", "ming": "宋体", "hei": "黑体", "kai": "楷体_GB2312", "fangsong": "仿宋_GB2312"}


def _font(doc, name: str, size: float) -> None:
    style = doc.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(size)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), name)


def _table(doc, lay: Layout, total_mm: float) -> None:
    table = doc.add_table(rows=lay.n_rows, cols=lay.n_cols)
    table.style = "Table Grid"
    scale = total_mm / sum(lay.weights)
    for k, col in enumerate(table.columns):
        col.width = Mm(lay.weights[k] * scale)
    for cell in lay.cells:
        target = table.cell(cell.row, cell.col)
        if cell.row_span > 1 or cell.col_span > 1:
            target = target.merge(table.cell(cell.row + cell.row_span - 1, cell.col + cell.col_span - 1))
        target.text = cell.text
        if cell.align != "left":
            for p in target.paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def render(path, layouts: list[Layout], rng: random.Random, font: str | None, orientation: str) -> None:
    from scripts.corpus.fonts import STYLE

    doc = Document()
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2026, 1, 1)
    doc.core_properties.author = "formpipe scripts/make_corpus.py"
    _font(doc, WORD_FONTS[STYLE.get(font or "", "song")], rng.choice([9, 10, 10.5]))
    section = doc.sections[0]
    if orientation == "landscape":
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    total_mm = (section.page_width - section.left_margin - section.right_margin) / 36000
    for k, lay in enumerate(layouts):
        if k:
            doc.add_page_break()
        if lay.signer:
            doc.add_paragraph(lay.signer)
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run(lay.title)
        run.bold, run.font.size = True, Pt(16)
        if lay.subtitle:
            doc.add_paragraph(lay.subtitle).alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.add_paragraph(f"{lay.unit_left}\t\t{lay.unit_right}")
        _table(doc, lay, total_mm * rng.uniform(0.85, 1.0))
    buf = io.BytesIO()
    doc.save(buf)
    with open(path, "wb") as fh:
        fh.write(normalise(buf.getvalue()))
