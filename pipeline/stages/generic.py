"""Tables out: every ruled table no form claimed becomes a generic table (pipeline/generic/).

Walks the pages in order; a table continues the one before it by the rules in
pipeline/generic/stitch.py, else it starts a new table whose title and unit are
the lines above it on its page. Written to `<out>/<input>/tables/`.
"""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.generic import caption
from pipeline.generic.build import TableBuilder
from pipeline.generic.grid import merge_phantom_columns
from pipeline.model import Document, Table, TextLine


def run(doc: Document, settings: Settings) -> Document:
    if not settings.generic.enabled:
        return doc
    builders = find_tables(doc, settings)
    doc.tables = [b.build(number) for number, b in enumerate(builders, start=doc.tables_before + 1)]
    for table in doc.tables:  # no review items on a plain table: a doubtful reading is said here
        if table.ocr_confidence is not None and table.ocr_confidence < settings.ocr.uncertain_below:
            pages = ", ".join(str(p.page) for p in table.parts)
            doc.errors.append(f"{doc.path}: table {table.number} (page {pages}) read with a mean recogniser "
                              f"confidence of {table.ocr_confidence:.2f}: check it against the page")
            doc.incomplete.append(doc.errors[-1])
    return doc  # written by the write stage (stages/write.py), with the forms


def find_tables(doc: Document, settings: Settings) -> list[TableBuilder]:
    builders: list[TableBuilder] = []
    current: TableBuilder | None = None  # the last table seen, while nothing else followed it
    for page in doc.pages:
        above: list[str] = []  # lines since the page top or the last table
        first = True
        for block in page.blocks:
            if isinstance(block, TextLine):
                if not caption.is_page_number(block.text):
                    above.append(block.text)
                continue
            if not isinstance(block, Table) or block.claimed:
                current, above, first = None, [], False
                continue
            block = merge_phantom_columns(block)
            mapping = None
            if current is not None and first and not above and current.last_page == page.number - 1:
                mapping = current.column_map(block)
            if mapping is not None:
                current.extend(block, mapping)
            else:
                current = TableBuilder.start(block, caption.title_of(above), caption.unit_of(above),
                                             settings.generic)
                builders.append(current)
            above, first = [], False
    return builders
