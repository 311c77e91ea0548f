"""Complete: is each form whole? What is missing becomes an `incomplete` review item and a cause.

A form is incomplete (its input's manifest status `partial`, `pipeline run` exit 3) when what its
record holds shows a part of it never reached the input:

- its spec's indicator section is absent or empty in the record: no indicator and no empty
  category (the grid was on a page that is not here);
- on a paged input (a PDF or image files: a page can be lost, unlike a file read whole) its
  taxonomy grid has no row of the category its template says it closes with (`closes_with`: 满意度指标): the grid
  stops mid-way, its last page not found;
- its input is a form in several files with a part missing (stages/parts.py: p1, p3 without p2).

Pages no form used, a grid continuing a form whose head is not in the input, and a form whose
template could not be decided are found where forms are cut (stages/forms.py). Nothing is
changed here; the record's review list and the document's causes grow.
"""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.model import Document, RawForm
from pipeline.spec import FormSpec

# Every form of the samples, of the corpus and of the real archives closes its indicator grid
# with the category its template names (`closes_with`: 满意度指标, a row or a `/` row, an empty
# category); a grid without it was cut.
PAGED_KINDS = ("pdf", "image")


def run(doc: Document, settings: Settings) -> Document:
    for form in doc.forms:
        spec = settings.spec(form.template)
        section = spec.indicator_section
        reasons = missing(form, spec, doc, section.closes_with if section is not None else None)
        for field, reason in reasons:
            form.note("incomplete", field, reason, page=form.pages[-1] if form.pages else None)
            doc.errors.append(f"page {form.pages[0]}: form '{_name(form, spec)}': {reason}")
            doc.incomplete.append(doc.errors[-1])
        for part in doc.missing_parts:  # the input's cause line is the runner's, one for the input
            form.note("incomplete", "pages", f"part {part} of this input is missing (its files joined as present)")
        if (reasons or doc.missing_parts) and form.record is not None:
            form.record["review"] = [item.model_dump(mode="json") for item in form.review]
    return doc


def missing(form: RawForm, spec: FormSpec, doc: Document, closing: str | None = None) -> list[tuple[str, str]]:
    """(field, why) for each part of the form its record shows missing; `closing`: the 一级 category a
    taxonomy grid ends with."""
    record = form.record or {}
    found: list[tuple[str, str]] = []
    section = spec.indicator_section
    if section is not None:
        indicators = record.get(section.name) or []
        empty = record.get("empty_categories") or []
        if not indicators and not empty:
            found.append((section.name, "no indicator grid: the form's indicator section is missing or empty "
                                        "(its page may not be in this input)"))
        elif (section.taxonomy and doc.kind in PAGED_KINDS and closing
              and closing not in {row.get("level1") for row in [*indicators, *empty]}):
            found.append((section.name, f"the indicator grid stops before {closing}, the category a grid "
                                        f"closes with: its rest (a page after page {form.pages[-1]}) "
                                        f"was not found"))
    return found


def _name(form: RawForm, spec: FormSpec) -> str:
    return str((form.record or {}).get(spec.name_field) or form.title)
