"""Write: per form `<out>/<input>/<NN>-<name>.json|.csv` (the run-wide tables and the manifest:
stages/summaries.py).

Files are written through pipeline/files.py: temporary name then rename, names from document text
made safe, every path kept inside --out whatever a form's title says.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.config import Settings
from pipeline.files import atomic_write, csv_text, inside, safe_name
from pipeline.generic import output as tables_output
from pipeline.model import FLAG_KINDS, Document
from pipeline.spec import FormSpec


def form_name(record: dict, spec: FormSpec) -> str | None:
    return record.get(spec.name_field)


def indicator_columns(specs: list[FormSpec]) -> list[str]:
    """The indicator fields of every template, in template order: one column set for a whole run."""
    return list(dict.fromkeys(name for spec in specs for name in spec.indicator_fields))


def dotted(record: dict, path: str | None):
    value = record
    for part in (path or "").split(".") if path else []:
        value = value.get(part) if isinstance(value, dict) else None
    return value if path else None


def run(doc: Document, settings: Settings) -> Document:
    """Each form's JSON and CSV, then each plain table's (pipeline/generic/output.py)."""
    out_dir = settings.out_dir
    folder = inside(out_dir, out_dir / doc.out_name)
    for number, form in enumerate(doc.forms, start=doc.forms_before + 1):
        record, spec = form.record, settings.spec(form.template)
        stem = f"{number:02d}-{safe_name(form_name(record, spec), settings.output.max_name_chars)}"
        json_path = inside(out_dir, folder / f"{stem}.json")
        csv_path = write_form(record, spec, json_path, settings)
        form.output = json_path
        doc.outputs += [json_path, csv_path]
    doc.outputs += tables_output.write(doc, settings)
    return doc


# beside each indicator's own fields: its value split by type, and how sure the row is
ROW_COLUMNS = ["value_number", "value_text", "confidence", "flagged"]


def indicator_rows(record: dict, spec: FormSpec) -> list[dict]:
    """A form's indicator rows for CSV: form_id and row index (the N of `indicators[N]` that review
    items and corrections name), the fields, `value` split into a number and a text column, the
    row's least confidence, and whether a person is asked to check any of its fields."""
    section = spec.indicator_section
    name = section.name if section else ""
    flagged = {item["field"] for item in record.get("review", []) if item.get("kind") in FLAG_KINDS}
    rows = []
    for i, ind in enumerate(record.get(name, []) if section else []):
        prefix = f"{name}[{i}]"
        sure = [p for field, p in record.get("confidence", {}).items() if field.startswith(prefix + ".")]
        value = ind.get("value")
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        rows.append({"form_id": record.get("form_id"), "row": i, "name": form_name(record, spec), **ind,
                     "value_number": number, "value_text": value if isinstance(value, str) else None,
                     "confidence": min(sure) if sure else None,
                     "flagged": any(f == prefix or f.startswith(prefix + ".") for f in flagged)})
    return rows


def write_form(record: dict, spec: FormSpec, json_path: Path, settings: Settings) -> Path:
    """A form's JSON, and beside it the CSV of its indicator rows; returns the CSV's path."""
    atomic_write(json_path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    columns = ["form_id", "row", "name"] + spec.indicator_fields + ROW_COLUMNS
    csv_path = inside(settings.out_dir, json_path.with_suffix(".csv"))
    atomic_write(csv_path, csv_text(columns, indicator_rows(record, spec), settings.output.csv_bom))
    return csv_path
