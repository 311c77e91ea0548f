"""Ingest: identify the input, check it can be read, and load text dumps.

PDFs are only opened and checked here (magic bytes, encryption, page count);
their pages, like those of image files, are read by the pages stage, one at a time. Text dumps, and
the Word, Excel, HTML, markdown and CSV files of pipeline/carriers/, are small and already hold their
text, so they become pages of blocks right away (and are refused when too large to read whole).
"""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from pipeline import carriers
from pipeline.config import Settings
from pipeline.encodings import decode_text
from pipeline.errors import CorruptInput, EncryptedInput, InputError, NoFormFound, UnsupportedInput
from pipeline.model import Cell, Document, Page, Table, TextLine

_PDF_MAGIC = b"%PDF-"
LOADED_KINDS = ("dump", "office", "markup")  # read whole here; the pages stage only hands their pages on


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def document_kind(path: Path, settings: Settings) -> str:
    suffix = path.suffix.lower()
    if suffix in settings.pdf_suffixes:
        return "pdf"
    if suffix in settings.dump_suffixes:
        return "dump"
    if suffix in settings.office_suffixes:
        return "office"
    if suffix in settings.markup_suffixes:
        return "markup"
    if suffix in settings.image_suffixes:
        return "image"
    known = supported_suffixes(settings)
    raise UnsupportedInput(f"{path}: unsupported file type '{suffix or '(none)'}' (expected {', '.join(known)})")


def supported_suffixes(settings: Settings) -> list[str]:
    return (settings.pdf_suffixes + settings.dump_suffixes + settings.office_suffixes
            + settings.markup_suffixes + settings.image_suffixes)


def input_sha256(files: list[Path]) -> str:
    """An input's identity: its file's sha256; of a form in several files, the sha256 of its parts' in order."""
    if len(files) == 1:
        return file_sha256(files[0])
    return hashlib.sha256("\n".join(file_sha256(f) for f in files).encode()).hexdigest()


def run(doc: Document, settings: Settings) -> Document:
    files = doc.parts or [doc.path]  # a form in several files (stages/parts.py): each part checked
    for path in files:
        kind = document_kind(path, settings) if doc.parts else doc.kind
        _check(path, kind, settings)
    doc.sha256 = input_sha256(files)
    if doc.kind == "dump":
        doc.pages = [parse_dump(read_dump_text(doc.path))]
    elif doc.kind in LOADED_KINDS:
        doc.pages = carriers.read(doc.path, int(settings.max_loaded_mb * 2**20))
    # PDFs and images are opened page by page by the pages stage
    return doc


def _check(path: Path, kind: str, settings: Settings) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if size == 0:
        raise CorruptInput(f"{path}: empty file (0 bytes)")
    text = kind == "dump" or (kind == "markup")  # every byte a character: rows of cells, held at once
    limit_mb, key = (settings.max_text_mb, "max_text_mb") if text else (settings.max_loaded_mb, "max_loaded_mb")
    if kind in LOADED_KINDS and size > limit_mb * 2**20:
        raise InputError(f"{path}: {size / 2**20:.1f} MB is over the {limit_mb:g} MB read whole "
                         f"for a {kind} file; refused ({key} in the config)")
    if kind == "pdf":
        check_pdf(path, settings.password)


def check_pdf(path: Path, password: str | None) -> int:
    """Open the PDF once with PDFium to turn its failure modes into clear errors."""
    import pypdfium2 as pdfium

    with path.open("rb") as fh:
        head = fh.read(1024)
    if _PDF_MAGIC not in head:
        raise CorruptInput(f"{path}: not a PDF (no %PDF- header); is it misnamed?")
    try:
        pdf = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        if _pdfminer_page_count(path, password) == 0:
            # PDFium refuses a well-formed PDF without pages, with whatever error it last had
            raise CorruptInput(f"{path}: PDF has no pages") from exc
        message = str(exc).lower()
        if "password" in message:
            hint = "wrong password given" if password else "encrypted; pass --password"
            raise EncryptedInput(f"{path}: PDF is {hint}") from exc
        raise CorruptInput(f"{path}: damaged PDF, cannot be opened ({exc})") from exc
    try:
        n_pages = len(pdf)
    finally:
        pdf.close()
    if n_pages == 0:
        raise CorruptInput(f"{path}: PDF has no pages")
    return n_pages


def _pdfminer_page_count(path: Path, password: str | None) -> int | None:
    import pdfplumber

    try:
        with pdfplumber.open(path, password=password or "") as pdf:
            return len(pdf.pages)
    except Exception:  # noqa: BLE001 - pdfminer's errors have no common base; PDFium's reason stands
        return None


def read_dump_text(path: Path) -> str:
    raw = path.read_bytes()
    if b"\x00\x00\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
                                                             codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise CorruptInput(f"{path}: binary data, not a text dump")
    text = decode_text(raw, path)
    if "\x00" in text:
        raise CorruptInput(f"{path}: binary data, not a text dump")
    if not text.strip():
        raise NoFormFound(f"{path}: empty text dump")
    return text


def _split_row(line: str) -> list[str] | None:
    """A tab-separated row, or a markdown pipe row; None for a plain line."""
    if "\t" in line:
        return line.split("\t")
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
        inner = stripped[1:-1].split("|")
        if all(set(c.strip()) <= set("-: ") for c in inner):
            return []  # the |---|---| separator row
        return [c.strip() for c in inner]
    return None


def parse_dump(text: str) -> Page:
    """A dump is one page: plain lines become TextLines, runs of rows become Tables.

    A blank line ends a table, as in the seed, where each section of the
    department form is its own run of rows.
    """
    page = Page(number=1)
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            n_cols = max(len(r) for r in rows)
            cells = [Cell(row=i, col=j, text=t, source="dump", page=1)
                     for i, r in enumerate(rows) for j, t in enumerate(r)]
            page.blocks.append(Table(page=1, n_rows=len(rows), n_cols=n_cols, cells=cells))
            rows.clear()

    for line in text.splitlines():
        cells = _split_row(line)
        if cells is not None:
            if cells:
                rows.append(cells)
            continue
        flush()
        stripped = line.strip()
        if stripped:
            is_heading = stripped.startswith("#")
            page.blocks.append(TextLine(page=1, text=stripped.lstrip("#").strip(), source="dump",
                                        font_size=16.0 if is_heading else None))
    flush()
    return page
