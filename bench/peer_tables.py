"""A peer extractor's output in our document model, so our downstream stages can read it.

Pure functions, no peer package needed (tests/test_bench_peer_tables.py):

- `table_from_grid`: a table as the peer gives it — rows of cells, each cell its text and
  rectangle, `None` where the peer marks a position as covered by a merged cell — becomes a
  Table. The peer's own rows and columns are kept; nothing is re-gridded by our geometry. A
  cell repeated over several positions (img2table repeats the merged cell's object) becomes one
  Cell spanning them, as our model has it.
- `rows_from_boxes`: text boxes with no table structure (a plain full-page OCR pass) grouped
  into rows by vertical overlap, each row in x order.
- `page_from_rows`: those rows as a page: the rows from the first to the last with two or more
  boxes form one table (each box a cell, in x order); the rows above and below are text lines.
- `text_lines_from_words`: OCR words outside the tables as text lines: rows as above, split
  into phrases at gaps wider than the form's phrase gap, as our own readers do.
- `cell_agreement`: the raw, repair-free measure: how many of a reference page's non-empty
  cell texts the extractor reproduces exactly as one of its cells (whitespace ignored).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pipeline import geometry as geo
from pipeline.model import BBox, Cell, Page, Table, TextLine, TextSource

# Two boxes are one row when their vertical overlap is at least this share of the shorter box.
ROW_OVERLAP_RATIO = 0.5
# Rectangles this close (points) are the same rectangle: one merged cell repeated by the peer.
SAME_RECT_TOL = 0.5
# Words further apart than this share of their height are separate words (tables.WORD_GAP_RATIO).
WORD_GAP_RATIO = 0.3


@dataclass(frozen=True)
class PeerCell:
    text: str
    bbox: BBox | None = None  # PDF points, top-left origin


def table_from_grid(grid: list[list[PeerCell | None]], page: int,
                    source: TextSource = "pdf-text") -> Table | None:
    """The peer's table as a Table, or None when it has no cell."""
    n_rows = len(grid)
    n_cols = max((len(row) for row in grid), default=0)
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for r, row in enumerate(grid):
        for c, peer in enumerate(row):
            if peer is None or (r, c) in taken:
                continue
            col_span = _run(grid, r, c, peer, dr=0, dc=1)
            row_span = _run(grid, r, c, peer, dr=1, dc=0)
            for rr in range(r, r + row_span):
                for cc in range(c, c + col_span):
                    taken.add((rr, cc))
            cells.append(Cell(row=r, col=c, row_span=row_span, col_span=col_span, bbox=_rounded(peer.bbox),
                              text=peer.text or "", source=source, page=page))
    if not cells:
        return None
    boxes = [c.bbox for c in cells if c.bbox is not None]
    return Table(page=page, bbox=_rounded(geo.union_bbox(boxes)) if boxes else None,
                 n_rows=n_rows, n_cols=n_cols, cells=cells)


def rows_from_boxes(boxes: list[PeerCell]) -> list[list[PeerCell]]:
    """Boxes grouped into rows (top to bottom), each row left to right.

    A box joins the row whose vertical extent it overlaps by ROW_OVERLAP_RATIO of the shorter
    of the two; rows are taken in order of their tops.
    """
    rows: list[list[PeerCell]] = []
    extents: list[tuple[float, float]] = []
    for box in sorted((b for b in boxes if b.bbox is not None and b.text.strip()), key=lambda b: b.bbox[1]):
        top, bottom = box.bbox[1], box.bbox[3]
        for i, (r_top, r_bottom) in enumerate(extents):
            overlap = min(bottom, r_bottom) - max(top, r_top)
            if overlap >= ROW_OVERLAP_RATIO * min(bottom - top, r_bottom - r_top):
                rows[i].append(box)
                extents[i] = (min(top, r_top), max(bottom, r_bottom))
                break
        else:
            rows.append([box])
            extents.append((top, bottom))
    return [sorted(row, key=lambda b: b.bbox[0]) for row in rows]


def page_from_rows(rows: list[list[PeerCell]], number: int, width: float | None, height: float | None,
                   source: TextSource = "ocr") -> Page:
    """Rows of boxes as a page: one table over the multi-box rows, text lines around it."""
    multi = [i for i, row in enumerate(rows) if len(row) >= 2]
    first, last = (multi[0], multi[-1]) if multi else (len(rows), -1)
    blocks: list = []
    for row in rows[:first]:
        blocks += [_line(box, number, source) for box in row]
    if multi:
        table = table_from_grid([list(row) for row in rows[first:last + 1]], number, source)
        if table is not None:
            blocks.append(table)
    for row in rows[last + 1:] if multi else []:
        blocks += [_line(box, number, source) for box in row]
    return Page(number=number, width=width, height=height, blocks=blocks, scanned=source == "ocr")


def text_lines_from_words(words: list[PeerCell], number: int, phrase_gap: float,
                          source: TextSource = "ocr") -> list[TextLine]:
    """Words as text lines: one per phrase of each row, words parted by a space where they stand apart."""
    lines = []
    for row in rows_from_boxes(words):
        boxes = [w.bbox for w in row]
        for phrase in geo.split_phrases(boxes, phrase_gap):
            part = [row[i] for i in phrase]
            height = min(w.bbox[3] - w.bbox[1] for w in part)
            text = geo.join_words([w.text for w in part], [w.bbox for w in part], WORD_GAP_RATIO * height)
            lines.append(TextLine(page=number, text=text, source=source,
                                  bbox=_rounded(geo.union_bbox([w.bbox for w in part]))))
    return lines


def cell_texts(page: Page) -> Counter:
    """The page's non-empty cell texts, whitespace removed, as a multiset."""
    return Counter(key for block in page.blocks if isinstance(block, Table)
                   for cell in block.cells if (key := "".join(cell.text.split())))


def cell_texts_of(pages: list[Page]) -> Counter:
    return sum((cell_texts(p) for p in pages), Counter())


def cell_agreement(reference: Page, got: Page | None) -> tuple[int, int]:
    """(reference cells the extractor reproduced exactly, reference cells)."""
    want = cell_texts(reference)
    have = cell_texts(got) if got is not None else Counter()
    return sum((want & have).values()), sum(want.values())


def _run(grid: list[list[PeerCell | None]], r: int, c: int, peer: PeerCell, dr: int, dc: int) -> int:
    """How many positions from (r, c) onward, one way, hold the same merged cell."""
    n = 1
    while True:
        rr, cc = r + dr * n, c + dc * n
        if rr >= len(grid) or cc >= len(grid[rr]) or not _same_cell(grid[rr][cc], peer):
            return n
        n += 1


def _same_cell(a: PeerCell | None, b: PeerCell) -> bool:
    if a is None or a.bbox is None or b.bbox is None:
        return False
    return a.text == b.text and all(abs(x - y) <= SAME_RECT_TOL for x, y in zip(a.bbox, b.bbox))


def _line(box: PeerCell, number: int, source: TextSource) -> TextLine:
    return TextLine(page=number, text=box.text, bbox=_rounded(box.bbox), source=source)


def _rounded(box: BBox | None) -> BBox | None:
    return tuple(round(float(v), 2) for v in box) if box is not None else None  # type: ignore[return-value]
