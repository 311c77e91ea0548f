"""Normalise: repaired text → typed record (numbers, canonical units and comparators).

Small content repairs that belong to typing live here too: a value cell that
carries its comparator or unit (`≥95`, `95%`) gives them to the empty fields.
"""

from __future__ import annotations

import re

from pipeline.config import Settings
from pipeline.model import Document, Indicator, RawForm
from pipeline.records import SCHEMA_VERSION, Budget, indicator_record
from pipeline.repair.lexicon import Lexicon
from pipeline.repair.preamble import title_year
from pipeline.text import parse_number

_PERIOD = re.compile(r"^((?:19|20)\d{2})[.\-/年]\s*(\d{1,2})月?\s*[-—–~～至]+\s*((?:19|20)\d{2})[.\-/年]\s*(\d{1,2})月?$")
_LEADING_COMPARATOR = re.compile(r"^(≥|≤|>=|<=|＞=|＜=|>|<|＞|＜|=)\s*(.+)$")
_AMOUNT = re.compile(r"^(.*?)\s*(亿元|万元|千元|元)$")


def run(doc: Document, settings: Settings) -> Document:
    lexicon = Lexicon(settings.vocabulary)
    for form in doc.forms:
        form.record = build_record(form, doc, lexicon)
    return doc


def normalize_period(text: str | None) -> str | None:
    """`2026年1月-2026年12月`, `2026.1—2026.12` → `2026.01-2026.12`; other text kept."""
    if not text:
        return None
    match = _PERIOD.match(text.strip())
    if not match:
        return text
    y1, m1, y2, m2 = match.groups()
    return f"{y1}.{int(m1):02d}-{y2}.{int(m2):02d}"


def normalize_amount(text, form: RawForm, field: str):
    if text is None or isinstance(text, (int, float)):
        return text
    value = parse_number(text)
    if value is None:
        match = _AMOUNT.match(text)
        if match and parse_number(match.group(1)) is not None:
            value = parse_number(match.group(1))
            form.note("repair", field, f"unit '{match.group(2)}' written in the amount cell; removed",
                      before=text, after=value)
            return value
        form.note("warning", field, "not a number; left empty", before=text)
    return value


def normalize_indicator(ind: Indicator, lex: Lexicon, form: RawForm, where: str) -> Indicator:
    out = ind.model_copy()
    value = ind.value if isinstance(ind.value, str) else None
    if value is not None:
        match = _LEADING_COMPARATOR.match(value)
        if match and lex.comparator(match.group(1)):
            comparator = lex.comparator(match.group(1))
            if out.comparator in (None, "") or lex.comparator(out.comparator) == comparator:
                out.comparator = comparator
                value = match.group(2)
                form.note("repair", f"{where}.value", "comparator written in the value cell; moved",
                          before=ind.value, after=value)
        if value.endswith(("%", "％")) and parse_number(value[:-1]) is not None and not out.unit:
            out.unit = "%"
            form.note("repair", f"{where}.value", "unit written in the value cell; moved",
                      before=value, after=value[:-1])
            value = value[:-1]
        number = parse_number(value)
        out.value = number if number is not None else (None if lex.is_placeholder(value) else value)
    if out.unit is not None and lex.is_empty_unit(out.unit):
        out.unit = None
    if out.comparator is not None:
        canonical = lex.comparator(out.comparator)
        if canonical is None:
            form.note("uncertain", f"{where}.comparator",
                      "comparator is not one of ≥ ≤ = > < 定性; left empty",
                      before=out.comparator, cell=ind.cells.get("comparator"))
        out.comparator = canonical
    for name in ("level3", "note", "description"):
        if getattr(out, name) == "":
            setattr(out, name, None)
    return out


def build_record(form: RawForm, doc: Document, lex: Lexicon) -> dict:
    f = form.fields
    record: dict = {
        "schema_version": SCHEMA_VERSION,
        "form_type": form.form_type,
        "title": form.title or None,
        "year": title_year(form.title) or title_year(f.get("period")),
        "reporting_unit": f.get("reporting_unit"),
        "amount_unit": f.get("amount_unit"),
        "signer": f.get("signer"),
    }
    inds = [normalize_indicator(ind, lex, form, f"indicators[{i}]") for i, ind in enumerate(form.indicators)]
    if form.form_type == "project":
        record.update({
            "project_name": f.get("project_name"),
            "budget_amount": normalize_amount(f.get("budget_amount"), form, "budget_amount"),
            "project_category": f.get("project_category"),
            "period": normalize_period(f.get("period")),
            "annual_goal": f.get("annual_goal"),
        })
    else:
        record.update({
            "department_name": f.get("department_name"),
            "annual_duty_goal": f.get("annual_duty_goal"),
            "main_tasks": f.get("main_tasks", []),
            "budget": f.get("budget") or _missing_budget(form),
        })
    record["indicators"] = [indicator_record(ind, form.form_type) for ind in inds]
    record["empty_categories"] = form.empty_categories
    record["source"] = {"file": doc.path.name, "sha256": doc.sha256, "pages": form.pages}
    return record


def _missing_budget(form: RawForm) -> dict:
    """A department form whose budget block was not found (its label unreadable): every part null, flagged."""
    form.note("warning", "budget", "budget block (预算情况) not found on the form; its amounts are left empty")
    return dict.fromkeys(Budget.model_fields)
