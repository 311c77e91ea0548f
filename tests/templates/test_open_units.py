"""Open sets stay open: on a digital PDF the ruled grid decides which column a cell is in, so a
unit no vocabulary lists (千瓦时, 立方米/日, 头, 株, 个百分点) stays in 度量单位, never 备注."""

import json

import pytest

pytest.importorskip("reportlab")

from pipeline.config import load_settings  # noqa: E402
from pipeline.runner import run_batch  # noqa: E402
from tests.fonts import register  # noqa: E402

HEADER = ["一级指标", "二级指标", "三级指标", "指标值", "度量单位", "指标值类型", "备注"]
ROWS = [
    ["产出指标", "数量指标", "新增光伏发电量", "1200", "千瓦时", "≥", ""],
    ["", "", "日供水能力", "2.5", "立方米/日", "≥", ""],
    ["", "质量指标", "能繁母猪存栏", "300", "头", "≥", "年末存栏"],
    ["效益指标", "生态效益", "补植苗木", "15000", "株", "≥", ""],
    ["", "经济效益", "农民收入增幅", "1.5", "个百分点", "≥", ""],
    ["满意度指标", "服务对象满意度", "群众满意度", "95", "%", "≥", ""],
]
WIDTHS = [60, 70, 120, 55, 60, 55, 70]


def _pdf(path):
    from reportlab.pdfgen import canvas

    font = register("SungtiGB")
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont(font, 16)
    c.drawString(150, 800, "2026年项目支出绩效目标表")
    c.setFont(font, 10)
    c.drawString(40, 775, "填报单位（盖章）：某某县农业农村局")
    c.drawString(440, 775, "金额单位：万元")
    grid = [["项目名称", "光伏扶贫电站运维"], ["年度本级预算金额", "86", "项目类别", "特定目标类"],
            ["项目支出实施期", "2026.01-2026.12"], ["本年度绩效目标", "保障电站稳定运行。"], HEADER, *ROWS]
    x0, top, h = 40, 760, 24
    for r, row in enumerate(grid):
        y = top - (r + 1) * h
        xs = [x0]
        for w in WIDTHS:
            xs.append(xs[-1] + w)
        spans = _spans(row)
        for (start, stop), text in zip(spans, [t for t in row]):
            c.rect(xs[start], y, xs[stop] - xs[start], h)
            c.drawString(xs[start] + 3, y + 8, text)
    c.save()


def _spans(row):
    """Short label rows spread their last cell over the remaining columns, as the form prints them."""
    if len(row) == len(WIDTHS):
        return [(i, i + 1) for i in range(len(row))]
    cols = [(i, i + 1) for i in range(len(row) - 1)]
    return cols + [(len(row) - 1, len(WIDTHS))]


def test_units_no_list_holds_stay_in_their_column(tmp_path):
    pdf = tmp_path / "guangfu.pdf"
    _pdf(pdf)
    settings = load_settings(overrides={"out_dir": str(tmp_path / "out")})
    [entry] = run_batch([pdf], settings)["inputs"]
    assert entry["status"] == "ok", entry["errors"]
    [path] = (tmp_path / "out" / "guangfu").glob("*.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert [(i["value"], i["unit"], i["note"]) for i in record["indicators"]] == [
        (1200, "千瓦时", None), (2.5, "立方米/日", None), (300, "头", "年末存栏"), (15000, "株", None),
        (1.5, "个百分点", None), (95, "%", None)]
    vocabulary_units = set(settings.vocabulary.units)
    assert {"千瓦时", "立方米/日", "头", "株", "个百分点"}.isdisjoint(vocabulary_units)
