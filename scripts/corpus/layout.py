"""One carrier-neutral description of a printed form: a grid of cells plus the lines around it.

Every renderer (pdf, dump, docx, xlsx, html, md) draws the same Layout, so the carriers of one
seed say the same thing. `templates.py` builds a Layout per template from a records.Form.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from scripts.corpus import content as C


@dataclass
class Cell:
    row: int
    col: int
    text: str = ""
    row_span: int = 1
    col_span: int = 1
    align: str = "center"          # "center" or "left"
    number: float | int | None = None   # the cell's value when it prints a plain number (xlsx)


@dataclass
class Layout:
    template: str
    weights: list[float]           # relative column widths
    cells: list[Cell] = field(default_factory=list)
    title: str = ""
    subtitle: str | None = None    # （2026年度）
    signer: str | None = None      # handwritten above the form
    unit_left: str = ""            # 填报单位（盖章）：…
    unit_right: str = ""           # 金额单位：万元
    header_row: int | None = None  # the indicator column header (repeated on continuation pages)
    breaks: list[int] = field(default_factory=list)    # rows where a text dump starts a new table
    tax_rows: dict[int, str] = field(default_factory=dict)  # indicator rows: "l1" / "l2" / "cont" starts
    l1_col: int = 0
    width: str = ""                # the column-width variant (Style.width)

    @property
    def n_cols(self) -> int:
        return len(self.weights)

    @property
    def n_rows(self) -> int:
        return max((c.row + c.row_span for c in self.cells), default=0)

    def add(self, row: int, col: int, text="", row_span: int = 1, col_span: int = 1,
            align: str = "center") -> Cell:
        number = text if isinstance(text, (int, float)) and not isinstance(text, bool) else None
        cell = Cell(row, col, C.fmt(text) if number is not None else (text or ""), row_span, col_span,
                    align, number)
        self.cells.append(cell)
        return cell

    def check(self) -> None:
        """Every grid position belongs to exactly one cell."""
        seen: set[tuple[int, int]] = set()
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.row_span):
                for c in range(cell.col, cell.col + cell.col_span):
                    if (r, c) in seen or c >= self.n_cols:
                        raise ValueError(f"{self.template}: overlap or overflow at {(r, c)} {cell.text!r}")
                    seen.add((r, c))
        missing = [(r, c) for r in range(self.n_rows) for c in range(self.n_cols) if (r, c) not in seen]
        if missing:
            raise ValueError(f"{self.template}: uncovered grid positions {missing[:5]}")

    def at(self) -> dict[tuple[int, int], Cell]:
        """(row, col) -> the cell that starts there."""
        return {(c.row, c.col): c for c in self.cells}

    def merged(self) -> list[Cell]:
        return [c for c in self.cells if c.row_span > 1 or c.col_span > 1]


@dataclass
class Style:
    """How a form is printed; none of this is content. Drawn per form from the layout seed."""

    width: str                     # "wide", "narrow", "balanced"
    label_variant_rate: float      # how often taxonomy labels print as variants (满意度)
    null_unit: str                 # a null unit prints as this ("/", "无", "")
    placeholder: str               # an empty category's mark ("/", "／", "—", "无")
    placeholder_all: bool          # the mark in every cell of the row, not only 三级指标
    merge_labels: bool             # 一级/二级 merged over their rows (else repeated per row)
    unit_label: str                # 金额单位： or 单位：
    reporting_label: str           # 填报单位（盖章）：

    @classmethod
    def draw(cls, rng: random.Random) -> "Style":
        return cls(width=rng.choice(["wide", "narrow", "balanced"]),
                   label_variant_rate=rng.choice([0.0, 0.0, 0.3, 0.7]),
                   null_unit=rng.choice(["/", "/", "无", ""]),
                   placeholder=rng.choice(["/", "/", "/", "／", "—", "无"]),
                   placeholder_all=rng.random() < 0.25,
                   merge_labels=rng.random() < 0.85,
                   unit_label=rng.choice(["金额单位：", "金额单位：", "单位："]),
                   reporting_label=rng.choice(["填报单位（盖章）：", "填报单位（盖章）：", "填报单位：", "编制单位："]))


def widths(rng: random.Random, base: list[float], style: Style, narrow_cols: list[int]) -> list[float]:
    """Column weights: the template's base, squeezed or widened, jittered so text wraps differently."""
    w = list(base)
    for k in narrow_cols:
        w[k] *= {"wide": 1.25, "narrow": 0.62, "balanced": 1.0}[style.width]
    return [round(x * rng.uniform(0.85, 1.15), 2) for x in w]


def combined(t: C.Target) -> str:
    """A target in one cell: ≥95%, ≤12万元, =100%, 2026年11月底前完成."""
    if t.comparator == "定性":
        return str(t.value)
    return f"{t.comparator}{C.fmt(t.value)}{t.unit or ''}"


def worded(rng: random.Random, t: C.Target) -> str:
    """A target whose wording carries the comparator: 不低于30, 不超过5, 达到100, 100."""
    if t.comparator == "定性":
        return str(t.value)
    v = C.fmt(t.value)
    if t.comparator == "≥":
        return f"不低于{v}"
    if t.comparator == "≤":
        return rng.choice(["不超过", "不高于"]) + v
    return rng.choice(["达到", ""]) + v


def indicator_block(lay: Layout, rng: random.Random, style: Style, rows: list[dict], first_row: int,
                    l1_col: int, l2_col: int, n_rest: int, rest) -> int:
    """一级/二级 label cells (merged or repeated) and, per row, the n_rest cells `rest(row)` gives
    from column l2_col + 1 on. An empty category prints its placeholder. Returns the next row."""
    label1 = {l1: C.printed_label(rng, l1, style.label_variant_rate) for l1 in dict.fromkeys(r["level1"] for r in rows)}
    label2 = {l2: C.printed_label(rng, l2, style.label_variant_rate / 2) for l2 in dict.fromkeys(r["level2"] for r in rows)}
    lay.l1_col = l1_col
    for col, key in ((l1_col, lambda r: r["level1"]), (l2_col, lambda r: (r["level1"], r["level2"]))):
        k = 0
        while k < len(rows):
            end = k
            while end + 1 < len(rows) and key(rows[end + 1]) == key(rows[k]):
                end += 1
            text = label1[rows[k]["level1"]] if col == l1_col else label2[rows[k]["level2"]]
            if col == l1_col:
                lay.tax_rows[first_row + k] = "l1"
            else:
                lay.tax_rows.setdefault(first_row + k, "l2")
            if style.merge_labels:
                lay.add(first_row + k, col, text, row_span=end - k + 1)
            else:
                for j in range(k, end + 1):
                    lay.add(first_row + j, col, text)
            k = end + 1
    for k, row in enumerate(rows):
        r = first_row + k
        lay.tax_rows.setdefault(r, "cont")
        if row.get("empty"):
            texts = [style.placeholder] + [style.placeholder if style.placeholder_all else ""] * (n_rest - 1)
        else:
            texts = rest(row)
        for j, text in enumerate(texts):
            lay.add(r, l2_col + 1 + j, text)
    return first_row + len(rows)


def unit_text(style: Style, unit: str | None) -> str:
    return unit if unit is not None else style.null_unit
