"""The recipe: one ordered list of stages, run over each input; one manifest.

Each stage takes the document and the settings and returns the document.
An input that cannot be converted is recorded with its reason and the batch
goes on.
"""

from __future__ import annotations

import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pipeline.config import Settings
from pipeline.errors import InputError, PipelineError
from pipeline.model import Document
from pipeline.records import SCHEMA_VERSION
from pipeline.stages import forms, generic, ingest, normalize, pages, repair, validate, write

Stage = Callable[[Document, Settings], Document]

STAGES: list[tuple[str, Stage]] = [
    ("ingest", ingest.run),        # identify, check, load text dumps
    ("pages", pages.run),          # each page → text lines and tables (text layer, or scan + OCR)
    ("forms", forms.run),          # cut the document into forms
    ("tables_out", generic.run),   # tables no form claimed → plain tables, stitched across pages
    ("repair", repair.run),        # undo the extraction's damage, record each change
    ("normalize", normalize.run),  # typed values, canonical units and comparators
    ("validate", validate.run),    # schema and consistency checks → review warnings
    ("write", write.run),          # per-form JSON and CSV
]


def convert(path: Path, settings: Settings, out_name: str) -> Document:
    doc = Document(path=path, kind=ingest.document_kind(path, settings), out_name=out_name)
    for name, stage in STAGES:
        started = time.perf_counter()
        doc = stage(doc, settings)
        doc.timings[name] = round(time.perf_counter() - started, 4)
    return doc


def discover(paths: list[Path], settings: Settings) -> list[Path]:
    """Files named on the command line, and the supported files under named folders."""
    suffixes = set(settings.pdf_suffixes + settings.dump_suffixes + settings.image_suffixes)
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            found.append(path)  # a missing or unsupported file is reported by convert
    return found


def unique_out_names(inputs: list[Path], settings: Settings) -> list[str]:
    names: list[str] = []
    for path in inputs:
        base = write.safe_name(path.stem, settings.output.max_name_chars, fallback="input")
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def run_batch(paths: list[Path], settings: Settings,
              report: Callable[[dict], None] = lambda entry: None) -> dict:
    """Convert every input; write the run summary; return the manifest."""
    started = datetime.now(timezone.utc)
    inputs = discover(paths, settings)
    entries = []
    for path, out_name in zip(inputs, unique_out_names(inputs, settings)):
        entry = _convert_one(path, settings, out_name)
        report(entry)
        entries.append(entry)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config_fingerprint": settings.fingerprint(),
        "inputs": [{k: v for k, v in e.items() if k != "records"} for e in entries],
    }
    write.write_run_summary(entries, settings.out_dir, settings, manifest)
    return manifest


def _convert_one(path: Path, settings: Settings, out_name: str) -> dict:
    entry: dict = {"file": str(path), "status": "failed", "forms": 0, "pages": 0,
                   "seconds": {}, "errors": [], "outputs": [], "records": []}
    started = time.perf_counter()
    try:
        doc = convert(path, settings, out_name)
    except InputError as exc:
        entry["errors"].append(str(exc))
        entry["error_type"] = type(exc).__name__
    except PipelineError as exc:
        entry["errors"].append(str(exc))
    except Exception as exc:  # a bug of ours: keep the batch going, keep the evidence
        entry["errors"].append(f"{path}: internal error {type(exc).__name__}: {exc}")
        entry["traceback"] = traceback.format_exc()
    else:
        out_dir = settings.out_dir.resolve()
        entry.update({
            "status": "ok",
            "sha256": doc.sha256,
            "forms": len(doc.forms),
            "tables": len(doc.tables),
            "pages": len(doc.pages),
            "seconds": doc.timings,
            "errors": doc.errors,
            "outputs": [str(p.relative_to(out_dir)) for p in doc.outputs],
            "records": [{"number": i, "record": f.record, "json": str(f.output.relative_to(out_dir))}
                        for i, f in enumerate(doc.forms, start=1)],
        })
    entry["seconds"]["total"] = round(time.perf_counter() - started, 4)
    return entry
