"""The 项目支出绩效自评表 record: targets, what was achieved, weights and scores."""

from __future__ import annotations

from scripts.corpus import content as C


def _achieved(rng, t: C.Target) -> tuple[str, float]:
    """The printed 实际完成值 and the share of the target reached (1.0 = met)."""
    if t.comparator == "定性":
        return rng.choice(C.data().common["actual_words"]), 1.0
    v = float(t.value)
    ratio = 1.0 if rng.random() < 0.8 else rng.uniform(0.7, 0.98)
    if t.comparator in ("≤", "<"):
        actual = v * (rng.uniform(0.6, 1.0) if ratio == 1.0 else 1 / ratio)
    else:
        actual = v * (rng.uniform(1.0, 1.08) if ratio == 1.0 else ratio)
    if t.unit in ("%", "‰"):
        actual = min(actual, 100.0) if t.unit == "%" else actual
    actual = round(actual, 1 if isinstance(t.value, float) or v < 10 else 0)
    return C.fmt(C.num(actual)) + (t.unit or ""), ratio


def _result(goal: str) -> str:
    """实际完成情况: the goal reported as done."""
    for opener in C.data().common["goal_openers"]:
        if opener and goal.startswith(opener):
            goal = goal[len(opener):]
    return "截至年底，" + goal.rstrip("。") + "，各项绩效目标基本完成。"


def self_evaluation(rng, ctx, header, signer, project, indicator_rows):
    from scripts.corpus.records import Form

    name, budget, goal = project(rng, ctx)
    rec = header("self_evaluation", ctx, "项目支出绩效自评表", signer(rng))
    full = C.num(round(budget * rng.choice([1, 1, 1.05, 0.9, 1.2]), 2))
    executed = C.num(round(full * rng.uniform(0.8, 1.0), 2)) if rng.random() < 0.7 else full
    rate = C.num(round(executed / full * 100, 1))
    funds_score = C.num(round(10 * min(rate, 100) / 100, 2))
    funds = {"initial_budget": budget, "full_year_budget": full, "executed": executed, "weight": 10,
             "execution_rate": rate, "score": funds_score}
    rows = indicator_rows(rng, ctx, budget, taxonomy_grid=False)
    n = len(rows)
    weights = [90 // n + (1 if k < 90 % n else 0) for k in range(n)]
    indicators, total = [], funds_score
    for row, w in zip(rows, weights):
        t = row["target"]
        actual, ratio = _achieved(rng, t)
        score = C.num(round(w * ratio, 1))
        total += score
        indicators.append({"level1": row["level1"], "level2": row["level2"], "level3": row["level3"],
                           "comparator": t.comparator, "value": t.value, "unit": t.unit, "actual": actual,
                           "weight": w, "score": score,
                           "deviation_reason": None if ratio == 1.0 else rng.choice(C.data().common["deviation_reasons"])})
    other = C.num(round(full * rng.uniform(0, 0.2), 2)) if rng.random() < 0.3 else 0
    extra = {"fiscal": [C.num(round(budget - (other if other < budget else 0), 2)), C.num(round(full - other, 2)),
                        C.num(round(executed - other, 2)) if executed > other else executed],
             "carried": [0, 0, 0], "other": [other, other, other if executed > other else 0]}
    rec.update(project_name=name, competent_department=ctx.org.name, implementing_unit=C.subordinate(rng, ctx.org),
               funds=funds, expected_goal=goal,
               actual_result=_result(goal),
               total_weight=100, total_score=C.num(round(total, 2)), indicators=indicators)
    return Form("self_evaluation", rec, rows, extra)
