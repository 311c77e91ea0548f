"""Labelled fields: `项目名称 | 人民调解专项`, `年度本级预算金额 | 10 | 项目类别 | 特定目标类`.

A value belongs to the nearest label to its left in the same row, whatever
column the extraction left either in, so shifted and merged cells do not
matter. A label and its value in one cell (`项目名称：X`) are split. A row of
labels alone (`中期目标 | 年度目标`) has its values in the row below, under them.
Captions (`总体目标`, merged down the left of a block) are labels without values.
"""

from __future__ import annotations

import re

from pipeline.model import Cell
from pipeline.repair.context import RepairContext
from pipeline.spec import FieldDef
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
            if re.fullmatch(r"[（(][^）)]{1,16}[）)]", rest):  # 预算金额（万元）, 中期目标（2026年—2028年）
                return name, ""
            head, value = _split_colon(text)
            if value is not None and label_key(head) == label:
                return name, value.strip()
    return None


MISREAD_LABEL_MIN_CHARS = 4  # one character of a shorter label is too much of it to guess


def _misread_label(cell: Cell, labels: list[tuple[str, str]], ctx: RepairContext) -> tuple[str, str] | None:
    """A row's first OCR'd cell one character away from exactly one of the template's labels
    (`頓目名称` for 项目名称 on a fax): taken as that label, flagged, so that the value beside it is
    not dropped with the whole field."""
    key = label_key(cell.text)
    if len(key) < MISREAD_LABEL_MIN_CHARS:
        return None
    near = {name: label for label, name in labels
            if len(label) == len(key) and sum(a != b for a, b in zip(label, key)) == 1}
    if len(near) != 1:
        return None
    [(name, label)] = near.items()
    ctx.form.note("inferred", name, f"label read as {cell.text!r}, one character from {label!r}: taken as it",
                  before=cell.text, after=label, cell=cell)
    return name, ""


def _split_colon(text: str) -> tuple[str, str | None]:
    parts = re.split(r"[：:]", text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text, None)


def collect_fields(rows: list[list[Cell]], ctx: RepairContext, defs: dict[str, FieldDef],
                   captions: list[str] = ()) -> dict[str, tuple[str | None, Cell | None]]:
    """Field name → (value text, first value cell) for every label found in `rows`."""
    labels = label_index(defs)
    caption_keys = {label_key(c) for c in captions}
    found: dict[str, list[tuple[str, Cell]]] = {}
    above: list[tuple[str, Cell]] = []  # a row of labels alone, waiting for its values below
    for row in rows:
        texts = [c for c in row if c.text and label_key(c.text) not in caption_keys]
        hits = [match_label(c.text, labels) for c in texts]
        if len(texts) >= 2 and hits[0] is None and texts[0].source == "ocr":
            hits[0] = _misread_label(texts[0], labels, ctx)
        if above and texts and not any(hits):
            _values_below(above, texts, found, ctx)
            above = []
            continue
        above = []
        if texts and all(h is not None and not h[1] for h in hits) and len(texts) >= 2:
            above = [(h[0], c) for h, c in zip(hits, texts) if h[0] not in found]
            for name, _cell in above:
                found[name] = []
            continue
        current: str | None = None
        for cell, hit in zip(texts, hits):
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


def _values_below(labels: list[tuple[str, Cell]], cells: list[Cell], found: dict, ctx: RepairContext) -> None:
    """Each value under the label whose columns it shares; in order when the counts agree."""
    if len(cells) == len(labels):
        pairs = list(zip(labels, cells))
    else:
        pairs = [(next(((n, lc) for n, lc in labels if lc.col < c.col + c.col_span and c.col < lc.col + lc.col_span),
                       (None, None)), c) for c in cells]
    for (name, _label), cell in pairs:
        if name is None:
            ctx.form.note("warning", "table", "text under no label; ignored", after=cell.text, cell=cell)
        else:
            found[name].append((ctx.take(name, cell), cell))
