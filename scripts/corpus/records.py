"""The truth record of one form, per template (docs/templates.md), drawn from content.py.

A Form is the record (what `pipeline eval` compares against) plus the indicator rows in printed
order, empty categories included, which the layouts print.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from scripts.corpus import content as C

TEMPLATES = ("project", "department", "project_combined", "project_wording", "project_application",
             "self_evaluation")
FORM_TYPE = {"department": "department", "self_evaluation": "self_evaluation"}

LEVEL1_ORDERS = (("产出指标", "效益指标", "满意度指标", "成本指标"),
                 ("成本指标", "产出指标", "效益指标", "满意度指标"),
                 ("产出指标", "效益指标", "成本指标", "满意度指标"))
TAXONOMY = {"产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
            "效益指标": ["经济效益", "社会效益", "生态效益", "可持续影响"],
            "满意度指标": ["服务对象满意度"],
            "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"]}
# how many indicators a level-2 category gets: (few, many) ranges
COUNTS = {"数量指标": ((1, 2), (2, 6)), "质量指标": ((0, 1), (1, 3)), "时效指标": ((0, 1), (1, 2)),
          "成本指标": ((0, 1), (1, 2)), "经济效益": ((0, 1), (0, 2)), "社会效益": ((0, 1), (1, 3)),
          "生态效益": ((0, 0), (0, 1)), "可持续影响": ((0, 0), (0, 2)), "服务对象满意度": ((1, 1), (1, 2)),
          "经济成本指标": ((1, 1), (1, 3)), "社会成本指标": ((0, 0), (0, 1)), "生态环境成本指标": ((0, 0), (0, 1))}


@dataclass
class Form:
    template: str
    record: dict
    rows: list[dict] = field(default_factory=list)   # indicator dicts and {"level1", "level2", "empty": True}
    extra: dict = field(default_factory=dict)        # printed-only contents


@dataclass
class Context:
    """What the forms of one file share: the organisation, the year, the signers' pool."""

    org: C.Org
    year: int


def new_context(rng: random.Random) -> Context:
    return Context(C.make_org(rng), rng.choices([2025, 2026, 2027], [1, 6, 1])[0])


def _header(template: str, ctx: Context, title: str, signer: str | None) -> dict:
    return {"form_type": FORM_TYPE.get(template, "project"), "template": template, "title": title,
            "year": ctx.year, "reporting_unit": ctx.org.name, "amount_unit": "万元", "signer": signer}


def _signer(rng: random.Random) -> str | None:
    return C.person(rng) if rng.random() < 0.8 else None


def indicator_rows(rng: random.Random, ctx: Context, budget, *, taxonomy_grid: bool,
                   plain: bool = False, cost_indicators: list[tuple[str, object]] | None = None) -> list[dict]:
    """Indicator rows in printed order; with taxonomy_grid, empty categories as placeholder rows."""
    dept, few = ctx.org.department, rng.random() < 0.3
    cost_level1 = rng.random() < 0.75           # 成本指标 as 一级 (since 2021) or 产出指标/成本指标
    order = rng.choice(LEVEL1_ORDERS) if cost_level1 else ("产出指标", "效益指标", "满意度指标")
    print_empty = taxonomy_grid and rng.random() < 0.7
    budget_name = rng.choice(C.data().common["budget_indicators"])
    costs = cost_indicators or [(budget_name, budget)]
    rows: list[dict] = []
    for l1 in order:
        for l2 in TAXONOMY[l1]:
            if l2 == "成本指标" and cost_level1:
                continue
            lo, hi = COUNTS[l2][0 if few else 1]
            specs = C.pick_specs(rng, dept, l2, rng.randint(lo, hi))
            items = [{"level1": l1, "level2": l2, "level3": s.name,
                      "target": C.draw_target(rng, s, ctx.year, plain)} for s in specs]
            if l2 in ("经济成本指标", "成本指标"):
                cmp = rng.choice(["=", "=", "≤"])
                items = [{"level1": l1, "level2": l2, "level3": name, "target": C.Target(cmp, value, "万元")}
                         for name, value in costs if value is not None] + items[: 1 if few else 2]
            if items:
                rows.extend(items)
            elif print_empty and not (l2 in ("可持续影响", "成本指标") and rng.random() < 0.7):
                rows.append({"level1": l1, "level2": l2, "empty": True})
    for row in rows:
        if not row.get("empty") and rng.random() < 0.06:
            row["note"] = rng.choice(C.data().common["notes"])
    return rows


def _indicator(row: dict, **more) -> dict:
    t = row["target"]
    out = {"level1": row["level1"], "level2": row["level2"], "level3": row["level3"],
           "value": t.value, "unit": t.unit, "comparator": t.comparator, "note": row.get("note")}
    out.update(more)
    return out


def _empties(rows: list[dict]) -> list[dict]:
    return [{"level1": r["level1"], "level2": r["level2"]} for r in rows if r.get("empty")]


def _project(rng: random.Random, ctx: Context) -> tuple[str, float, str]:
    dept = ctx.org.department
    name = rng.choice(dept.projects)
    if rng.random() < 0.2:
        name = f"{ctx.year}年{name}"
    return name, C.amount(rng, 0.5, 20000), C.goal(rng, dept, name, C.goal_length(rng))


def make_project(rng, ctx, template="project") -> Form:
    name, budget, goal = _project(rng, ctx)
    rec = _header(template, ctx, f"{ctx.year}年项目支出绩效目标表", _signer(rng))
    rows = indicator_rows(rng, ctx, budget, taxonomy_grid=True)
    rec.update(project_name=name, budget_amount=budget,
               project_category=rng.choice(C.data().common["project_categories"]),
               period=C.period(rng, ctx.year), annual_goal=goal,
               indicators=[_indicator(r) for r in rows if not r.get("empty")], empty_categories=_empties(rows))
    return Form(template, rec, rows)


def make_combined(rng, ctx) -> Form:
    name, budget, goal = _project(rng, ctx)
    rec = _header("project_combined", ctx, f"{ctx.year}年项目支出绩效目标表", _signer(rng))
    rows = indicator_rows(rng, ctx, budget, taxonomy_grid=True)
    rec.update(project_name=name, competent_department=ctx.org.name,
               implementing_unit=C.subordinate(rng, ctx.org), budget_amount=budget,
               period=C.period(rng, ctx.year), annual_goal=goal,
               indicators=[_indicator(r) for r in rows if not r.get("empty")], empty_categories=_empties(rows))
    return Form("project_combined", rec, rows)


def make_wording(rng, ctx) -> Form:
    name, budget, goal = _project(rng, ctx)
    rec = _header("project_wording", ctx, f"{ctx.year}年度项目绩效目标表", _signer(rng))
    rows = indicator_rows(rng, ctx, budget, taxonomy_grid=True, plain=True)
    rec.update(project_name=name, implementing_unit=C.subordinate(rng, ctx.org), budget_amount=budget,
               period=C.period(rng, ctx.year), annual_goal=goal,
               indicators=[_indicator(r) for r in rows if not r.get("empty")], empty_categories=_empties(rows))
    return Form("project_wording", rec, rows)


def _budget(rng: random.Random) -> dict:
    """The department budget block in cents, so the parts add up exactly."""
    total = int(C.amount(rng, 80, 60000) * 100)
    parts = {"government_fund": None, "special_account": None, "other_funds": None}
    rest = total
    for key in parts:
        if rng.random() < 0.3 and rest > 100:
            parts[key] = rng.randint(1, rest // 5)
            rest -= parts[key]
    basic = int(total * rng.uniform(0.45, 0.95))
    cents = {"total": total, "general_public_budget": rest, **parts,
             "basic_expenditure": basic, "project_expenditure": total - basic}
    return {k: None if v is None else C.num(v / 100) for k, v in cents.items()}


def make_department(rng, ctx) -> Form:
    dept, c = ctx.org.department, C.data().common
    rec = _header("department", ctx, f"{ctx.year}年部门整体支出绩效目标表", _signer(rng))
    budget = _budget(rng)
    tasks = []
    style = rng.choice(["{n}. {o}{t}。", "{t}", "（{cn}）{o}{t}", "{o}{t}工作"])
    for k, task in enumerate(rng.sample(dept.tasks, rng.randint(2, len(dept.tasks)))):
        name = style.format(n=k + 1, cn="一二三四五六"[k], o=rng.choice(c["task_openers"]), t=task)
        body = "；".join(rng.sample(dept.goals, rng.randint(1, 3))) + "。"
        tasks.append({"name": name, "content": body})
    costs = [(rng.choice(c["budget_indicators"][:2]), budget["total"])]
    if rng.random() < 0.6:
        costs += [("基本支出", budget["basic_expenditure"]), ("项目支出", budget["project_expenditure"])]
    rows = indicator_rows(rng, ctx, budget["total"], taxonomy_grid=True, cost_indicators=costs)
    indicators = []
    for r in rows:
        if r.get("empty"):
            continue
        desc = None if rng.random() < 0.1 else rng.choice(c["description_templates"]).format(name=r["level3"])
        ind = _indicator(r)
        ind["description"] = desc
        indicators.append(ind)
    rec.update(department_name=ctx.org.name if rng.random() < 0.9 else ctx.org.name + "（本级）",
               annual_duty_goal=C.goal(rng, dept, "", rng.choice(["medium", "long"])),
               main_tasks=tasks, budget=budget, indicators=indicators, empty_categories=_empties(rows))
    return Form("department", rec, rows)


def make_application(rng, ctx) -> Form:
    name, annual_total, goal = _project(rng, ctx)
    years = rng.choice([1, 2, 3, 3, 5])
    rec = _header("project_application", ctx, "项目支出绩效目标申报表", _signer(rng))
    fiscal = annual_total if rng.random() < 0.6 else C.num(round(annual_total * rng.uniform(0.5, 0.95), 2))
    annual = {"total": annual_total, "fiscal": fiscal, "other": C.num(round(annual_total - fiscal, 2))}
    mid = {k: C.num(round(v * years, 2)) for k, v in annual.items()}
    rows = indicator_rows(rng, ctx, annual_total, taxonomy_grid=False)
    indicators = []
    for r in rows:
        t = r["target"]
        mid_value = t.value
        if isinstance(t.value, (int, float)) and t.unit not in ("%", "‰") and t.comparator != "=":
            mid_value = C.num(round(t.value * years, 2))
        elif r["level2"] == "经济成本指标":
            mid_value = mid["total"] if t.value == annual_total else t.value
        indicators.append({"level1": r["level1"], "level2": r["level2"], "level3": r["level3"],
                           "mid_comparator": t.comparator, "mid_value": mid_value, "mid_unit": t.unit,
                           "comparator": t.comparator, "value": t.value, "unit": t.unit})
    rec.update(project_name=name, competent_department=ctx.org.name,
               implementing_unit=C.subordinate(rng, ctx.org),
               project_attribute=rng.choice(C.data().common["project_attributes"]), project_term=f"{years}年",
               mid_term_funds=mid, annual_funds=annual,
               mid_term_goal=C.goal(rng, ctx.org.department, name, "long" if rng.random() < 0.5 else "medium"),
               annual_goal=goal, indicators=indicators)
    return Form("project_application", rec, rows, {"mid_years": (ctx.year, ctx.year + years - 1)})


def make_self_evaluation(rng, ctx) -> Form:
    from scripts.corpus.selfeval import self_evaluation
    return self_evaluation(rng, ctx, _header, _signer, _project, indicator_rows)


MAKERS = {"project": make_project, "department": make_department, "project_combined": make_combined,
          "project_wording": make_wording, "project_application": make_application,
          "self_evaluation": make_self_evaluation}


def make_form(rng: random.Random, ctx: Context, template: str) -> Form:
    return MAKERS[template](rng, ctx)
