"""The Layout of each template (docs/templates.md): label rows, then the indicator table."""

from __future__ import annotations

import random

from scripts.corpus import content as C
from scripts.corpus.layout import Layout, Style, combined, indicator_block, unit_text, widths, worded
from scripts.corpus.records import Form


def _frame(form: Form, style: Style, base: list[float], narrow: list[int], rng: random.Random) -> Layout:
    rec = form.record
    lay = Layout(form.template, widths(rng, base, style, narrow), title=rec["title"], signer=rec["signer"],
                 unit_left=f"{style.reporting_label}{rec['reporting_unit']}",
                 unit_right=f"{style.unit_label}{rec['amount_unit']}", width=style.width)
    return lay


def project(form: Form, style: Style, rng: random.Random) -> Layout:
    # label | 一级 | 二级 | 三级 | 指标值 | 度量单位 | 指标值类型 | 备注
    rec = form.record
    lay = _frame(form, style, [80, 56, 70, 140, 44, 42, 40, 30], [0, 3, 5, 6], rng)
    lay.add(0, 0, "项目名称")
    lay.add(0, 1, rec["project_name"], col_span=7)
    lay.add(1, 0, "年度本级预算金额")
    lay.add(1, 1, rec["budget_amount"], col_span=3)
    lay.add(1, 4, "项目类别")
    lay.add(1, 5, rec["project_category"], col_span=3)
    lay.add(2, 0, "项目支出实施期")
    lay.add(2, 1, rec["period"], col_span=7)
    lay.add(3, 0, "本年度绩效目标")
    lay.add(3, 1, rec["annual_goal"], col_span=7, align="left")
    lay.add(4, 0, "本年度绩效指标", row_span=len(form.rows) + 1)
    for col, head in enumerate(["一级指标", "二级指标", "三级指标", "指标值", "度量单位", "指标值类型", "备注"], 1):
        lay.add(4, col, head)
    lay.header_row = 4
    rest = lambda r: [r["level3"], r["target"].value, unit_text(style, r["target"].unit),
                      r["target"].comparator, r.get("note") or ""]
    indicator_block(lay, rng, style, form.rows, 5, 1, 2, 5, rest)
    return lay


def project_combined(form: Form, style: Style, rng: random.Random) -> Layout:
    # label | 一级 | 二级 | 三级 | 指标值 | 备注
    rec = form.record
    lay = _frame(form, style, [84, 60, 74, 170, 90, 48], [0, 3, 4], rng)
    lay.add(0, 0, "项目名称")
    lay.add(0, 1, rec["project_name"], col_span=5)
    lay.add(1, 0, "主管部门")
    lay.add(1, 1, rec["competent_department"], col_span=2)
    lay.add(1, 3, "实施单位")
    lay.add(1, 4, rec["implementing_unit"], col_span=2)
    lay.add(2, 0, "项目资金（万元）")
    lay.add(2, 1, rec["budget_amount"], col_span=5)
    lay.add(3, 0, "实施期限")
    lay.add(3, 1, rec["period"], col_span=5)
    lay.add(4, 0, "年度绩效目标")
    lay.add(4, 1, rec["annual_goal"], col_span=5, align="left")
    lay.add(5, 0, "绩效指标", row_span=len(form.rows) + 1)
    for col, head in enumerate(["一级指标", "二级指标", "三级指标", "指标值", "备注"], 1):
        lay.add(5, col, head)
    lay.header_row = 5
    indicator_block(lay, rng, style, form.rows, 6, 1, 2, 3,
                    lambda r: [r["level3"], combined(r["target"]), r.get("note") or ""])
    return lay


def project_wording(form: Form, style: Style, rng: random.Random) -> Layout:
    # label | 一级 | 二级 | 三级 | 指标值 | 度量单位 | 备注
    rec = form.record
    lay = _frame(form, style, [80, 58, 72, 160, 70, 46, 40], [0, 3, 5], rng)
    for r, (label, value) in enumerate([("项目名称", rec["project_name"]), ("项目单位", rec["implementing_unit"]),
                                        ("预算金额（万元）", rec["budget_amount"]), ("实施周期", rec["period"]),
                                        ("年度目标", rec["annual_goal"])]):
        lay.add(r, 0, label)
        lay.add(r, 1, value, col_span=6, align="left" if r == 4 else "center")
    lay.add(5, 0, "年度绩效指标", row_span=len(form.rows) + 1)
    for col, head in enumerate(["一级指标", "二级指标", "三级指标", "指标值", "度量单位", "备注"], 1):
        lay.add(5, col, head)
    lay.header_row = 5
    indicator_block(lay, rng, style, form.rows, 6, 1, 2, 4,
                    lambda r: [r["level3"], worded(rng, r["target"]), unit_text(style, r["target"].unit),
                               r.get("note") or ""])
    return lay


def department(form: Form, style: Style, rng: random.Random) -> Layout:
    # 一级 | 二级 | 三级 | 指标值类型 | 指标值 | 度量单位 | 指标值说明 | 备注
    rec = form.record
    lay = _frame(form, style, [58, 62, 110, 42, 48, 38, 120, 36], [2, 3, 5, 6], rng)
    lay.add(0, 0, "部门（单位）名称", col_span=2)
    lay.add(0, 2, rec["department_name"], col_span=6)
    lay.add(1, 0, "年度履职目标", col_span=2)
    lay.add(1, 2, rec["annual_duty_goal"], col_span=6, align="left")
    tasks = rec["main_tasks"]
    lay.add(2, 0, "年度主要任务", row_span=len(tasks) + 1, col_span=2)
    lay.add(2, 2, "任务名称")
    lay.add(2, 3, "主要内容", col_span=5)
    for k, task in enumerate(tasks, start=3):
        lay.add(k, 2, task["name"] or "", align="left")
        lay.add(k, 3, task["content"] or "", col_span=5, align="left")
    r = 3 + len(tasks)
    lay.breaks.append(r)
    budget = rec["budget"]
    lay.add(r, 0, "预算情况", row_span=3)
    lay.add(r, 1, "资金总额", row_span=2)
    lay.add(r, 2, "按收入性质分", col_span=4)
    lay.add(r, 6, "按支出性质分", col_span=2)
    for col, head in enumerate(["一般公共预算", "政府性基金拨款", "财政专户管理资金", "其他资金", "基本支出", "项目支出"], 2):
        lay.add(r + 1, col, head)
    for col, key in enumerate(["total", "general_public_budget", "government_fund", "special_account",
                               "other_funds", "basic_expenditure", "project_expenditure"], 1):
        lay.add(r + 2, col, budget[key] if budget[key] is not None else "")
    r += 3
    for col, head in enumerate(["一级指标", "二级指标", "三级指标", "指标值类型", "指标值", "度量单位",
                                "指标值说明(指标解释)", "备注"]):
        lay.add(r, col, head)
    lay.header_row = r
    descriptions = {(i["level1"], i["level2"], i["level3"]): i["description"] for i in rec["indicators"]}
    rest = lambda row: [row["level3"], row["target"].comparator, row["target"].value,
                        unit_text(style, row["target"].unit),
                        descriptions[(row["level1"], row["level2"], row["level3"])] or "", row.get("note") or ""]
    indicator_block(lay, rng, style, form.rows, r + 1, 0, 1, 6, rest)
    return lay


def project_application(form: Form, style: Style, rng: random.Random) -> Layout:
    # label | 一级 | 二级 | 三级 | 中期指标值 | 年度指标值
    rec = form.record
    lay = _frame(form, style, [70, 70, 80, 150, 90, 90], [0, 3], rng)
    lay.subtitle = f"（{rec['year']}年度）"
    lay.add(0, 0, "项目名称")
    lay.add(0, 1, rec["project_name"], col_span=5)
    for r, (l1, v1, l2, v2) in enumerate([("主管部门及代码", rec["competent_department"], "实施单位",
                                           rec["implementing_unit"]),
                                          ("项目属性", rec["project_attribute"], "项目期", rec["project_term"])], 1):
        lay.add(r, 0, l1)
        lay.add(r, 1, v1, col_span=2)
        lay.add(r, 3, l2)
        lay.add(r, 4, v2, col_span=2)
    lay.add(3, 0, "项目资金（万元）", row_span=3)
    mid, annual = rec["mid_term_funds"], rec["annual_funds"]
    for k, (label, key) in enumerate([("中期资金总额", "total"), ("其中：财政拨款", "fiscal"), ("其他资金", "other")]):
        lay.add(3 + k, 1, label)
        lay.add(3 + k, 2, mid[key])
        lay.add(3 + k, 3, label.replace("中期", "年度"))
        lay.add(3 + k, 4, annual[key], col_span=2)
    y0, y1 = form.extra["mid_years"]
    lay.add(6, 0, "总体目标", row_span=2)
    lay.add(6, 1, f"中期目标（{y0}年—{y1}年）", col_span=3)
    lay.add(6, 4, "年度目标", col_span=2)
    lay.add(7, 1, rec["mid_term_goal"], col_span=3, align="left")
    lay.add(7, 4, rec["annual_goal"], col_span=2, align="left")
    lay.add(8, 0, "绩效指标", row_span=len(form.rows) + 1)
    for col, head in enumerate(["一级指标", "二级指标", "三级指标", "中期指标值", "年度指标值"], 1):
        lay.add(8, col, head)
    lay.header_row = 8
    mids = {(i["level1"], i["level2"], i["level3"]): i for i in rec["indicators"]}

    def rest(row):
        i = mids[(row["level1"], row["level2"], row["level3"])]
        mid_t = C.Target(i["mid_comparator"], i["mid_value"], i["mid_unit"])
        return [row["level3"], combined(mid_t), combined(row["target"])]
    indicator_block(lay, rng, style, form.rows, 9, 1, 2, 3, rest)
    return lay


def self_evaluation(form: Form, style: Style, rng: random.Random) -> Layout:
    # label | 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
    rec = form.record
    lay = _frame(form, style, [62, 50, 58, 100, 62, 62, 34, 34, 96], [0, 3, 8], rng)
    lay.subtitle = f"（{rec['year']}年度）"
    lay.add(0, 0, "项目名称")
    lay.add(0, 1, rec["project_name"], col_span=8)
    lay.add(1, 0, "主管部门")
    lay.add(1, 1, rec["competent_department"], col_span=3)
    lay.add(1, 4, "实施单位")
    lay.add(1, 5, rec["implementing_unit"], col_span=4)
    lay.add(2, 0, "项目资金（万元）", row_span=5)
    lay.add(2, 1, "")
    for col, head in enumerate(["年初预算数", "全年预算数", "全年执行数", "分值", "执行率"], 2):
        lay.add(2, col, head)
    lay.add(2, 7, "得分", col_span=2)
    f, x = rec["funds"], form.extra
    lay.add(3, 1, "年度资金总额")
    for col, v in enumerate([f["initial_budget"], f["full_year_budget"], f["executed"], f["weight"]], 2):
        lay.add(3, col, v)
    lay.add(3, 6, f"{C.fmt(f['execution_rate'])}%")
    lay.add(3, 7, f["score"], col_span=2)
    for r, (label, key) in enumerate([("其中：当年财政拨款", "fiscal"), ("上年结转资金", "carried"),
                                      ("其他资金", "other")], 4):
        lay.add(r, 1, label)
        for col, v in enumerate(x[key], 2):
            lay.add(r, col, v)
        lay.add(r, 5, "—")
        lay.add(r, 6, "—")
        lay.add(r, 7, "—", col_span=2)
    lay.add(7, 0, "年度总体目标", row_span=2)
    lay.add(7, 1, "预期目标", col_span=4)
    lay.add(7, 5, "实际完成情况", col_span=4)
    lay.add(8, 1, rec["expected_goal"], col_span=4, align="left")
    lay.add(8, 5, rec["actual_result"], col_span=4, align="left")
    n = len(form.rows)
    lay.add(9, 0, "绩效指标", row_span=n + 1)
    for col, head in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                "偏差原因分析及改进措施"], 1):
        lay.add(9, col, head)
    lay.header_row = 9
    inds = iter(rec["indicators"])

    def rest(row):
        i = next(inds)
        return [row["level3"], combined(row["target"]), i["actual"], i["weight"], i["score"],
                i["deviation_reason"] or ""]
    end = indicator_block(lay, rng, style, form.rows, 10, 1, 2, 6, rest)
    lay.add(end, 0, "总分", col_span=6)
    lay.add(end, 6, rec["total_weight"])
    lay.add(end, 7, rec["total_score"])
    lay.add(end, 8, "")
    return lay


BUILDERS = {"project": project, "project_combined": project_combined, "project_wording": project_wording,
            "department": department, "project_application": project_application,
            "self_evaluation": self_evaluation}


def build(form: Form, rng: random.Random) -> Layout:
    style = Style.draw(rng)
    lay = BUILDERS[form.template](form, style, rng)
    lay.check()
    return lay
