"""Pages: every page of the input becomes text lines and tables, one page at a time.

A page with a usable text layer is read directly (tables.py). Any other page —
an image-only PDF page, a page whose text layer is garbage, a TIFF frame, a
photo — takes the scanned path: rasterise, preprocess, find the ruled grid,
OCR the cells. Both produce the same Page, so forms and repair never know
which path a page took. Pages are streamed: a page's images are dropped as
soon as it has been read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from pipeline.config import Settings
from pipeline.errors import CorruptInput
from pipeline.model import Document, Page
from pipeline.stages import ocr, scan, tables


@dataclass
class PageWork:
    """One page in flight: the model page being built and what it is read from."""

    page: Page
    path: Path
    index: int  # 0-based within the file
    plumber: Any = None  # pdfplumber page, for PDF pages
    image: np.ndarray | None = None  # BGR pixels as scanned (kept for crops)
    gray: np.ndarray | None = None  # upright, deskewed, seal-free grey used for reading
    unfaded: np.ndarray | None = None  # `gray` before grey seal rings were faded (None: none were)
    grid: list | None = None  # ruled tables found in the image (pixel coordinates)
    carry: dict = field(default_factory=dict)  # what one page tells the next (a table's columns)
    seals: list = field(default_factory=list)  # (cx, cy, r) in pixels of the upright page


Step = Callable[[PageWork, Settings], PageWork]

# The recipe for one page. Each step returns at once when it does not apply.
PAGE_STEPS: list[tuple[str, Step]] = [
    ("triage", tables.triage),        # usable text layer → read it; else mark scanned
    ("raster", scan.rasterise),       # scanned PDF page → pixels at scan.dpi
    ("preprocess", scan.preprocess),  # upright, deskew, seal ink removed
    ("grid", scan.find_grid),         # ruled lines → table cells
    ("ocr", ocr.read_page),           # text of cells and of the lines around them
]


def run(doc: Document, settings: Settings) -> Document:
    """Every page of the document into doc.pages (the runner streams them instead: `stream`)."""
    doc.pages.extend(stream(doc, settings))
    return doc


def stream(doc: Document, settings: Settings) -> Iterator[Page]:
    """The document's pages read one at a time; each page's trouble goes to doc.errors as it is read."""
    if doc.kind in ("dump", "office", "markup"):  # ingest read their pages whole (ingest.LOADED_KINDS)
        made, doc.pages = doc.pages, []  # ingest already made its page
        yield from made
        return
    carry: dict = {}  # shared by the pages of one document, in order
    for work in _pages(doc, settings):
        work.carry = carry
        for name, step in PAGE_STEPS:
            started = time.perf_counter()
            try:
                work = step(work, settings)
            except Exception as exc:  # noqa: BLE001 - one bad page must not cost the file
                work.page.errors.append(f"page {work.page.number}: {name} failed ({type(exc).__name__}: {exc})")
                work.page.blocks = []
                break
            finally:
                seconds = time.perf_counter() - started
                work.page.timings[name] = round(seconds, 4)
                key = f"page.{name}"
                doc.timings[key] = round(doc.timings.get(key, 0.0) + seconds, 4)
        doc.errors.extend(work.page.errors)
        yield work.page


def _pages(doc: Document, settings: Settings) -> Iterator[PageWork]:
    if doc.kind == "pdf":
        yield from _pdf_pages(doc, settings)
    else:
        yield from scan.image_pages(doc.path, settings, PageWork)


def _pdf_pages(doc: Document, settings: Settings) -> Iterator[PageWork]:
    import pdfplumber  # heavy; only PDFs need it

    try:
        pdf = pdfplumber.open(doc.path, password=settings.password or "")
        pages = pdf.pages
    except Exception as exc:  # noqa: BLE001 - pdfminer's errors have no common base
        raise CorruptInput(f"{doc.path}: cannot read the PDF's pages ({type(exc).__name__}: {exc})") from exc
    with pdf:
        for index, plumber_page in enumerate(pages):
            yield PageWork(page=Page(number=index + 1), path=doc.path, index=index, plumber=plumber_page)
            plumber_page.close()  # drop pdfminer's parsed objects page by page
            _forget_parsed_objects(pdf)


def _forget_parsed_objects(pdf) -> None:
    """pdfminer caches every object and font it parsed for the document's life; a long PDF would
    hold them all. Dropped after each page: a later page parses again what it shares (its fonts)."""
    for cache in (getattr(pdf.doc, "_cached_objs", None), getattr(pdf.rsrcmgr, "_cached_fonts", None)):
        if isinstance(cache, dict):
            cache.clear()
