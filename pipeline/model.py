"""The one document model that flows through every stage.

Document → Page → (TextLine | Table → Cell) → RawForm → form record.

Coordinates are PDF points with the origin at the top-left of the page
(pdfplumber's convention): bbox = (x0, top, x1, bottom). Text dumps have no
geometry, so their bboxes are None; nor do Word, Excel, HTML, markdown and CSV
files (pipeline/carriers/), whose grid is the file's own ("table-file"). Scanned pages (OCR) use the same
coordinates, converted from pixels by the rasteriser's scale, so repair and
output never need to know where the text came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

BBox = tuple[float, float, float, float]
# table-file: a Word, Excel, HTML, Markdown or CSV table: the grid is the file's own, as on a ruled PDF page
TextSource = Literal["pdf-text", "ocr", "dump", "table-file"]


class Cell(BaseModel):
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    bbox: BBox | None = None
    text: str = ""
    source: TextSource = "pdf-text"
    confidence: float = 1.0
    weakest: float = 1.0  # OCR: the least probable character's probability (pipeline/confidence.py)
    page: int | None = None  # 1-based; lets a review item point at the page
    alternatives: list[tuple[str, float]] = Field(default_factory=list)  # other OCR readings
    note: str | None = None  # why reading changed the text (e.g. a known-name correction)
    sealed: bool = False  # a seal was stamped over it: read, but to be checked


class Table(BaseModel):
    kind: Literal["table"] = "table"
    page: int  # 1-based page number
    bbox: BBox | None = None
    n_rows: int
    n_cols: int
    cells: list[Cell]
    claimed: bool = False  # taken by a form; unclaimed tables come out as generic tables

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by row, each row ordered by column.

        A merged cell appears once, in the row and column where it starts;
        the positions it covers are simply absent, exactly like the empty
        strings a plain extraction leaves for them.
        """
        by_row: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            by_row[cell.row].append(cell)
        return [sorted(r, key=lambda c: c.col) for r in by_row]


class TextLine(BaseModel):
    """Text outside any table: titles, the reporting unit, the signer's name."""

    kind: Literal["line"] = "line"
    page: int
    text: str
    bbox: BBox | None = None
    source: TextSource = "pdf-text"
    confidence: float = 1.0
    weakest: float = 1.0
    font_size: float | None = None
    alternatives: list[tuple[str, float]] = Field(default_factory=list)
    note: str | None = None
    sealed: bool = False


Block = Annotated[Union[TextLine, Table], Field(discriminator="kind")]


class Page(BaseModel):
    number: int  # 1-based
    file: str | None = None  # the file it was read from (of an input in several files, its part's name)
    file_page: int | None = None  # 1-based, within that file
    width: float | None = None
    height: float | None = None
    blocks: list[Block] = Field(default_factory=list)  # in reading order
    scanned: bool = False  # read by OCR from an image (no usable text layer)
    dpi: float | None = None  # of the image a scanned page was read from
    rotation: int = 0  # degrees the scan was turned to read upright (90/180/270)
    skew: float = 0.0  # degrees of skew corrected
    # what the scanned path did to the image file's pixels, to map a bbox back onto it
    # (pipeline.perspective.to_original): {"original_size": [w, h], "original_dpi", "dpi_source",
    # "steps": [{"kind": perspective | scale | rotate | deskew, ..., "matrix"}], "matrix": 3×3
    # original px → upright page px}; None for a page that is not scanned
    transform: dict[str, Any] | None = None
    orientation: dict[str, Any] | None = None  # how rotation was decided: margins and each cue
    bilevel: bool = False  # the image was black and white only (a fax, a photocopy): evidence for confidence
    timings: dict[str, float] = Field(default_factory=dict)  # seconds per page step
    errors: list[str] = Field(default_factory=list)  # per-page trouble, recorded not raised


# review kinds that ask a person to look (a `repair` records a change made with certainty)
FLAG_KINDS = ("uncertain", "warning", "inferred", "incomplete")


class ReviewItem(BaseModel):
    """One thing the tool changed, inferred or doubts, with where and why."""

    # incomplete: part of the form is not in the input (a page, the rest of its grid, its type)
    # corrected: a person's correction (or confirmation) applied from corrections.json (pipeline/corrections.py)
    kind: Literal["repair", "inferred", "warning", "uncertain", "incomplete", "corrected"]
    field: str  # e.g. "budget_amount", "indicators[3].level2"
    reason: str
    before: Any = None
    after: Any = None
    page: int | None = None
    bbox: BBox | None = None
    alternatives: list[tuple[str, float]] | None = None  # other OCR readings, with confidence


class Indicator(BaseModel):
    """One indicator row as repair placed it: raw text per column field (the template's columns).

    level1/level2 (the taxonomy labels, filled down) are what every indicator grid shares; the
    other columns are whatever the template's spec names, kept as extra attributes.
    """

    model_config = ConfigDict(extra="allow")

    level1: str | None = None
    level2: str | None = None
    # where each field was read from; for review items and re-reading, never output
    cells: dict[str, Cell] = Field(default_factory=dict, exclude=True)

    def get(self, name: str):
        return getattr(self, name, None)


class RawForm(BaseModel):
    """One form cut out of a document, before and during repair.

    `rows` are the table rows of the form in reading order (all its tables
    one after another); `lines` the text around the tables. Repair fills
    `fields`, `indicators` and `review`; normalise turns them into `record`.
    """

    form_type: str
    template: str  # the FormSpec it was read with
    title: str
    pages: list[int] = Field(default_factory=list)
    lines: list[TextLine] = Field(default_factory=list)
    preceding: list[TextLine] = Field(default_factory=list)  # text just above the title (signer)
    rows: list[list[Cell]] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list, exclude=True)  # the tables it took
    fields: dict[str, Any] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list)
    empty_categories: list[dict[str, str | None]] = Field(default_factory=list)
    review: list[ReviewItem] = Field(default_factory=list)
    record: dict[str, Any] | None = None
    output: Path | None = None  # the JSON file written for it
    # field → what it was read from (pipeline/confidence.py), and its features once scored
    evidence: dict[str, dict] = Field(default_factory=dict, exclude=True)
    features: dict[str, list[float]] = Field(default_factory=dict, exclude=True)
    # field → where it is printed ({"page", "bbox"}) when no cell's evidence says so: a title or
    # unit line; for the reviewer's picture only (it weighs in no confidence)
    places: dict[str, dict] = Field(default_factory=dict, exclude=True)

    def note(self, kind: str, field: str, reason: str, before: Any = None,
             after: Any = None, cell: Cell | None = None, page: int | None = None,
             alternatives: list[tuple[str, float]] | None = None, bbox: BBox | None = None) -> None:
        self.review.append(ReviewItem(
            kind=kind, field=field, reason=reason, before=before, after=after,
            page=page if page is not None else (cell.page if cell is not None else None),
            bbox=bbox if bbox is not None else (cell.bbox if cell is not None else None), alternatives=alternatives,
        ))


class TablePart(BaseModel):
    """Where one piece of a (possibly stitched) generic table was read."""

    page: int
    bbox: BBox | None = None
    rows: tuple[int, int]  # the body rows [start, end) it gave


class Span(BaseModel):
    """A merged cell: grid rows count the header rows first, then the body rows."""

    row: int
    col: int
    row_span: int
    col_span: int


class GenericTable(BaseModel):
    """A ruled table that matches no form: header flattened, body typed, pages stitched."""

    number: int = 0  # 1-based, in document order
    title: str | None = None  # the caption above it (`2024年部门收支总表`)
    unit: str | None = None  # from `单位：元` above it
    header: list[list[str]] = Field(default_factory=list)  # header rows, unwrapped; "" where merged
    columns: list[str] = Field(default_factory=list)  # flattened: `收入预算/财政拨款收入`
    column_types: list[Literal["text", "number", "code"]] = Field(default_factory=list)
    rows: list[list[float | str | None]] = Field(default_factory=list)  # typed body values
    printed: list[list[str | None]] = Field(default_factory=list)  # each body cell's text as printed
    ocr_confidence: float | None = None  # the mean recogniser confidence of its OCR'd cells (None: none)
    spans: list[Span] = Field(default_factory=list)
    parts: list[TablePart] = Field(default_factory=list)
    # cell texts as read (header rows, then body rows; "" where merged), for comparing readings
    texts: list[list[str]] = Field(default_factory=list, exclude=True)
    output: Path | None = Field(default=None, exclude=True)


class Document(BaseModel):
    path: Path  # the input; of a form in several files (stages/parts.py), its first part
    kind: Literal["pdf", "dump", "office", "markup", "image"]  # office, markup: pipeline/carriers/
    parts: list[Path] = Field(default_factory=list)  # the files joined into this input, in page order
    missing_parts: list[str] = Field(default_factory=list)  # parts the naming rule expects but are absent ("p2")
    sha256: str = ""
    out_name: str = ""  # the folder under --out for this input's forms
    pages: list[Page] = Field(default_factory=list)
    forms: list[RawForm] = Field(default_factory=list)
    tables: list[GenericTable] = Field(default_factory=list)  # tables no form claimed
    forms_before: int = 0  # forms of this input already cut from earlier pages (numbering)
    tables_before: int = 0  # tables of this input already cut from earlier pages (numbering)
    errors: list[str] = Field(default_factory=list)  # document-level trouble (not fatal)
    # why the input converted only in part (manifest status `partial`): one line per cause, also in errors
    incomplete: list[str] = Field(default_factory=list)
    unused_pages: list[int] = Field(default_factory=list)  # pages nothing was taken from
    timings: dict[str, float] = Field(default_factory=dict)
    outputs: list[Path] = Field(default_factory=list)
