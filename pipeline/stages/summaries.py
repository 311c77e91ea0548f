"""The run-wide tables, over every form of a run, whatever its template:

- projects.csv: one row per form (its header fields, its budget, counts);
- indicators.csv: one row per indicator (stages/write.indicator_rows);
- amounts.csv: one row per amount of every amounts block (a department's 预算情况, an application's
  资金), `block`, `field` and the printed label beside the value;
- tasks.csv: one row per row of every list section (a department's 主要任务);

each keyed by form_id, each amount and list row with its confidence and whether it is flagged.
`output.formats` (`--format`) writes the same tables as well to `results.xlsx` (a sheet each),
`results.sqlite` (a table each) and `parquet/<table>.parquet`, numbers as numbers and codes and
text as text (a column holding both is text in Parquet, which has one type a column).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.model import FLAG_KINDS
from pipeline.spec import AmountRowSection, AmountsSection, FormSpec, ListSection
from pipeline.files import atomic_replace, atomic_write, csv_text, inside
from pipeline.stages.write import ROW_COLUMNS, dotted, form_name, indicator_columns, indicator_rows

PROJECT_COLUMNS = ["form_id", "input", "form", "form_type", "template", "name", "title", "year", "reporting_unit",
                   "amount_unit", "budget_amount", "project_category", "period", "signer", "indicators",
                   "review_items", "json"]
_FORM = ["form_id", "input", "form", "template", "name"]
AMOUNT_COLUMNS = _FORM + ["block", "field", "label", "value", "amount_unit", "confidence", "flagged"]
TASK_FRAME = _FORM + ["list", "row", "confidence", "flagged"]


def _flagged(record: dict, path: str) -> bool:
    return any(item.get("kind") in FLAG_KINDS and (path == item.get("field") or path.startswith(
        (item.get("field", "") + ".", item.get("field", "") + "["))) for item in record.get("review", []))


def amount_rows(record: dict, spec: FormSpec) -> list[dict]:
    """Every amount of the form's amounts blocks, one row each, in printed order."""
    rows, confidence = [], record.get("confidence", {})
    for section in spec.sections:
        if isinstance(section, AmountsSection):
            blocks = ([(section.name, section.items)] if section.items else
                      [(group.field, group.items) for group in section.groups])
            pairs = [(block, item.field, item.labels[0]) for block, items in blocks for item in items]
        elif isinstance(section, AmountRowSection):
            pairs = [(section.name, column.field, column.labels[0]) for column in section.columns]
        else:
            continue
        for block, field, label in pairs:
            path = f"{block}.{field}"
            rows.append({"form_id": record.get("form_id"), "name": form_name(record, spec), "block": block,
                         "field": field, "label": label, "value": (record.get(block) or {}).get(field),
                         "amount_unit": record.get("amount_unit"), "confidence": confidence.get(path),
                         "flagged": _flagged(record, path)})
    return rows


def _list_column(section: ListSection, field: str) -> str:
    """A list column's name in tasks.csv: its field, or `list.field` where that is a frame column's
    (a task's `name` beside the form's)."""
    return f"{section.name}.{field}" if field in TASK_FRAME else field


def list_columns(specs: list[FormSpec]) -> list[str]:
    return list(dict.fromkeys(_list_column(s, c.field) for spec in specs for s in spec.sections
                              if isinstance(s, ListSection) for c in s.columns))


def task_rows(record: dict, spec: FormSpec) -> list[dict]:
    """Every row of the form's list sections (主要任务), with its index, confidence and flag."""
    rows, confidence = [], record.get("confidence", {})
    for section in spec.sections:
        if not isinstance(section, ListSection):
            continue
        for i, row in enumerate(record.get(section.name) or []):
            prefix = f"{section.name}[{i}]"
            sure = [p for f, p in confidence.items() if f.startswith(prefix + ".")]
            rows.append({"form_id": record.get("form_id"), "name": form_name(record, spec), "list": section.name,
                         "row": i, **{_list_column(section, k): v for k, v in row.items()},
                         "confidence": min(sure) if sure else None, "flagged": _flagged(record, prefix)})
    return rows


def run_tables(docs: list[dict], settings: Settings) -> dict[str, tuple[list[str], list[dict]]]:
    """name → (columns, rows) of every run-wide table."""
    projects, indicators, amounts, tasks = [], [], [], []
    specs = {spec.template: spec for spec in settings.forms}
    for entry in docs:
        for form in entry.get("records", []):
            record, json_path = form["record"], form["json"]
            spec = specs.get(record.get("template"))
            if spec is None:  # a record of a template no longer configured (resumed from an older run)
                continue
            where = {"input": entry["file"], "form": form["number"], "template": spec.template}
            section = spec.indicator_section
            projects.append({
                **where, "form_id": record.get("form_id"), "form_type": record["form_type"],
                "name": form_name(record, spec), "title": record["title"],
                "year": record["year"], "reporting_unit": record["reporting_unit"],
                "amount_unit": record["amount_unit"], "budget_amount": dotted(record, spec.budget_field),
                "project_category": record.get("project_category"), "period": record.get("period"),
                "signer": record["signer"], "indicators": len(record.get(section.name, []) if section else []),
                "review_items": len(record["review"]), "json": json_path,
            })
            indicators += [{**row, **where, "form_type": record["form_type"]} for row in indicator_rows(record, spec)]
            amounts += [{**row, **where} for row in amount_rows(record, spec)]
            tasks += [{**row, **where} for row in task_rows(record, spec)]
    ind_columns = (["form_id", "row", "input", "form", "form_type", "template", "name"]
                   + indicator_columns(settings.forms) + ROW_COLUMNS)
    task_columns = TASK_FRAME[:-2] + list_columns(settings.forms) + TASK_FRAME[-2:]
    return {"projects": (PROJECT_COLUMNS, projects), "indicators": (ind_columns, indicators),
            "amounts": (AMOUNT_COLUMNS, amounts), "tasks": (task_columns, tasks)}


def formats_for(out_dir: Path, settings: Settings) -> list[str]:
    """The formats asked for, and those an earlier run wrote here: a run or `pipeline apply` that
    does not ask for them again still never leaves one stale beside the CSVs."""
    there = [f for f, name in OUTPUT_FILES.items() if (out_dir / name).exists()]
    return list(dict.fromkeys([*settings.output.formats, *there]))


def write_run_summary(docs: list[dict], out_dir: Path, settings: Settings, manifest: dict) -> None:
    """The run-wide tables as CSV (and the formats asked for), and the manifest."""
    tables = run_tables(docs, settings)
    for name, (columns, rows) in tables.items():
        atomic_write(inside(out_dir, out_dir / f"{name}.csv"), csv_text(columns, rows, settings.output.csv_bom))
    for fmt in formats_for(out_dir, settings):
        WRITERS[fmt](tables, out_dir)
    atomic_write(inside(out_dir, out_dir / "manifest.json"), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def _cell(value):
    """A value for a typed store: numbers and text as they are, booleans as such, anything else as JSON."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, ensure_ascii=False)


def write_xlsx(tables, out_dir: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def cell(sheet, value):
        value = _cell(value)
        if isinstance(value, str) and value.startswith("="):
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"  # text that looks like a formula stays text, never evaluated
            return text
        return value  # a string is a string cell: a code like 001 stays 001

    def write(path: Path) -> None:
        book = Workbook(write_only=True)
        for name, (columns, rows) in tables.items():
            sheet = book.create_sheet(name)
            sheet.append(columns)
            for row in rows:
                sheet.append([cell(sheet, row.get(c)) for c in columns])
        book.save(path)

    atomic_replace(inside(out_dir, out_dir / "results.xlsx"), write)


def write_sqlite(tables, out_dir: Path) -> None:
    def write(path: Path) -> None:
        db = sqlite3.connect(path)
        try:
            for name, (columns, rows) in tables.items():
                cols = ", ".join(f'"{c}"' for c in columns)
                db.execute(f'CREATE TABLE "{name}" ({cols})')  # no declared types: each value keeps its own
                db.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" for _ in columns)})',
                               [[_cell(row.get(c)) for c in columns] for row in rows])
            db.commit()
        finally:
            db.close()

    atomic_replace(inside(out_dir, out_dir / "results.sqlite"), write)


def write_parquet(tables, out_dir: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("--format parquet needs pyarrow: pip install 'formpipe[formats]'") from None
    for name, (columns, rows) in tables.items():
        arrays = [pa.array(_column([row.get(c) for row in rows])) for c in columns]
        table = pa.Table.from_arrays(arrays, names=columns)
        atomic_replace(inside(out_dir, out_dir / "parquet" / f"{name}.parquet"),
                       lambda path, table=table: pq.write_table(table, path))


def _column(values: list) -> list:
    """One type per column: numbers stay numbers where every value is one, else all become text."""
    kinds = {type(v) for v in values if v is not None}
    if kinds and kinds <= {int, float}:
        return [None if v is None else float(v) if float in kinds else v for v in values]
    if kinds <= {str} or kinds == {bool}:
        return values
    return [None if v is None else v if isinstance(v, str) else str(_cell(v)) for v in values]


WRITERS = {"xlsx": write_xlsx, "sqlite": write_sqlite, "parquet": write_parquet}
OUTPUT_FILES = {"xlsx": "results.xlsx", "sqlite": "results.sqlite", "parquet": "parquet/projects.parquet"}
