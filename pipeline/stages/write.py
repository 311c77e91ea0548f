"""Write: per form `<out>/<input>/<NN>-<name>.json|.csv`; per run projects.csv,
indicators.csv, manifest.json.

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
from pipeline.model import Document

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')

INDICATOR_COLUMNS = ["level1", "level2", "level3", "value", "unit", "comparator", "note", "description"]
PROJECT_COLUMNS = ["input", "form", "form_type", "name", "title", "year", "reporting_unit", "amount_unit",
                   "budget_amount", "project_category", "period", "signer", "indicators", "review_items", "json"]


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


def form_name(record: dict) -> str | None:
    return record.get("project_name") or record.get("department_name")


def run(doc: Document, settings: Settings) -> Document:
    out_dir = settings.out_dir
    folder = inside(out_dir, out_dir / doc.out_name)
    for number, form in enumerate(doc.forms, start=doc.forms_before + 1):
        record = form.record
        stem = f"{number:02d}-{safe_name(form_name(record), settings.output.max_name_chars)}"
        json_path = inside(out_dir, folder / f"{stem}.json")
        atomic_write(json_path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        form.output = json_path
        columns = ["name"] + [c for c in INDICATOR_COLUMNS if form.form_type == "department" or c != "description"]
        rows = [{"name": form_name(record), **ind} for ind in record["indicators"]]
        csv_path = inside(out_dir, folder / f"{stem}.csv")
        atomic_write(csv_path, csv_text(columns, rows, settings.output.csv_bom))
        doc.outputs += [json_path, csv_path]
    return doc


def write_run_summary(docs: list[dict], out_dir: Path, settings: Settings, manifest: dict) -> None:
    """projects.csv and indicators.csv over every form of the run, and the manifest."""
    projects, indicators = [], []
    for entry in docs:
        for form in entry.get("records", []):
            record, json_path = form["record"], form["json"]
            budget = record.get("budget_amount", (record.get("budget") or {}).get("total"))
            projects.append({
                "input": entry["file"], "form": form["number"], "form_type": record["form_type"],
                "name": form_name(record), "title": record["title"], "year": record["year"],
                "reporting_unit": record["reporting_unit"], "amount_unit": record["amount_unit"],
                "budget_amount": budget, "project_category": record.get("project_category"),
                "period": record.get("period"), "signer": record["signer"],
                "indicators": len(record["indicators"]), "review_items": len(record["review"]),
                "json": json_path,
            })
            for ind in record["indicators"]:
                indicators.append({"input": entry["file"], "form": form["number"],
                                   "form_type": record["form_type"], "name": form_name(record), **ind})
    bom = settings.output.csv_bom
    atomic_write(inside(out_dir, out_dir / "projects.csv"), csv_text(PROJECT_COLUMNS, projects, bom))
    ind_columns = ["input", "form", "form_type", "name"] + INDICATOR_COLUMNS
    atomic_write(inside(out_dir, out_dir / "indicators.csv"), csv_text(ind_columns, indicators, bom))
    atomic_write(inside(out_dir, out_dir / "manifest.json"), json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
