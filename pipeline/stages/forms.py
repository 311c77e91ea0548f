"""Cut a document into forms: each title like `2026年项目支出绩效目标表` starts one.

Everything between two titles belongs to the earlier form, except the short
lines after its last table, which are what stands above the next title (the
signer's name). A form may run over several pages; a page may hold several.
The form type is recognised from the title; a document without titles is
recognised from the labels in its tables.
"""

from __future__ import annotations

import re

from pipeline.config import FormDef, Settings
from pipeline.errors import NoFormFound
from pipeline.model import Document, RawForm, Table, TextLine
from pipeline.repair.fields import label_index, match_label
from pipeline.repair.text import clean_text, label_key

MAX_TITLE_CHARS = 40  # a longer line is prose that mentions the title, not the title


def match_title(text: str, forms: list[FormDef]) -> FormDef | None:
    key = label_key(text)
    if not key or len(key) > MAX_TITLE_CHARS:
        return None
    hits = [f for f in forms if all(label_key(k) in key for k in f.title_keywords)]
    return max(hits, key=lambda f: len(f.title_keywords), default=None)


_TITLE_FROM_YEAR = re.compile(r"(?:19|20)\d{2}\s*年.*$")


def title_text(line: str) -> str:
    """The title from its line: from the year on, when it has one (a seal's edge read as `停` before it)."""
    text = clean_text(line)
    match = _TITLE_FROM_YEAR.search(text)
    return match.group(0) if match else text


def match_by_labels(table: Table, forms: list[FormDef]) -> FormDef | None:
    """The form whose field labels a table carries most of (at least two)."""
    texts = [c.text for c in table.cells if c.text]
    best, best_hits = None, 1
    for form in forms:
        labels = label_index(form.fields)
        hits = {m[0] for t in texts if (m := match_label(t, labels))}
        if len(hits) > best_hits:
            best, best_hits = form, len(hits)
    return best


def _title_row(table: Table, forms: list[FormDef]) -> FormDef | None:
    """Some forms print their title as the first row of the grid."""
    rows = table.rows()
    if rows:
        filled = [c for c in rows[0] if c.text.strip()]
        if len(filled) == 1:
            return match_title(filled[0].text, forms)
    return None


def run(doc: Document, settings: Settings) -> Document:
    forms: list[RawForm] = []
    current: RawForm | None = None
    pending: list[TextLine] = []  # lines after the current form's tables
    used_pages: set[int] = set()

    def start(form_def: FormDef, title: str, page: int) -> RawForm:
        nonlocal pending
        form = RawForm(form_type=form_def.form_type, title=title_text(title), pages=[page], preceding=pending)
        pending = []
        forms.append(form)
        return form

    for page in doc.pages:
        for block in page.blocks:
            if isinstance(block, TextLine):
                form_def = match_title(block.text, settings.forms)
                if form_def is not None:
                    current = start(form_def, block.text, page.number)
                    used_pages.add(page.number)
                elif current is not None and not current.rows:
                    current.lines.append(block)
                else:
                    pending.append(block)
                continue
            rows = block.rows()
            form_def = _title_row(block, settings.forms)
            if form_def is not None:
                current = start(form_def, rows[0][0].text if rows[0] else "", page.number)
                rows = rows[1:]
            elif current is None:
                form_def = match_by_labels(block, settings.forms)
                if form_def is None:
                    continue
                current = start(form_def, "", page.number)
            for row in rows:
                for cell in row:
                    cell.page = cell.page or block.page
            current.rows.extend(rows)
            if page.number not in current.pages:
                current.pages.append(page.number)
            current.lines.extend(pending)  # text between two tables of one form
            pending = []
            used_pages.add(page.number)
    if current is not None:
        current.lines.extend(pending)
    if not forms:
        raise NoFormFound(f"{doc.path}: no performance-target form found "
                          f"(no title like '…绩效目标表' and no table with form labels)")
    for page in doc.pages:
        if page.number not in used_pages:
            doc.errors.append(f"page {page.number}: no form on this page")
    doc.forms = forms
    return doc
