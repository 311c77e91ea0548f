"""One project form, written out in every carrier the way its tool writes it.

The form is given once, as its merged cells (row, col, row_span, col_span,
text) on a 7-column grid, with a title line and a unit line above it; each
builder below writes that grid as Word, Excel, HTML, markdown or CSV would.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

TITLE = "2026年项目支出绩效目标表"
UNIT = "填报单位：某某县农业农村局"
AMOUNT_UNIT = "金额单位：万元"
NAME = "高标准农田灌溉设施建设"
GOAL = "完成灌溉设施建设，提升农业生产条件。"
N_COLS = 7

GRID: list[tuple[int, int, int, int, str]] = [
    (0, 0, 1, 1, "项目名称"), (0, 1, 1, 6, NAME),
    (1, 0, 1, 1, "年度本级预算金额"), (1, 1, 1, 2, "20"), (1, 3, 1, 1, "项目类别"), (1, 4, 1, 3, "特定目标类"),
    (2, 0, 1, 1, "项目支出实施期"), (2, 1, 1, 6, "2026.01-2026.12"),
    (3, 0, 1, 1, "本年度绩效目标"), (3, 1, 1, 6, GOAL),
    *[(4, c, 1, 1, t) for c, t in enumerate(["一级指标", "二级指标", "三级指标", "指标值", "度量单位", "指标值类型", "备注"])],
    (5, 0, 3, 1, "产出指标"), (5, 1, 2, 1, "数量指标"),
    *[(5, c, 1, 1, t) for c, t in [(2, "新增蓄水能力"), (3, "5000"), (4, "立方米"), (5, "≥"), (6, "")]],
    *[(6, c, 1, 1, t) for c, t in [(2, "培训农户"), (3, "300"), (4, "人次"), (5, "≥"), (6, "")]],
    *[(7, c, 1, 1, t) for c, t in [(1, "质量指标"), (2, "设施验收合格率"), (3, "100"), (4, "%"), (5, "="), (6, "")]],
    (8, 0, 2, 1, "效益指标"),
    *[(8, c, 1, 1, t) for c, t in [(1, "经济效益"), (2, "节约灌溉用电"), (3, "1200"), (4, "千瓦时"), (5, "≥"), (6, "")]],
    *[(9, c, 1, 1, t) for c, t in [(1, "生态效益"), (2, "新植护田林"), (3, "2000"), (4, "株"), (5, "≥"), (6, "")]],
    *[(10, c, 1, 1, t) for c, t in [(0, "满意度指标"), (1, "服务对象满意度"), (2, "受益农户满意度"), (3, "95"),
                                     (4, "%"), (5, "≥"), (6, "")]],
]
N_ROWS = 11

# (level1, level2, level3, value, unit) of the indicators the record must hold
INDICATORS = [
    ("产出指标", "数量指标", "新增蓄水能力", 5000, "立方米"),
    ("产出指标", "数量指标", "培训农户", 300, "人次"),
    ("产出指标", "质量指标", "设施验收合格率", 100, "%"),
    ("效益指标", "经济效益", "节约灌溉用电", 1200, "千瓦时"),
    ("效益指标", "生态效益", "新植护田林", 2000, "株"),
    ("满意度指标", "服务对象满意度", "受益农户满意度", 95, "%"),
]


def slots() -> list[list[str]]:
    """The grid as a tool that repeats merged text writes it: the text in every slot a cell covers."""
    grid = [[""] * N_COLS for _ in range(N_ROWS)]
    for r, c, rs, cs, text in GRID:
        for dr in range(rs):
            for dc in range(cs):
                grid[r + dr][c + dc] = text
    return grid


def first_slot_only() -> list[list[str]]:
    """The grid as CSV keeps a merged cell: its text in the first slot, the others empty."""
    grid = [[""] * N_COLS for _ in range(N_ROWS)]
    for r, c, _, _, text in GRID:
        grid[r][c] = text
    return grid


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph(UNIT)
    table = document.add_table(rows=N_ROWS, cols=N_COLS)
    for r, c, rs, cs, text in GRID:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text
    document.add_paragraph("单位负责人：李四")
    document.save(str(path))
    return path


def write_xlsx(path: Path, title_merged: bool = True) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "项目支出"
    sheet.cell(1, 1, TITLE)
    if title_merged:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=N_COLS)
    sheet.cell(2, 1, UNIT)  # not merged: a unit line all the same, and so is the amount unit at its right
    sheet.cell(2, N_COLS, AMOUNT_UNIT)
    top = 3
    for r, c, rs, cs, text in GRID:
        value: object = float(text) if text.isdigit() else text  # numbers as Excel stores them: doubles
        sheet.cell(top + r, c + 1, value)
        if rs > 1 or cs > 1:
            sheet.merge_cells(start_row=top + r, start_column=c + 1, end_row=top + r + rs - 1,
                              end_column=c + cs)
    workbook.save(path)
    return path


def html_text() -> str:
    rows: dict[int, list[str]] = {}
    for r, c, rs, cs, text in GRID:
        spans = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
        rows.setdefault(r, []).append(f"<td{spans}>{text}</td>")
    body = "".join(f"<tr>{''.join(cells)}</tr>" for _, cells in sorted(rows.items()))
    return (f'<html><head><meta charset="gb2312"><title>导出</title></head><body><h2>{TITLE}</h2>'
            f"<p>{UNIT}</p><table border=1>{body}</table><p>单位负责人：李四</p></body></html>")


def markdown_text() -> str:
    lines = [f"## {TITLE}", "", UNIT, ""]
    grid = slots()
    lines.append("| " + " | ".join(grid[0]) + " |")
    lines.append("|" + "---|" * N_COLS)
    lines += ["| " + " | ".join(row) + " |" for row in grid[1:]]
    return "\n".join(lines) + "\n"


def csv_text() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([TITLE] + [""] * (N_COLS - 1))
    writer.writerow([UNIT] + [""] * (N_COLS - 1))
    writer.writerows(first_slot_only())
    return buffer.getvalue()
