"""Labelled fields: `项目名称 | 人民调解专项`, `年度本级预算金额 | 10 | 项目类别 | 特定目标类`.

A value belongs to the nearest label to its left in the same row, whatever
column the extraction left either in, so shifted and merged cells do not
matter. A label and its value in one cell (`项目名称：X`) are split.
"""

from __future__ import annotations

import re

from pipeline.config import FieldDef
from pipeline.model import Cell
from pipeline.repair.context import RepairContext
from pipeline.text import label_key


def label_index(defs: dict[str, FieldDef]) -> list[tuple[str, str]]:
    """(label key, field name), longest label first so `年度本级预算金额` beats `预算金额`."""
    pairs = [(label_key(label), name) for name, d in defs.items() for label in d.labels]
    return sorted(pairs, key=lambda p: -len(p[0]))


def match_label(text: str, labels: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(field, rest) when the cell is a label — alone, with a unit suffix, or followed by its value."""
    key = label_key(text)
    if not key:
        return None
    for label, name in labels:
        if key == label:
            return name, ""
        if key.startswith(label):
            rest = key[len(label):]
            if re.fullmatch(r"[（(][^）)]{1,8}[）)]", rest):  # 预算金额（万元）
                return name, ""
            head, value = _split_colon(text)
            if value is not None and label_key(head) == label:
                return name, value.strip()
    return None


def _split_colon(text: str) -> tuple[str, str | None]:
    parts = re.split(r"[：:]", text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text, None)


def collect_fields(rows: list[list[Cell]], ctx: RepairContext,
                   defs: dict[str, FieldDef]) -> dict[str, tuple[str | None, Cell | None]]:
    """Field name → (value text, first value cell) for every label found in `rows`."""
    labels = label_index(defs)
    found: dict[str, list[tuple[str, Cell]]] = {}
    for row in rows:
        current: str | None = None
        for cell in row:
            if not cell.text:
                continue
            hit = match_label(cell.text, labels)
            if hit is not None and hit[0] not in found:
                current, rest = hit
                found[current] = [(rest, cell)] if rest else []
                continue
            if current is not None:
                found[current].append((ctx.take(current, cell), cell))
            else:
                ctx.form.note("warning", "table", "text with no label before it in its row; ignored",
                              after=cell.text, cell=cell)
    out: dict[str, tuple[str | None, Cell | None]] = {}
    for name, parts in found.items():
        if not parts:
            out[name] = (None, None)
            continue
        if len(parts) > 1:
            ctx.form.note("repair", name, f"value was split over {len(parts)} cells; joined",
                          before=[p[0] for p in parts], cell=parts[0][1])
        out[name] = ("".join(p[0] for p in parts), parts[0][1])
    return out
