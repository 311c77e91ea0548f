"""Amount blocks: each amount found under its own label, whatever the block's layout.

The department's budget block (资金总额 | 按收入性质分 … | 按支出性质分 …) has two
header rows whose merged cells a plain extraction scatters; an amount is the
first number below its label in the columns the label covers, else the number
right of it — so the block reads the same whether the total sits beside or
below its label. A block of pairs side by side (中期资金总额 | N | 年度资金总额 | N)
gives the k-th pair of a row to the k-th group. A matrix (年初预算数 | 全年预算数 …
across, 年度资金总额 down) gives the record one of its rows.
"""

from __future__ import annotations

from pipeline.model import Cell
from pipeline.repair.align import Slot, align_row
from pipeline.repair.context import RepairContext
from pipeline.text import label_key, parse_number as _parse_number
from pipeline.values import unwrap_number
from pipeline.spec import AmountItem, AmountRowSection, AmountsSection


def parse_number(text: str | None):
    """An amount as a narrow cell may have wrapped it (`389↵9.31`)."""
    return _parse_number(unwrap_number(text)) if text else None


def _overlaps(a: Cell, b: Cell) -> bool:
    return a.col < b.col + b.col_span and b.col < a.col + a.col_span


def _keys(items: list[AmountItem]) -> dict[str, str]:
    return {label_key(label): item.field for item in items for label in item.labels}


def read_amounts(rows: list[list[Cell]], section: AmountsSection, ctx: RepairContext) -> dict:
    """Field → amount (or group → field → amount); blank totals inferred from their parts."""
    if section.items:
        out = {section.name: _read_items(rows, section.items, section.name, ctx)}
    else:
        out = _read_groups(rows, section, ctx)
    for where, amounts in out.items():
        infer_totals(amounts, section.sums, where, ctx)
    return out


def _read_items(rows: list[list[Cell]], items: list[AmountItem], where: str, ctx: RepairContext) -> dict:
    keys = _keys(items)
    amounts: dict[str, float | int | None] = {item.field: None for item in items}
    for r, row in enumerate(rows):
        for cell in row:
            field = keys.get(label_key(cell.text))
            if field is None or amounts[field] is not None:
                continue
            value_cell = _first_number_below(rows, r, cell) or _number_right_of(row, cell)
            if value_cell is not None:
                amounts[field] = parse_number(ctx.take(f"{where}.{field}", value_cell))
    return amounts


def _read_groups(rows: list[list[Cell]], section: AmountsSection, ctx: RepairContext) -> dict:
    out = {group.field: {item.field: None for item in group.items} for group in section.groups}
    for row in rows:
        pair = 0  # the label–value pairs of this row, left to right
        for cell in row:
            key = label_key(cell.text)
            fits = [(g, k[key]) for g in section.groups if key in (k := _keys(g.items))]
            if not fits:
                continue
            group, field = fits[min(pair, len(fits) - 1)] if len(fits) > 1 else fits[0]
            pair += 1
            value_cell = _number_right_of(row, cell)
            if value_cell is not None and out[group.field][field] is None:
                out[group.field][field] = parse_number(ctx.take(f"{group.field}.{field}", value_cell))
    return out


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


def infer_totals(amounts: dict, sums: dict[str, list[list[str]]], where: str, ctx: RepairContext) -> None:
    """A blank total is the sum of the first set of its parts that has any value."""
    for total, part_sets in sums.items():
        if amounts.get(total) is not None:
            continue
        for parts in part_sets:
            values = [amounts.get(p) for p in parts]
            if any(v is not None for v in values):
                value = round(sum(v for v in values if v is not None), 6)
                amounts[total] = int(value) if float(value).is_integer() else value
                ctx.form.note("inferred", f"{where}.{total}", f"{total} blank; sum of {' + '.join(parts)}",
                              after=amounts[total])
                break


def read_amount_row(rows: list[list[Cell]], section: AmountRowSection, ctx: RepairContext) -> dict:
    """The row labelled one of `row_labels`, its cells placed under the matrix's column header."""
    keys = {label_key(label): col.field for col in section.columns for label in col.labels}
    row_keys = {label_key(label) for label in section.row_labels}
    out: dict[str, str | None] = {col.field: None for col in section.columns}
    slots: list[Slot] = []
    for row in rows:
        header = [c for c in row if label_key(c.text) in keys]
        if len(header) >= 2 and not slots:
            slots = [Slot(keys[label_key(c.text)], c.col, c.col + c.col_span) for c in header]
            continue
        label = next((c for c in row if label_key(c.text) in row_keys), None)
        if label is None or not slots:
            continue
        cells = [c for c in row if c.text and c.col >= label.col + label.col_span]
        placed, _unplaced = align_row(cells, slots, lambda c, f: 0.0)
        for field, cell in placed.items():
            out[field] = ctx.take(f"{section.name}.{field}", cell)
        break
    return out
