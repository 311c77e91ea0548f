"""What the review page asks a person: one card per field a review item names, per form.

A card holds what the reviewer decides on: the field's reading (what the tool read, before any
correction), its current value, the reasons every review item gives for it, the recogniser's
other readings and the calibrated confidence. An item that names a row (`indicators[9]`) or a
block (`budget`) makes a card over that row's or block's fields: the reviewer corrects whichever
of them is wrong, or accepts them all. A field a person already corrected (a `corrected` item,
from OUT/corrections.json) is a decided card showing that value.
"""

from __future__ import annotations

import re

from pipeline.confidence import record_paths
from pipeline.model import FLAG_KINDS
from pipeline.records import HEADER_FIELDS
from pipeline.spec import AmountRowSection, AmountsSection, FieldsSection, FormSpec, IndicatorsSection, ListSection

MAX_LEAVES = 12  # a card over more fields than this (a whole section) is one to look at, not to edit
_HEADER_LABELS = {"title": "标题", "year": "年度", "reporting_unit": "填报单位", "amount_unit": "金额单位",
                  "signer": "签名"}
_ROLES = {"comparator": "符号", "value": "数值", "unit": "单位"}  # the parts of a target cell (≥ 95 %)
_ROW = re.compile(r"^([A-Za-z_]\w*)\[(\d+)\](?:\.(\w+))?$")


def field_labels(spec: FormSpec) -> dict[str, str]:
    """Record field (or `section.` column) → the label the form prints for it."""
    labels = {name: _HEADER_LABELS[name] for name in HEADER_FIELDS}
    for section in spec.sections:
        if isinstance(section, FieldsSection):
            labels.update({name: d.labels[0] for name, d in section.fields.items()})
        elif isinstance(section, (IndicatorsSection, ListSection, AmountRowSection)):
            for column in section.columns:  # a column's own field first, then the parts others give it
                if not column.into:
                    labels[f"{section.name}.{column.field}"] = column.labels[0]
            for column in section.columns:
                for role, name in column.into.items():
                    labels.setdefault(f"{section.name}.{name}", f"{column.labels[0]}（{_ROLES.get(role, role)}）")
            if isinstance(section, IndicatorsSection) and section.totals is not None:
                labels.update({name: f"{section.totals.labels[0]} {column}"
                               for column, name in section.totals.into.items()})
        elif isinstance(section, AmountsSection):
            labels.update({f"{section.name}.{i.field}": i.labels[0] for i in section.items})
            for group in section.groups:
                labels.update({f"{group.field}.{i.field}": i.labels[0] for i in group.items})
    return labels


def label_of(path: str, labels: dict[str, str], record: dict, spec: FormSpec) -> str:
    """`indicators[3].value` → `指标值 · 第4行 案件办结率`: the printed label and, in a grid, the row."""
    match = _ROW.match(path)
    if match:
        section, index, column = match.group(1), int(match.group(2)), match.group(3)
        rows = record.get(section) or []
        key = _row_key(spec, section)
        name = rows[index].get(key) if index < len(rows) and isinstance(rows[index], dict) and key else None
        where = f"第{index + 1}行" + (f" {name}" if name else "")
        return f"{labels.get(f'{section}.{column}', column)} · {where}" if column else where
    return labels.get(path, path)


def _row_key(spec: FormSpec, section: str) -> str | None:
    for s in spec.sections:
        if isinstance(s, (IndicatorsSection, ListSection)) and s.name == section:
            return s.key
    return None


def form_cards(record: dict, spec: FormSpec) -> list[dict]:
    """The cards of one record, in reading order (page, then top to bottom, left to right)."""
    values = dict(record_paths(record))
    labels = field_labels(spec)
    confidence = record.get("confidence") or {}
    corrected = {r["field"]: r for r in record.get("review", []) if r.get("kind") == "corrected"}
    by_field: dict[str, list[dict]] = {}
    for item in record.get("review", []):
        if item.get("kind") != "corrected" and item.get("field"):
            by_field.setdefault(item["field"], []).append(item)
    cards = []
    for field, items in by_field.items():
        leaves = [field] if field in values else [p for p in values if p.startswith((field + ".", field + "["))]
        placed = next((i for i in items if i.get("bbox")), None) or next((i for i in items if i.get("page")), None)
        alternatives: dict[str, float] = {}
        for item in items:
            for text, score in item.get("alternatives") or []:
                alternatives[str(text)] = max(score, alternatives.get(str(text), 0.0))
        sure = [confidence[p] for p in leaves if p in confidence]
        cards.append({
            "form_id": record["form_id"], "field": field, "label": label_of(field, labels, record, spec),
            "kinds": sorted({i["kind"] for i in items}),
            "flagged": any(i["kind"] in FLAG_KINDS for i in items),
            "reasons": [{"kind": i["kind"], "reason": i.get("reason", ""), "before": i.get("before"),
                         "after": i.get("after")} for i in items],
            "leaves": [{"field": p, "label": label_of(p, labels, record, spec),
                        "reading": corrected[p]["before"] if p in corrected else values[p],
                        "value": values[p],
                        "decided": p in corrected} for p in leaves] if len(leaves) <= MAX_LEAVES else [],
            "alternatives": sorted(alternatives.items(), key=lambda kv: -kv[1])[:5],
            "confidence": min(sure) if sure else None,
            "page": (placed or {}).get("page"), "bbox": (placed or {}).get("bbox"),
        })
    cards.sort(key=lambda c: (c["page"] or 0, *(_order(c["bbox"]))))
    return cards


def _order(bbox) -> tuple[float, float]:
    return (round(bbox[1] / 6.0), bbox[0]) if bbox else (1e9, 0.0)  # rows within ~6 pt read as one line
