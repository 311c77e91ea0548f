"""Validate: check each record against the schema and against itself.

Nothing is changed here; what does not add up becomes a review warning.
"""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.model import Document, RawForm
from pipeline.records import RECORD_TYPES
from pipeline.repair.lexicon import Lexicon

REQUIRED = {
    "project": ("project_name", "budget_amount", "project_category", "period", "annual_goal", "reporting_unit"),
    "department": ("department_name", "annual_duty_goal", "reporting_unit"),
}
AMOUNT_TOLERANCE = 0.005  # amounts are written to the cent of a 万元 at most


def run(doc: Document, settings: Settings) -> Document:
    lex = Lexicon(settings.vocabulary)
    for form in doc.forms:
        record = form.record
        for name in REQUIRED.get(form.form_type, ()):
            if record.get(name) in (None, ""):
                form.note("warning", name, "missing on the form")
        check_indicators(form, lex)
        if form.form_type == "project":
            check_project_budget(form)
        else:
            check_department_budget(form)
        record["review"] = [item.model_dump(mode="json") for item in form.review]
        # the schema is the contract: a record that breaks it is a bug, never shipped silently
        RECORD_TYPES[form.form_type].model_validate(record)
    return doc


def check_indicators(form: RawForm, lex: Lexicon) -> None:
    for i, ind in enumerate(form.record["indicators"]):
        where = f"indicators[{i}]"
        if ind["level1"] and ind["level2"] and ind["level1"] not in lex.parents.get(ind["level2"], []):
            form.note("warning", where, f"{ind['level2']} is not a 二级 of {ind['level1']}")
        if ind["level2"] is None:
            form.note("warning", f"{where}.level2", "二级指标 unknown")
        if ind["level3"] is None:
            form.note("warning", f"{where}.level3", "三级指标 missing")
        if ind["value"] is None:
            form.note("warning", f"{where}.value", "指标值 missing")
        if ind["comparator"] is None:
            form.note("warning", f"{where}.comparator", "指标值类型 missing")
        elif ind["comparator"] != "定性" and not isinstance(ind["value"], (int, float)) and ind["value"] is not None:
            form.note("warning", where, f"quantitative comparator {ind['comparator']} with a text value")


def check_project_budget(form: RawForm) -> None:
    """年度本级预算金额 should equal the 年初预算金额 cost indicator when both are there."""
    budget = form.record.get("budget_amount")
    for ind in form.record["indicators"]:
        if ind["level3"] in ("年初预算金额", "年度预算金额") and isinstance(ind["value"], (int, float)):
            if budget is not None and abs(budget - ind["value"]) > AMOUNT_TOLERANCE and ind["unit"] == form.record["amount_unit"]:
                form.note("warning", "budget_amount",
                          f"年度本级预算金额 {budget} differs from indicator {ind['level3']} {ind['value']}")


def check_department_budget(form: RawForm) -> None:
    budget = form.record.get("budget") or {}
    total = budget.get("total")
    if total is None:
        form.note("warning", "budget.total", "资金总额 missing")
        return
    for name, parts in (("income", ("general_public_budget", "government_fund", "special_account", "other_funds")),
                        ("expenditure", ("basic_expenditure", "project_expenditure"))):
        values = [budget.get(p) for p in parts if budget.get(p) is not None]
        if values and abs(sum(values) - total) > AMOUNT_TOLERANCE:
            form.note("warning", "budget", f"{name} parts sum to {round(sum(values), 6)}, 资金总额 is {total}")
