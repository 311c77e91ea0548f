"""Typeset the 2026 株洲市渌口区司法局 绩效目标表 as digital sample PDFs.

The only content source is the hand-transcribed ground truth
`tests/truth/justice_2026.json`; this script decides nothing but layout, so
a parser run on the PDFs should give back exactly the truth.

Run it from the repository root:

    .venv/bin/python scripts/make_samples.py            # writes sample_pdfs/*.pdf

It needs reportlab (`pip install -e .[samples]`) and the CJK fonts

    apt-get install fonts-wqy-zenhei fonts-arphic-ukai fonts-arphic-uming

(WenQuanYi Zen Hei and AR PL UMing for the print, AR PL UKai, a
brush font, for the handwritten signer's name). The fonts are embedded as
subsets, the PDFs are written with reportlab's `invariant` mode, so a rerun
gives byte-identical files.

What it writes (all A4 portrait, text-based, ruled grids):

* justice_projects_bundle.pdf      Zen Hei  forms 1-4 (project), one form per page
* zhengfu_falv_guwen_2026.pdf      UMing    form 5 政府法律顾问专项 (budget cell left
                                            blank, as in the original; no signer)
* xingzheng_zhifa_peixun_2026.pdf  Zen Hei  form 6 行政执法人员培训费
* falv_yuanzhu_2026.pdf            UMing    form 7 法律援助专项
* justice_department_2026.pdf      UMing    the 部门整体支出 form, 2 pages

Layout details that exercise the parser on purpose: narrow columns make long
labels wrap inside cells (度量/单位, 指标值/类型, 经济成本指/标 …); merged
一级/二级 cells; categories without indicators drawn as "/" rows; some forms
print "满意度" instead of "满意度指标"; null units print as "/" or "无". The
department form's indicator table continues on page 2 with no repeated header
(with the current sizes the break falls between the 成本指标 and 产出指标
groups; a merged cell cut by a break would get a box on both pages and its
label only in the larger piece, as a spreadsheet prints it).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.corpus.pdf import break_lines  # noqa: E402  (one line breaker for samples and corpus)

ROOT = Path(__file__).resolve().parents[1]
TRUTH = ROOT / "tests" / "truth" / "justice_2026.json"
OUT_DIR = ROOT / "sample_pdfs"

PAGE_W, PAGE_H = A4
MARGIN_X = 48.0
MARGIN_TOP = 44.0
MARGIN_BOTTOM = 48.0

# name -> (file, subfont index in the .ttc)
FONT_FILES = {
    "ZenHei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "UMing": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "UKai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
}

# Canonical order of the indicator taxonomy: where an empty category goes.
TAXONOMY = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益", "社会效益", "生态效益", "可持续影响"],
    "满意度指标": ["服务对象满意度"],
    "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
}

INK = (0.0, 0.0, 0.0)
PEN = (0.08, 0.12, 0.45)  # the signer's ballpoint


# ---------------------------------------------------------------- documents

@dataclass
class FormStyle:
    """How one form is printed; none of this is content."""

    columns: str = "wide"             # "wide" or "narrow" (narrow makes labels wrap)
    satisfaction_label: str = "满意度指标"  # the original printed "满意度"
    null_unit: str = "/"              # how a null unit is printed ("/" or "无")
    blank_budget: bool = False        # leave 年度本级预算金额 empty (as the original form 5)


@dataclass
class SampleDoc:
    filename: str
    forms: list[int]                  # indices into truth["forms"]
    font: str
    styles: dict[int, FormStyle] = field(default_factory=dict)
    subject: str = ""


DOCS = [
    SampleDoc("justice_projects_bundle.pdf", [0, 1, 2, 3], "ZenHei", {
        0: FormStyle("wide", satisfaction_label="满意度"),
        1: FormStyle("narrow"),
        2: FormStyle("wide"),
        3: FormStyle("narrow", satisfaction_label="满意度"),
    }, "项目支出绩效目标表 1-4"),
    SampleDoc("zhengfu_falv_guwen_2026.pdf", [4], "UMing", {
        4: FormStyle("wide", null_unit="无", blank_budget=True),
    }, "政府法律顾问专项"),
    SampleDoc("xingzheng_zhifa_peixun_2026.pdf", [5], "ZenHei", {
        5: FormStyle("narrow", satisfaction_label="满意度", null_unit="无"),
    }, "行政执法人员培训费"),
    SampleDoc("falv_yuanzhu_2026.pdf", [6], "UMing", {
        6: FormStyle("wide"),
    }, "法律援助专项"),
    SampleDoc("justice_department_2026.pdf", [7], "UMing", {
        7: FormStyle(null_unit="无"),
    }, "部门整体支出绩效目标表"),
]

# Column widths (points) of the 8-column project grid:
# label | 一级 | 二级 | 三级 | 指标值 | 度量单位 | 指标值类型 | 备注
PROJECT_COLUMNS = {
    "wide": [80, 56, 74, 148, 42, 46, 30, 23],
    "narrow": [50, 56, 54, 84, 48, 26, 36, 40],   # a narrower table, centred
}
# department grid: 一级 | 二级 | 三级 | 指标值类型 | 指标值 | 度量单位 | 指标值说明 | 备注
DEPARTMENT_COLUMNS = [56, 60, 100, 40, 46, 34, 124, 39]


def register_fonts() -> None:
    for name, (path, index) in FONT_FILES.items():
        if not Path(path).exists():
            raise SystemExit(f"missing font {path}: apt-get install fonts-wqy-zenhei "
                             "fonts-arphic-ukai fonts-arphic-uming")
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))


# ---------------------------------------------------------------- text

def text_width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking by measured width (scripts/corpus/pdf.break_lines)."""
    return break_lines(text, lambda chunk: text_width(chunk, font, size) <= width)


def fmt_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- grid

@dataclass
class GridCell:
    row: int
    col: int
    text: str = ""
    row_span: int = 1
    col_span: int = 1
    align: str = "center"  # "center" or "left"


@dataclass
class GridStyle:
    font: str
    size: float = 9.5
    leading: float = 1.32   # line height as a multiple of size
    pad_x: float = 3.0
    pad_y: float = 4.0
    min_row_h: float = 20.0
    line_w: float = 0.6


class Grid:
    """A ruled table: cells placed on a row/column lattice, some merged."""

    def __init__(self, col_widths: list[float]):
        self.col_widths = list(col_widths)
        self.cells: list[GridCell] = []
        self.n_rows = 0

    def add(self, row: int, col: int, text: str = "", row_span: int = 1,
            col_span: int = 1, align: str = "center") -> None:
        self.cells.append(GridCell(row, col, text, row_span, col_span, align))
        self.n_rows = max(self.n_rows, row + row_span)

    def check_coverage(self) -> None:
        """Every lattice position belongs to exactly one cell."""
        seen: dict[tuple[int, int], GridCell] = {}
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.row_span):
                for c in range(cell.col, cell.col + cell.col_span):
                    if (r, c) in seen:
                        raise ValueError(f"overlap at {(r, c)}: {cell.text!r}")
                    seen[(r, c)] = cell
        missing = [(r, c) for r in range(self.n_rows) for c in range(len(self.col_widths))
                   if (r, c) not in seen]
        if missing:
            raise ValueError(f"uncovered grid positions {missing[:5]}")

    def left(self) -> float:
        """x of the left edge: the grid is centred on the page."""
        return (PAGE_W - sum(self.col_widths)) / 2

    def cell_width(self, cell: GridCell) -> float:
        return sum(self.col_widths[cell.col:cell.col + cell.col_span])

    def cell_lines(self, cell: GridCell, style: GridStyle) -> list[str]:
        if not cell.text:
            return []
        return wrap(cell.text, style.font, style.size, self.cell_width(cell) - 2 * style.pad_x)

    def row_heights(self, style: GridStyle) -> list[float]:
        line_h = style.size * style.leading
        need = lambda cell: len(self.cell_lines(cell, style)) * line_h + 2 * style.pad_y
        heights = [style.min_row_h] * self.n_rows
        for cell in self.cells:
            if cell.row_span == 1:
                heights[cell.row] = max(heights[cell.row], need(cell))
        for cell in self.cells:  # merged cells: grow their last row if they need more room
            if cell.row_span > 1:
                span = range(cell.row, cell.row + cell.row_span)
                deficit = need(cell) - sum(heights[r] for r in span)
                if deficit > 0:
                    heights[span[-1]] += deficit
        return heights


def paginate(heights: list[float], first_avail: float, next_avail: float) -> list[range]:
    """Split the rows into per-page runs; a row never splits."""
    pages: list[range] = []
    start, used, avail = 0, 0.0, first_avail
    for r, h in enumerate(heights):
        if used + h > avail and r > start:
            pages.append(range(start, r))
            start, used, avail = r, 0.0, next_avail
        used += h
    pages.append(range(start, len(heights)))
    return pages


def draw_cell_text(c: canvas.Canvas, lines: list[str], style: GridStyle, align: str,
                   x: float, top: float, w: float, h: float) -> None:
    line_h = style.size * style.leading
    block = len(lines) * line_h
    y = top - (h - block) / 2 - line_h + (line_h - style.size) / 2 + style.size * 0.14
    for line in lines:
        if align == "left":
            c.drawString(x + style.pad_x, y, line)
        else:
            c.drawCentredString(x + w / 2, y, line)
        y -= line_h


def draw_grid(c: canvas.Canvas, grid: Grid, style: GridStyle, y_top: float,
              new_page) -> None:
    """Draw the grid from y_top down, breaking onto new pages as needed.

    A merged cell cut by a page break is drawn as one box on each page; its
    text goes in the larger piece (as a spreadsheet prints a merged cell).
    """
    grid.check_coverage()
    heights = grid.row_heights(style)
    pages = paginate(heights, y_top - MARGIN_BOTTOM, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM)
    text_page: dict[int, int] = {}
    for i, cell in enumerate(grid.cells):
        parts = [sum(heights[r] for r in rows if cell.row <= r < cell.row + cell.row_span)
                 for rows in pages]
        text_page[i] = max(range(len(pages)), key=lambda p: (parts[p], -p))

    x0 = grid.left()
    col_x = [x0 + sum(grid.col_widths[:k]) for k in range(len(grid.col_widths) + 1)]
    for p, rows in enumerate(pages):
        if p > 0:
            new_page()
            y_top = PAGE_H - MARGIN_TOP
        row_top = {r: y_top - sum(heights[rows.start:r]) for r in rows}
        c.setLineWidth(style.line_w)
        c.setFont(style.font, style.size)
        for i, cell in enumerate(grid.cells):
            first = max(cell.row, rows.start)
            last = min(cell.row + cell.row_span, rows.stop) - 1
            if first > last:
                continue
            x, w = col_x[cell.col], grid.cell_width(cell)
            top = row_top[first]
            h = sum(heights[first:last + 1])
            c.rect(x, top - h, w, h, stroke=1, fill=0)
            if text_page[i] == p and cell.text:
                draw_cell_text(c, grid.cell_lines(cell, style), style, cell.align, x, top, w, h)
        total = sum(heights[r] for r in rows)
        c.setLineWidth(style.line_w * 1.8)  # the heavier outline of a printed form
        c.rect(x0, y_top - total, col_x[-1] - x0, total, stroke=1, fill=0)


# ---------------------------------------------------------------- indicator rows

def order_rows(indicators: list[dict], empties: list[dict]) -> list[dict]:
    """Indicators in truth order, each empty category at its taxonomy slot."""
    level1_order: list[str] = []
    for item in indicators + empties:
        if item["level1"] not in level1_order:
            level1_order.append(item["level1"])
    rows: list[dict] = []
    for l1 in level1_order:
        group = [dict(ind) for ind in indicators if ind["level1"] == l1]
        taxonomy = TAXONOMY.get(l1, [])
        for empty in (e for e in empties if e["level1"] == l1):
            slot = taxonomy.index(empty["level2"]) if empty["level2"] in taxonomy else len(taxonomy)
            pos = next((k for k, ind in enumerate(group)
                        if ind["level2"] in taxonomy and taxonomy.index(ind["level2"]) > slot),
                       len(group))
            group.insert(pos, {"level1": l1, "level2": empty["level2"], "empty": True})
        rows.extend(group)
    return rows


def add_merged_labels(grid: Grid, rows: list[dict], first_row: int, col_l1: int,
                      col_l2: int, l1_label) -> None:
    """一级 cells merged over their group, 二级 cells over their indicators."""
    for col, key in ((col_l1, lambda r: r["level1"]),
                     (col_l2, lambda r: (r["level1"], r["level2"]))):
        k = 0
        while k < len(rows):
            end = k
            while end + 1 < len(rows) and key(rows[end + 1]) == key(rows[k]):
                end += 1
            text = l1_label(rows[k]["level1"]) if col == col_l1 else rows[k]["level2"]
            grid.add(first_row + k, col, text, row_span=end - k + 1)
            k = end + 1


# ---------------------------------------------------------------- project form

def project_grid(form: dict, style: FormStyle) -> Grid:
    grid = Grid(PROJECT_COLUMNS[style.columns])
    budget = "" if style.blank_budget else fmt_value(form["budget_amount"])
    grid.add(0, 0, "项目名称")
    grid.add(0, 1, form["project_name"], col_span=7)
    grid.add(1, 0, "年度本级预算金额")
    grid.add(1, 1, budget, col_span=3)
    grid.add(1, 4, "项目类别")
    grid.add(1, 5, form["project_category"], col_span=3)
    grid.add(2, 0, "项目支出实施期")
    grid.add(2, 1, form["period"], col_span=7)
    grid.add(3, 0, "本年度绩效目标")
    grid.add(3, 1, form["annual_goal"], col_span=7, align="left")

    rows = order_rows(form["indicators"], form["empty_categories"])
    grid.add(4, 0, "本年度绩效指标", row_span=len(rows) + 1)
    for col, head in enumerate(["一级指标", "二级指标", "三级指标", "指标值",
                                "度量单位", "指标值类型", "备注"], start=1):
        grid.add(4, col, head)
    l1_label = lambda l1: style.satisfaction_label if l1 == "满意度指标" else l1
    add_merged_labels(grid, rows, 5, 1, 2, l1_label)
    for k, row in enumerate(rows):
        r = 5 + k
        if row.get("empty"):
            cells = ["/", "", "", "", ""]
        else:
            unit = row["unit"] if row["unit"] is not None else style.null_unit
            cells = [row["level3"], fmt_value(row["value"]), unit, row["comparator"],
                     row["note"] or ""]
        for col, text in enumerate(cells, start=3):
            grid.add(r, col, text)
    return grid


# ---------------------------------------------------------------- department form

def department_grid(form: dict, style: FormStyle) -> Grid:
    grid = Grid(DEPARTMENT_COLUMNS)
    grid.add(0, 0, "部门（单位）名称", col_span=2)
    grid.add(0, 2, form["department_name"], col_span=6)
    grid.add(1, 0, "年度履职目标", col_span=2)
    grid.add(1, 2, form["annual_duty_goal"], col_span=6, align="left")

    tasks = form["main_tasks"]
    grid.add(2, 0, "年度主要任务", row_span=len(tasks) + 1, col_span=2)
    grid.add(2, 2, "任务名称")
    grid.add(2, 3, "主要内容", col_span=5)
    for k, task in enumerate(tasks, start=3):
        grid.add(k, 2, task["name"] or "", align="left")
        grid.add(k, 3, task["content"] or "", col_span=5, align="left")

    r = 3 + len(tasks)
    budget = form["budget"]
    grid.add(r, 0, "预算情况", row_span=3)
    grid.add(r, 1, "资金总额", row_span=2)
    grid.add(r, 2, "按收入性质分", col_span=4)
    grid.add(r, 6, "按支出性质分", col_span=2)
    for col, head in enumerate(["一般公共预算", "政府性基金拨款", "财政专户管理资金",
                                "其他资金", "基本支出", "项目支出"], start=2):
        grid.add(r + 1, col, head)
    for col, key in enumerate(["total", "general_public_budget", "government_fund",
                               "special_account", "other_funds", "basic_expenditure",
                               "project_expenditure"], start=1):
        grid.add(r + 2, col, fmt_value(budget[key]))

    r += 3
    for col, head in enumerate(["一级指标", "二级指标", "三级指标", "指标值类型", "指标值",
                                "度量单位", "指标值说明(指标解释)", "备注"]):
        grid.add(r, col, head)
    rows = order_rows(form["indicators"], form["empty_categories"])
    add_merged_labels(grid, rows, r + 1, 0, 1, lambda l1: l1)
    for k, row in enumerate(rows, start=r + 1):
        if row.get("empty"):
            cells = ["/", "", "", "", "", ""]
        else:
            unit = row["unit"] if row["unit"] is not None else style.null_unit
            cells = [row["level3"], row["comparator"], fmt_value(row["value"]), unit,
                     row["description"] or "", row["note"] or ""]
        for col, text in enumerate(cells, start=2):
            grid.add(k, col, text)
    return grid


# ---------------------------------------------------------------- page furniture

def draw_signer(c: canvas.Canvas, name: str, x: float, y: float) -> None:
    """The handwritten name: brush font, pen colour, a slightly uneven baseline."""
    c.saveState()
    c.setFillColorRGB(*PEN)
    for k, ch in enumerate(name):
        size = 19 + (1.5 if k % 2 else 0)
        c.setFont("UKai", size)
        c.drawString(x, y + (0.9, -0.6, 0.3, -0.2)[k % 4], ch)
        x += text_width(ch, "UKai", size) + 1.5
    c.restoreState()


def draw_heading(c: canvas.Canvas, form: dict, font: str, right_label: str,
                 x0: float, x1: float) -> float:
    """Signer, centred title, unit line (aligned with the table edges x0..x1).

    Returns the y where the table starts.
    """
    y = PAGE_H - MARGIN_TOP - 14
    if form.get("signer"):
        draw_signer(c, form["signer"], x0 + 14, y)
    y -= 36
    c.saveState()
    c.setLineWidth(0.35)
    title = c.beginText((PAGE_W - text_width(form["title"], font, 18)) / 2, y)
    title.setFont(font, 18)
    title.setTextRenderMode(2)  # fill + stroke: the bold look of a printed title
    title.textOut(form["title"])
    c.drawText(title)
    c.restoreState()
    y -= 30
    c.setFont(font, 10.5)
    c.drawString(x0, y, f"填报单位（盖章）：{form['reporting_unit']}")
    c.drawRightString(x1, y, f"{right_label}{form['amount_unit']}")
    return y - 10


def render_form(c: canvas.Canvas, form: dict, style: FormStyle, font: str) -> None:
    if form["form_type"] == "department":
        grid, label = department_grid(form, style), "单位："
        grid_style = GridStyle(font, size=9.0, min_row_h=19.0)
    else:
        grid, label = project_grid(form, style), "金额单位："
        grid_style = GridStyle(font, size=9.5 if style.columns == "narrow" else 10.0,
                               min_row_h=22.0)
    x0 = grid.left()
    top = draw_heading(c, form, font, label, x0, x0 + sum(grid.col_widths))
    draw_grid(c, grid, grid_style, top, c.showPage)
    c.showPage()


def check_glyphs(forms: list[dict], font: str) -> None:
    face = pdfmetrics.getFont(font).face
    text = json.dumps(forms, ensure_ascii=False)
    missing = sorted({ch for ch in text if ord(ch) > 0x7F and ord(ch) not in face.charToGlyph})
    if missing:
        raise SystemExit(f"font {font} lacks glyphs: {''.join(missing)}")


def build(doc: SampleDoc, truth: dict, out_dir: Path) -> Path:
    forms = [truth["forms"][i] for i in doc.forms]
    check_glyphs(forms, doc.font)
    path = out_dir / doc.filename
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"2026年绩效目标表（样例）{doc.subject}")
    c.setAuthor("formpipe scripts/make_samples.py")
    c.setCreator("formpipe scripts/make_samples.py")
    c.setSubject("株洲市渌口区司法局 2026年绩效目标表（据 tests/truth/justice_2026.json 排版）")
    for i, form in zip(doc.forms, forms):
        render_form(c, form, doc.styles.get(i, FormStyle()), doc.font)
    c.save()
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--truth", type=Path, default=TRUTH)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    register_fonts()
    args.out.mkdir(parents=True, exist_ok=True)
    for doc in DOCS:
        path = build(doc, truth, args.out)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
