"""Validate: check each record against its template's model and against itself.

Nothing is changed here; what does not add up becomes a review warning. The
checks a template asks for are named in its spec (`checks:`); the kinds are
CHECKS below.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.config import Settings
from pipeline.model import Document, RawForm
from pipeline.records import record_model
from pipeline.repair.lexicon import Lexicon
from pipeline.text import label_key
from pipeline.spec import AmountsSection, Check, FormSpec

AMOUNT_TOLERANCE = 0.005  # amounts are written to the cent of a 万元 at most


def run(doc: Document, settings: Settings) -> Document:
    lex = Lexicon(settings.vocabulary)
    for form in doc.forms:
        spec = settings.spec(form.template)
        record = form.record
        for name in spec.required:
            if record.get(name) in (None, ""):
                form.note("warning", name, "missing on the form")
        check_indicators(form, spec, lex)
        for check in spec.checks:
            CHECKS[check.kind](form, spec, check)
        record["review"] = [item.model_dump(mode="json") for item in form.review]
        # the schema is the contract: a record that breaks it is a bug, never shipped silently
        record_model(spec).model_validate(record)
    return doc


def check_indicators(form: RawForm, spec: FormSpec, lex: Lexicon) -> None:
    section = spec.indicator_section
    if section is None:
        return
    targets = [c.into for c in section.columns if c.into]
    fields = set(spec.indicator_fields)
    for i, ind in enumerate(form.record.get(section.name, [])):
        where = f"{section.name}[{i}]"
        if section.taxonomy:
            if ind["level1"] and ind["level2"] and ind["level1"] not in lex.parents.get(ind["level2"], []):
                form.note("warning", where, f"{ind['level2']} is not a 二级 of {ind['level1']}")
            if ind["level2"] is None:
                form.note("warning", f"{where}.level2", "二级指标 unknown")
        if section.key in fields and ind.get(section.key) is None:
            form.note("warning", f"{where}.{section.key}", "三级指标 missing")
        for into in targets:
            value, comparator = ind.get(into.get("value")), ind.get(into.get("comparator"))
            if value is None:
                form.note("warning", f"{where}.{into['value']}", "指标值 missing")
            if "comparator" in into and comparator is None:
                form.note("warning", f"{where}.{into['comparator']}", "指标值类型 missing")
            elif comparator not in (None, "定性") and not isinstance(value, (int, float)) and value is not None:
                form.note("warning", where, f"quantitative comparator {comparator} with a text value")


def check_equals_indicator(form: RawForm, spec: FormSpec, check: Check) -> None:
    """A field should equal the indicator of that name (年度本级预算金额 = 年初预算金额) in one unit."""
    value = form.record.get(check.field)
    names = {label_key(n) for n in check.indicators}
    section = spec.indicator_section
    for ind in form.record.get(section.name if section else "indicators", []):
        if label_key(ind.get("level3")) in names and isinstance(ind.get("value"), (int, float)):
            unit = ind.get("unit")
            if (value is not None and abs(value - ind["value"]) > AMOUNT_TOLERANCE
                    and unit == form.record.get("amount_unit")):
                form.note("warning", check.field, f"{check.field} {value} differs from indicator "
                          f"{ind['level3']} {ind['value']}")


def check_sums(form: RawForm, spec: FormSpec, check: Check) -> None:
    """An amount block's parts add up to its total (each set of parts on its own)."""
    section = next(s for s in spec.sections if isinstance(s, AmountsSection) and s.name == check.field)
    blocks = [section.name] if section.items else [g.field for g in section.groups]
    for block in blocks:
        amounts = form.record.get(block) or {}
        for total_name, part_sets in section.sums.items():
            total = amounts.get(total_name)
            if total is None:
                form.note("warning", f"{block}.{total_name}", f"{total_name} missing")
                continue
            for parts in part_sets:
                values = [amounts.get(p) for p in parts if amounts.get(p) is not None]
                if values and abs(sum(values) - total) > AMOUNT_TOLERANCE:
                    form.note("warning", block, f"{' + '.join(parts)} sum to {round(sum(values), 6)}, "
                              f"{total_name} is {total}")


CHECKS: dict[str, Callable[[RawForm, FormSpec, Check], None]] = {
    "equals_indicator": check_equals_indicator,
    "sums": check_sums,
}
