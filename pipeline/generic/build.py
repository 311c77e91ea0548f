"""One generic table from its parts: header found on the first part, later parts appended."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.config import GenericTableSettings
from pipeline.generic import header as hdr
from pipeline.generic import ocrfix, stitch, values
from pipeline.generic.grid import GridCell, column_edges, grid_cells, map_columns, slots
from pipeline.model import GenericTable, Span, Table, TablePart


@dataclass
class TableBuilder:
    """A generic table being assembled, part by part, in document order."""

    settings: GenericTableSettings
    title: str | None
    unit: str | None
    n_cols: int
    edges: list[float] | None
    header_rows: int = 0
    n_rows: int = 0
    cells: list[GridCell] = field(default_factory=list)
    parts: list[TablePart] = field(default_factory=list)

    @classmethod
    def start(cls, table: Table, title: str | None, unit: str | None,
              settings: GenericTableSettings) -> "TableBuilder":
        b = cls(settings=settings, title=title, unit=unit, n_cols=table.n_cols, edges=column_edges(table))
        b.cells = grid_cells(table)
        b.n_rows = table.n_rows
        b.header_rows = hdr.header_row_count(b.cells, table.n_rows, settings.header_max_rows)
        b.parts.append(TablePart(page=table.page, bbox=table.bbox, rows=(0, table.n_rows - b.header_rows)))
        return b

    @property
    def last_page(self) -> int:
        return self.parts[-1].page

    def column_map(self, table: Table) -> list[int] | None:
        """How `table`'s columns sit in this table's, if its rules are this table's rules."""
        edges = column_edges(table)
        if self.edges is None or edges is None:
            return None
        return map_columns(edges, self.edges, self.settings.edge_tolerance_pt)

    def extend(self, table: Table, mapping: list[int]) -> None:
        """Append a continuation; its repeat of the header, if any, is dropped."""
        cells = grid_cells(table, mapping)
        header = stitch.row_texts(self.cells, self.header_rows)
        drop = self.header_rows if stitch.repeats_header(
            header, stitch.row_texts(cells, min(self.header_rows, table.n_rows)),
            self.settings.min_header_similarity) else 0
        start = self.n_rows - self.header_rows
        for c in cells:
            if c.row >= drop:
                c.row += self.n_rows - drop
                self.cells.append(c)
        self.n_rows += table.n_rows - drop
        self.parts.append(TablePart(page=table.page, bbox=table.bbox, rows=(start, self.n_rows - self.header_rows)))

    def build(self, number: int) -> GenericTable:
        h, n_cols = self.header_rows, self.n_cols
        ocrfix.repair_readings(self.cells, h, n_cols)
        grid = slots(self.cells, self.n_rows, n_cols)
        texts = [[c.text if c is not None and (c.row, c.col) == (r, k) else "" for k, c in enumerate(row)]
                 for r, row in enumerate(grid)]
        columns = hdr.flatten(self.cells, h, n_cols)
        kinds, body = [], [[None] * n_cols for _ in range(self.n_rows - h)]
        printed = [[hdr.unwrap(t) or None for t in texts[r]] for r in range(h, self.n_rows)]
        for k in range(n_cols):
            column = [hdr.unwrap(texts[r][k]) for r in range(h, self.n_rows)]
            code = values.is_code_column(hdr.header_path(self.cells, h, k), column,
                                         self.settings.code_header_words, self.settings.code_leaf_headers)
            typed = [values.typed(t, code) for t in column]
            for i, v in enumerate(typed):
                body[i][k] = v
            kinds.append(values.column_type(typed, code))
        return GenericTable(
            number=number, title=self.title, unit=self.unit,
            header=[[hdr.unwrap(t) for t in texts[r]] for r in range(h)],
            columns=columns, column_types=kinds, rows=body, printed=printed, ocr_confidence=_ocr_confidence(self.cells),
            spans=[Span(row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span)
                   for c in sorted(self.cells, key=lambda c: (c.row, c.col)) if c.row_span > 1 or c.col_span > 1],
            parts=self.parts, texts=texts,
        )


def _ocr_confidence(cells: list) -> float | None:
    read = [c.confidence for c in cells if c.source == "ocr" and c.text.strip()]
    return round(sum(read) / len(read), 4) if read else None
