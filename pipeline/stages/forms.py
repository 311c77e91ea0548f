"""Cut a document into forms: each title like `2026年项目支出绩效目标表` starts one.

Everything between two titles belongs to the earlier form, except the short
lines after its last table, which are what stands above the next title (the
signer's name). A form may run over several pages; a page may hold several.
The form type is recognised from the title; a document without titles is
recognised from the labels in its tables.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator

from pipeline.config import Settings
from pipeline.errors import NoFormFound
from pipeline.model import Document, Page, RawForm, Table, TextLine
from pipeline.repair.fields import label_index, match_label
from pipeline.repair.lexicon import Lexicon
from pipeline.spec import AmountRowSection, AmountsSection, FormSpec, ListSection
from pipeline.text import clean_text, label_key

MAX_TITLE_CHARS = 40  # a longer line is prose that mentions the title, not the title
FUZZY_TITLE_RATIO = 0.6  # a title half hidden by a seal still shares this much with the printed one
STACKED_GRID_GAP_PT = 24.0  # grids of one form stand closer than this: no caption line between them
FUZZY_EXTRA_CHARS = 2
MIN_LABEL_FIT = 3  # a form's grid carries at least this many of its template's labels (a header row has more)  # ...and has at most this many characters more (seal fragments read as text)


def match_title(text: str, forms: list[FormSpec], fuzzy: bool = True) -> FormSpec | None:
    """The form a title line names. `fuzzy`: the line was OCR'd, and may be half-read under a seal."""
    key = label_key(text)
    if not key or len(key) > MAX_TITLE_CHARS:
        return None
    hits = title_matches(key, forms)
    if hits:
        return hits[0]
    return fuzzy_title(key, forms) if fuzzy else None


def title_matches(key: str, forms: list[FormSpec]) -> list[FormSpec]:
    """Every template whose title keywords a title holds, the most specific first (templates may share
    a title: which one a form is, its labels tell — `choose_template`)."""
    hits = [f for f in forms if all(label_key(k) in key for k in f.title_keywords) and _stands_alone(key, f)]
    return sorted(hits, key=lambda f: -sum(len(label_key(k)) for k in f.title_keywords))


# a title may follow a year (2026年度) or its unit's name (an open set: …教育局, …大学, …集团);
# a sentence naming a form (详见单位的项目绩效目标表, 按照…填报) joins it with a particle or a verb
_PROSE_ENDINGS = tuple("的之及和与或见按照填报附在于对")
_YEAR_WORD = re.compile(r"(?:19|20)\d{2}年度?|[（(](?:19|20)\d{2}年度?[）)]")


def _stands_alone(key: str, form: FormSpec) -> bool:
    """A title names the form, perhaps after a year or a unit: not a sentence that mentions it."""
    whole = key.find(label_key(form.title)) if form.title else -1
    first = whole if whole >= 0 else min(key.find(label_key(k)) for k in form.title_keywords)
    prefix = _YEAR_WORD.sub("", key[:first])
    return not prefix.endswith(_PROSE_ENDINGS)


def fuzzy_title(key: str, forms: list[FormSpec]) -> FormSpec | None:
    """The form whose printed title an OCR'd line resembles (`体文细目标表` under a seal).

    A seal hides characters, it does not add many: a line much longer than the title
    (`详见单位的项目绩效目标表`, prose that names it) is not it.
    """
    body = _YEAR_PREFIX.sub("", key)
    best, best_ratio = None, FUZZY_TITLE_RATIO
    for form in forms:
        if not form.title or not body.endswith("表") or len(body) > len(label_key(form.title)) + FUZZY_EXTRA_CHARS:
            continue
        matcher = difflib.SequenceMatcher(a=body, b=label_key(form.title))
        first = next((m.a for m in matcher.get_matching_blocks() if m.size), 0)
        prefix = body[:first]
        if prefix.endswith(_PROSE_ENDINGS):
            continue  # a sentence that mentions the form
        ratio = matcher.ratio()
        if ratio >= best_ratio:
            best, best_ratio = form, ratio
    return best


_TITLE_FROM_YEAR = re.compile(r"(?:19|20)\d{2}\s*年.*$")
_YEAR_PREFIX = re.compile(r"^.*?(?:19|20)\d{2}年")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def title_text(line: str) -> str:
    """The title from its line: from the year on, when it has one (a seal's edge read as `停` before it)."""
    text = clean_text(line)
    match = _TITLE_FROM_YEAR.search(text)
    return match.group(0) if match else text


def head_labels(form: FormSpec) -> list[tuple[str, str]]:
    """What a form's head prints, as label_index pairs: its field labels and the captions of its
    other blocks (年度主要任务, 预算情况, 项目资金) — never the indicator grid's own header, which a
    continuation page repeats. A seal may hide a field label; the captions still name the form."""
    pairs = label_index(form.fields)
    for section in form.sections:
        if isinstance(section, (ListSection, AmountsSection, AmountRowSection)):
            names = list(section.labels) + list(getattr(section, "row_labels", []))
            pairs += [(label_key(label), f"{section.name}:{label}") for label in names]
    return sorted(pairs, key=lambda p: -len(p[0]))


def match_by_labels(table: Table, forms: list[FormSpec]) -> FormSpec | None:
    """The form whose head labels (head_labels) a table carries most of (at least two)."""
    texts = [c.text for c in table.cells if c.text]
    best, best_hits = None, 1
    for form in forms:
        labels = head_labels(form)
        hits = {m[0] for t in texts if (m := match_label(t, labels))}
        if len(hits) > best_hits:
            best, best_hits = form, len(hits)
    return best


def _has_field_labels(form: RawForm, form_def: FormSpec) -> bool:
    labels = label_index(form_def.fields)
    return any(match_label(c.text, labels) for row in form.rows for c in row if c.text)


def _title_row(table: Table, forms: list[FormSpec]) -> FormSpec | None:
    """Some forms print their title as the first row of the grid."""
    rows = table.rows()
    if rows:
        filled = [c for c in rows[0] if c.text.strip()]
        if len(filled) == 1:
            return match_title(filled[0].text, forms, fuzzy=filled[0].source == "ocr")
    return None


def _continues(previous: Table | None, table: Table) -> bool:
    """Does a table without form labels continue the form whose last table was `previous`?

    Yes when it opens a later page (a form running over onto the next page, its header not
    repeated); or stands on the same page right under it (a form drawn as stacked grids), or
    with the same columns (one grid the scan broke in two); or when there is no geometry to
    tell (a text dump's tables). A table further down, with other columns, is a plain table.
    """
    if previous is None:
        return False
    if table.page > previous.page or table.bbox is None or previous.bbox is None:
        return True
    return table.n_cols == previous.n_cols or table.bbox[1] - previous.bbox[3] <= STACKED_GRID_GAP_PT


def windows(pages: Iterable[Page], settings: Settings) -> Iterator[list[Page]]:
    """The pages in runs that hold whole forms, so that a long document is cut and written run by run.

    A run ends before a page that shows a form's title before any table, when
    the page before it ended on a table: there nothing can carry over from one
    form to the next (no pending signer lines, no table continuing), so `run`
    cuts each run exactly as it would cut the whole document.
    """
    window: list[Page] = []
    ended_on_table = False
    for page in pages:
        if window and ended_on_table and _opens_with_title(page, settings.forms):
            yield window
            window = []
        window.append(page)
        if page.blocks:  # a blank page changes nothing
            ended_on_table = isinstance(page.blocks[-1], Table)
    if window:
        yield window


def _opens_with_title(page: Page, forms: list[FormSpec]) -> bool:
    for block in page.blocks:
        if isinstance(block, Table):
            return _title_row(block, forms) is not None
        if match_title(block.text, forms) is not None:
            return True
    return False


def run(doc: Document, settings: Settings) -> Document:
    forms: list[RawForm] = []
    current: RawForm | None = None
    pending: list[TextLine] = []  # lines after the current form's tables
    used_pages: set[int] = set()
    last_table: Table | None = None  # the last table a form took
    headless: set[int] = set()  # pages whose indicator grid continues a form not started in this input
    lex = Lexicon(settings.vocabulary)

    def start(form_def: FormSpec, title: str, page: int, bbox=None) -> RawForm:
        nonlocal pending
        form = RawForm(form_type=form_def.form_type, template=form_def.template, title=title_text(title),
                       pages=[page], preceding=pending)
        if title and bbox is not None:  # the year is read from the title too
            form.places.update({name: {"page": page, "bbox": bbox} for name in ("title", "year")})
        exact = all(label_key(k) in label_key(title) for k in form_def.title_keywords)
        if title and not exact and form_def.title:
            year = _YEAR.search(form.title)
            form.title = f"{year.group(1)}年{form_def.title}" if year else form_def.title
            form.note("repair", "title", "title partly unreadable (a seal over it); the form's printed "
                      "title used", before=clean_text(title), after=form.title, page=page, bbox=bbox)
        pending = []
        forms.append(form)
        return form

    for page in doc.pages:
        for block in page.blocks:
            if isinstance(block, TextLine):
                form_def = match_title(block.text, settings.forms, fuzzy=block.source == "ocr")
                if form_def is not None:
                    current = start(form_def, block.text, page.number, block.bbox)
                    used_pages.add(page.number)
                elif current is not None and not current.rows:
                    current.lines.append(block)
                else:
                    pending.append(block)
                continue
            rows = block.rows()
            form_def = _title_row(block, settings.forms)
            if form_def is not None:
                current = start(form_def, rows[0][0].text if rows[0] else "", page.number,
                                rows[0][0].bbox if rows[0] else None)
                rows = rows[1:]
            elif current is None or current.rows:
                # no title seen (or none readable): a table that opens with a form's labels starts a
                # form; one without them continues the current form (a page-2 continuation)
                form_def = match_by_labels(block, settings.forms)
                if form_def is None and (current is None or not _continues(last_table, block)):
                    if current is None and not forms and is_indicator_grid(block, lex):
                        headless.add(page.number)  # the rest of a form whose first page is not here
                    continue  # not a form's: a plain table (stages/generic.py)
                if form_def is not None and (current is None or _has_field_labels(current, form_def)):
                    current = start(form_def, "", page.number)
                    current.lines = list(current.preceding)  # the unit lines stood above its table
            for row in rows:
                for cell in row:
                    cell.page = cell.page or block.page
            block.claimed = True
            current.tables.append(block)
            last_table = block
            current.rows.extend(rows)
            if page.number not in current.pages:
                current.pages.append(page.number)
            current.lines.extend(pending)  # text between two tables of one form
            pending = []
            used_pages.add(page.number)
    if current is not None:
        current.lines.extend(pending)
    gaps: list[tuple[int, str]] = []  # (page, why): an `incomplete` review item on the form nearest it
    for form in list(forms):
        choose_template(form, settings.forms)
        if label_fit(form, settings.spec(form.template)) < MIN_LABEL_FIT:
            # a title we know over a grid we do not: never a mis-typed record; its tables stay tables
            forms.remove(form)
            for table in form.tables:
                table.claimed = False
            gaps.append((form.pages[0], f"'{form.title}' matches no template (its grid carries too few of any "
                                        f"template's labels); its tables are written as plain tables"))
            doc.errors.append(f"page {gaps[-1][0]}: {gaps[-1][1]}")
            doc.incomplete.append(doc.errors[-1])
    unclaimed = [b for p in doc.pages for b in p.blocks if isinstance(b, Table) and not b.claimed]
    if not forms and not unclaimed:
        raise NoFormFound(f"{doc.path}: no performance-target form and no ruled table found "
                          f"(no title like '…绩效目标表', no table with form labels, no other table)")
    for number in sorted(headless):
        gaps.append((number, "an indicator grid with no form head before it (the rest of a form whose first "
                             "page is not in this input); written as a plain table"))
        doc.errors.append(f"page {number}: {gaps[-1][1]}")
        doc.incomplete.append(doc.errors[-1])
    table_pages = {t.page for t in unclaimed}
    for page in doc.pages:
        # a document of plain tables has no form pages; a blank page holds nothing to lose
        if forms and page.number not in used_pages | table_pages and (page.blocks or page.errors):
            doc.errors.append(f"page {page.number}: no form on this page")
            doc.unused_pages.append(page.number)
            gaps.append((page.number, "no form on this page: a page of a form may be lost"))
    for number, reason in gaps:
        before = [f for f in forms if f.pages[0] <= number]
        form = before[-1] if before else (forms[0] if forms else None)
        if form is not None:
            form.note("incomplete", "pages", f"page {number}: {reason}", page=number)
    doc.forms = forms
    return doc


def is_indicator_grid(table: Table, lex: Lexicon) -> bool:
    """A table whose cells name at least two indicator categories (产出指标, 数量指标): a form's grid."""
    return len({label for c in table.cells if (label := lex.taxonomy_label(c.text))}) >= 2


def label_fit(form: RawForm, spec: FormSpec) -> int:
    """How many of a template's printed labels the form's cells carry."""
    keys = {label_key(label) for label in spec.labels()}
    return len({k for row in form.rows for c in row if (k := label_key(c.text)) in keys})


def choose_template(form: RawForm, specs: list[FormSpec]) -> None:
    """Among the templates its title could be, the one whose labels the form's grid carries most.

    Templates sharing a title (`项目支出绩效目标表` printed with separate 指标值 | 度量单位 |
    指标值类型 columns, or with one 指标值 cell) differ in their labels; a tie keeps the
    title's own match.
    """
    current = next(s for s in specs if s.template == form.template)
    key = label_key(form.title)
    rivals = [s for s in (title_matches(key, specs) or [current]) if s.form_type == current.form_type or
              s.template == current.template]
    best = max(rivals, key=lambda s: (label_fit(form, s), s.template == current.template))
    if best.template != current.template:
        form.template, form.form_type = best.template, best.form_type
