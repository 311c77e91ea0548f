"""The department form's own sections: main tasks and the budget block.

Budget block (资金总额 | 按收入性质分 … | 按支出性质分 …) has two header rows
whose merged cells a plain extraction scatters; each amount is found under its
own label — the first number below it in the columns the label covers — so
the block reads the same whether the total sits beside or below its label.
"""

from __future__ import annotations

from pipeline.config import BudgetItem
from pipeline.model import Cell
from pipeline.repair.align import Slot, align_row
from pipeline.repair.context import RepairContext
from pipeline.text import label_key, parse_number


def _overlaps(a: Cell, b: Cell) -> bool:
    return a.col < b.col + b.col_span and b.col < a.col + a.col_span


def read_budget(rows: list[list[Cell]], items: list[BudgetItem], ctx: RepairContext) -> dict:
    keys = {label_key(label): item.field for item in items for label in item.labels}
    budget: dict[str, float | int | None] = {item.field: None for item in items}
    for r, row in enumerate(rows):
        for cell in row:
            field = keys.get(label_key(cell.text))
            if field is None or budget[field] is not None:
                continue
            value_cell = _first_number_below(rows, r, cell) or _number_right_of(row, cell)
            if value_cell is not None:
                budget[field] = parse_number(ctx.take(f"budget.{field}", value_cell))
    return budget


def _first_number_below(rows: list[list[Cell]], r: int, label: Cell) -> Cell | None:
    for below in rows[r + 1:]:
        for cell in below:
            if _overlaps(cell, label) and cell.text:
                return cell if parse_number(cell.text) is not None else None
    return None


def _number_right_of(row: list[Cell], label: Cell) -> Cell | None:
    """`资金总额 | 977.11` laid out side by side."""
    after = [c for c in row if c.col >= label.col + label.col_span and c.text]
    if after and parse_number(after[0].text) is not None:
        return after[0]
    return None


def infer_budget_total(budget: dict, ctx: RepairContext) -> None:
    if budget.get("total") is not None:
        return
    for parts in (("basic_expenditure", "project_expenditure"),
                  ("general_public_budget", "government_fund", "special_account", "other_funds")):
        values = [budget.get(p) for p in parts]
        if any(v is not None for v in values):
            total = round(sum(v for v in values if v is not None), 6)
            budget["total"] = int(total) if float(total).is_integer() else total
            ctx.form.note("inferred", "budget.total", f"资金总额 blank; sum of {' + '.join(parts)}",
                          after=budget["total"])
            return


def read_tasks(rows: list[list[Cell]], columns: dict[str, list[str]], section_cell: Cell,
               ctx: RepairContext) -> list[dict]:
    """Task rows under a `任务名称 | 主要内容` header (which shares the section label's row)."""
    keys = {label_key(label): name for name, labels in columns.items() for label in labels}
    header = [c for c in rows[0] if label_key(c.text) in keys] if rows else []
    slots = [Slot(keys[label_key(c.text)], c.col, c.col + c.col_span) for c in header]
    if not slots:
        slots = [Slot("name", 1, 2), Slot("content", 2, 3)]
    tasks: list[dict] = []
    for row in rows[1:] if header else rows:
        cells = [c for c in row if c.text and c is not section_cell]
        if not cells:
            continue
        placed, unplaced = align_row(cells, slots, lambda c, f: 0.0)
        where = f"main_tasks[{len(tasks)}]"
        if set(placed) == {"content"} and tasks:
            tasks[-1]["content"] = (tasks[-1]["content"] or "") + ctx.take(f"{where}.content", placed["content"])
            continue
        tasks.append({name: ctx.take(f"{where}.{name}", placed[name]) if name in placed else None
                      for name in ("name", "content")})
        for cell in unplaced:
            ctx.form.note("warning", where, "extra cell in a task row; left out", after=cell.text, cell=cell)
    return tasks
