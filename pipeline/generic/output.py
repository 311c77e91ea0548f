"""A generic table as written: its JSON record and its CSV (header row = flattened columns)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from pipeline.config import Settings
from pipeline.model import Document, GenericTable
from pipeline.records import SCHEMA_VERSION
from pipeline.files import atomic_write, csv_text, inside, safe_name


def record(table: GenericTable, doc: Document) -> dict:
    data = table.model_dump(mode="json")
    pages = sorted({p.page for p in table.parts})
    return {"schema_version": SCHEMA_VERSION, "kind": "table", **data,
            "header_rows": len(table.header),
            "source": {"file": doc.path.name, "sha256": doc.sha256, "pages": pages}}


def csv_rows(table: GenericTable, merged: str) -> list[list[float | str | None]]:
    """Body rows for the CSV; a merged cell's other slots repeat its value, or stay blank."""
    rows = [list(r) for r in table.rows]
    if merged != "repeat":
        return rows
    h = len(table.header)
    for span in table.spans:
        if span.row < h:
            continue
        value = rows[span.row - h][span.col]
        for r in range(span.row - h, min(span.row - h + span.row_span, len(rows))):
            for c in range(span.col, span.col + span.col_span):
                rows[r][c] = value
    return rows


def csv_value(value: float | str | None) -> str:
    """Numbers as plain decimals (`135200`, `79189400.34`), never in exponent form."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    return value


def write(doc: Document, settings: Settings) -> list[Path]:
    """`<out>/<input>/tables/<NN>-<title>.json|.csv` per table; returns the paths written."""
    out_dir = settings.out_dir
    folder = inside(out_dir, out_dir / doc.out_name / "tables")
    written = []
    for table in doc.tables:
        stem = f"{table.number:02d}-{safe_name(table.title, settings.output.max_name_chars, fallback='table')}"
        json_path = inside(out_dir, folder / f"{stem}.json")
        atomic_write(json_path, json.dumps(record(table, doc), ensure_ascii=False, indent=2) + "\n")
        rows = [dict(zip(table.columns, (csv_value(v) for v in row)))
                for row in csv_rows(table, settings.generic.csv_merged)]
        csv_path = inside(out_dir, folder / f"{stem}.csv")
        atomic_write(csv_path, csv_text(table.columns, rows, settings.output.csv_bom))
        table.output = json_path
        written += [json_path, csv_path]
    return written
