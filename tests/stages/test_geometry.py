"""pipeline.geometry on hand-made coordinates (top-left origin, any unit)."""

import pytest

from pipeline import geometry as geo


# --- boxes -----------------------------------------------------------------

def test_contains_is_half_open_so_a_border_point_has_one_owner():
    left, right = (0, 0, 10, 10), (10, 0, 20, 10)
    assert geo.contains(left, (5, 5))
    assert not geo.contains(left, (10, 5))
    assert geo.contains(right, (10, 5))
    assert not geo.contains(left, (5, 10))


def test_overlap_ratio_is_the_share_of_the_first_box_covered():
    word, cell = (8, 0, 12, 4), (0, 0, 10, 10)
    assert geo.overlap_ratio(word, cell) == pytest.approx(0.5)
    assert geo.overlap_ratio((1, 1, 2, 2), cell) == 1.0
    assert geo.overlap_ratio((20, 20, 30, 30), cell) == 0.0
    assert geo.overlap_ratio((5, 5, 5, 9), cell) == 0.0  # degenerate: no area


def test_centre_and_union():
    assert geo.centre((0, 10, 4, 20)) == (2, 15)
    assert geo.union_bbox([(0, 5, 2, 6), (1, 0, 9, 3)]) == (0, 0, 9, 6)


# --- positions and ruling lines ---------------------------------------------

def test_cluster_positions_snaps_double_edges_of_thin_rules():
    # a 0.6pt filled rule gives edges at 100 and 100.6; a cell border repeated
    # by the neighbouring cell gives 200 twice
    assert geo.cluster_positions([200, 100.6, 100, 200, 300], tol=3) == pytest.approx([100.3, 200, 300])


def test_cluster_positions_chains_within_tolerance():
    assert geo.cluster_positions([0, 2, 4, 10], tol=2) == pytest.approx([2, 10])
    assert geo.cluster_positions([], tol=2) == []


def test_locate_finds_the_slot_between_boundaries():
    bounds = [0, 10, 30]
    assert geo.locate(5, bounds) == 0
    assert geo.locate(10, bounds) == 1
    assert geo.locate(29.9, bounds) == 1
    assert geo.locate(30, bounds) is None
    assert geo.locate(-1, bounds) is None


def test_merge_segments_snaps_then_joins_collinear_pieces():
    pieces = [
        (100.0, 0, 50), (100.5, 51, 120),   # one rule drawn per cell, 1pt gap
        (100.2, 130, 200),                  # 10pt gap: a separate rule
        (200.0, 0, 2),                      # speck
    ]
    merged = geo.merge_segments(pieces, snap_tol=3, join_tol=3, min_length=3)
    assert [(round(p, 2), s, e) for p, s, e in merged] == [(100.26, 0, 120), (100.26, 130, 200)]


def test_a_long_rule_keeps_its_place_among_glyph_strokes_snapped_to_it():
    # a column border 1700 px long and three glyph strokes a few px left of it (a fax's text)
    pieces = [(955.0, 469, 2158), (944.5, 220, 258), (949.0, 567, 596), (943.5, 568, 594)]
    merged = geo.merge_segments(pieces, snap_tol=6, join_tol=3, min_length=3)
    line = max(merged, key=lambda s: s[2] - s[1])
    assert abs(line[0] - 955.0) < 1.0, line


def test_merge_segments_accepts_reversed_ends():
    assert geo.merge_segments([(5, 40, 10)], 1, 1) == [(5, 10, 40)]


def _ruled(xs, ys, missing_v=(), missing_h=()):
    """Ruling for a full grid minus some inner borders.

    missing_v: (col_boundary_index, row) whose vertical piece is absent;
    missing_h: (row_boundary_index, col) whose horizontal piece is absent.
    Each piece is a separate segment, as a per-cell drawing produces.
    """
    h = [(ys[r], xs[c], xs[c + 1]) for r in range(len(ys)) for c in range(len(xs) - 1)
         if (r, c) not in missing_h]
    v = [(xs[c], ys[r], ys[r + 1]) for c in range(len(xs)) for r in range(len(ys) - 1)
         if (c, r) not in missing_v]
    return geo.merge_segments(h, 2, 2), geo.merge_segments(v, 2, 2)


def test_cells_from_segments_plain_grid():
    h, v = _ruled([0, 10, 20], [0, 5, 10])
    assert geo.cells_from_segments(h, v, tol=2) == [(0, 0, 10, 5), (10, 0, 20, 5), (0, 5, 10, 10), (10, 5, 20, 10)]


def test_cells_from_segments_merged_cells():
    xs, ys = [0, 10, 20, 30], [0, 5, 10, 15, 20]
    # row 0: cols 1-2 merged; col 0: rows 1-3 merged
    h, v = _ruled(xs, ys, missing_v={(2, 0)}, missing_h={(2, 0), (3, 0)})
    cells = geo.cells_from_segments(h, v, tol=2)
    assert (10, 0, 30, 5) in cells
    assert (0, 5, 10, 20) in cells
    assert len(cells) == 1 + 1 + 1 + 3 * 2  # (0,0), merged top, merged left, 3x2 plain


def test_cells_from_segments_ignores_open_areas_and_dangling_rules():
    # an underline below a title and a rule that stops short inside a cell
    # must not create cells
    h = [(0, 0, 20), (10, 0, 20), (-30, 0, 15)]
    v = [(0, 0, 10), (20, 0, 10), (10, 0, 4)]  # (10, 0, 4) dangles into the cell
    assert geo.cells_from_segments(h, v, tol=1) == [(0, 0, 20, 10)]


def test_cells_from_segments_without_rules():
    assert geo.cells_from_segments([(0, 0, 10)], [], tol=1) == []


def test_group_touching_splits_separate_tables():
    cells = [(0, 50, 10, 60), (10, 50, 20, 60), (0, 0, 10, 10), (10, 0, 20, 10), (0, 10, 20, 20)]
    assert geo.group_touching(cells, tol=1) == [[2, 3, 4], [0, 1]]


# --- the grid of one table ---------------------------------------------------

def test_grid_and_spans_of_merged_cells():
    # 3x3 grid: top row one cell across all columns, left column rows 1-2 merged
    cells = [(0, 0, 30, 10), (0, 10, 10, 30), (10, 10, 20, 20), (20, 10, 30.4, 20),
             (10, 20, 20, 30), (20, 20, 30, 29.6)]
    xs, ys = geo.grid_from_cells(cells, tol=1)
    assert xs == pytest.approx([0, 10, 20, 30.1333], abs=1e-3)
    assert ys == pytest.approx([0, 10, 20, 29.8667], abs=1e-3)
    spans = [geo.cell_span(c, xs, ys) for c in cells]
    assert spans == [(0, 0, 1, 3), (1, 0, 2, 1), (1, 1, 1, 1), (1, 2, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1)]


def test_cell_span_is_at_least_one():
    assert geo.cell_span((0, 0, 0.5, 10), [0, 10], [0, 10]) == (0, 0, 1, 1)


# --- text lines and phrases ------------------------------------------------

def test_group_lines_two_lines_in_reading_order():
    # glyphs given out of order; the second line starts 12 below the first;
    # "2" sits 1pt lower than the CJK glyphs of its line (another font)
    boxes = [(20, 112, 30, 122), (0, 100, 10, 110), (10, 101, 16, 110), (0, 112, 10, 122)]
    assert geo.group_lines(boxes, gap_ratio=0.5) == [[1, 2], [3, 0]]


def test_group_lines_does_not_drift():
    # each glyph is 3 lower than the previous: chained comparison would keep
    # them all on one line; comparing with the line's first glyph does not
    boxes = [(0, 0, 10, 10), (10, 3, 20, 13), (20, 6, 30, 16)]
    assert geo.group_lines(boxes, gap_ratio=0.5) == [[0, 1], [2]]


def test_group_lines_flat_box_keeps_its_line():
    # an OCR box for "一" is only 2 high; the taller neighbour sets the scale
    boxes = [(0, 100, 10, 110), (10, 104, 20, 106)]
    assert geo.group_lines(boxes, gap_ratio=0.5) == [[0, 1]]


def test_group_lines_empty():
    assert geo.group_lines([], 0.5) == []


def test_split_phrases_at_wide_gaps():
    boxes = [(300, 0, 310, 10), (0, 0, 10, 10), (10, 0, 20, 10), (45, 0, 55, 10), (310, 0, 320, 10)]  # 25 > 24
    assert geo.split_phrases(boxes, gap=24) == [[1, 2], [3], [0, 4]]


def test_join_words_keeps_real_and_gap_spaces_once():
    texts = ["a", "b", " ", " ", "c", "d", " "]
    boxes = [(0, 0, 5, 10), (5, 0, 10, 10), (10, 0, 13, 10), (13, 0, 16, 10),
             (16, 0, 21, 10), (30, 0, 35, 10), (35, 0, 38, 10)]
    assert geo.join_words(texts, boxes, space_gap=3) == "ab c d"


def test_join_words_no_space_for_tight_cjk():
    texts = ["事", "业", "单", "位"]
    boxes = [(i * 8.04, 0, i * 8.04 + 8, 8) for i in range(4)]
    assert geo.join_words(texts, boxes, space_gap=2.4) == "事业单位"
    assert geo.join_words([], [], 1) == ""
