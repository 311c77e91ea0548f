"""Normalise: repaired text → the typed record of the form's template.

Every field and column is typed by its value type (pipeline/values.py). A
target cell fills several fields (`≥95%` → comparator, value, unit); where the
template also prints a column of its own for one of those fields, that column
wins and the target only fills what it left blank — a value cell that carries
its comparator or unit (`≥95`, `95%`) gives them to the empty fields, noted.
"""

from __future__ import annotations

import re

from pipeline.config import Settings
from pipeline.model import Document, Indicator, RawForm
from pipeline.records import SCHEMA_VERSION
from pipeline.repair.lexicon import Lexicon
from pipeline.repair.preamble import title_year
from pipeline.spec import AmountRowSection, AmountsSection, Column, FieldsSection, FormSpec, IndicatorsSection, ListSection
from pipeline.values import value_type

_YEAR_LINE = re.compile(r"^[（(]?\s*(?:19|20)\d{2}\s*年度?\s*[)）]?$")


def run(doc: Document, settings: Settings) -> Document:
    lexicon = Lexicon(settings.vocabulary)
    for number, form in enumerate(doc.forms, start=doc.forms_before + 1):
        form.record = {"form_id": form_id(doc.sha256, number),
                       **build_record(form, doc, lexicon, settings.spec(form.template))}
    return doc


def page_geometry(page) -> dict:
    """What maps a bbox of this page back onto its file (records.PageGeometry)."""
    return {"page": page.number, "file": page.file, "file_page": page.file_page, "width": page.width,
            "height": page.height, "scanned": page.scanned, "dpi": page.dpi, "rotation": page.rotation, "skew": round(page.skew, 3),
            "transform": page.transform if page.scanned else None}


def form_id(sha256: str, number: int) -> str:
    """A form's stable key: its input's content (not its path or name) and its place in it."""
    return f"{sha256[:16]}-{number:02d}"


def _note_all(form: RawForm, where: str, notes, cell=None) -> None:
    for kind, reason, before, after in notes:
        form.note(kind, where, reason, before=before, after=after, cell=cell)


def typed(type_name: str, text, lex: Lexicon, form: RawForm, where: str, cell=None):
    """One field's typed value; what typing changed or doubted goes to the review list."""
    if text is not None and not isinstance(text, str):
        return text  # already typed by its reader (an amount)
    parsed = value_type(type_name).parse(text, lex)
    _note_all(form, where, parsed.notes, cell)
    return parsed.parts["value"]


def typed_row(columns: list[Column], raw: dict, lex: Lexicon, form: RawForm, where: str,
              cells: dict | None = None) -> dict:
    """A grid row's record: own columns first, then the parts of its targets where they are blank."""
    cells = cells or {}
    out: dict = {}
    own = {c.field for c in columns if not c.into}
    for col in columns:
        if not col.into:
            out[col.field] = typed(col.type, raw.get(col.field), lex, form, f"{where}.{col.field}", cells.get(col.field))
    for col in columns:
        if not col.into:
            continue
        text = raw.get(col.field)
        parsed = value_type(col.type).parse(text, lex)
        _note_all(form, f"{where}.{col.field}", parsed.notes, cells.get(col.field))
        source = form.evidence.get(f"{where}.{col.field}")
        for role, name in col.into.items():
            part = parsed.parts.get(role)
            if name not in own or role == "value":
                out[name] = part
                if source is not None:  # read from that cell: its evidence, not the row's weakest cell's
                    form.evidence.setdefault(f"{where}.{name}", source)
            elif part is not None and out.get(name) in (None, "", part):
                out[name] = part
                if source is not None:
                    form.evidence.setdefault(f"{where}.{name}", source)
                form.note("repair", f"{where}.{col.field}", f"{role} written in the {col.field} cell; moved",
                          before=text, after=_text_of(parsed.parts.get("value")))
            elif part is not None and out.get(name) != part:
                form.note("warning", f"{where}.{name}", f"the {col.field} cell says {part}, "
                          f"the {name} column {out[name]}; the column kept", before=text, cell=cells.get(name))
    return out


def _text_of(value) -> str | None:
    return None if value is None else str(value)


def normalize_indicator(ind: Indicator, section: IndicatorsSection, lex: Lexicon, form: RawForm, where: str) -> dict:
    raw = {c.field: ind.get(c.field) for c in section.columns}
    out = typed_row(section.columns, raw, lex, form, where, ind.cells)
    for name in list(out):
        if out[name] == "":
            out[name] = None
    order = list(dict.fromkeys(n for c in section.columns for n in c.outputs()))
    return {name: out.get(name) for name in order}


def build_record(form: RawForm, doc: Document, lex: Lexicon, spec: FormSpec) -> dict:
    f = form.fields
    record: dict = {
        "schema_version": SCHEMA_VERSION,
        "form_type": spec.form_type,
        "template": spec.template,
        "title": form.title or None,
        "year": None,
        "reporting_unit": f.get("reporting_unit"),
        "amount_unit": f.get("amount_unit"),
        "signer": f.get("signer"),
    }
    periods = []
    tail: dict = {}
    for section in spec.sections:
        if isinstance(section, FieldsSection):
            for name, d in section.fields.items():
                record[name] = typed(d.type, f.get(name), lex, form, name)
                if d.type == "period":
                    periods.append(record[name])
        elif isinstance(section, IndicatorsSection):
            tail[section.name] = [normalize_indicator(ind, section, lex, form, f"{section.name}[{i}]")
                                  for i, ind in enumerate(form.indicators)]
            if section.taxonomy:
                tail["empty_categories"] = form.empty_categories
            if section.totals is not None:
                types = {c.field: c.type for c in section.columns}
                for column, name in section.totals.into.items():
                    record[name] = typed(types[column], f.get(name), lex, form, name)
        elif isinstance(section, AmountsSection):
            for name in [section.name] if section.items else [g.field for g in section.groups]:
                items = section.items or next(g.items for g in section.groups if g.field == name)
                found = f.get(name)
                if found is None:
                    form.note("warning", name, f"{section.labels[0]} block not found on the form; "
                              "its amounts are left empty")
                    found = {}
                record[name] = {i.field: typed(section.type, found.get(i.field), lex, form, f"{name}.{i.field}")
                                for i in items}
        elif isinstance(section, AmountRowSection):
            found = f.get(section.name) or {}
            if not found:
                form.note("warning", section.name, f"{section.labels[0]} block not found on the form; "
                          "its amounts are left empty")
            record[section.name] = typed_row(section.columns, found, lex, form, section.name)
        elif isinstance(section, ListSection):
            record[section.name] = [typed_row(section.columns, item, lex, form, f"{section.name}[{i}]")
                                    for i, item in enumerate(f.get(section.name) or [])]
    # the title's year; else a year line under it (`（2026年度）`); else the period's
    year_lines = [line.text for line in form.lines if _YEAR_LINE.match(line.text.strip())]
    record["year"] = next((y for t in [form.title, *year_lines, *periods] if (y := title_year(t))), None)
    record.update(tail)
    record["source"] = {"file": doc.path.name, "sha256": doc.sha256, "pages": form.pages,
                        "geometry": [page_geometry(page) for page in doc.pages if page.number in form.pages]}
    return record
