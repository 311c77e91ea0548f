"""Unruled tables from text alignment alone: rows are text lines, columns are rivers of white.

A table drawn without (enough) ruling still shows itself: several consecutive
text lines each break into pieces ("chunks") at gaps much wider than a word
space, and the gaps line up down the page. Here:

- a line is *tabular* when it has at least two chunks;
- a run of close tabular lines (a few one-chunk lines allowed inside, such as
  a row label whose values are blank) is a table candidate;
- its column boundaries are the x-ranges that (almost) no tabular line of the
  run covers with ink: a spanning header may cross a boundary, most rows do not;
- every chunk becomes a cell spanning the columns it covers.

Two columns of running text also alternate chunks on every line; a candidate
whose chunks are mostly wide is prose, not a table.

Pure functions on boxes in one coordinate system, origin top-left:
BBox = (x0, top, x1, bottom). They return indices, so the caller keeps its glyphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

from pipeline.geometry import BBox, locate

# A gap wider than this many text heights parts two chunks (cells) of a line.
# A word space is ~0.25-0.35 of the height; typeset columns sit further apart
# (two spaces and more).
CHUNK_GAP_EM = 0.75
# A table has at least this many tabular lines.
MIN_TABULAR_LINES = 3
# A vertical gap above a line wider than this many text heights ends the table.
MAX_LINE_GAP_EM = 2.0
# Up to this many one-chunk lines in a row may sit inside a table.
MAX_PLAIN_RUN = 2
# A column boundary may be crossed by ink on at most this share of the
# tabular lines (spanning headers, a long label reaching into a blank cell).
MAX_CROSSING_SHARE = 0.15
# At most this many one-chunk lines right above a table, over its value
# columns and no further than this many text heights above it, are its header.
MAX_HEADER_LINES = 2
MAX_HEADER_GAP_EM = 1.0
# A column gap is at least this wide (points per text height): narrower
# rivers come from ragged alignment, not from a column break.
MIN_RIVER_EM = 0.25
# A line with two chunks wider than this many text heights (some 30
# characters) is running text in columns: it ends a table.
PROSE_CHUNK_EM = 12.0


# A ruled table is only partly ruled (rules between row groups, or column
# rules without row rules) when at least this share of its ruled rows holds
# a cell that is a table itself: a line in cells, or a stack of lines that its neighbour in
# the ruled row repeats line for line (a column of values, not a wrapped text).
UNDER_SPLIT_SHARE = 0.25
STACKED_LINES = 4
# Two lines of neighbouring cells are one row when their tops differ by less
# than this share of the text height.
SAME_LINE_SHARE = 0.5

Lines = Sequence[Sequence[BBox]]  # a cell's text lines, each its chunks' boxes


def under_split(rows: Sequence[Sequence[Lines]]) -> bool:
    """Whether a ruled grid's cells hide more columns or rows than its rules show.

    `rows` holds, per ruled row, its filled cells' lines. A cell of a fully
    ruled table holds a phrase or a wrapped paragraph; a cell holding several
    chunks on one line holds columns drawn without rules, and cells stacking
    lines at the same heights side by side hold rows drawn without rules.
    Then the text alignment knows the table better than the rules.
    """
    filled = hiding = 0
    for cells in rows:
        cells = [c for c in cells if c]
        filled += bool(cells)
        hiding += any(
            any(len(line) >= 2 for line in cell)
            or any(_shared_lines(cell, other) >= STACKED_LINES for j, other in enumerate(cells) if j != i)
            for i, cell in enumerate(cells))
    return filled > 0 and hiding >= UNDER_SPLIT_SHARE * filled


def _shared_lines(a: Lines, b: Lines) -> int:
    """How many lines of `a` have a line of `b` at the same height."""
    tops_b = [(min(c[1] for c in line), _height(line)) for line in b]
    shared = 0
    for line in a:
        top, height = min(c[1] for c in line), _height(line)
        if any(abs(top - t) < SAME_LINE_SHARE * max(height, h) for t, h in tops_b):
            shared += 1
    return shared


@dataclass
class TextCell:
    """One cell: its chunks as (line index, chunk indices in that line), top to bottom."""

    parts: list[tuple[int, list[int]]]
    row: int
    col: int
    last: int  # last column it spans


@dataclass
class TextTable:
    """One table found: its lines (indices into the input) and its cells, rows numbered 0.. ."""

    lines: list[int]
    columns: list[float]  # boundaries, ascending: column i is [columns[i], columns[i+1])
    cells: list[TextCell] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        return len(self.columns) - 1

    @property
    def n_rows(self) -> int:
        return 1 + max((c.row for c in self.cells), default=-1)


def chunk_gap(heights: Sequence[float]) -> float:
    """The gap (points) that parts two cells on a line of text of these heights."""
    return CHUNK_GAP_EM * median(heights) if heights else 0.0


def find_text_tables(lines: Sequence[Sequence[BBox]]) -> list[TextTable]:
    """Tables among text lines given top to bottom, each as its chunks' boxes left to right."""
    tables = []
    for run in tabular_runs(lines):
        table = columns_of(run, lines)
        if table is not None:
            tables.append(table)
    return tables


def header_lines(first: int, lines: Sequence[Sequence[BBox]], columns: Sequence[float]) -> list[int]:
    """One-chunk lines just above a table that head its value columns.

    A column-group header ("THRESHOLD FOR RELEASES" over three columns) is a
    line of its own above the first tabular line; it starts right of the
    first column (the stub's head is blank) and ends within the table. A
    caption starts at the left edge or runs past the right one, so it is not taken.
    """
    taken: list[int] = []
    below = first
    for i in range(first - 1, max(first - 1 - MAX_HEADER_LINES, -1), -1):
        chunks = lines[i]
        if len(chunks) != 1:
            break
        (box,) = chunks
        height = box[3] - box[1]
        if (_gap_above(lines, i, below) > MAX_HEADER_GAP_EM * height
                or box[0] < columns[1] - height or box[2] > columns[-1] + height):
            break
        taken.insert(0, i)
        below = i
    return taken


def tabular_runs(lines: Sequence[Sequence[BBox]]) -> list[list[int]]:
    """Runs of close lines holding at least MIN_TABULAR_LINES tabular ones.

    A run starts and ends on a tabular line; one-chunk lines inside it are kept
    (at most MAX_PLAIN_RUN in a row); a wide vertical gap or a line of running
    text ends it.
    """
    runs: list[list[int]] = []
    current: list[int] = []
    plain = 0
    for i, chunks in enumerate(lines):
        if not chunks:
            continue
        if current and _gap_above(lines, current[-1], i) > MAX_LINE_GAP_EM * _height(chunks):
            runs.append(current[:len(current) - plain])
            current, plain = [], 0
        prose = is_prose(chunks)  # running text ends a table
        if len(chunks) >= 2 and not prose:
            current.append(i)
            plain = 0
        elif current and plain < MAX_PLAIN_RUN and not prose:
            current.append(i)
            plain += 1
        elif current:
            runs.append(current[:len(current) - plain])
            current, plain = [], 0
    if current:
        runs.append(current[:len(current) - plain])
    return [r for r in runs if sum(1 for i in r if len(lines[i]) >= 2) >= MIN_TABULAR_LINES]


def column_boundaries(rows: Sequence[Sequence[BBox]], min_gap: float,
                      max_crossing: int) -> list[float]:
    """Column boundaries of a block of tabular rows, outer edges included.

    Each x-range that at most `max_crossing` rows cover with a chunk and that
    is at least `min_gap` wide is a river; a boundary sits at its middle.
    """
    spans = [(b[0], b[2]) for row in rows for b in row]
    left, right = min(s[0] for s in spans), max(s[1] for s in spans)
    edges = sorted({v for s in spans for v in s})
    boundaries = [left]
    river_start = None
    for a, b in zip(edges, edges[1:]):
        mid = (a + b) / 2
        crossing = sum(1 for row in rows if any(c[0] < mid < c[2] for c in row))
        if crossing <= max_crossing:
            river_start = a if river_start is None else river_start
            continue
        if river_start is not None and a - river_start >= min_gap and river_start > left:
            boundaries.append((river_start + a) / 2)
        river_start = None
    boundaries.append(right)
    return boundaries


def columns_of(run: list[int], lines: Sequence[Sequence[BBox]]) -> TextTable | None:
    """Place the chunks of one run on its columns; None when it is no table."""
    tabular = [lines[i] for i in run if len(lines[i]) >= 2]
    height = median(_height(row) for row in tabular)
    max_crossing = int(MAX_CROSSING_SHARE * len(tabular))
    columns = column_boundaries(tabular, MIN_RIVER_EM * height, max_crossing)
    if len(columns) < 3:
        return None
    run = header_lines(run[0], lines, columns) + list(run)
    table = TextTable(lines=run, columns=columns)
    inner = columns[1:-1]
    for row, i in enumerate(run):
        by_col: dict[int, list[int]] = {}
        for j, box in enumerate(lines[i]):
            by_col.setdefault(_column(box[0], inner), []).append(j)
        for first in sorted(by_col):
            chunks = by_col[first]
            last = max(_column(lines[i][j][2], inner, end=True) for j in chunks)
            table.cells.append(TextCell([(i, chunks)], row, first, max(first, last)))
    _merge_overlapping(table)
    _join_wrapped_headers(table, lines, height)
    return table


def is_prose(chunks: Sequence[BBox]) -> bool:
    """Lines of two columns of running text side by side: two chunks wider than PROSE_CHUNK_EM heights.

    Cells are short; one long chunk beside short ones is a table row with a
    long label. A line that is one chunk, long or short, may be a table's
    section heading or a wrapped label, so it is not judged here.
    """
    height = _height(chunks)
    return sum(1 for b in chunks if b[2] - b[0] > PROSE_CHUNK_EM * height) >= 2


def _merge_overlapping(table: TextTable) -> None:
    """A chunk spanning into the next chunk's column absorbs it: one cell per slot."""
    merged: list[TextCell] = []
    for cell in table.cells:
        prev = merged[-1] if merged else None
        if prev is not None and prev.row == cell.row and cell.col <= prev.last:
            (line, chunks), (_, more) = prev.parts[0], cell.parts[0]
            prev.parts = [(line, chunks + more)]
            prev.last = max(prev.last, cell.last)
        else:
            merged.append(cell)
    table.cells = merged


def _join_wrapped_headers(table: TextTable, lines: Sequence[Sequence[BBox]], height: float) -> None:
    """Header text wrapped onto a second line is one cell, not a row of its own.

    The header rows are the first row and the rows after it that leave the
    stub column (column 0) blank. Within them a close row whose cells stack
    one to one under the cells of the row above ("Total occupied" over
    "housing units") continues it; a row with several cells under one cell
    above is a level of sub-headers ("no.", "(%)" under "Total") and stays.
    """
    rows: dict[int, list[TextCell]] = {}
    for cell in table.cells:
        rows.setdefault(cell.row, []).append(cell)
    order = sorted(rows)
    target = order[0]
    for row in order[1:]:
        below = rows[row]
        if any(c.col == 0 for c in below):
            break  # the body starts
        above = rows[target]
        if (_gap_above(lines, above[0].parts[-1][0], below[0].parts[0][0]) <= MAX_HEADER_GAP_EM * height
                and _one_to_one(above, below)):
            for cell in below:
                host = next(a for a in above if _overlap(a, cell))
                host.parts += cell.parts
                host.col, host.last = min(host.col, cell.col), max(host.last, cell.last)
            table.cells = [c for c in table.cells if c.row != row]
        else:
            target = row
    renumber = {old: new for new, old in enumerate(sorted({c.row for c in table.cells}))}
    for cell in table.cells:
        cell.row = renumber[cell.row]
    table.lines = [i for i in table.lines if any(i == line for c in table.cells for line, _ in c.parts)]


def _overlap(a: TextCell, b: TextCell) -> bool:
    return a.col <= b.last and b.col <= a.last


def _one_to_one(above: list[TextCell], below: list[TextCell]) -> bool:
    """Each cell below lies under exactly one cell above, and no cell above has two below."""
    hosts = [[a for a in above if _overlap(a, b)] for b in below]
    if any(len(h) != 1 for h in hosts):
        return False
    return len({id(h[0]) for h in hosts}) == len(below)


def _column(x: float, inner: Sequence[float], end: bool = False) -> int:
    """Column index of an x (a chunk's left edge, or its right edge with end=True)."""
    bounds = [float("-inf"), *inner, float("inf")]
    col = locate(x, bounds)
    if end and col is not None and col > 0 and x <= bounds[col]:
        col -= 1
    return col if col is not None else 0


def _height(chunks: Sequence[BBox]) -> float:
    return median(b[3] - b[1] for b in chunks)


def _gap_above(lines: Sequence[Sequence[BBox]], above: int, below: int) -> float:
    return min(b[1] for b in lines[below]) - max(b[3] for b in lines[above])
