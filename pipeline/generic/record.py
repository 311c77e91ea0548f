"""The output contract of a generic table: `<out>/<input>/tables/<NN>-<title>.json`.

The single source of `schema/table-record.schema.json`; regenerate it with
`pipeline schema --kind table --output schema/table-record.schema.json`
(a test keeps the two in step).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.model import BBox
from pipeline.records import SCHEMA_VERSION


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpanRecord(_Closed):
    row: int = Field(description="grid row of the merged cell's top-left: header rows first, then body rows")
    col: int
    row_span: int
    col_span: int


class PartRecord(_Closed):
    page: int = Field(description="1-based page of this part of the table")
    bbox: BBox | None = Field(description="the part's box on its page, PDF points, top-left origin")
    rows: tuple[int, int] = Field(description="the body rows [start, end) this part gave")


class SourceRecord(_Closed):
    file: str
    sha256: str
    pages: list[int]


class TableRecord(_Closed):
    """A ruled table that matches no form."""

    schema_version: str
    kind: Literal["table"]
    number: int = Field(description="1-based, in document order")
    title: str | None = Field(description="the caption above the table (a line ending with 表)")
    unit: str | None = Field(description="the unit stated above it (单位：元 → 元)")
    header_rows: int
    header: list[list[str]] = Field(description="header rows, text unwrapped; '' where a merged cell continues")
    columns: list[str] = Field(description="one name per column: its header cells top to bottom, joined with /")
    column_types: list[Literal["text", "number", "code"]]
    rows: list[list[float | str | None]] = Field(
        description="body rows: numbers as floats (percentages as fractions), codes and text as strings, "
                    "blank as null; null where a merged cell continues")
    printed: list[list[str | None]] = Field(
        description="body rows as printed, beside `rows`: each cell's text (`0.50`, `12.5%`, `(1,000.00)`), "
                    "which typing loses; null where blank or a merged cell continues")
    ocr_confidence: float | None = Field(
        description="the mean recogniser confidence of its OCR'd cells; null when read from a text layer. "
                    "Under ocr.uncertain_below the input is partial, saying so")
    spans: list[SpanRecord] = Field(description="merged cells, header and body")
    parts: list[PartRecord] = Field(description="one per page the table was read from (a stitched table has several)")
    source: SourceRecord


def json_schema() -> dict:
    schema = TableRecord.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"table-record-{SCHEMA_VERSION}", **schema}

