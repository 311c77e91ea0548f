"""A peer's output in our model (bench/peer_tables.py): no peer package needed."""

from bench.peer_tables import (PeerCell, cell_agreement, page_from_rows, rows_from_boxes, table_from_grid,
                               text_lines_from_words)
from pipeline.model import Page, Table, TextLine


def cell(text, x0, top, x1, bottom):
    return PeerCell(text, (x0, top, x1, bottom))


def test_covered_positions_stay_absent_and_the_peers_rows_and_columns_are_kept():
    # pdfplumber: None under a merged cell
    grid = [[cell("产出指标", 0, 0, 50, 40), cell("数量指标", 50, 0, 100, 20)],
            [None, cell("质量指标", 50, 20, 100, 40)]]
    table = table_from_grid(grid, page=2)
    assert (table.n_rows, table.n_cols, table.page) == (2, 2, 2)
    assert [[c.text for c in row] for row in table.rows()] == [["产出指标", "数量指标"], ["质量指标"]]
    assert table.rows()[1][0].col == 1
    assert table.bbox == (0, 0, 100, 40)


def test_a_merged_cell_repeated_over_positions_becomes_one_spanning_cell():
    # img2table: the merged cell's object in every position it covers
    merged = cell("产出指标", 0, 0, 50, 40)
    grid = [[merged, cell("数量指标", 50, 0, 100, 20), cell("数量指标", 100, 0, 150, 20)],
            [merged, cell("质量指标", 50, 20, 100, 40), cell("", 100, 20, 150, 40)]]
    table = table_from_grid(grid, page=1, source="ocr")
    first = table.rows()[0][0]
    assert (first.text, first.row_span, first.col_span, first.source) == ("产出指标", 2, 1, "ocr")
    # equal texts in different rectangles are different cells
    assert [c.text for c in table.rows()[0]] == ["产出指标", "数量指标", "数量指标"]
    assert [c.col for c in table.rows()[1]] == [1, 2]


def test_a_grid_without_cells_is_no_table():
    assert table_from_grid([[None, None]], page=1) is None
    assert table_from_grid([], page=1) is None


def test_boxes_group_into_rows_by_vertical_overlap_in_x_order():
    boxes = [cell("10", 200, 101, 220, 111), cell("受理调解案件", 80, 100, 180, 112),
             cell("件", 240, 99, 250, 110), cell("调解成功率", 80, 130, 160, 142), cell("   ", 0, 0, 5, 5)]
    rows = rows_from_boxes(boxes)
    assert [[b.text for b in row] for row in rows] == [["受理调解案件", "10", "件"], ["调解成功率"]]


def test_boxes_that_barely_touch_vertically_are_separate_rows():
    rows = rows_from_boxes([cell("上", 0, 0, 10, 10), cell("下", 20, 8, 30, 18)])
    assert [[b.text for b in row] for row in rows] == [["上"], ["下"]]


def test_rows_become_a_table_between_the_first_and_last_multi_box_rows_with_lines_around_it():
    rows = [[cell("2026年项目支出绩效目标表", 100, 10, 300, 25)],
            [cell("项目名称", 20, 40, 80, 50), cell("人民调解专项", 100, 40, 200, 50)],
            [cell("切实加强人民调解工作", 100, 60, 300, 70)],
            [cell("受理调解案件", 20, 80, 80, 90), cell("≥", 100, 80, 110, 90), cell("400", 120, 80, 140, 90)],
            [cell("邵发亮", 20, 100, 60, 110)]]
    page = page_from_rows(rows, number=3, width=595, height=842)
    kinds = [type(b).__name__ for b in page.blocks]
    assert kinds == ["TextLine", "Table", "TextLine"]
    table = page.blocks[1]
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert [c.text for c in table.rows()[1]] == ["切实加强人民调解工作"]
    assert page.blocks[2].text == "邵发亮" and page.scanned and page.number == 3


def test_rows_with_one_box_each_are_all_text_lines():
    page = page_from_rows([[cell("标题", 0, 0, 10, 10)], [cell("说明", 0, 20, 10, 30)]], 1, None, None)
    assert all(isinstance(b, TextLine) for b in page.blocks) and len(page.blocks) == 2


def test_words_become_phrases_split_at_the_phrase_gap():
    words = [cell("金额", 400, 100, 420, 110), cell("单位", 422, 100, 442, 110),
             cell("填报单位", 40, 101, 80, 111), cell("司法局", 90, 100, 120, 110)]
    lines = text_lines_from_words(words, number=1, phrase_gap=24.0)
    assert [line.text for line in lines] == ["填报单位 司法局", "金额单位"]
    assert lines[1].bbox == (400, 100, 442, 110) and lines[1].source == "ocr"


def test_cell_agreement_counts_exact_cell_texts_ignoring_whitespace():
    reference = Page(number=1, blocks=[table_from_grid(
        [[cell("调处矛盾纠纷成功率", 0, 0, 50, 10), cell("95", 50, 0, 60, 10), cell("", 60, 0, 70, 10)],
         [cell("95", 0, 10, 50, 20), cell("%", 50, 10, 60, 20), cell("≥", 60, 10, 70, 20)]], 1)])
    got = Page(number=1, blocks=[table_from_grid(
        [[cell("调处矛盾纠纷成功 率", 0, 0, 50, 10), cell("95", 50, 0, 60, 10), cell("%", 60, 0, 70, 10)],
         [cell("V", 0, 10, 50, 20)]], 1)])
    assert cell_agreement(reference, got) == (3, 5)  # 95 once, not twice; ≥ misread
    assert cell_agreement(reference, None) == (0, 5)
    assert isinstance(reference.blocks[0], Table)
