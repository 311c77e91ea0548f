"""Write: per form `<out>/<input>/<NN>-<name>.json|.csv` (the run-wide tables and the manifest:
stages/summaries.py).

Every file is written to a temporary name and renamed, so an interrupted run
never leaves half a file. Names taken from document text are sanitised and
every path is checked to stay inside --out, whatever a form's title says.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import PipelineError
from pipeline.model import FLAG_KINDS, Document
from pipeline.spec import FormSpec

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def safe_name(text: str | None, max_chars: int, fallback: str = "form") -> str:
    """A file-name part from document text: no separators, no dots at the ends, bounded."""
    name = _UNSAFE.sub("_", text or "").strip(" ._")
    name = re.sub(r"\.{2,}", "_", name)
    return name[:max_chars].rstrip(" ._") or fallback


def inside(out_dir: Path, path: Path) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(out_dir.resolve()):
        raise PipelineError(f"{path}: refusing to write outside --out {out_dir}")
    return resolved


def atomic_write(path: Path, data: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def csv_text(header: list[str], rows: list[dict], bom: bool) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


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
    out_dir = settings.out_dir
    folder = inside(out_dir, out_dir / doc.out_name)
    for number, form in enumerate(doc.forms, start=doc.forms_before + 1):
        record, spec = form.record, settings.spec(form.template)
        stem = f"{number:02d}-{safe_name(form_name(record, spec), settings.output.max_name_chars)}"
        json_path = inside(out_dir, folder / f"{stem}.json")
        csv_path = write_form(record, spec, json_path, settings)
        form.output = json_path
        doc.outputs += [json_path, csv_path]
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
