"""`pipeline review OUT`: the static review page of a run, `OUT/review.html` and `OUT/review_files/`.

Nothing is fetched and no server runs: the page is one HTML file (its script and style inlined
from pipeline/review/assets/), its data in `review_files/data.js` (a script, which a page opened
from disk may load where it may not fetch a JSON file), and the pictures beside it. A person's
decisions are kept in the browser's storage while they work and saved as a corrections file
(schema/corrections.schema.json) for `pipeline apply OUT FILE`.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.files import atomic_write, inside, out_lock
from pipeline.state import read_manifest
from pipeline.review.collect import form_cards
from pipeline.review.pictures import Sources, form_pictures

PAGE = "review.html"
FOLDER = "review_files"
ASSETS = Path(__file__).parent / "assets"


@dataclass
class Built:
    page: Path
    forms: int = 0
    cards: int = 0
    flagged: int = 0
    warnings: list[str] = field(default_factory=list)


def _records(out_dir: Path, manifest: dict, specs: dict) -> list[tuple[dict, dict, str]]:
    """(manifest entry, record, its JSON path relative to OUT) of every form the run wrote."""
    found = []
    for entry in manifest.get("inputs", []):
        for rel in entry.get("outputs", []):
            if not rel.endswith(".json"):
                continue
            try:
                record = json.loads((out_dir / rel).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(record, dict) and record.get("form_id") and record.get("template") in specs:
                found.append((entry, record, rel))
    return found


def _source_files(entry: dict, record: dict, sources: Sources) -> tuple[dict[str, Path], list[str]]:
    """The geometry's file names → the files on this machine; the names not found."""
    typed = [entry.get("file", "")] + list(entry.get("parts", []))
    whole = None if entry.get("parts") else (record.get("source") or {}).get("sha256")
    names = {g.get("file") for g in (record.get("source") or {}).get("geometry", []) if g.get("file")}
    files, missing = {}, []
    for name in sorted(names):
        path = sources.find(typed, name, whole)
        if path is None:
            missing.append(name)
        else:
            files[name] = path
    return files, missing


def build(out_dir: Path, settings, source_folders: list[Path] | None = None) -> Built:
    manifest = read_manifest(out_dir)
    with out_lock(out_dir):  # not while a run writes there
        return _build(out_dir, manifest, settings, source_folders)


def _build(out_dir: Path, manifest: dict, settings, source_folders: list[Path] | None) -> Built:
    if any((e.get("out_name") or "").split("/")[0] == FOLDER for e in manifest.get("inputs", [])):
        raise UsageError(f"{out_dir}: an input's output folder is named {FOLDER}; the review page needs that name")
    specs = {spec.template: spec for spec in settings.forms}
    folder = out_dir / FOLDER
    shutil.rmtree(folder, ignore_errors=True)  # pictures of an earlier page: forms may have gone
    folder.mkdir(parents=True)
    sources = Sources(source_folders or [])
    built = Built(page=out_dir / PAGE)
    forms, cards = [], []
    for index, (entry, record, rel) in enumerate(_records(out_dir, manifest, specs)):
        spec = specs[record["template"]]
        form_cards_ = form_cards(record, spec)
        if form_cards_:
            files, missing = _source_files(entry, record, sources)
            built.warnings += [f"{entry.get('file')}: source file {name} not found (or its bytes changed); "
                               f"its fields are shown without pictures (--source FOLDER names where it is)"
                               for name in missing]
            try:
                form_pictures(form_cards_, record, files, out_dir, f"{FOLDER}/f{index:04d}")
            except (OSError, ValueError) as exc:
                built.warnings.append(f"{entry.get('file')}: pictures not made: {exc}")
        forms.append({"form_id": record["form_id"], "name": record.get(spec.name_field) or record.get("title"),
                      "template": record["template"], "file": entry.get("file"), "json": rel,
                      "cards": len(form_cards_), "flagged": sum(c["flagged"] for c in form_cards_)})
        cards += form_cards_
    built.forms, built.cards, built.flagged = len(forms), len(cards), sum(c["flagged"] for c in cards)
    data = {"run": {"out": str(out_dir), "made": time.strftime("%Y-%m-%d %H:%M:%S"),
                    "key": str(out_dir.resolve())},
            "forms": forms, "cards": cards}
    text = json.dumps(data, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    atomic_write(inside(out_dir, folder / "data.js"), f"window.REVIEW = {text};\n")
    template = (ASSETS / "review.html").read_text(encoding="utf-8")
    page = (template.replace("/*STYLE*/", (ASSETS / "review.css").read_text(encoding="utf-8"))
            .replace("/*SCRIPT*/", (ASSETS / "review.js").read_text(encoding="utf-8"))
            .replace("{{DATA}}", f"{FOLDER}/data.js"))
    atomic_write(inside(out_dir, built.page), page)
    return built
