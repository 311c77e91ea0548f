"""A list section: rows under a caption and a header (年度主要任务 | 任务名称 | 主要内容).

The header shares the caption's row; a row that only continues the last
column is the rest of the previous row's text (a wrapped task).
"""

from __future__ import annotations

from pipeline.model import Cell
from pipeline.repair.align import Slot, align_row
from pipeline.repair.context import RepairContext
from pipeline.text import label_key
from pipeline.spec import ListSection


def read_list(rows: list[list[Cell]], section: ListSection, caption: Cell | None, ctx: RepairContext) -> list[dict]:
    keys = {label_key(label): col.field for col in section.columns for label in col.labels}
    header = [c for c in rows[0] if label_key(c.text) in keys] if rows else []
    slots = [Slot(keys[label_key(c.text)], c.col, c.col + c.col_span) for c in header]
    if not slots:  # no header printed: the columns right of the caption, in the spec's order
        slots = [Slot(col.field, i + 1, i + 2) for i, col in enumerate(section.columns)]
    names = [col.field for col in section.columns]
    items: list[dict] = []
    for row in rows[1:] if header else rows:
        cells = [c for c in row if c.text and c is not caption]
        if not cells:
            continue
        placed, unplaced = align_row(cells, slots, lambda c, f: 0.0)
        where = f"{section.name}[{len(items)}]"
        last = names[-1]
        if set(placed) == {last} and items:
            items[-1][last] = (items[-1][last] or "") + ctx.take(f"{where}.{last}", placed[last])
            continue
        items.append({name: ctx.take(f"{where}.{name}", placed[name]) if name in placed else None for name in names})
        for cell in unplaced:
            ctx.form.note("warning", where, "extra cell in a row; left out", after=cell.text, cell=cell)
    return items
