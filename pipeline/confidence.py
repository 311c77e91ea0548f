"""Calibrated confidence: for every field of a record, the probability that it is right.

The evidence of one field (`features`): where its text came from (a PDF's text layer,
a table file, a dump, or OCR), the recogniser's confidence in the reading, a seal over
it, other readings the re-read found and how far behind they were, whether repair
changed it, whether a check or a rule already flagged it, and whether it is empty.
A logistic model over that evidence (`configs/confidence.yaml`) is fitted on the
development corpus by scripts/calibrate_confidence.py and checked there against the
held-out corpus; the probability it gives goes into the record (`confidence`), and a
field under `threshold` that nothing flagged yet gets an `uncertain` review item with
its alternatives. The threshold is chosen so that the fields above it are wrong at most
`max_error_above` of the time on the development set.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.model import FLAG_KINDS, Cell, RawForm, ReviewItem, TextLine
from pipeline.resources import data_dir

FEATURES = ["bias", "ocr", "ocr_logit", "weak_logit", "ocr_short", "ocr_chars", "sealed", "alternatives",
            "alt_margin", "repaired", "flagged", "scanned_empty", "scanned_derived",
            "long_text", "numeric", "photo", "turned", "bilevel", "form_flags",
            "is_label", "is_name", "is_target", "is_note", "is_head", "empty_note", "empty_target",
            "ocr_logit_label", "ocr_logit_name", "ocr_logit_target", "ocr_logit_note", "ocr_logit_head",
            "weak_logit_label", "weak_logit_name", "weak_logit_target", "weak_logit_note", "weak_logit_head"]
# what a field is, by the last part of its path: each kind has its own error rate (a taxonomy label
# read against the vocabulary is rarely wrong, a head line under a seal often); other fields
# (budget lines, tasks, funds) are the baseline
FIELD_KINDS = {"is_label": {"level1", "level2"}, "is_name": {"level3", "name", "indicator"},
               "is_target": {"value", "comparator", "unit"}, "is_note": {"note", "description"}}
CONFIDENCE_FILE = data_dir("configs") / "confidence.yaml"


def evidence_of(item: Cell | TextLine) -> dict:
    """What a field keeps of the cell or line it was read from."""
    alternatives = [(t, p) for t, p in (item.alternatives or []) if isinstance(p, (int, float))]
    return {"source": item.source, "confidence": float(item.confidence), "sealed": bool(item.sealed),
            "weakest": float(min(getattr(item, "weakest", 1.0), item.confidence)),
            "alternative": max((p for _t, p in alternatives), default=None), "chars": len(item.text or ""),
            "alternatives": alternatives[:3], "page": item.page, "bbox": getattr(item, "bbox", None)}


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def read_from_text_layer(x: list[float]) -> bool:
    """A field of a page that was not scanned (no OCR, no scanned page's empty or derived field)."""
    f = dict(zip(FEATURES, x))
    return not (f["ocr"] or f["scanned_empty"] or f["scanned_derived"])


def page_quality(page) -> dict:
    """What a scanned page went through, as evidence for every field read from it."""
    steps = {step.get("kind") for step in ((page.transform or {}).get("steps") or [])}
    return {"photo": "perspective" in steps, "turned": bool(page.rotation), "scanned": bool(page.scanned),
            "bilevel": bool(page.bilevel)}


def field_kind(path: str) -> list[float]:
    """One-hot over FIELD_KINDS and head fields (a top-level path), in FEATURES order."""
    leaf = path.rsplit(".", 1)[-1]
    return [float(leaf in names) for names in FIELD_KINDS.values()] + [float("." not in path and "[" not in path)]


def features(value, evidence: dict | None, kinds: set[str], page: dict | None = None,
             form_flags: int = 0, path: str = "") -> list[float]:
    """The evidence of one field as the model's inputs (in FEATURES order). `form_flags`: how many
    review items of the form ask a person to look (a form whose structure gave trouble is less
    sure everywhere)."""
    ocr = bool(evidence) and evidence["source"] == "ocr"
    conf = evidence["confidence"] if evidence else 1.0
    weakest = evidence.get("weakest", conf) if evidence else 1.0
    alt = evidence.get("alternative") if evidence else None
    chars = evidence["chars"] if evidence else len(str(value or ""))
    page = page or {}
    empty = value in (None, "") and page.get("scanned", False)
    kind = field_kind(path) if page.get("scanned", False) else [0.0] * (len(FIELD_KINDS) + 1)
    return [
        1.0,
        float(ocr),
        _logit(conf) if ocr else 0.0,
        _logit(weakest) if ocr else 0.0,
        float(ocr and chars <= 2),  # a lone glyph: `/`, `≥`, `%`, a digit — the hardest reads
        math.log1p(chars) if ocr else 0.0,
        float(bool(evidence and evidence["sealed"])),
        float(ocr and alt is not None),
        (math.log(max(conf, 1e-4) / max(alt, 1e-4)) if ocr and alt is not None else 0.0),
        float("repair" in kinds),
        float(bool(kinds & set(FLAG_KINDS))),
        # on a scan an empty field is often a cell OCR lost (on a text layer it is what the form says);
        # a derived one was typed or inferred from other fields, not read from one cell
        float(empty),
        float(evidence is None and page.get("scanned", False)),
        float(ocr and chars > 40),
        float(isinstance(value, (int, float)) and not isinstance(value, bool)),
        float(ocr and page.get("photo", False)),
        float(ocr and page.get("turned", False)),
        float(ocr and page.get("bilevel", False)),
        math.log1p(form_flags) if page.get("scanned", False) else 0.0,
        *kind,
        # most notes and many units are blank on the form: a blank there is what is printed, not a loss
        float(empty and kind[list(FIELD_KINDS).index("is_note")] > 0),
        float(empty and kind[list(FIELD_KINDS).index("is_target")] > 0),
        # how much a recogniser score says depends on what is read: a weak character in a long note
        # is common and often right, in a one-glyph unit it is the reading itself
        *(_logit(conf) * k if ocr else 0.0 for k in kind),
        *(_logit(weakest) * k if ocr else 0.0 for k in kind),
    ]


@dataclass
class Calibration:
    weights: list[float]
    threshold: float = 0.9
    max_error_above: float = 0.002
    fitted_on: str = ""
    measured: dict = field(default_factory=dict)
    # a field read from a text layer (digital PDF, Word/Excel/HTML/Markdown table, dump): its
    # probability is the accuracy measured on the held-out digital corpus, not this model's
    text_layer: float = 0.99998

    def probability(self, x: list[float]) -> float:
        z = sum(w * v for w, v in zip(self.weights, x))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    @classmethod
    def load(cls, path: Path = CONFIDENCE_FILE) -> "Calibration":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        weights = data["weights"]
        return cls(weights=[float(weights[name]) for name in FEATURES], threshold=float(data["threshold"]),
                   max_error_above=float(data.get("max_error_above", 0.002)), fitted_on=data.get("fitted_on", ""),
                   measured=data.get("measured", {}), text_layer=float(data.get("text_layer", 0.99998)))

    def dump(self, path: Path) -> None:
        data = {"weights": dict(zip(FEATURES, (round(w, 5) for w in self.weights))),
                "threshold": round(self.threshold, 5), "max_error_above": self.max_error_above,
                "text_layer": self.text_layer,
                "fitted_on": self.fitted_on, "measured": self.measured}
        header = "# Written by scripts/calibrate_confidence.py; see pipeline/confidence.py. Do not edit by hand.\n"
        path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def record_paths(record: dict) -> Iterator[tuple[str, object]]:
    """(path, value) of every leaf field of a record, in the review items' terms (`indicators[3].value`)."""
    skip = {"schema_version", "form_id", "form_type", "template", "review", "source", "confidence"}
    for name, value in record.items():
        if name in skip:
            continue
        if isinstance(value, dict):
            for sub, leaf in value.items():
                yield f"{name}.{sub}", leaf
        elif isinstance(value, list):
            for i, row in enumerate(value):
                if isinstance(row, dict):
                    for sub, leaf in row.items():
                        yield f"{name}[{i}].{sub}", leaf
        else:
            yield name, value


def field_evidence(form: RawForm, path: str) -> dict | None:
    """The evidence a field was read with: its own cell's (a target cell's is also that of the
    comparator and unit it gave, a label box's that of every row it names), or None: a blank
    cell, or a field derived from others. Never a neighbour's: a blank unit is not as unsure as
    the comparator beside it."""
    return form.evidence.get(path)


def field_place(form: RawForm, path: str) -> dict | None:
    """Where a reviewer finds the field: its own cell or line, else its row's (row_place)."""
    if path in form.evidence:
        return form.evidence[path]
    if path in form.places:
        return form.places[path]
    return row_place(form, path.rsplit(".", 1)[0]) if "[" in path else None


def row_place(form: RawForm, row: str) -> dict | None:
    """A row's place: the union of its own cells on its first page. A merged label cell (一级/二级
    指标) names many rows, so cells much taller than the row's lowest are left out."""
    cells = [e for p, e in form.evidence.items() if p.startswith(row + ".") and e.get("bbox") is not None]
    if not cells:
        return None
    page = cells[0]["page"]
    boxes = [e["bbox"] for e in cells if e["page"] == page]
    low = min(b[3] - b[1] for b in boxes)
    boxes = [b for b in boxes if b[3] - b[1] <= 1.5 * low + 1.0]
    return {"page": page, "bbox": (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                   max(b[2] for b in boxes), max(b[3] for b in boxes))}


def review_kinds(form: RawForm) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for item in form.review:
        kinds.setdefault(item.field, set()).add(item.kind)
    return kinds


def kinds_for(path: str, kinds: dict[str, set[str]]) -> set[str]:
    """Review kinds naming this field, or the row or block holding it."""
    out: set[str] = set()
    for name, ks in kinds.items():
        if path == name or path.startswith((name + ".", name + "[")):
            out |= ks
    return out


def form_features(form: RawForm, pages: dict | None = None) -> dict[str, list[float]]:
    kinds = review_kinds(form)
    pages = pages or {}
    form_flags = sum(item.kind in FLAG_KINDS for item in form.review)
    out = {}
    for path, value in record_paths(form.record):
        evidence = field_evidence(form, path)
        page = pages.get((evidence or {}).get("page")) or pages.get(form.pages[0] if form.pages else None)
        out[path] = features(value, evidence, kinds_for(path, kinds), page, form_flags, path)
    return out


_CALIBRATION: list[Calibration] = []


def calibration() -> Calibration:
    if not _CALIBRATION:
        _CALIBRATION.append(Calibration.load())
    return _CALIBRATION[0]


def _hints(evidence: dict | None, weak_below: float, place: dict | None = None) -> list[str]:
    """What a reviewer should know of the reading: the evidence that weighed most against it.
    `weak_below`: the recogniser score under which a reading is unsure (settings.ocr.uncertain_below,
    as repair's RepairContext.unsure has it)."""
    if not evidence:
        if place and place.get("bbox") is not None:  # the title, year or unit line above the table
            return ["read from a line outside the table (title, year or unit): check it against the page"]
        return ["no cell read for it (blank, or derived from other fields)"]
    hints = ["read under a seal: check it against the paper"] if evidence["sealed"] else []
    if evidence["source"] == "ocr" and evidence["confidence"] < weak_below:
        hints.append(f"recogniser confidence {evidence['confidence']:.2f}")
    return hints


def score_form(form: RawForm, model: Calibration | None = None, pages: dict | None = None,
               weak_below: float = 0.8) -> dict[str, float]:
    """Each field's probability of being right; fields under the threshold that nothing flagged
    are flagged `uncertain` here, with the alternatives the reading had. `pages`: page number →
    page_quality."""
    model = model or calibration()
    feats = form_features(form, pages)
    form.features = feats
    scores = {path: round(model.text_layer if read_from_text_layer(x) else model.probability(x), 5)
              for path, x in feats.items()}
    kinds = review_kinds(form)
    values = dict(record_paths(form.record))
    for path, p in scores.items():
        if p < model.threshold and not (kinds_for(path, kinds) & set(FLAG_KINDS)):
            evidence, place = field_evidence(form, path), field_place(form, path)
            reason = (f"confidence {p:.4f} is under {model.threshold:.4f} (calibrated on the development corpus)"
                      + "".join(f"; {hint}" for hint in _hints(evidence, weak_below, place)))
            form.review.append(ReviewItem(
                kind="uncertain", field=path, reason=reason, after=values.get(path),
                page=place.get("page") if place else None, bbox=place.get("bbox") if place else None,
                alternatives=(evidence or {}).get("alternatives") or None))
    return scores


def place_items(form: RawForm) -> None:
    """A review item that names no place (a check on a row, a field a line gave) gets its field's,
    so that the reviewer is shown the field on the page."""
    for item in form.review:
        if item.bbox is None:
            place = row_place(form, item.field) if item.field.endswith("]") else field_place(form, item.field)
            if place and place.get("bbox") is not None:
                item.page, item.bbox = place.get("page"), place["bbox"]


def run(doc, settings):
    """The form stage: every record gets `confidence`; its review list the fields under the threshold."""
    pages = {page.number: page_quality(page) for page in doc.pages}
    for form in doc.forms:
        form.record["confidence"] = score_form(form, pages=pages, weak_below=settings.ocr.uncertain_below)
        place_items(form)
        form.record["review"] = [item.model_dump(mode="json") for item in form.review]
    return doc
