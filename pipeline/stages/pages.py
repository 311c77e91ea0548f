"""Pages: every page of the input becomes text lines and tables, one page at a time.

A page with a usable text layer is read directly (tables.py). Any other page —
an image-only PDF page, a page whose text layer is garbage, a TIFF frame, a
photo — takes the scanned path: rasterise, preprocess, find the ruled grid,
OCR the cells. Both produce the same Page, so forms and repair never know
which path a page took.

The steps themselves are listed in runner.PAGE_STEPS; this module holds the
page in flight (PageWork), where pages come from (`read`), how a step runs
over them (`each`) and what leaves the chain (`finish`). Pages are streamed:
a page's images are dropped as soon as it has been read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from pipeline.config import Settings
from pipeline.errors import CorruptInput
from pipeline.model import Document, Page
from pipeline.stages import ingest, scan
from pipeline.stages.ingest import LOADED_KINDS


@dataclass
class PageWork:
    """One page in flight through the page steps (runner.PAGE_STEPS), in order.

    Each step takes it and returns it (or a PageWork for the same page), filling in
    what it reads; a step that does not apply to the page returns it at once. Once the
    last step is done, only `page` travels on (to forms.windows): the pixels are dropped.
    """

    page: Page  # the model page being built: its blocks, timings and errors are the result
    path: Path  # the input file
    index: int  # 0-based within the file
    plumber: Any = None  # pdfplumber page, for PDF pages (None: an image frame)
    image: np.ndarray | None = None  # BGR pixels as scanned (kept for crops)
    gray: np.ndarray | None = None  # upright, deskewed, seal-free grey used for reading
    unfaded: np.ndarray | None = None  # `gray` before grey seal rings were faded (None: none were)
    grid: list | None = None  # ruled tables found in the image (pixel coordinates)
    carry: dict = field(default_factory=dict)  # what one page tells the next (a table's columns), per document
    seals: list = field(default_factory=list)  # (cx, cy, r) in pixels of the upright page
    done: bool = False  # no step applies any more: a text dump's page (ingest read it), or a step failed

    def release(self) -> None:
        """Drop what was read from: the page is all that is kept."""
        self.plumber = self.image = self.gray = self.unfaded = self.grid = None


PageStep = Callable[[PageWork, Settings], PageWork]


def read(doc: Document, settings: Settings) -> Iterator[PageWork]:
    """The document's pages, one at a time, none of them read yet (a dump's or an Office file's come read)."""
    if doc.kind in LOADED_KINDS:  # ingest read their pages whole
        made, doc.pages = doc.pages, []  # ingest already made its page
        for index, page in enumerate(made):
            yield PageWork(page=page, path=doc.path, index=index, done=True)
        return
    carry: dict = {}  # shared by the pages of one document, in order
    for work in _pages(doc, settings):
        work.carry = carry
        yield work


def each(name: str, step: PageStep, works: Iterable[PageWork], settings: Settings) -> Iterator[PageWork]:
    """`step` over the pages as they come, one at a time, timed into page.timings[name].

    A step that fails costs its page only: the page keeps the error and no blocks, and
    the later steps pass it by.
    """
    for work in works:
        if not work.done:
            started = time.perf_counter()
            try:
                work = step(work, settings)
            except Exception as exc:  # noqa: BLE001 - one bad page must not cost the file
                work.page.errors.append(f"page {work.page.number}: {name} failed ({type(exc).__name__}: {exc})")
                work.page.blocks = []
                work.done = True
            finally:
                work.page.timings[name] = round(time.perf_counter() - started, 4)
        yield work
        del work  # a page's pixels are not held while the next page is read


def finish(works: Iterable[PageWork], doc: Document) -> Iterator[Page]:
    """The read pages, their pixels dropped; each page's step times summed into doc.timings
    (`page.<step>`) and its trouble copied to doc.errors."""
    for work in works:
        work.release()
        page = work.page
        for name, seconds in page.timings.items():
            key = f"page.{name}"
            doc.timings[key] = round(doc.timings.get(key, 0.0) + seconds, 4)
        doc.errors.extend(page.errors)
        del work
        yield page


def _pages(doc: Document, settings: Settings) -> Iterator[PageWork]:
    """The pages of the input's file, or of its parts one after another (stages/parts.py), numbered
    through: part 2's first page follows part 1's last. Each page keeps its own file and index there."""
    if not doc.parts:
        for work in _file_pages(doc.path, doc.kind, settings):
            work.page.file, work.page.file_page = doc.path.name, work.index + 1
            yield work
        return
    offset = 0
    for part in doc.parts:
        count = 0
        for work in _file_pages(part, ingest.document_kind(part, settings), settings):
            count = work.index + 1
            work.page.number = offset + count
            work.page.file, work.page.file_page = part.name, count
            yield work
        offset += count


def _file_pages(path: Path, kind: str, settings: Settings) -> Iterator[PageWork]:
    if kind == "pdf":
        yield from _pdf_pages(path, settings)
    else:
        yield from scan.image_pages(path, settings, PageWork)


def _pdf_pages(path: Path, settings: Settings) -> Iterator[PageWork]:
    import pdfplumber  # heavy; only PDFs need it

    try:
        pdf = pdfplumber.open(path, password=settings.password or "")
        pages = pdf.pages
    except Exception as exc:  # noqa: BLE001 - pdfminer's errors have no common base
        raise CorruptInput(f"{path}: cannot read the PDF's pages ({type(exc).__name__}: {exc})") from exc
    with pdf:
        for index, plumber_page in enumerate(pages):
            yield PageWork(page=Page(number=index + 1), path=path, index=index, plumber=plumber_page)
            plumber_page.close()  # drop pdfminer's parsed objects page by page
            _forget_parsed_objects(pdf)


def _forget_parsed_objects(pdf) -> None:
    """pdfminer caches every object and font it parsed for the document's life; a long PDF would
    hold them all. Dropped after each page: a later page parses again what it shares (its fonts)."""
    for cache in (getattr(pdf.doc, "_cached_objs", None), getattr(pdf.rsrcmgr, "_cached_fonts", None)):
        if isinstance(cache, dict):
            cache.clear()
