"""Repair: undo what extraction did to each form, recording every change in `review`.

Order matters only in that cells are cleaned first (wrapped text, widths,
punctuation) so that every later rule compares clean text.
"""

from __future__ import annotations

from pipeline.config import FormDef, Settings
from pipeline.model import Cell, Document, RawForm
from pipeline.repair import department, fields, indicators, preamble
from pipeline.repair.context import RepairContext
from pipeline.repair.lexicon import Lexicon
from pipeline.text import label_key, parse_number


def run(doc: Document, settings: Settings) -> Document:
    lexicon = Lexicon(settings.vocabulary)
    for form in doc.forms:
        ctx = RepairContext(form=form, form_def=settings.form(form.form_type), lexicon=lexicon,
                            uncertain_below=settings.ocr.uncertain_below)
        repair_form(ctx)
    return doc


def repair_form(ctx: RepairContext) -> None:
    form, form_def = ctx.form, ctx.form_def
    ctx.clean_cells()
    sections = find_sections(form.rows, form_def)
    first_section = min(sections.values(), default=len(form.rows))
    found = fields.collect_fields(form.rows[:first_section], ctx, form_def.fields)
    for name in form_def.fields:
        value, _cell = found.get(name, (None, None))
        form.fields[name] = value
    found_lines = preamble.read_preamble(form.lines, form_def.preamble)
    signer = preamble.find_signer(form)
    if signer is not None:
        found_lines["signer"] = signer
    for name in ("reporting_unit", "amount_unit", "signer"):
        value, line = found_lines.get(name, (None, None))
        form.fields[name] = value
        if line is not None:
            ctx.take_line(name, line)

    bounds = sorted(sections.items(), key=lambda kv: kv[1]) + [("end", len(form.rows))]
    for (name, start), (_next, stop) in zip(bounds, bounds[1:]):
        rows = form.rows[start:stop]
        if name == "indicators":
            slots = indicators.header_slots(rows[0], form_def.indicator_columns)
            indicators.IndicatorReader(ctx, slots).read(rows[1:])
        elif name == "tasks":
            section_cell = _section_cell(rows[0], form_def.task_section.labels)
            form.fields["main_tasks"] = department.read_tasks(rows, form_def.task_columns, section_cell, ctx)
        elif name == "budget":
            budget = department.read_budget(rows, form_def.budget_items, ctx)
            department.infer_budget_total(budget, ctx)
            form.fields["budget"] = budget
    if "indicators" not in sections:
        form.note("warning", "indicators", "no indicator table header (一级指标 | 二级指标 | …) found")
    infer_from_indicators(ctx)


def find_sections(rows: list[list[Cell]], form_def: FormDef) -> dict[str, int]:
    """Row index where each section starts: indicators, and the department's tasks and budget."""
    sections: dict[str, int] = {}
    section_labels = {"tasks": form_def.task_section, "budget": form_def.budget_section}
    for index, row in enumerate(rows):
        if "indicators" not in sections and indicators.header_slots(row, form_def.indicator_columns):
            sections["indicators"] = index
            continue
        for name, field_def in section_labels.items():
            if field_def is not None and name not in sections and _section_cell(row, field_def.labels):
                sections[name] = index
    return sections


def _noted(form, field_name: str, kind: str) -> bool:
    return any(item.kind == kind and item.field == field_name for item in form.review)


def _section_cell(row: list[Cell], labels: list[str]) -> Cell | None:
    keys = {label_key(label) for label in labels}
    return next((c for c in row if label_key(c.text) in keys), None)


def infer_from_indicators(ctx: RepairContext) -> None:
    """A field the form states elsewhere: 年度本级预算金额 = the cost row's 年初预算金额.

    Taken from there when the field is blank or unreadable, or when it was read unsure (under a
    seal, low OCR confidence) and disagrees with a surely-read indicator: of two readings of
    one amount, the sure one wins, and the change is flagged.
    """
    form = ctx.form
    for name, field_def in ctx.form_def.fields.items():
        value = form.fields.get(name)
        number = parse_number(str(value).rstrip("亿万千元")) if value else None
        readable = value and (field_def.type != "number" or number is not None)
        unsure = readable and field_def.type == "number" and _noted(form, name, "uncertain")
        if (readable and not unsure) or not field_def.infer_from_indicator:
            continue
        sources = {label_key(s) for s in field_def.infer_from_indicator}
        for index, ind in enumerate(form.indicators):
            name_key = label_key(ind.level3)
            # one stray character (a neighbour's `=` read into the cell) does not hide the source
            named = name_key in sources or any(name_key.startswith(k) and len(name_key) - len(k) <= 1 for k in sources)
            if not named or parse_number(ind.value) is None:
                continue
            if unsure and (_noted(form, f"indicators[{index}].value", "uncertain")
                           or parse_number(ind.value) == number):
                break  # both unsure, or they agree: keep what was read
            form.fields[name] = parse_number(ind.value)  # replaces an unreadable or unsure value
            state = "read unsure" if unsure else "unreadable" if value else "blank"
            form.note("inferred", name, f"{state} on the form; taken from indicator '{ind.level3}'",
                      before=value or None, after=form.fields[name], cell=ind.cells.get("value"))
            if ind.unit and form.fields.get("amount_unit") and ind.unit != form.fields["amount_unit"]:
                form.note("warning", name, f"source indicator is in {ind.unit}, form amounts in "
                          f"{form.fields['amount_unit']}")
            break
