"""The Python API: `from pipeline import convert`.

    from pipeline import convert
    result = convert("forms/2026年项目支出绩效目标表.pdf")
    for form in result.forms:               # the records, as the JSON files hold them
        print(form["form_id"], form["project_name"], form["budget_amount"])
    result = convert(pdf_bytes, name="a.pdf")  # bytes: `name` says what kind of file they are

Nothing is written unless asked (`out=`: then the files `pipeline run --out` writes, run summaries
included). A file that cannot be converted raises the error `pipeline run` would report for it
(pipeline.errors: UnsupportedInput, CorruptInput, EncryptedInput, NoFormFound, …, all InputError).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from pipeline.errors import InputError, UsageError

_MAGIC = ((b"%PDF-", ".pdf"), (b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"II*\x00", ".tif"),
          (b"MM\x00*", ".tif"), (b"PK\x03\x04", None))  # a zip (docx, xlsx) cannot be told apart: name it


@dataclass
class Result:
    """What one input gave: its form records and plain tables (dicts, as the JSON files hold them)."""

    source: str
    status: str  # ok | partial (what is missing: `incomplete`)
    forms: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)  # files written (with `out=`), relative to it


def _suffix(data: bytes) -> str:
    """What kind of file unnamed bytes are, by their first bytes."""
    for magic, suffix in _MAGIC:
        if data.startswith(magic) and suffix:
            return suffix
    raise UsageError("convert(bytes): cannot tell what kind of file these bytes are; pass name='….pdf'")


def convert(source: Union[str, os.PathLike, bytes], *, name: Optional[str] = None, settings=None,
            config: Union[str, os.PathLike, None] = None, out: Union[str, os.PathLike, None] = None,
            password: Optional[str] = None) -> Result:
    """Convert one file (a path, or its bytes) into records. `settings`: a pipeline.config.Settings
    (else the shipped config, merged with `config`, a YAML file, when given); `out`: a folder to
    write the files into, as `pipeline run --out` does."""
    from pipeline.config import load_settings

    if settings is None:
        overrides = {"password": password} if password else {}
        settings = load_settings(Path(config) if config else None, overrides)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        with tempfile.TemporaryDirectory(prefix="formpipe-") as tmp:
            # the file keeps the name given (records name their source file), else `input.<kind>`
            path = Path(tmp) / (Path(name).name if name else "input" + _suffix(data))
            path.write_bytes(data)
            result = _convert_path(path, settings, out)
            result.source = name or "<bytes>"
            return result
    return _convert_path(Path(source), settings, out)


def _convert_path(path: Path, settings, out) -> Result:
    from pipeline.generic import output as tables_output
    from pipeline.runner import convert as run_convert, run_batch

    if out is not None:  # the CLI's run: files, summaries, resume state, corrections
        settings = settings.model_copy(update={"out_dir": Path(out)})
        Path(out).mkdir(parents=True, exist_ok=True)
        manifest = run_batch([path], settings)
        [entry] = [e for e in manifest["inputs"] if e.get("status") != "skipped"] or manifest["inputs"]
        if entry["status"] == "failed":
            raise InputError("; ".join(entry.get("errors", [])) or f"{path}: not converted")
        return _from_files(path, Path(out), entry)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    doc = run_convert(path, settings, out_name=path.stem, write_files=False)
    return Result(source=str(path), status="partial" if doc.incomplete else "ok",
                  forms=[form.record for form in doc.forms],
                  tables=[tables_output.record(table, doc) for table in doc.tables],
                  errors=list(doc.errors), incomplete=list(doc.incomplete))


def _from_files(path: Path, out: Path, entry: dict) -> Result:
    import json

    forms, tables = [], []
    for rel in entry.get("outputs", []):
        if rel.endswith(".json"):
            record = json.loads((out / rel).read_text(encoding="utf-8"))
            (tables if record.get("kind") == "table" else forms).append(record)
    return Result(source=str(path), status=entry["status"], forms=forms, tables=tables,
                  errors=list(entry.get("errors", [])), incomplete=list(entry.get("incomplete", [])),
                  outputs=list(entry.get("outputs", [])))
