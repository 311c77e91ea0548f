"""Layouts as a plain text dump (pipeline/stages/ingest.py parse_dump): tab-separated rows,
`## ` titles, plain lines around the grid, a blank line between tables.

With the damage a plain extraction of such forms shows (shared/seeds/000_*.txt), at about its
rates, and never beyond what a careful reader can undo:
  * text wrapped in a narrow cell comes out with a space at each line break (`调处矛盾纠纷成功 率`);
  * a merged cell's covered slots come out as empty strings, or a column-merged cell's are dropped
    (the row then padded with empty slots at its end);
  * now and then an indicator row is shifted one column (a 二级 label in the 一级 column, or an
    empty slot inserted before a 一级 label);
  * half-width punctuation mixed into full-width text (`填报单位 (盖章)`, `金额单位: 万元`, `,`);
  * a page break in the indicator table shows as a blank line and the header row again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from scripts.corpus.layout import Layout

HALF = {"，": ",", "（": "(", "）": ")", "：": ":", "；": ";"}


@dataclass
class Damage:
    wrap_spaces: bool
    drop_colspan: bool
    shift_rate: float
    half_width_cells: float
    half_width_preamble: bool
    extra_column: bool
    page_break_at: float | None     # where in the indicator rows a page break falls (share)
    em_per_line: float              # how many 1-em characters the grid's width holds

    @classmethod
    def draw(cls, rng: random.Random) -> "Damage":
        return cls(wrap_spaces=rng.random() < 0.35, drop_colspan=rng.random() < 0.3,
                   shift_rate=rng.choice([0.0, 0.0, 0.03, 0.06]),
                   half_width_cells=rng.choice([0.0, 0.0, 0.1, 0.3]),
                   half_width_preamble=rng.random() < 0.25, extra_column=rng.random() < 0.15,
                   page_break_at=rng.uniform(0.3, 0.8) if rng.random() < 0.15 else None,
                   em_per_line=rng.uniform(42, 70))


def _em(ch: str) -> float:
    return 0.55 if ord(ch) < 0x2E80 else 1.0


def wrap_spaced(text: str, ems: float) -> str:
    """The text broken where a cell `ems` wide would wrap it, a space at each break."""
    if ems < 2 or "\n" in text:
        return text
    out, line = [], 0.0
    for k, ch in enumerate(text):
        inside_latin = k > 0 and text[k - 1].isascii() and ch.isascii()  # 13873.71 never splits
        if line + _em(ch) > ems and out and not inside_latin:
            out.append(" ")
            line = 0.0
        out.append(ch)
        line += _em(ch)
    return "".join(out)


def _half(text: str) -> str:
    return "".join(HALF.get(ch, ch) for ch in text)


def preamble(lay: Layout, rng: random.Random, dmg: Damage) -> list[str]:
    lines = []
    if lay.signer:
        lines += [lay.signer, ""]
    lines += [f"## {lay.title}", ""]
    if lay.subtitle:
        lines += [lay.subtitle, ""]
    left, right = lay.unit_left, lay.unit_right
    if dmg.half_width_preamble:
        left = left.replace("（", " (").replace("）", ") ").replace("：", "")
        right = right.replace("：", ": ")
    elif rng.random() < 0.4:
        left = left.replace("：", rng.choice(["", " "]))
    if rng.random() < 0.15 and "：" in left:
        head, _, name = left.partition("：")
        lines += [head + "：", "", name, ""]
    else:
        lines += [left, ""]
    return lines + [right, ""]


def grid_rows(lay: Layout, rng: random.Random, dmg: Damage) -> list[list[str] | None]:
    """The rows as lists of slots; None where a blank line (a new table) goes."""
    n = lay.n_cols
    starts = lay.at()
    covered_row, covered_col = set(), set()
    for cell in lay.cells:
        for r in range(cell.row, cell.row + cell.row_span):
            for c in range(cell.col, cell.col + cell.col_span):
                if (r, c) != (cell.row, cell.col):
                    (covered_col if r == cell.row else covered_row).add((r, c))
    total = sum(lay.weights)
    body = sorted(r for r in lay.tax_rows)
    break_row = body[int(len(body) * dmg.page_break_at)] if dmg.page_break_at and len(body) > 6 else None
    out: list[list[str] | None] = []
    header: list[str] | None = None
    for r in range(lay.n_rows):
        if r in lay.breaks:
            out.append(None)
        if r == break_row and header is not None:
            out += [None, list(header)]
        slots = []
        for c in range(n):
            cell = starts.get((r, c))
            if cell is None:
                if (r, c) in covered_col and dmg.drop_colspan:
                    continue
                slots.append("")
                continue
            text = cell.text
            if dmg.wrap_spaces and len(text) <= 30:
                share = sum(lay.weights[cell.col:cell.col + cell.col_span]) / total
                text = wrap_spaced(text, share * dmg.em_per_line - 0.6)
            if dmg.half_width_cells and rng.random() < dmg.half_width_cells:
                text = _half(text)
            slots.append(text)
        slots += [""] * (n - len(slots)) + ([""] if dmg.extra_column else [])
        kind = lay.tax_rows.get(r)
        l1 = lay.l1_col
        if kind == "l2" and slots[l1] == "" and rng.random() < dmg.shift_rate:
            slots = slots[:l1] + slots[l1 + 1:] + [""]
        elif kind == "l1" and slots[l1] and rng.random() < dmg.shift_rate:
            slots = slots[:l1] + [""] + slots[l1:-1] if slots[-1] == "" else slots
        if r == lay.header_row:
            header = slots
        out.append(slots)
    return out


def render_form(lay: Layout, rng: random.Random) -> str:
    dmg = Damage.draw(rng)
    lines = preamble(lay, rng, dmg)
    for row in grid_rows(lay, rng, dmg):
        lines.append("" if row is None else "\t".join(row))
    return "\n".join(lines) + "\n"


def render(layouts: list[Layout], rng: random.Random) -> str:
    return "\n\n".join(render_form(lay, rng) for lay in layouts)
