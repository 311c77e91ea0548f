"""pipeline.text_grid: unruled tables from the alignment of chunk boxes (top-left origin, points)."""

import pytest

from pipeline import text_grid as tg

H = 10.0  # text height


def _line(top, *spans):
    """One text line: chunks from (x0, x1) pairs."""
    return [(x0, top, x1, top + H) for x0, x1 in spans]


def _rows(n, top=100.0, step=14.0, spans=((50, 110), (200, 230), (300, 330))):
    return [_line(top + i * step, *spans) for i in range(n)]


def test_chunk_gap_scales_with_the_text_height():
    assert tg.chunk_gap([10, 10, 12]) == pytest.approx(tg.CHUNK_GAP_EM * 10)
    assert tg.chunk_gap([]) == 0.0


def test_aligned_lines_make_one_table_with_a_cell_per_chunk():
    (table,) = tg.find_text_tables(_rows(4))
    assert table.lines == [0, 1, 2, 3] and table.n_cols == 3
    assert [(c.row, c.col, c.last) for c in table.cells[:3]] == [(0, 0, 0), (0, 1, 1), (0, 2, 2)]
    assert len(table.cells) == 12
    # boundaries sit in the middle of the white between the columns
    assert table.columns[1] == pytest.approx(155) and table.columns[2] == pytest.approx(265)


def test_fewer_tabular_lines_than_the_minimum_are_no_table():
    assert tg.find_text_tables(_rows(tg.MIN_TABULAR_LINES - 1)) == []


def test_a_spanning_header_crosses_a_boundary_and_spans_its_columns():
    lines = [_line(86, (200, 330))] + _rows(8)  # one chunk over columns 1 and 2
    lines[0] = lines[0] + _line(86, (50, 80))  # and a stub head in column 0: a tabular line
    (table,) = tg.find_text_tables(lines)
    assert table.n_cols == 3
    head = [c for c in table.cells if c.row == 0]
    assert [(c.col, c.last) for c in head] == [(0, 0), (1, 2)]


def test_one_chunk_lines_inside_stay_but_a_run_does_not_end_on_them():
    lines = _rows(2) + [_line(128, (50, 120))] + _rows(2, top=142) + [_line(170, (50, 120))]
    (table,) = tg.find_text_tables(lines)
    assert table.lines == [0, 1, 2, 3, 4]  # the trailing one-chunk line is left out
    assert [(c.row, c.col, c.last) for c in table.cells if c.parts[0][0] == 2] == [(2, 0, 0)]


def test_a_wide_vertical_gap_ends_a_table():
    lines = _rows(3) + _rows(3, top=100 + 2 * 14 + H + (tg.MAX_LINE_GAP_EM + 1) * H)
    assert [t.lines for t in tg.find_text_tables(lines)] == [[0, 1, 2], [3, 4, 5]]


def test_two_columns_of_running_text_are_prose_not_a_table():
    wide = tg.PROSE_CHUNK_EM * H + 20
    lines = _rows(6, spans=((50, 50 + wide), (80 + wide, 80 + 2 * wide)))
    assert tg.find_text_tables(lines) == []


def test_column_boundaries_allow_a_few_crossings_and_need_a_real_gap():
    rows = [[(0, 0, 40, H), (60, 0, 90, H)] for _ in range(9)] + [[(0, 0, 90, H), (95, 0, 99, H)]]
    assert tg.column_boundaries(rows, min_gap=5, max_crossing=1) == [0, 50, 99]
    assert tg.column_boundaries(rows, min_gap=5, max_crossing=0)[1:-1] == [92.5]
    assert tg.column_boundaries(rows, min_gap=25, max_crossing=1) == [0, 99]


def test_a_chunk_reaching_into_the_next_column_absorbs_its_neighbour():
    lines = _rows(8) + [_line(220, (50, 210), (215, 230), (300, 330))]
    (table,) = tg.find_text_tables(lines)
    last = [c for c in table.cells if c.row == 8]
    assert [(c.parts, c.col, c.last) for c in last] == [([(8, [0, 1])], 0, 1), ([(8, [2])], 2, 2)]


def test_a_header_over_the_value_columns_joins_the_table_but_a_caption_does_not():
    caption = _line(58, (50, 400))            # starts at the left edge, runs past the table
    header = _line(72, (200, 330))            # over columns 1-2, just above the first row
    lines = [caption, header] + _rows(4, top=86)
    (table,) = tg.find_text_tables(lines)
    assert table.lines == [1, 2, 3, 4, 5]
    assert (table.cells[0].parts, table.cells[0].row, table.cells[0].col, table.cells[0].last) == ([(1, [0])], 0, 1, 2)
    far = [_line(40, (200, 330))] + _rows(4, top=86)  # more than a line's height above: not a header
    assert tg.find_text_tables(far)[0].lines == [1, 2, 3, 4]


def _cell(*tops, spans=((0, 30),)):
    return [_line(t, *spans) for t in tops]


def test_a_ruled_row_of_cells_stacking_values_side_by_side_is_under_split():
    # column rules, no row rules: each ruled cell holds the values of many rows
    names, values = _cell(10, 24, 38, 52), _cell(10, 24, 38, 52, spans=((60, 80),))
    assert tg.under_split([[names, values], [_cell(70), _cell(70, spans=((60, 80),))]])


def test_a_wrapped_paragraph_beside_a_short_cell_is_not_under_split():
    paragraph, short = _cell(10, 24, 38, 52), _cell(10)
    assert not tg.under_split([[paragraph, short], [_cell(70), _cell(70)]])


def test_cells_holding_several_chunks_on_a_line_are_under_split():
    row_in_one_cell = [_line(10, (0, 40), (100, 120), (160, 180))]
    header = [_cell(0), _cell(0), _cell(0)]
    body = [[row_in_one_cell] for _ in range(3)]
    assert tg.under_split([header] + body)
    assert not tg.under_split([header] + [[_cell(10)] for _ in range(3)])


def test_two_column_running_text_right_below_a_table_ends_it():
    wide = tg.PROSE_CHUNK_EM * H + 20
    prose = _rows(4, top=100 + 4 * 14, spans=((50, 50 + wide), (80 + wide, 80 + 2 * wide)))
    (table,) = tg.find_text_tables(_rows(4) + prose)
    assert table.lines == [0, 1, 2, 3] and table.n_cols == 3


def test_a_long_label_beside_short_values_is_a_table_row_not_prose():
    assert not tg.is_prose(_line(0, (0, tg.PROSE_CHUNK_EM * H + 50), (300, 320)))
    assert not tg.is_prose(_line(0, (0, tg.PROSE_CHUNK_EM * H + 50)))
    assert tg.is_prose(_line(0, (0, 200), (220, 420)))


def test_header_text_wrapped_onto_a_second_line_is_one_cell():
    group = _line(72, (200, 330))                          # over both value columns
    top = _line(86, (200, 230), (300, 330))                # "to air" "to water"
    wrapped = _line(98, (200, 230), (300, 330))            # "kg/year" "kg/year", one under each
    table, = tg.find_text_tables([group, top, wrapped] + _rows(4, top=112))
    heads = [(c.row, c.col, [line for line, _ in c.parts]) for c in table.cells if c.row < 2]
    assert heads == [(0, 1, [0]), (1, 1, [1, 2]), (1, 2, [1, 2])]
    assert table.n_rows == 2 + 4 and table.lines == [0, 1, 2, 3, 4, 5, 6]


def test_sub_headers_under_one_header_and_body_rows_are_not_joined():
    top = _line(86, (200, 330))                            # one header over two columns ...
    subs = _line(98, (200, 230), (300, 330))               # ... and two sub-headers: a level of its own
    table, = tg.find_text_tables([top, subs] + _rows(4, top=112))
    assert table.n_rows == 6
    body, = tg.find_text_tables(_rows(5))                  # body rows stack one to one, with a stub
    assert body.n_rows == 5
