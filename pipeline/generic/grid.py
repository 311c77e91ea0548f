"""A table as a grid of cells, placed in the columns of the table it belongs to.

A table continued on the next page may draw fewer column rules there (a 合计 row
merged across the code columns): its columns are placed by their x edges on the
first part's edges, so its cells land in the right columns with the right spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from pipeline.model import BBox, Table


@dataclass
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str  # as read: lines joined with "\n"
    page: int | None = None
    bbox: BBox | None = None


def column_edges(table: Table) -> list[float] | None:
    """The x of each column rule (n_cols + 1 of them), from the cells' boxes; None without geometry."""
    edges: list[float] = []
    for i in range(table.n_cols + 1):
        xs = [c.bbox[0] for c in table.cells if c.bbox and c.col == i]
        xs += [c.bbox[2] for c in table.cells if c.bbox and c.col + c.col_span == i]
        if not xs:
            return None
        edges.append(median(xs))
    return edges


def map_columns(edges: list[float], onto: list[float], tol: float) -> list[int] | None:
    """For each of `edges`, the index of the edge of `onto` it is; None if any is not one.

    Both are taken relative to their left edge, so a page scanned a few points
    to the side still matches. The outer edges must both match.
    """
    if len(edges) < 2 or len(onto) < 2:
        return None
    rel = [x - edges[0] for x in edges]
    ref = [x - onto[0] for x in onto]
    if abs(rel[-1] - ref[-1]) > tol:
        return None
    mapping = []
    for x in rel:
        i = min(range(len(ref)), key=lambda k: abs(ref[k] - x))
        if abs(ref[i] - x) > tol or (mapping and i <= mapping[-1]):
            return None
        mapping.append(i)
    return mapping


def grid_cells(table: Table, mapping: list[int] | None = None) -> list[GridCell]:
    """The table's cells; with a column mapping, in the columns it maps to."""
    out = []
    for c in table.cells:
        col, end = (c.col, c.col + c.col_span) if mapping is None else (mapping[c.col], mapping[c.col + c.col_span])
        out.append(GridCell(row=c.row, col=col, row_span=c.row_span, col_span=end - col,
                            text=c.text, page=c.page or table.page, bbox=c.bbox))
    return out


def slots(cells: list[GridCell], n_rows: int, n_cols: int) -> list[list[GridCell | None]]:
    """Each grid position → the cell covering it (None where no cell was found)."""
    grid: list[list[GridCell | None]] = [[None] * n_cols for _ in range(n_rows)]
    for cell in cells:
        for r in range(cell.row, min(cell.row + cell.row_span, n_rows)):
            for c in range(cell.col, min(cell.col + cell.col_span, n_cols)):
                if grid[r][c] is None:
                    grid[r][c] = cell
    return grid
