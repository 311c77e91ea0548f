"""The indicator table: every row placed by what its cells are.

Rules, each general (none knows the seed's lines):
- a taxonomy label is a label wherever it sits: a 二级 label in the 一级 column
  moves back and implies its 一级; a label pushed one column right moves back;
- the other cells go to value / unit / comparator / text fields by content and
  header position (align.py), so a missing cell does not shift the rest;
- merged 一级/二级 cells are filled down over the rows they span;
- a row that is only a category with '/' (or nothing) is an empty category,
  not an indicator;
- a row holding only text under a text column continues the previous row's
  wrapped cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.columns import match_header
from pipeline.confidence import evidence_of
from pipeline.model import Cell, Indicator
from pipeline.repair.align import Slot, align_row, slot_position
from pipeline.repair.context import RepairContext
from pipeline.repair.lexicon import Lexicon
from pipeline.spec import Column, TotalsRow
from pipeline.text import label_key, parse_number
from pipeline.values import is_unit_shaped, parse_target

LABEL_FIELDS = ("level1", "level2")
IMPOSSIBLE = 9.0
TARGET_TYPES = ("target", "combined_target", "worded_target")
# sources whose grid is the page's own (a ruled digital page, a Word or Excel table, a scan's ruling):
# a row whose cells each sit in a column of their own is read by column, never moved by content. An
# OCR'd cell in the unit column is the unit however it was misread (`5元` for 万元 under a seal):
# its weak reading is flagged, not moved into the note beside it
GRID_SOURCES = ("pdf-text", "table-file", "ocr")
# a whole row shifted by a column is a plain extraction's damage (a text dump): where cells have
# their own geometry (a page's grid, OCR boxes) their columns are where they are


def header_slots(row: list[Cell], columns: list[Column]) -> list[Slot] | None:
    """Slots from a header row, or None when fewer than three cells are column labels
    (pipeline/columns.match_header: OCR places a scanned table's columns by it too)."""
    found = match_header(row, [(col.field, [label_key(label) for label in col.labels]) for col in columns])
    return None if found is None else [Slot(field, start, end) for field, start, end in found]


def _value_like(text: str, lex: Lexicon) -> bool:
    """A number, possibly with a comparator in front or a % behind (`≥95`, `95%`)."""
    core = text.rstrip("%％")
    for sign in ("≥", "≤", ">=", "<=", ">", "<", "="):
        if core.startswith(sign):
            core = core[len(sign):]
            break
    return parse_number(core.strip()) is not None


def field_fit(cell: Cell, column: Column, lex: Lexicon, is_key: bool) -> float:
    """How badly a cell's content fits a column (by its value type): 0 fits, 9 cannot be.

    A unit is known by its shape (short, no digits), not by a list: a list's word only fits
    better. `is_key`: the column that names the row (三级指标).
    """
    text = cell.text
    number = parse_number(text) is not None
    comparator = lex.comparator(text) is not None
    unit = lex.is_unit(text) or lex.is_empty_unit(text)
    kind = column.type
    if kind == "comparator":
        return 0.0 if comparator else IMPOSSIBLE
    if kind == "unit":
        if unit:
            return 0.0
        return 1.0 if is_unit_shaped(text) and not comparator else IMPOSSIBLE
    if kind in TARGET_TYPES:
        if number or lex.is_qualitative(text) or isinstance(parse_target(text, lex, True).parts["value"], (int, float)):
            return 0.0
        if _value_like(text, lex) or lex.is_placeholder(text):
            return 0.5
        if comparator and text != "定性" and kind == "target":
            return IMPOSSIBLE
        # a text target (明显改善, 2026年11月底前完成) is short; a long text is more likely a note
        return 1.0 if len(text) <= 12 else 4.0
    if kind in ("number", "amount", "percentage"):
        return 0.0 if number or _value_like(text, lex) else (0.5 if lex.is_placeholder(text) else IMPOSSIBLE)
    target_like = _target_like(text, lex)  # ≥10700元/人·年: a target, whatever column it was left in
    if is_key:
        if comparator or (unit and not number):
            return 6.0
        return 3.0 if number or target_like else 0.0
    # other text columns (备注, 指标值说明, 偏差原因): free text, slightly less likely than a name
    if comparator:
        return 5.0
    return 3.0 if number or target_like or lex.is_unit(text) else 1.0  # a note is no bare `%`


def _target_like(text: str, lex: Lexicon) -> bool:
    """A number with a comparator in front (`≥95%`, `不低于30`): what only a target column holds."""
    parts = parse_target(text, lex, default_comparator=False).parts
    return isinstance(parts["value"], (int, float)) and parts["comparator"] is not None


@dataclass
class _LabelParse:
    level1: str | None = None
    level2: str | None = None
    cells: tuple[Cell, ...] = ()


def _parse_labels(cells: list[Cell], slots: list[Slot], lex: Lexicon, carried_level1: str | None) -> _LabelParse:
    """The 一级/二级 labels at the left of a row, read left to right.

    At most one 一级 then one 二级; a taxonomy name further right, or a second
    one of the same level, is ordinary text (an indicator may be named like a
    category). `成本指标` is both a 一级 and a 二级 under 产出指标: it is the
    一级 when a 二级 of its own follows, or when it sits in the 一级 column.
    """
    text_limit = next((i for i, s in enumerate(slots) if s.field not in LABEL_FIELDS), len(slots))
    level1_at = _slot_index(slots, "level1")
    names = []
    for cell in cells:
        if slot_position(cell, slots) > text_limit:
            break
        name = lex.taxonomy_label(cell.text)
        if name is None and not names and slot_position(cell, slots) <= level1_at:
            # a 一级 box that names nothing (misread, a stray mark in it) does not hide the 二级
            # beside it: the 二级 implies its 一级, and the box is left for the review list
            continue
        if name is None:
            break
        names.append((name, cell))
        if len(names) == 2:
            break
    parse = _LabelParse()
    if len(names) == 2:
        (first, c1), (second, c2) = names
        if lex.can_be_level1(first) and lex.can_be_level2(second):
            return _LabelParse(first, second, (c1, c2))
        names = names[:1]
    if len(names) == 1:
        name, cell = names[0]
        in_level1_column = slot_position(cell, slots) <= _slot_index(slots, "level1")
        if lex.can_be_level1(name) and (not lex.can_be_level2(name) or in_level1_column
                                        or carried_level1 not in lex.parents[name]):
            return _LabelParse(name, None, (cell,))
        if lex.can_be_level2(name):
            return _LabelParse(None, name, (cell,))
    return parse


def _page(row: list[Cell]) -> int | None:
    return next((c.page for c in row if c.page is not None), None)


def _slot_index(slots: list[Slot], field: str) -> float:
    for i, slot in enumerate(slots):
        if slot.field == field:
            return float(i)
    return 0.0


class IndicatorReader:
    """Reads indicator rows one by one, carrying the merged 一级/二级 labels down."""

    def __init__(self, ctx: RepairContext, slots: list[Slot], columns: list[Column], key: str = "level3",
                 totals: TotalsRow | None = None, captions: list[str] = ()):
        self.ctx = ctx
        self.totals = totals
        self.captions = {label_key(c) for c in captions}  # the grid's caption (绩效指标), merged down its left
        self.slots = slots
        # the page whose header the slots were read from: another page's grid may number its
        # columns otherwise (a scan's caption column found on one page only)
        self.slots_page: int | None = None
        self.columns = {c.field: c for c in columns}
        self.key = key
        self.text_fields = {c.field for c in columns if c.type == "text"}
        self.content_slots = [s for s in slots if s.field not in LABEL_FIELDS]
        self.level1: str | None = None
        self.level2: str | None = None
        # the cell each label in force was read from (a merged box names many rows): its evidence
        self.label_cells: dict[str, Cell] = {}

    def read(self, rows: list[list[Cell]]) -> None:
        pending: dict[str, list[Indicator]] = {}  # label column → rows of a box cut by the page break
        pending_page = None
        for index, row in enumerate(rows):
            cells = [c for c in row if c.text and label_key(c.text) not in self.captions]
            repeated = header_slots(row, list(self.columns.values())) if cells else None
            is_header = repeated is not None
            if pending and cells and not is_header and _page(row) != pending_page:
                self._resolve_cut_boxes(pending, cells)
            before = len(self.ctx.form.indicators)
            if is_header:
                # a continuation page repeats the column header: not an indicator; the merged labels
                # above the page break carry on below it
                self.ctx.form.note("repair", "indicators", "column header repeated on a continuation page; "
                                   "dropped", before=" | ".join(c.text for c in cells), cell=cells[0])
                self._use_slots(repeated, _page(row))  # ...and it says where this page's columns are
                continue
            if self.slots_page is None:
                self.slots_page = _page(row)
            if cells and self.totals is not None and label_key(cells[0].text) in {label_key(t) for t in self.totals.labels}:
                self._read_totals([c for c in cells if c.text != cells[0].text])
                continue
            if cells:
                self._read_row(cells)
            for field_name in self._cut_boxes(row, rows, index):
                pending.setdefault(field_name, []).extend(self.ctx.form.indicators[before:])
                pending_page = _page(row)
            for field_name, inds in pending.items():  # rows inside a pending box join it
                if any(c.col in range(s.col_start, s.col_end) for s in self.slots if s.field == field_name
                       for c in row) is False and _page(row) == pending_page:
                    inds.extend(i for i in self.ctx.form.indicators[before:] if i not in inds)

    def _cut_boxes(self, row: list[Cell], rows: list[list[Cell]], index: int) -> list[str]:
        """Label columns where this row opens an empty box that runs to the foot of its page.

        A merged 一级/二级 cell cut by a page break is drawn as a box on both pages, its label
        printed only in the larger piece: an empty box at a page's foot is a new category whose
        name the next page gives, not the category above it.
        """
        out = []
        for cell in row:
            if cell.text or cell.source not in GRID_SOURCES:  # a scan's grid draws the box too
                continue
            slot = next((s for s in self.slots if s.field in LABEL_FIELDS and s.col_start <= cell.col < s.col_end), None)
            end = index + cell.row_span
            if slot is not None and end < len(rows) + 1 and (end == len(rows) or _page(rows[end]) != _page(row)):
                out.append(slot.field)
        return out

    def _resolve_cut_boxes(self, pending: dict[str, list[Indicator]], cells: list[Cell]) -> None:
        """The first row of a page names the categories whose boxes the page break cut."""
        labels = _parse_labels(cells, self.slots, self.ctx.lexicon, self.level1)
        named = {"level1": labels.level1, "level2": labels.level2}
        for field_name, inds in pending.items():
            name = named.get(field_name)
            if name is None:
                continue
            for ind in inds:
                where = f"indicators[{self.ctx.form.indicators.index(ind)}].{field_name}"
                self.ctx.form.note("inferred", where, "category box cut by the page break: named on the next page",
                                   before=ind.get(field_name), after=name, cell=labels.cells[0] if labels.cells else None)
                setattr(ind, field_name, name)
                if field_name == "level2" and labels.level1 is None:
                    parents = self.ctx.lexicon.parents.get(name, [])
                    if ind.level1 not in parents and parents:
                        ind.level1 = parents[0]
        pending.clear()

    def _read_row(self, cells: list[Cell]) -> None:
        ctx, lex, form = self.ctx, self.ctx.lexicon, self.ctx.form
        labels = _parse_labels(cells, self.slots, lex, self.level1)
        labels = self._name_not_label(labels, cells)
        rest = [c for c in cells if c not in labels.cells]
        if not rest or all(lex.is_placeholder(c.text) or lex.looks_like_placeholder(c) for c in rest):
            if labels.cells:
                where = f"empty_categories[{len(form.empty_categories)}]"
                self._apply_labels(labels, where)
                form.empty_categories.append({"level1": self.level1, "level2": self.level2})
                taken = [c for c in rest if not lex.is_placeholder(c.text)]
                if taken:
                    form.note("uncertain", where, "a row of strokes read as an empty category: "
                              f"{' '.join(repr(c.text) for c in taken)} taken for placeholder marks",
                              cell=taken[0], alternatives=[(c.text, round(c.confidence, 3)) for c in taken])
            return
        where = f"indicators[{len(form.indicators)}]"
        self._apply_labels(labels, where)
        placed, unplaced = self._by_column(rest) or align_row(
            rest, self.content_slots, lambda c, f: field_fit(c, self.columns[f], lex, f == self.key),
            shifts=(-1, 0, 1) if all(c.source == "dump" for c in rest) else (0,))
        if not labels.cells and self._continues_previous(placed):
            return
        ind = Indicator(level1=self.level1, level2=self.level2)
        for name, cell in self.label_cells.items():
            ctx.form.evidence.setdefault(f"{where}.{name}", evidence_of(cell))
        for field_name, cell in placed.items():
            setattr(ind, field_name, ctx.take(f"{where}.{field_name}", cell))  # raw text; normalize types it
            ind.cells[field_name] = cell
            expected = next(s for s in self.content_slots if s.field == field_name)
            if not expected.col_start <= cell.col < expected.col_end and cell.source != "ocr":
                form.note("repair", f"{where}.{field_name}",
                          f"cell placed by its content: it sat in column {cell.col}, "
                          f"the {field_name} column is {expected.col_start}", after=cell.text, cell=cell)
        for cell in unplaced:
            form.note("warning", where, "cell fits no column of the indicator table; left out",
                      after=cell.text, cell=cell)
        if self.level2 is None and self.level1 is not None:
            children = lex.vocab.taxonomy.get(self.level1, [])
            if len(children) == 1:
                self.level2 = ind.level2 = children[0]
                form.note("inferred", f"{where}.level2", f"二级指标 blank; {self.level1} has only one",
                          after=children[0])
        form.indicators.append(ind)

    def _read_totals(self, cells: list[Cell]) -> None:
        """The totals row: each value under its column, or, with no geometry, in the columns' order."""
        slots = [s for s in self.content_slots if s.field in self.totals.into]
        placed = {}
        for cell in cells:
            slot = next((s for s in slots if s.col_start <= cell.col < s.col_end), None)
            if slot is None or slot.field in placed:
                placed = dict(zip([s.field for s in slots], cells))  # merged cells collapsed: by order
                break
            placed[slot.field] = cell
        for field_name, cell in placed.items():
            name = self.totals.into[field_name]
            self.ctx.form.fields[name] = self.ctx.take(name, cell)

    def _name_not_label(self, labels: _LabelParse, cells: list[Cell]) -> _LabelParse:
        """An indicator named like its category (服务对象满意度 under 服务对象满意度): the last label
        is the row's name when it sits in the name column and no other cell could be the name."""
        if not labels.cells or self.key not in self.columns:
            return labels
        last = labels.cells[-1]
        key_index = next((i for i, s in enumerate(self.slots) if s.field == self.key), None)
        if key_index is None or slot_position(last, self.slots) < key_index:
            return labels
        lex = self.ctx.lexicon
        rest = [c for c in cells if c not in labels.cells and not lex.is_placeholder(c.text)]
        key_slot = self.slots[key_index]
        if last.source in GRID_SOURCES:  # the page's own grid says which column it is in
            in_key = key_slot.col_start <= last.col < key_slot.col_end
            return labels if not in_key or not rest else self._without_last(labels)
        if labels.cells[-1] is last and self._repeats_category(labels, last) and rest:
            return self._without_last(labels)  # the category in force, again, in the name column
        if not rest or any(field_fit(c, self.columns[self.key], lex, True) == 0.0 and not lex.is_qualitative(c.text)
               and parse_number(c.text) is None for c in rest):
            return labels
        return self._without_last(labels)

    def _repeats_category(self, labels: _LabelParse, last: Cell) -> bool:
        """Does the last label only repeat the 二级 (or 一级) already in force?"""
        name = self.ctx.lexicon.taxonomy_label(last.text)
        return name is not None and name in (self.level2, self.level1) and len(labels.cells) == 1

    @staticmethod
    def _without_last(labels: _LabelParse) -> _LabelParse:
        if len(labels.cells) == 2:
            return _LabelParse(labels.level1, None, labels.cells[:1])
        return _LabelParse()

    def _use_slots(self, slots: list[Slot], page: int | None) -> None:
        """A repeated header naming every column the first one did: this page's columns."""
        if {s.field for s in slots} != {s.field for s in self.slots}:
            return  # a header read in part names some columns only: keep the full set
        self.slots, self.slots_page = slots, page
        self.content_slots = [s for s in slots if s.field not in LABEL_FIELDS]

    def _by_column(self, cells: list[Cell]) -> tuple[dict[str, Cell], list[Cell]] | None:
        """On a page with its own grid, each cell in the column it sits in — if every cell sits in a
        different column. None: a damaged row (shifted, merged, no geometry) for the content match,
        and an OCR'd row of a page whose columns no header of its own named."""
        if not cells or any(c.source not in GRID_SOURCES for c in cells):
            return None
        if any(c.source == "ocr" for c in cells) and _page(cells) != self.slots_page:
            return None
        placed: dict[str, Cell] = {}
        for cell in cells:
            slot = next((s for s in self.content_slots if s.col_start <= cell.col < s.col_end), None)
            if slot is None or slot.field in placed:
                return None
            placed[slot.field] = cell
        return placed, []

    def _apply_labels(self, labels: _LabelParse, where: str) -> None:
        lex, form = self.ctx.lexicon, self.ctx.form
        for cell, name in zip(labels.cells, [n for n in (labels.level1, labels.level2) if n]):
            if label_key(cell.text) != label_key(name):
                form.note("repair", where, "label written as a variant; canonical taxonomy name used",
                          before=cell.text, after=name, cell=cell)
        if labels.level1 is not None:
            # a new 一级 starts its own 二级 groups; the one in force printed again (the larger piece
            # of its box on the next page) continues them
            if labels.level2 is None and labels.level1 != self.level1:
                self.level2 = None
                self.label_cells.pop("level2", None)
            self.level1 = labels.level1
            self.label_cells["level1"] = labels.cells[0]
            self._note_misplaced(labels.cells[0], "level1", where)
        if labels.level2 is not None:
            parents = lex.parents[labels.level2]
            if labels.level1 is None and self.level1 not in parents:
                implied = parents[0]
                form.note("repair", f"{where}.level1",
                          f"二级 label {labels.level2} implies 一级 {implied}",
                          before=self.level1, after=implied, cell=labels.cells[-1])
                self.level1 = implied
                self.label_cells["level1"] = labels.cells[-1]
            self.level2 = labels.level2
            self.label_cells["level2"] = labels.cells[-1]
            self._note_misplaced(labels.cells[-1], "level2", where)

    def _note_misplaced(self, cell: Cell, field_name: str, where: str) -> None:
        slot = next((s for s in self.slots if s.field == field_name), None)
        if slot is not None and not slot.col_start <= cell.col < slot.col_end:
            self.ctx.form.note("repair", f"{where}.{field_name}",
                               f"{field_name} label found in column {cell.col}, moved back to column {slot.col_start}",
                               after=cell.text, cell=cell)

    def _continues_previous(self, placed: dict[str, Cell]) -> bool:
        """A row with only text under a text column is the rest of the previous row's cell."""
        form = self.ctx.form
        if not form.indicators or not placed or any(f not in self.text_fields for f in placed):
            return False
        prev = form.indicators[-1]
        for field_name, cell in placed.items():
            before = prev.get(field_name) or ""
            setattr(prev, field_name, before + cell.text)
            form.note("repair", f"indicators[{len(form.indicators) - 1}].{field_name}",
                      "text wrapped onto the next row; joined", before=before,
                      after=before + cell.text, cell=cell)
        return True
