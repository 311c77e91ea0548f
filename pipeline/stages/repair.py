"""Repair: undo what extraction did to each form, recording every change in `review`.

Each form is read with its template's spec: cells are cleaned first (wrapped
text, widths, punctuation) so every later rule compares clean text; then the
rows are split into the spec's sections, and each section is read by the reader
its kind names (SECTION_READERS). Rows outside every other section are
label–value fields.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.config import Settings
from pipeline.model import Cell, Document
from pipeline.repair import amounts, fields, indicators, lists, preamble
from pipeline.repair.context import RepairContext
from pipeline.repair.lexicon import Lexicon
from pipeline.spec import (AmountRowSection, AmountsSection, FieldsSection, FormSpec, IndicatorsSection,
                           ListSection, Section)
from pipeline.text import label_key, parse_number


def run(doc: Document, settings: Settings) -> Document:
    lexicon = Lexicon(settings.vocabulary)
    for form in doc.forms:
        ctx = RepairContext(form=form, form_def=settings.spec(form.template), lexicon=lexicon,
                            uncertain_below=settings.ocr.uncertain_below)
        repair_form(ctx)
    return doc


def _read_indicators(rows: list[list[Cell]], section: IndicatorsSection, ctx: RepairContext) -> None:
    slots = indicators.header_slots(rows[0], section.columns)
    indicators.IndicatorReader(ctx, slots, section.columns, section.key, section.totals,
                               section.labels).read(rows[1:])


def _read_amounts(rows: list[list[Cell]], section: AmountsSection, ctx: RepairContext) -> None:
    ctx.form.fields.update(amounts.read_amounts(rows, section, ctx))


def _read_amount_row(rows: list[list[Cell]], section: AmountRowSection, ctx: RepairContext) -> None:
    ctx.form.fields[section.name] = amounts.read_amount_row(rows, section, ctx)


def _read_list(rows: list[list[Cell]], section: ListSection, ctx: RepairContext) -> None:
    caption = _section_cell(rows[0], section.labels) if rows else None
    ctx.form.fields[section.name] = lists.read_list(rows, section, caption, ctx)


# section kind → its reader: (the section's rows, the section, the context)
SECTION_READERS: dict[str, Callable[[list[list[Cell]], Section, RepairContext], None]] = {
    "indicators": _read_indicators,
    "amounts": _read_amounts,
    "amount_row": _read_amount_row,
    "list": _read_list,
}


def repair_form(ctx: RepairContext) -> None:
    form, spec = ctx.form, ctx.form_def
    ctx.clean_cells()
    starts = find_sections(form.rows, spec)
    field_rows = [row for i, row in enumerate(form.rows) if _owner(i, starts, form.rows, spec) is None]
    found = fields.collect_fields(field_rows, ctx, spec.fields, spec.captions)
    for name in spec.fields:
        value, _cell = found.get(name, (None, None))
        form.fields[name] = value
    read_lines(ctx)
    by_start = sorted(starts.items(), key=lambda kv: kv[1])
    for name, start in by_start:
        section = next(s for s in spec.sections if getattr(s, "name", None) == name)
        stop = _section_end(start, starts, form.rows, spec)
        SECTION_READERS[section.kind](form.rows[start:stop], section, ctx)
    indicator_section = spec.indicator_section
    if indicator_section is not None and indicator_section.name not in starts:
        heads = " | ".join(c.labels[0] for c in indicator_section.columns[:3])
        form.note("warning", indicator_section.name, f"no indicator table header ({heads} | …) found")
    infer_from_indicators(ctx)


def read_lines(ctx: RepairContext) -> None:
    """reporting_unit, amount_unit and the signer from the lines around the grid."""
    form = ctx.form
    found_lines = preamble.read_preamble(form.lines, ctx.form_def.preamble)
    signer = preamble.find_signer(form)
    if signer is not None:
        found_lines["signer"] = signer
    for name in ("reporting_unit", "amount_unit", "signer"):
        value, line = found_lines.get(name, (None, None))
        form.fields[name] = value
        if line is not None:
            ctx.take_line(name, line)


def find_sections(rows: list[list[Cell]], spec: FormSpec) -> dict[str, int]:
    """Row index where each section (other than label–value fields) starts.

    An indicator grid starts at its column header; any other section at the row holding its
    caption. Each section starts once (a repeated header on a continuation page is no new one).
    """
    starts: dict[str, int] = {}
    for index, row in enumerate(rows):
        for section in spec.sections:
            if isinstance(section, FieldsSection) or section.name in starts:
                continue
            if isinstance(section, IndicatorsSection):
                if indicators.header_slots(row, section.columns):
                    starts[section.name] = index
                    break
            elif _section_cell(row, section.labels):
                starts[section.name] = index
                break
    return starts


def _is_field_row(row: list[Cell], spec: FormSpec) -> bool:
    """A row that opens with a label–value field or a caption: it ends any block above it."""
    first = next((c for c in row if c.text), None)
    if first is None:
        return False
    keys = {label_key(c) for c in spec.captions}
    return label_key(first.text) in keys or fields.match_label(first.text, fields.label_index(spec.fields)) is not None


def _section_end(start: int, starts: dict[str, int], rows: list[list[Cell]], spec: FormSpec) -> int:
    """A section runs to the next section's start, or to a row that opens with a label–value field
    (a grid's own rows open with a taxonomy label or an indicator's name, never a field label)."""
    later = [s for s in starts.values() if s > start]
    stop = min(later, default=len(rows))
    for index in range(start + 1, stop):
        if _is_field_row(rows[index], spec):  # 总分 | 100 under the grid
            return index
    return stop


def _owner(index: int, starts: dict[str, int], rows: list[list[Cell]], spec: FormSpec) -> str | None:
    """The section a row belongs to, or None for a label–value row."""
    for name, start in starts.items():
        if start <= index < _section_end(start, starts, rows, spec):
            return name
    return None


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
        numeric = field_def.type in ("number", "amount")
        number = parse_number(str(value).rstrip("亿万千元")) if value else None
        readable = value and (not numeric or number is not None)
        unsure = readable and numeric and ctx.unsure(name)
        if (readable and not unsure) or not field_def.infer_from_indicator:
            continue
        sources = {label_key(s) for s in field_def.infer_from_indicator}
        for index, ind in enumerate(form.indicators):
            name_key = label_key(ind.get("level3"))
            # one stray character (a neighbour's `=` read into the cell) does not hide the source
            named = name_key in sources or any(name_key.startswith(k) and len(name_key) - len(k) <= 1 for k in sources)
            source_value = _indicator_number(ind.get("value"))
            if not named or source_value is None:
                continue
            if unsure and (ctx.unsure(f"indicators[{index}].value") or source_value == number):
                break  # both unsure, or they agree: keep what was read
            form.fields[name] = source_value  # replaces an unreadable or unsure value
            state = "read unsure" if unsure else "unreadable" if value else "blank"
            form.note("inferred", name, f"{state} on the form; taken from indicator '{ind.get('level3')}'",
                      before=value or None, after=form.fields[name], cell=ind.cells.get("value"))
            unit = ind.get("unit")
            if unit and form.fields.get("amount_unit") and unit != form.fields["amount_unit"]:
                form.note("warning", name, f"source indicator is in {unit}, form amounts in "
                          f"{form.fields['amount_unit']}")
            break


def _indicator_number(text: str | None) -> float | int | None:
    """The number of an indicator's value cell, also when its target is printed whole (`≤20万元`)."""
    number = parse_number(text)
    if number is None and text:
        number = parse_number(text.lstrip("≥≤=<>＝").rstrip("亿万千元").strip())
    return number
