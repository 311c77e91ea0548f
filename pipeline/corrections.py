"""A person's corrections, applied to a run's records so that they survive every rerun.

`OUT/corrections.json` (schema/corrections.schema.json) holds one entry per corrected field:
`form_id` (the record's), `field` (its path, as in the record's `confidence` and review items:
`budget_amount`, `indicators[3].value`, `budget.total`), `value`, optional `note`. `pipeline apply
OUT FILE` merges FILE into it (a later entry for the same form and field wins); `pipeline run`
applies it at the end of every run, to the forms it converted and to the ones it resumed, so
neither a rerun nor `--force` loses a correction.

Applying is idempotent: each corrected field gets one review item of kind `corrected` whose
`before` is what the tool read and `after` the person's value (a value equal to the reading is a
confirmation: same item, reason says so), and its confidence becomes 1. A correction whose form or
field no longer exists, or whose value the field's type cannot hold, is reported back, never
dropped silently.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import UsageError
from pipeline.text import parse_number

CORRECTIONS_FILE = "corrections.json"
CORRECTIONS_VERSION = "1"
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form_id: str = Field(min_length=1, description="the record's form_id")
    field: str = Field(min_length=1, description="the field's path in the record: `indicators[3].value`")
    value: Optional[Union[float, int, str]] = Field(description="the right value (null: the form leaves it empty)")
    note: Optional[str] = Field(default=None, description="why, for the record's review item")


class Corrections(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: str = CORRECTIONS_VERSION
    corrections: list[Correction] = Field(default_factory=list)


def json_schema() -> dict:
    schema = Corrections.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"corrections-{CORRECTIONS_VERSION}", **schema}


def load(path: Path) -> list[Correction]:
    """The corrections of a file; a file that is not one is a usage error naming it and why."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such corrections file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read corrections: {exc}") from None
    try:
        return Corrections.model_validate(data).corrections
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{path}: not a corrections file: {where}: {first['msg']}") from None


def merged(old: list[Correction], new: list[Correction]) -> list[Correction]:
    """One entry per (form_id, field): a later one replaces an earlier one, in place."""
    by_key: dict[tuple[str, str], Correction] = {}
    for item in [*old, *new]:
        by_key[(item.form_id, item.field)] = item
    return list(by_key.values())


def save(out_dir: Path, items: list[Correction]) -> Path:
    from pipeline.files import atomic_write, inside

    path = inside(out_dir, out_dir / CORRECTIONS_FILE)
    text = Corrections(corrections=items).model_dump_json(indent=1, exclude_none=True)
    atomic_write(path, text + "\n")
    return path


def _parent(record: dict, field: str) -> tuple[Any, Any] | None:
    """(container, key) of a field path in a record, or None when the path does not exist there."""
    steps = [(name, int(index) if index else None) for name, index in _STEP.findall(field)]
    if not steps or "".join(f"[{i}]" if i is not None else f".{n}" for n, i in steps).lstrip(".") != field:
        return None
    node: Any = record
    keys = [n if i is None else i for n, i in steps]
    for key in keys[:-1]:
        node = _child(node, key)
        if node is None:
            return None
    last = keys[-1]
    if isinstance(node, dict) and isinstance(last, str) and last in node:
        return node, last
    if isinstance(node, list) and isinstance(last, int) and last < len(node):
        return node, last
    return None


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, dict) and isinstance(key, str):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return None


def _candidates(value: Any, current: Any) -> list[Any]:
    """What a given value may be stored as, best first. The review page sends text: empty text is
    an empty field; a field holding a number takes text as a number (the one number parser:
    `1,200.50`, full-width digits) or refuses it; any other field takes a number where its type
    allows one (`95` for an indicator's value misread as `ee`), else the text. A JSON number given for a text
    field is taken as its text."""
    if isinstance(value, str) and value.strip() == "":
        return [None, value]
    if not isinstance(value, str):
        return [value] if value is None or isinstance(value, bool) else [value, str(value)]
    number = parse_number(value)
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        return [number] if number is not None else []
    return [number, value] if number is not None else [value]


class _Refused(ValueError):
    """A correction's value the field cannot hold."""


def _fit(node: Any, key: Any, candidates: list[Any], record: dict, validate) -> Any:
    """The first candidate the record's schema takes, set in place; else _Refused saying why."""
    if not candidates:
        raise _Refused("holds a number, and the value is not one")
    why = ""
    for value in candidates:
        node[key] = value
        if validate is None:
            return value
        try:
            validate(record)
            return value
        except ValueError as exc:
            why = str(exc).splitlines()[0]
    raise _Refused(f"the value {candidates[-1]!r} does not fit it ({why})")


def apply(record: dict, items: list[Correction], validate=None) -> tuple[bool, list[str]]:
    """Apply the corrections of this record's form; (changed, problems). `validate(record)` raises
    ValueError for a record its template's schema refuses (then that correction is not applied)."""
    changed, problems = False, []
    review = record.setdefault("review", [])
    for item in items:
        if item.form_id != record.get("form_id"):
            continue
        where = _parent(record, item.field)
        if where is None or item.field in ("form_id", "source", "review", "confidence", "schema_version"):
            problems.append(f"form {item.form_id}: field '{item.field}' no longer exists; correction not applied")
            continue
        node, key = where
        earlier = next((r for r in review if r.get("kind") == "corrected" and r.get("field") == item.field), None)
        read = earlier["before"] if earlier else node[key]
        old = node[key]
        try:
            value = _fit(node, key, _candidates(item.value, read if read is not None else old), record, validate)
        except _Refused as exc:
            node[key] = old
            problems.append(f"form {item.form_id}: field '{item.field}': {exc}; correction not applied")
            continue
        reason = "confirmed by a person" if value == read else "corrected by a person"
        entry = {"kind": "corrected", "field": item.field, "reason": reason + (f": {item.note}" if item.note else ""),
                 "before": read, "after": value, "page": None, "bbox": None, "alternatives": None}
        flagged = next((r for r in review if r.get("field") == item.field and r.get("page") is not None), None)
        if flagged is not None:
            entry["page"], entry["bbox"] = flagged["page"], flagged.get("bbox")
        if earlier is not None and earlier == entry and old == value:
            continue  # applied before: nothing to do
        if earlier is not None:
            review[review.index(earlier)] = entry
        else:
            review.append(entry)
        record.setdefault("confidence", {})[item.field] = 1.0
        changed = True
    return changed, problems


def unmatched(items: list[Correction], form_ids: set[str]) -> list[str]:
    """Corrections of forms the run no longer holds."""
    return [f"form {c.form_id}: no such form in this run; correction of '{c.field}' not applied"
            for c in items if c.form_id not in form_ids]


def apply_run(entries: list[dict], settings, items: list[Correction] | None = None) -> dict:
    """Apply OUT/corrections.json (or `items`) to every record of a run's entries: rewrite the forms
    that changed (JSON, CSV, resume state); return {"applied", "problems"} for the manifest."""
    from pipeline.records import record_model
    from pipeline.state import RunState
    from pipeline.files import inside
    from pipeline.stages.write import write_form

    out_dir = settings.out_dir
    if items is None:
        path = out_dir / CORRECTIONS_FILE
        if not path.is_file():
            return {"applied": 0, "problems": []}
        try:
            items = load(path)
        except UsageError as exc:  # the conversions stand; the run says why none was corrected
            return {"applied": 0, "problems": [str(exc)]}
    specs = {spec.template: spec for spec in settings.forms}
    state = RunState(out_dir, settings.fingerprint())
    problems: list[str] = []
    form_ids: set[str] = set()
    for entry in entries:
        dirty = False
        for form in entry.get("records", []):
            record, spec = form["record"], specs.get(form["record"].get("template"))
            form_ids.add(record.get("form_id"))
            if spec is None:
                continue
            model = record_model(spec)
            changed, trouble = apply(record, items, model.model_validate)
            problems += trouble
            if changed:
                write_form(record, spec, inside(out_dir, out_dir / form["json"]), settings)
                dirty = True
        if dirty and entry.get("out_name"):
            state.record(entry["out_name"], entry)
    problems += unmatched(items, form_ids)
    applied = sum(1 for entry in entries for form in entry.get("records", [])
                  for r in form["record"].get("review", []) if r.get("kind") == "corrected")
    return {"applied": applied, "problems": problems}
