"""The column schema: what each column of an indicator table may hold, as OCR reads it.

OCR reads a scanned table better when it knows what a cell's column allows:
a comparator column holds ≥ ≤ = > < 定性, a unit column one of the known units,
the 一级/二级 columns taxonomy labels. The OCR stage (stages/ocr*, reread,
names) gets that knowledge only from a ColumnSchema: read-only data, built in
one function, `column_schema`, and never from repair's rules, the form config
or the taxonomy objects themselves. Changing how forms are configured means
rewriting `column_schema` alone.

`match_header` finds an indicator table's header row; repair
(repair/indicators.header_slots) and OCR (reread) both place columns by it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from pipeline.config import Settings, Vocabulary
from pipeline.spec import Column as SpecColumn
from pipeline.model import Cell
from pipeline.text import label_key

Kind = Literal["label", "comparator", "number", "unit", "text"]
KINDS: tuple[Kind, ...] = ("label", "comparator", "number", "unit", "text")


@dataclass(frozen=True)
class Column:
    """One column of an indicator table."""

    field: str  # the indicator field its cells fill: level1, level2, level3, value, unit, comparator, ...
    kind: Kind  # what its cells are, for reading: see Allowed
    labels: frozenset[str]  # the header labels that name it, as label keys (pipeline.text.label_key)


@dataclass(frozen=True)
class Allowed:
    """What the cells of one kind of column may say.

    label: a taxonomy name or a placeholder; comparator: a comparator; unit: a
    unit or a "no unit" word; number: a number (possibly with a comparator in
    front or % behind), a qualitative value or a placeholder; text: anything
    with a letter or digit in it, or a placeholder.
    """

    words: tuple[str, ...] = ()  # as printed, sorted: what OCR may score a cell's image against
    keys: frozenset[str] = frozenset()  # the label keys a cell may spell, besides what its kind allows anyway


@dataclass(frozen=True)
class ColumnSchema:
    headers: tuple[tuple[Column, ...], ...]  # each form's indicator columns, in printed order
    allowed: Mapping[Kind, Allowed]  # what each kind of column may hold (every kind in KINDS)
    known_names: tuple[str, ...]  # names a reading may be corrected to (stages/names.py)

    def of(self, kind: Kind) -> Allowed:
        return self.allowed[kind]

    def header_kinds(self, row: Sequence[Cell]) -> dict[int, Kind] | None:
        """Column index → kind, when `row` is an indicator table's header row (of any form)."""
        for columns in self.headers:
            found = match_header(row, [(c.field, c.labels) for c in columns])
            if found:
                kind = {c.field: c.kind for c in columns}
                return {col: kind[field] for field, start, end in found for col in range(start, end)}
        return None


def kind_of(column: SpecColumn) -> Kind:
    """How OCR reads a column: from its value type in the template's spec."""
    return _KIND_OF_TYPE.get(column.type, "text")


# value type (pipeline/values.py) → reading kind; targets read as numbers (a comparator in front,
# a unit behind, or a qualitative word)
_KIND_OF_TYPE: dict[str, Kind] = {"label": "label", "comparator": "comparator", "unit": "unit",
                                  "target": "number", "combined_target": "number", "worded_target": "number",
                                  "number": "number", "amount": "number", "percentage": "number"}


def column_schema(settings: Settings) -> ColumnSchema:
    """The schema OCR reads tables against, from exactly two inputs:

    - `settings.forms[*].indicator_columns`: per template (FormSpec), in printed order, each
      column's field, value type and header labels;
    - `settings.vocabulary`: taxonomy (with synonyms), comparators, units and
      "no unit" words, placeholders, qualitative values and known names.

    Cached per settings (by the content of those two inputs): pages call it freely.
    """
    columns = [form.indicator_columns for form in settings.forms]
    key = json.dumps([[c.model_dump() for c in cols] for cols in columns], ensure_ascii=False) \
        + (settings.vocabulary.model_dump_json() if settings.vocabulary else "")
    schema = _CACHE.get(key)
    if schema is None:
        if len(_CACHE) >= 16:
            _CACHE.clear()
        schema = _CACHE[key] = _build(columns, settings.vocabulary)
    return schema


_CACHE: dict[str, ColumnSchema] = {}


def _build(forms: list[list[SpecColumn]], vocab: Vocabulary | None) -> ColumnSchema:
    headers = tuple(tuple(Column(c.field, kind_of(c), frozenset(label_key(label) for label in c.labels))
                          for c in columns) for columns in forms)
    if vocab is None:
        return ColumnSchema(headers, MappingProxyType({kind: Allowed() for kind in KINDS}), ())
    keys = _keys
    placeholders = keys(vocab.placeholders)
    taxonomy = set(vocab.taxonomy) | {c for cs in vocab.taxonomy.values() for c in cs}
    allowed: dict[Kind, Allowed] = {
        "label": Allowed(tuple(sorted(taxonomy | set(vocab.synonyms) | set(vocab.placeholders))),
                         keys(taxonomy) | keys(vocab.synonyms) | placeholders),
        "comparator": Allowed(tuple(sorted(set(vocab.comparators))), keys(vocab.comparators)),
        "unit": Allowed(tuple(sorted(set(vocab.units) | set(vocab.empty_units))),
                        keys(vocab.units) | keys(vocab.empty_units)),
        "number": Allowed((), keys(vocab.qualitative_values) | placeholders),
        "text": Allowed((), placeholders),
    }
    return ColumnSchema(headers, MappingProxyType(allowed), tuple(vocab.known_names))


def _keys(words: Iterable[str]) -> frozenset[str]:
    return frozenset(label_key(w) for w in words)


def match_header(row: Sequence[Cell], columns: Sequence[tuple[str, Iterable[str]]]) -> list[tuple[str, int, int]] | None:
    """(field, first column, end column) of each header cell that names a column; None when fewer
    than three cells are column labels.

    `columns`: (field, its labels as label keys), in the printed order. A header cell that reads
    as no label (misread under a seal, smudged) takes the field that order puts between its
    recognised neighbours, if exactly one fits there.
    """
    keys = {key: field for field, labels in columns for key in labels}
    fields = [field for field, _ in columns]
    order = {field: i for i, field in enumerate(fields)}
    found: dict[int, str] = {}
    for cell in row:
        field = keys.get(label_key(cell.text))
        if field is not None and field not in found.values():
            found[id(cell)] = field
    if len(found) < 3:
        return None
    cells = sorted(row, key=lambda c: c.col)
    for i, cell in enumerate(cells):
        if id(cell) in found:
            continue
        before = max((order[found[id(c)]] for c in cells[:i] if id(c) in found), default=-1)
        after = min((order[found[id(c)]] for c in cells[i + 1:] if id(c) in found), default=len(fields))
        gap = [f for f in fields[before + 1:after] if f not in found.values()]
        unlabelled_between = [c for c in cells if id(c) not in found
                              and before < _rank(c, cells, found, order) < after]
        if len(gap) == len(unlabelled_between) and gap:
            found[id(cell)] = gap[unlabelled_between.index(cell)]
    return [(found[id(c)], c.col, c.col + c.col_span) for c in cells if id(c) in found]


def _rank(cell: Cell, cells: list[Cell], found: dict[int, str], order: dict[str, int]) -> float:
    """Where an unlabelled header cell sits in the column order (between its neighbours)."""
    i = cells.index(cell)
    before = max((order[found[id(c)]] for c in cells[:i] if id(c) in found), default=-1)
    return before + 0.5
