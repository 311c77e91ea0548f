"""Ruled-table grid detection on page images (the scan path's find_tables).

Ruling lines are found with OpenCV morphology, turned into the same
(position, start, end) segments the digital path gets from pdfplumber, and
then go through the same pipeline.geometry functions (merge_segments →
cells_from_segments → group_touching → grid_from_cells → cell_span), so a
scanned form and its digital original give the same rows, columns and spans.

    page image ──binarise──> ink mask
      − grey seal ink (rings found by shape; their lighter ink, see imaging)
      − glyphs (compact blobs, runs of touching glyphs)
      ├─ close + open with a long horizontal kernel ─> horizontal pieces ─┐
      └─ close + open with a long vertical kernel   ─> vertical pieces   ─┤
         drop pieces that are seal arcs, seal strokes or glyph strokes <──┘
      merge collinear pieces (bridges breaks, faded stretches, seal gaps)
      keep / clip each line to the span between the perpendicular lines it
      meets (drops underlines, text strokes, scratches; trims overshoot;
      extends lines that stop just short of a border)
      drop "lines" that are mostly stretch and flanked by glyph ink
      → cells → tables → rows / columns / spans

All tolerances are in PDF points (1/72 inch) and scaled by the image's dpi,
so one setting works at 150, 200 or 300 dpi. Call on a deskewed page (see
pipeline.imaging); a residual tilt of a few tenths of a degree is tolerated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline import geometry as geo
from pipeline import imaging
from pipeline.model import BBox, Cell, Table


@dataclass(frozen=True)
class GridSettings:
    """Tolerances of the grid detector, in points (scaled to px by dpi / 72)."""

    # A ruling line, once joined, is at least this long. Must stay below the
    # shortest ruling piece (the side of the smallest cell: ~20pt rows and
    # 23pt columns on the sample forms).
    min_line: float = 14.0
    # Fragments are first found as runs at least this long along one axis
    # (a morphological opening). Shorter than min_line so that the pieces of a
    # broken short line (a 20pt cell side with a gap in the middle) survive to
    # be joined; glyph strokes are kept out by removing glyphs first and by
    # the crossing rule after.
    min_piece: float = 8.0
    # Before the opening, gaps this short along a line are closed, so a line
    # that binarised as dashes (faded toner, speckle) still yields runs.
    close_gap: float = 2.5
    # A connected blob of ink no longer than this (and thicker than a line) is
    # a glyph, not ruling: body text is 9-12pt, titles 16-22pt. Removing glyphs
    # before looking for lines stops neighbouring characters' strokes from
    # being joined into fake ruling.
    max_glyph: float = 28.0
    # Pieces whose positions differ by less than this are one line (a thick
    # line's two edges, the tilt residue along a long line). pdfplumber's
    # snap_tolerance on the digital path is 3pt too.
    snap: float = 3.0
    # Collinear pieces with a gap up to this are joined: breaks in a worn
    # line, a seal or a fold crossing it. Must stay below the narrowest cell
    # (23pt), or a line missing across a merged cell would be bridged.
    join: float = 8.0
    # Slack when asking whether a cell side is covered by a ruling line
    # (geometry.cells_from_segments' tol), as on the digital path.
    reach: float = 3.0
    # A line may stop this short of the perpendicular line it meets and still
    # count as meeting it (corners are where worn lines break first); it is
    # then extended to it. Same size as `join`: a gap at the end of a line is
    # bridged like a gap in the middle.
    end_gap: float = 8.0
    # A component thicker than this (area / length) is not a line: a solid
    # black block, a blob of stamp ink, a bold title. Ruling is 0.5-2pt.
    max_thickness: float = 4.0
    # Look for round seal rings by shape (needed on grey scans, where colour
    # cannot remove the seal) and drop ruling pieces that lie along one, within
    # this distance (pt) of the fitted circle: ring width ~3pt plus fit error.
    seal_rings: bool = True
    ring_band: float = 4.0
    # No real cell is smaller than this, as on the digital path
    # (stages.tables.MIN_CELL_SIZE): thinner "cells" are the gap inside a double
    # rule; grid boundaries this close are one boundary.
    min_cell: float = 6.0
    # Tables smaller than this are not forms (same defaults as TableSettings).
    min_rows: int = 1
    min_cols: int = 2

    def px(self, points: float, dpi: float) -> float:
        return points * dpi / 72.0


DEFAULT = GridSettings()

# A line whose length is less than this share ink (it was extended to the
# perpendiculars it nearly reached) and has glyph ink beside this much of its
# inked part is a row of glyph strokes. Real ruling on the sample scans is
# >= 94% ink (<= 44% beside); the top strokes of "万元" in a faded scan,
# stretched across their narrow cell, are 46% ink with 55% beside.
STRETCHED_INKED = 0.85
STRETCHED_BESIDE = 0.1

# A fragment no longer than a glyph (max_glyph) with glyph ink beside this
# much of it is a stroke, not a piece of broken ruling (strokes of 持 in a
# noisy scan: 53%; ruling fragments on the sample scans: < 10%).
SHORT_PIECE_BESIDE = 0.35

# Share of its bounding box that a run of touching glyphs inks (CJK text:
# 0.3-0.5); an L / T corner of broken ruling inks ~0.1 of its box.
TEXT_RUN_FILL = 0.2


@dataclass
class ImageCell:
    row: int
    col: int
    row_span: int
    col_span: int
    bbox: BBox  # pixels, (x0, y0, x1, y1) on the ruling lines' centres


@dataclass
class ImageTable:
    """One ruled table found on a page image, everything in pixels."""

    bbox: BBox
    n_rows: int
    n_cols: int
    cells: list[ImageCell]
    xs: list[float] = field(default_factory=list)  # column boundaries
    ys: list[float] = field(default_factory=list)  # row boundaries
    horizontal: list[geo.Segment] = field(default_factory=list)  # the ruling it was built from
    vertical: list[geo.Segment] = field(default_factory=list)


def detect_tables(image: np.ndarray, dpi: float, settings: GridSettings | None = None) -> list[ImageTable]:
    """Ruled tables on a page image, top to bottom, cells in pixel coordinates.

    `image`: BGR (seals are suppressed first), grey (dark ink on white) or an
    ink mask in either polarity. `dpi`: the image's resolution, which scales
    every tolerance.
    """
    s = settings or DEFAULT
    gray = imaging.to_gray(image) if image.ndim == 3 else image
    binary = imaging.ensure_binary(gray)
    rings = imaging.find_seal_rings(gray, dpi, binary=binary) if s.seal_rings else []
    horizontal, vertical = ruling_segments(binary, dpi, s, rings=rings,
                                           gray=None if _is_two_valued(gray) else gray)
    return tables_from_segments(horizontal, vertical, dpi, s)


def ruling_segments(binary: np.ndarray, dpi: float, settings: GridSettings | None = None,
                    rings: list[tuple[float, float, float]] | None = None,
                    gray: np.ndarray | None = None,
                    ) -> tuple[list[geo.Segment], list[geo.Segment]]:
    """Merged, crossing-checked ruling lines of an ink mask (ink = 255), in px.

    Horizontal segments are (y, x_start, x_end), vertical ones (x, y_start, y_end).
    `rings`: seal rings (cx, cy, r) in px whose arcs are not ruling; found
    on the mask when not given (and settings.seal_rings is on). `gray`: the
    grey page, when there is one; inside a ring, pieces as light as the
    seal's ink are the seal's strokes (its characters, its star), not ruling.
    Exposed so that OCR can erase ruling before reading cells.
    """
    s = settings or DEFAULT
    if rings is None:
        rings = imaging.find_seal_rings(binary, dpi, binary=binary) if s.seal_rings else []
    band = s.px(s.ring_band, dpi)
    seal_cuts = []  # (ring, grey level above which its ink is the seal's)
    if gray is not None:
        for ring in rings:
            cut = imaging.seal_ink_cut(gray, ring, dpi)
            if cut is not None:
                seal_cuts.append((ring, cut))
    rough = _rough_lines(binary, dpi, s)
    if seal_cuts:
        binary = binary.copy()
        binary[_seal_pixels(gray, seal_cuts, rough, band, dpi)] = 0
    text_free = _drop_glyphs(binary, dpi, s, rough=rough)
    pieces_h, mask_h = _line_pieces(text_free, dpi, s, horizontal=True)
    pieces_v, mask_v = _line_pieces(text_free, dpi, s, horizontal=False)
    # ink that is not ruling: glyphs, seal remnants, specks
    loose = cv2.bitwise_and(binary, cv2.bitwise_not(cv2.bitwise_or(mask_h, mask_v)))
    min_line = s.px(s.min_line, dpi)
    max_glyph = s.px(s.max_glyph, dpi)

    def plausible(piece: geo.Segment, horizontal: bool, mask: np.ndarray) -> bool:
        if _on_ring(piece, horizontal, rings, band):
            return False
        if seal_cuts and _seal_ink(piece, horizontal, gray, seal_cuts, dpi, s):
            return False
        # a glyph-sized stroke among glyph ink would lengthen a real line it
        # happens to be collinear with (a column border ending just under
        # text), or pair up with another into a fake cell
        if piece[2] - piece[1] >= max_glyph:
            return True
        return _text_beside(piece, horizontal, mask, loose, dpi, s)[0] <= SHORT_PIECE_BESIDE

    horizontal = _merge([p for p in pieces_h if plausible(p, True, mask_h)], dpi, s)
    vertical = _merge([p for p in pieces_v if plausible(p, False, mask_v)], dpi, s)
    reach = s.px(s.end_gap, dpi) + _half_width(dpi, s)
    horizontal, vertical = _keep_crossing(horizontal, vertical, reach, min_line)
    h_ok = [seg for seg in horizontal if not _glyph_row(seg, True, mask_h, loose, dpi, s)]
    v_ok = [seg for seg in vertical if not _glyph_row(seg, False, mask_v, loose, dpi, s)]
    if len(h_ok) < len(horizontal) or len(v_ok) < len(vertical):
        h_ok, v_ok = _keep_crossing(h_ok, v_ok, reach, min_line)
    return h_ok, v_ok


def tables_from_segments(horizontal: list[geo.Segment], vertical: list[geo.Segment],
                         dpi: float, settings: GridSettings | None = None) -> list[ImageTable]:
    """Cells → tables → row / column grid, exactly as the digital path does it."""
    s = settings or DEFAULT
    reach = s.px(s.reach, dpi)
    min_cell = s.px(s.min_cell, dpi)
    rects = [r for r in geo.cells_from_segments(horizontal, vertical, reach)
             if r[2] - r[0] > min_cell and r[3] - r[1] > min_cell]
    tables: list[ImageTable] = []
    for group in geo.group_touching(rects, min_cell):
        cells = [rects[i] for i in group]
        xs, ys = geo.grid_from_cells(cells, min_cell)
        n_rows, n_cols = len(ys) - 1, len(xs) - 1
        if n_rows < s.min_rows or n_cols < s.min_cols:
            continue
        out = []
        for rect in cells:
            row, col, rs, cs = geo.cell_span(rect, xs, ys)
            out.append(ImageCell(row=row, col=col, row_span=rs, col_span=cs,
                                 bbox=tuple(float(v) for v in rect)))
        out.sort(key=lambda c: (c.row, c.col))
        box = geo.union_bbox(cells)
        tables.append(ImageTable(
            bbox=tuple(float(v) for v in box), n_rows=n_rows, n_cols=n_cols, cells=out,
            xs=[float(x) for x in xs], ys=[float(y) for y in ys],
            horizontal=[h for h in horizontal if _inside(h, box, True, min_cell)],
            vertical=[v for v in vertical if _inside(v, box, False, min_cell)],
        ))
    return tables


def to_model_table(table: ImageTable, page_number: int, scale_pt_per_px: float) -> Table:
    """The model Table of a detected table: bboxes in PDF points, text left empty.

    `scale_pt_per_px` is 72 / dpi for a page rendered or scanned at dpi.
    Cells are marked source="ocr" with confidence 1.0 (the geometry is
    certain; OCR fills text and its own confidence later).
    """
    def pt(box: BBox) -> BBox:
        return tuple(round(float(v) * scale_pt_per_px, 2) for v in box)  # type: ignore[return-value]

    cells = [Cell(row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span,
                  bbox=pt(c.bbox), text="", source="ocr", confidence=1.0, page=page_number)
             for c in sorted(table.cells, key=lambda c: (c.row, c.col))]
    return Table(page=page_number, bbox=pt(table.bbox), n_rows=table.n_rows,
                 n_cols=table.n_cols, cells=cells)


# --- internals ----------------------------------------------------------------

def _half_width(dpi: float, s: GridSettings) -> float:
    """Half the thickest plausible line: positions are centres, ends are outer edges."""
    return s.px(s.max_thickness, dpi) / 2


def _rough_lines(binary: np.ndarray, dpi: float, s: GridSettings) -> np.ndarray:
    """Thin straight runs at least min_line long, either way: surely ruling (or a long stroke).

    Solid areas (a filled seal star binarised as a blob, a black box) hold
    long runs too; whatever is thicker than max_thickness in both directions
    is left out.
    """
    length = max(5, int(round(s.px(s.min_line, dpi))))
    runs = cv2.bitwise_or(
        cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))),
        cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length))))
    side = max(3, int(round(s.px(s.max_thickness, dpi))) + 1)
    solid = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    if not solid.any():
        return runs
    return cv2.bitwise_and(runs, cv2.bitwise_not(cv2.dilate(solid, np.ones((3, 3), np.uint8))))


def _seal_pixels(gray: np.ndarray, seal_cuts: list[tuple[tuple[float, float, float], float]],
                 rough: np.ndarray, band: float, dpi: float) -> np.ndarray:
    """Seal-coloured ink inside the found rings, as a bool mask to erase.

    Spared: long thin straight runs (a faded black line under the seal can be
    as light as the seal's darker ink pixel by pixel, and must stay whole;
    pieces are judged whole later), except on the ring's own band, where a
    thick ring holds straight runs near its tangents.
    """
    out = np.zeros(gray.shape, bool)
    for ring, cut in seal_cuts:
        found = imaging.seal_disc(gray.shape, ring, dpi)
        if found is None:
            continue
        (y0, y1, x0, x1), disc = found
        cx, cy, r = ring
        yy, xx = np.mgrid[y0:y1, x0:x1]
        on_band = np.abs(np.hypot(xx - cx, yy - cy) - r) <= band
        spared = (rough[y0:y1, x0:x1] > 0) & ~on_band
        out[y0:y1, x0:x1] |= disc & (gray[y0:y1, x0:x1] > cut) & ~spared
    return out


def _drop_glyphs(binary: np.ndarray, dpi: float, s: GridSettings,
                 rough: np.ndarray | None = None) -> np.ndarray:
    """The ink mask without glyph-shaped components.

    A ruling line is part of a long connected component (the table's frame)
    or, where it is broken, a long *thin* fragment. A glyph is a compact
    blob shorter than max_glyph and thicker than a line; glyphs that touch
    make a densely inked run no taller than a glyph. Removing glyphs first
    stops the strokes of neighbouring characters ("度量" filling a narrow
    column) from being closed and joined into a fake ruling line.
    """
    # Long straight runs (sure ruling) are set aside first, so that text
    # printed within a pixel or two of a border is not joined to the frame.
    # Glyphs are judged whole: the radicals of one character (高 is four
    # pieces) are a pixel or two apart, so the rest is grown by ~0.4pt before
    # labelling. Alone, each thin radical looks like a line fragment, and
    # closing would stack them into a fake ruling piece.
    if rough is None:
        rough = _rough_lines(binary, dpi, s)
    candidates = cv2.bitwise_and(binary, cv2.bitwise_not(rough))
    r = max(1, int(round(s.px(0.4, dpi))))
    grown = cv2.dilate(candidates, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * r + 1, 2 * r + 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    fill = stats[:, cv2.CC_STAT_AREA] / np.maximum(w * h, 1)
    longest, thinnest = np.maximum(w, h), np.minimum(w, h)
    max_glyph = s.px(s.max_glyph, dpi)
    # glyphs, and runs of glyphs that touch (low resolution, tight spacing):
    # text-line high and densely inked; a broken ruling corner (an L or T of
    # thin lines) fills little of its box
    glyph = (thinnest > s.px(s.max_thickness, dpi) + 2 * r) & (
        (longest < max_glyph) | ((thinnest < max_glyph) & (fill > TEXT_RUN_FILL)))
    glyph[0] = False
    if not glyph.any():
        return binary
    # A fragment of broken ruling still attached to the frame (a corner, the
    # stub of a border under a speck) is ruling, even when the grown mask
    # lumps it with a glyph printed close by. The frame: straight runs joined
    # into something longer than any glyph (a seal character's long stroke
    # is not).
    n_r, r_labels, r_stats, _ = cv2.connectedComponentsWithStats(rough, connectivity=8)
    big = np.maximum(r_stats[:, cv2.CC_STAT_WIDTH], r_stats[:, cv2.CC_STAT_HEIGHT]) >= max_glyph
    big[0] = False
    frame = np.where(big[r_labels], np.uint8(255), np.uint8(0))
    n_own, own = cv2.connectedComponents(candidates, connectivity=8)
    touching = np.unique(own[(cv2.dilate(frame, np.ones((3, 3), np.uint8)) > 0) & (candidates > 0)])
    attached = np.zeros(n_own, bool)
    attached[touching] = True
    attached[0] = False
    return np.where(glyph[labels] & (candidates > 0) & ~attached[own], np.uint8(0), binary)


def _line_pieces(binary: np.ndarray, dpi: float, s: GridSettings,
                 horizontal: bool) -> tuple[list[geo.Segment], np.ndarray]:
    """Ruling fragments along one axis as (position, start, end) in px, and their mask.

    Close short gaps along the axis, open with a long thin kernel (only runs
    at least min_piece long survive), then each connected component is one
    piece: its position is the centroid across the line (the middle of a
    thick or slightly tilted line), its extent the bounding box along it.
    """
    length = max(5, int(round(s.px(s.min_piece, dpi))))
    gap = max(1, int(round(s.px(s.close_gap, dpi))))
    if horizontal:
        close_k, open_k = (gap, 1), (length, 1)
    else:
        close_k, open_k = (1, gap), (1, length)
    mask = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, close_k))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, open_k))
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    max_thick = max(2.0, s.px(s.max_thickness, dpi))
    pieces: list[geo.Segment] = []
    for i in range(1, n):
        x, y, w, h, a = (int(v) for v in stats[i, :5])
        along, across = (w, h) if horizontal else (h, w)
        if along < length or a / along > max_thick:
            continue
        if across > max(max_thick, 0.05 * along) * 3:
            continue  # a blob, not a line, even allowing for tilt
        if horizontal:
            pieces.append((float(centroids[i][1]), float(x), float(x + w - 1)))
        else:
            pieces.append((float(centroids[i][0]), float(y), float(y + h - 1)))
    return pieces, mask


def _glyph_row(seg: geo.Segment, horizontal: bool, line_mask: np.ndarray, loose: np.ndarray,
               dpi: float, s: GridSettings) -> bool:
    """Whether a "line" is really the aligned strokes of a row of glyphs (see _text_beside)."""
    beside, inked = _text_beside(seg, horizontal, line_mask, loose, dpi, s)
    # A run of strokes stretched to the cell's sides by the crossing rule is
    # mostly not ink. A well-inked line is ruling even with text close beside
    # it all along (a label printed 2pt from its cell border).
    return inked < STRETCHED_INKED and beside > STRETCHED_BESIDE


def _text_beside(seg: geo.Segment, horizontal: bool, line_mask: np.ndarray, loose: np.ndarray,
                 dpi: float, s: GridSettings) -> tuple[float, float]:
    """(beside, inked): how much of a line is flanked by glyph ink, and how much of it is ink.

    `beside` is the share of the line's inked length with non-ruling ink
    right beside it, on the worse side; `inked` the share of its length with
    line ink at all.

    A ruling line has cell padding on both sides; a "line" made of the top
    strokes of a row of glyphs (万元 in a narrow cell, faded so that the glyphs
    fell apart) has the rest of the glyphs right under it. Only the stretch
    where the line has ink is judged (the crossing rule may have extended a
    line to the perpendiculars it nearly reaches); the band looked at runs
    from 1.5pt to 5pt off the line, on each side.
    """
    pos, start, end = seg
    near, far = s.px(1.5, dpi), s.px(5.0, dpi)
    half = max(1, int(round(_half_width(dpi, s))))
    h, w = loose.shape
    a, b = max(0, int(round(start))), int(round(end)) + 1
    p = int(round(pos))
    if horizontal:
        b = min(b, w)
        inked = line_mask[max(0, p - half):min(h, p + half + 1), a:b].any(axis=0)
    else:
        b = min(b, h)
        inked = line_mask[a:b, max(0, p - half):min(w, p + half + 1)].any(axis=1)
    if not inked.any():
        return 0.0, 0.0
    worst = 0.0
    for sign in (-1, 1):
        lo, hi = sorted((int(round(pos + sign * near)), int(round(pos + sign * far))))
        lo, hi = max(0, lo), min(h if horizontal else w, hi + 1)
        if hi <= lo:
            continue
        band = loose[lo:hi, a:b].any(axis=0) if horizontal else loose[a:b, lo:hi].any(axis=1)
        worst = max(worst, np.count_nonzero(band & inked) / np.count_nonzero(inked))
    return worst, float(np.count_nonzero(inked)) / len(inked)


def _seal_ink(piece: geo.Segment, horizontal: bool, gray: np.ndarray,
              seal_cuts: list[tuple[tuple[float, float, float], float]], dpi: float,
              s: GridSettings) -> bool:
    """Whether a piece lies inside a seal's disc and is as light as the seal's ink.

    The level is the median along the piece of the darkest pixel across it,
    so noise and the seal's uneven ink do not decide, and a faded black line
    (grey ~90 under a seal of ~140) stays ruling.
    """
    pos, start, end = piece
    margin = imaging.SEAL_MARGIN_MM * dpi / 25.4
    ts = np.linspace(start, end, 5)
    xs, ys = (ts, np.full(5, pos)) if horizontal else (np.full(5, pos), ts)
    half = max(1, int(round(_half_width(dpi, s))))
    h, w = gray.shape
    for (cx, cy, r), cut in seal_cuts:
        if not np.all(np.hypot(xs - cx, ys - cy) <= r + margin):
            continue
        p, a, b = int(round(pos)), max(0, int(round(start))), int(round(end)) + 1
        if horizontal:
            strip = gray[max(0, p - half):min(h, p + half + 1), a:min(b, w)].min(axis=0)
        else:
            strip = gray[a:min(b, h), max(0, p - half):min(w, p + half + 1)].min(axis=1)
        if strip.size and float(np.median(strip)) > cut:
            return True
    return False


def _is_two_valued(image: np.ndarray) -> bool:
    return set(np.unique(image[::97, ::97]).tolist()) <= {0, 1, 255}


def _on_ring(piece: geo.Segment, horizontal: bool,
             rings: list[tuple[float, float, float]], band: float) -> bool:
    """Whether a ruling piece runs along a seal ring (an arc, not a line).

    Five points along the piece must all lie within `band` of the circle. A
    straight ruling line can do that only where it is tangent to the ring and
    short (under ~2·sqrt(4·r·band), ~90pt for a 40 mm seal), and a real
    line that short and exactly tangent is rare; arcs between two ruling
    lines, which would otherwise be read as a column border, are common.
    """
    pos, start, end = piece
    for cx, cy, r in rings:
        ts = np.linspace(start, end, 5)
        xs, ys = (ts, np.full(5, pos)) if horizontal else (np.full(5, pos), ts)
        if np.all(np.abs(np.hypot(xs - cx, ys - cy) - r) <= band):
            return True
    return False


def _merge(pieces: list[geo.Segment], dpi: float, s: GridSettings) -> list[geo.Segment]:
    return geo.merge_segments(pieces, s.px(s.snap, dpi), s.px(s.join, dpi),
                              min_length=s.px(s.min_line, dpi))


def _keep_crossing(horizontal: list[geo.Segment], vertical: list[geo.Segment],
                   reach: float, min_line: float) -> tuple[list[geo.Segment], list[geo.Segment]]:
    """Keep lines that meet two perpendicular lines, clipped to the outermost two.

    A ruling line of a table always runs from one perpendicular line to
    another; an underline, a long text stroke, the flat top of a seal ring or
    a stray scratch does not. Clipping also removes the overshoot of a line
    past the table's border; what is left must still be min_line long
    (strokes of glyphs crossing each other make tiny closed boxes, never a
    cell-sized one). Repeated until stable, since dropping one line
    can strand another.
    """
    for _ in range(6):
        new_h = _clip_to_crossings(horizontal, vertical, reach, min_line)
        new_v = _clip_to_crossings(vertical, horizontal, reach, min_line)
        if new_h == horizontal and new_v == vertical:
            break
        horizontal, vertical = new_h, new_v
    return horizontal, vertical


def _clip_to_crossings(lines: list[geo.Segment], across: list[geo.Segment],
                       reach: float, min_line: float) -> list[geo.Segment]:
    out: list[geo.Segment] = []
    for pos, start, end in lines:
        hits = [p for p, a, b in across
                if start - reach <= p <= end + reach and a - reach <= pos <= b + reach]
        if len(hits) < 2:
            continue
        lo, hi = min(hits), max(hits)
        if hi - lo < min_line:
            continue
        out.append((pos, lo, hi))
    return out


def _inside(seg: geo.Segment, box: BBox, horizontal: bool, tol: float) -> bool:
    pos, start, end = seg
    if horizontal:
        return box[1] - tol <= pos <= box[3] + tol and start >= box[0] - tol and end <= box[2] + tol
    return box[0] - tol <= pos <= box[2] + tol and start >= box[1] - tol and end <= box[3] + tol
