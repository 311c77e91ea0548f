"""Pure geometry on boxes and ruling lines, shared by the PDF and the scan path.

Everything here works on plain numbers in one coordinate system with the
origin at the top-left (PDF points for digital pages, pixels or converted
points for scans), so nothing depends on pdfplumber or OpenCV.

    BBox    = (x0, top, x1, bottom)
    Segment = (position, start, end): a horizontal ruling line is
              (y, x_start, x_end), a vertical one (x, y_start, y_end).

Functions that group things return lists of indices into their input, so the
caller can keep whatever objects (pdfplumber chars, OCR words) it started with.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

BBox = tuple[float, float, float, float]
Segment = tuple[float, float, float]


# --- boxes -----------------------------------------------------------------

def centre(box: BBox) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def contains(outer: BBox, point: tuple[float, float]) -> bool:
    """Whether a point (usually a glyph's centre) lies in a box.

    Half-open on the right and bottom, so a point exactly on a shared border
    belongs to one box only, never to both neighbours.
    """
    x, y = point
    return outer[0] <= x < outer[2] and outer[1] <= y < outer[3]


def area(box: BBox) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def overlap_ratio(a: BBox, b: BBox) -> float:
    """The share of `a`'s area that `b` covers (0..1; 0 for a degenerate `a`).

    Asymmetric on purpose: "how much of this word lies in that cell" is the
    question, and a small word inside a big cell should score 1.
    """
    inter = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    whole = area(a)
    return area(inter) / whole if whole > 0 else 0.0


def union_bbox(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


# --- positions and ruling lines ---------------------------------------------

def cluster_positions(values: Sequence[float], tol: float) -> list[float]:
    """Snap near-equal coordinates to one value each (the mean), ascending.

    A ruling line drawn as a thin filled rectangle has two edges 0.5pt apart,
    and neighbouring cells drawn separately repeat each border; all of these
    are one grid line. Values chain: each joins the cluster when it lies
    within `tol` of the previous value, as pdfplumber's snapping does.
    """
    clusters: list[list[float]] = []
    for v in sorted(values):
        if clusters and v - clusters[-1][-1] <= tol:
            clusters[-1].append(v)
        else:
            clusters.append([v])
    return [sum(c) / len(c) for c in clusters]


def nearest_index(value: float, positions: Sequence[float]) -> int:
    """Index of the position closest to `value` (positions must be non-empty)."""
    return min(range(len(positions)), key=lambda i: abs(positions[i] - value))


def locate(value: float, boundaries: Sequence[float]) -> int | None:
    """Which slot between ascending boundaries holds `value` (None if outside).

    Slot i is [boundaries[i], boundaries[i+1]), the same half-open rule as
    `contains`, so a glyph centre maps to exactly one grid row / column.
    """
    i = bisect_right(boundaries, value) - 1
    return i if 0 <= i < len(boundaries) - 1 else None


def merge_segments(segments: Sequence[Segment], snap_tol: float, join_tol: float,
                   min_length: float = 0.0) -> list[Segment]:
    """Turn many broken, slightly offset ruling pieces into whole lines.

    Generators draw a table border as one stroke per cell, or as thin
    rectangles; scans give broken line fragments. Pieces whose positions lie
    within `snap_tol` become collinear at their mean position weighted by length, then pieces
    on one line that touch or leave a gap up to `join_tol` are joined.
    Pieces shorter than `min_length` after joining are noise (underlines of
    single glyphs, specks).
    """
    groups: dict[float, list[Segment]] = {}
    snapped = cluster_positions([s[0] for s in segments], snap_tol)
    for segment in segments:
        groups.setdefault(snapped[nearest_index(segment[0], snapped)], []).append(segment)
    by_position: dict[float, list[Segment]] = {}
    for members in groups.values():
        # the line lies where its ink is: a long stroke outweighs the glyph strokes snapped to it
        # (an unweighted mean moved a fax's column border 12 px off its ink, into the text beside)
        weights = [abs(end - start) + 1e-6 for _, start, end in members]
        key = sum(w * m[0] for w, m in zip(weights, members)) / sum(weights)
        by_position.setdefault(key, []).extend((key, min(a, b), max(a, b)) for _, a, b in members)
    merged: list[Segment] = []
    for pos in sorted(by_position):
        pieces = sorted(by_position[pos], key=lambda s: s[1])
        run = list(pieces[0])
        for _, start, end in pieces[1:]:
            if start <= run[2] + join_tol:
                run[2] = max(run[2], end)
            else:
                merged.append((run[0], run[1], run[2]))
                run = [pos, start, end]
        merged.append((run[0], run[1], run[2]))
    return [s for s in merged if s[2] - s[1] >= min_length]


def _covered(segments: Sequence[Segment], start: float, end: float, tol: float) -> bool:
    """Whether one segment spans [start, end], allowing `tol` at either end."""
    return any(s[1] <= start + tol and s[2] >= end - tol for s in segments)


def cells_from_segments(horizontal: Sequence[Segment], vertical: Sequence[Segment],
                        tol: float) -> list[BBox]:
    """Cell rectangles, merged cells included, from already merged ruling lines.

    Every ruling position splits the area into a grid of slots. Neighbouring
    slots with no ruling line between them belong to one cell (that is what
    a merged cell is: a missing inner border). A group of slots is a cell
    only when it is a rectangle with ruling on all four sides; slots open
    to the outside (page margins, text between tables) are not cells.
    """
    xs = sorted({s[0] for s in vertical})
    ys = sorted({s[0] for s in horizontal})
    if len(xs) < 2 or len(ys) < 2:
        return []
    v_at = {x: [s for s in vertical if s[0] == x] for x in xs}
    h_at = {y: [s for s in horizontal if s[0] == y] for y in ys}
    n_r, n_c = len(ys) - 1, len(xs) - 1

    # wall_left(r, c): ruling along the left side of slot (r, c); c may be n_c
    # (the right side of the last column), and r may be n_r in wall_top.
    def wall_left(r: int, c: int) -> bool:
        return _covered(v_at[xs[c]], ys[r], ys[r + 1], tol)

    def wall_top(r: int, c: int) -> bool:
        return _covered(h_at[ys[r]], xs[c], xs[c + 1], tol)

    parent = list(range(n_r * n_c))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_r):
        for c in range(n_c):
            if c > 0 and not wall_left(r, c):
                parent[find(r * n_c + c)] = find(r * n_c + c - 1)
            if r > 0 and not wall_top(r, c):
                parent[find(r * n_c + c)] = find((r - 1) * n_c + c)

    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_r):
        for c in range(n_c):
            groups.setdefault(find(r * n_c + c), []).append((r, c))
    cells: list[BBox] = []
    for slots in groups.values():
        r0, r1 = min(s[0] for s in slots), max(s[0] for s in slots)
        c0, c1 = min(s[1] for s in slots), max(s[1] for s in slots)
        if len(slots) != (r1 - r0 + 1) * (c1 - c0 + 1):
            continue  # not a rectangle: an L-shaped gap, not a cell
        closed = (all(wall_top(r0, c) and wall_top(r1 + 1, c) for c in range(c0, c1 + 1))
                  and all(wall_left(r, c0) and wall_left(r, c1 + 1) for r in range(r0, r1 + 1)))
        if closed:
            cells.append((xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
    return sorted(cells, key=lambda b: (b[1], b[0]))


def group_touching(boxes: Sequence[BBox], tol: float) -> list[list[int]]:
    """Split cells into tables: cells that touch (within `tol`) are one table.

    Two tables on a page are separated by white space, so any chain of
    touching cells belongs to one table. Groups are ordered top to bottom.
    """
    parent = list(range(len(boxes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if (a[0] <= b[2] + tol and b[0] <= a[2] + tol
                    and a[1] <= b[3] + tol and b[1] <= a[3] + tol):
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(boxes)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: min((boxes[i][1], boxes[i][0]) for i in g))


# --- the row / column grid of one table --------------------------------------

def grid_from_cells(cells: Sequence[BBox], tol: float) -> tuple[list[float], list[float]]:
    """Column and row boundaries: every distinct cell edge, snapped.

    A merged cell contributes only its outer edges; the inner boundaries it
    spans come from the other cells, which is what makes spans computable.
    """
    xs = cluster_positions([v for c in cells for v in (c[0], c[2])], tol)
    ys = cluster_positions([v for c in cells for v in (c[1], c[3])], tol)
    return xs, ys


def cell_span(cell: BBox, xs: Sequence[float], ys: Sequence[float]) -> tuple[int, int, int, int]:
    """(row, col, row_span, col_span) of a cell rectangle against the grid.

    Each edge snaps to its nearest boundary, so small offsets between the
    cell and the snapped grid do not matter. A span is at least 1, even for a
    sliver whose two edges snapped to the same boundary.
    """
    c0, c1 = nearest_index(cell[0], xs), nearest_index(cell[2], xs)
    r0, r1 = nearest_index(cell[1], ys), nearest_index(cell[3], ys)
    return r0, c0, max(1, r1 - r0), max(1, c1 - c0)


# --- text lines and phrases ------------------------------------------------

def group_lines(boxes: Sequence[BBox], gap_ratio: float) -> list[list[int]]:
    """Group glyph or word boxes into text lines, top to bottom, each left to right.

    A box starts a new line when its top lies more than gap_ratio x height
    below the top of the line's first box (height: the taller of the two, so
    a flat OCR box such as "一" does not split its line). Comparing with the
    line's first box, not the previous one, keeps a run of slightly lower
    glyphs from drifting into the next line; scaling by height makes the rule
    work for any font size and for pixels as well as points.
    """
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))
    lines: list[list[int]] = []
    anchor_top = anchor_height = 0.0
    for i in order:
        top, height = boxes[i][1], boxes[i][3] - boxes[i][1]
        limit = gap_ratio * max(height, anchor_height)
        if not lines or top - anchor_top > limit:
            lines.append([i])
            anchor_top, anchor_height = top, height
        else:
            lines[-1].append(i)
    return [sorted(line, key=lambda i: boxes[i][0]) for line in lines]


def split_phrases(boxes: Sequence[BBox], gap: float) -> list[list[int]]:
    """Split one text line wherever the horizontal gap exceeds `gap`.

    Forms put several fields on one line far apart ("填报单位：…   金额单位：万元");
    each is a phrase of its own. Indices come back left to right.
    """
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0])
    phrases: list[list[int]] = []
    right = 0.0
    for i in order:
        if not phrases or boxes[i][0] - right > gap:
            phrases.append([i])
            right = boxes[i][2]
        else:
            phrases[-1].append(i)
            right = max(right, boxes[i][2])
    return phrases


def join_words(texts: Sequence[str], boxes: Sequence[BBox], space_gap: float) -> str:
    """The text of one line, left to right, with one space where words part.

    A space is kept where the source has one (a whitespace glyph) or where
    the gap between neighbours exceeds `space_gap`; runs of spaces collapse
    to one and none is kept at either end.
    """
    out: list[str] = []
    right: float | None = None
    pending_space = False
    for i in sorted(range(len(texts)), key=lambda i: boxes[i][0]):
        text = texts[i]
        if not text.strip():
            pending_space = True
            continue
        if right is not None and (pending_space or boxes[i][0] - right > space_gap):
            out.append(" ")
        out.append(text)
        right = boxes[i][2] if right is None else max(right, boxes[i][2])
        pending_space = False
    return "".join(out)
