"""Header rows: detected from spans and numbers, unwrapped, flattened to one name per column."""

from pipeline.generic.grid import grid_cells
from pipeline.generic.header import flatten, header_row_count, unwrap
from tests.generic.helpers import make_table

XS6 = [0, 30, 60, 200, 300, 400, 500]


def putuo_income_table():
    """The 收入预算总表 shape: 项目 / 功能分类科目编码 / 类 款, names and amounts under 收入预算."""
    grid = [
        ["项目", None, None, "收入预算", None, None],
        ["功能分类科目编码", None, "功能分类科目名称", "合计", "财政拨款\n收入", "事业单位\n经营收入"],
        ["类", "款", None, None, None, None],
        ["201", "", "一般公共服务支出", "79,189,400.34", "79,189,400.34", "0.00"],
        ["201", "05", "统计信息事务", "257,700", "257,700", "0"],
    ]
    spans = {(0, 0): (1, 3), (0, 3): (1, 3), (1, 0): (1, 2), (1, 2): (2, 1), (1, 3): (2, 1),
             (1, 4): (2, 1), (1, 5): (2, 1)}
    return make_table(1, grid, XS6, spans=spans)


def test_three_row_merged_header_is_flattened():
    t = putuo_income_table()
    cells = grid_cells(t)
    h = header_row_count(cells, t.n_rows, max_rows=5)
    assert h == 3
    assert flatten(cells, h, t.n_cols) == [
        "项目/功能分类科目编码/类", "项目/功能分类科目编码/款", "项目/功能分类科目名称",
        "收入预算/合计", "收入预算/财政拨款收入", "收入预算/事业单位经营收入"]


def test_blank_template_body_is_not_header():
    """Rows of labels without amounts (a blank template) stay body: they split no header cell."""
    grid = [["本年收入", None, "本年支出", None],
            ["项目", "预算数", "项目", "预算数"],
            ["一、财政拨款收入", "", "一、一般公共服务支出", ""],
            ["二、事业收入", "", "二、外交支出", ""]]
    t = make_table(1, grid, [0, 100, 150, 250, 300], spans={(0, 0): (1, 2), (0, 2): (1, 2)})
    cells = grid_cells(t)
    assert header_row_count(cells, t.n_rows, 5) == 2
    assert flatten(cells, 2, 4) == ["本年收入/项目", "本年收入/预算数", "本年支出/项目", "本年支出/预算数"]


def test_single_header_row_and_no_header():
    t = make_table(1, [["序号", "单位名称"], ["1", "上海市普陀区司法局"]], [0, 40, 300])
    assert header_row_count(grid_cells(t), t.n_rows, 5) == 1
    t = make_table(2, [["212", "城乡社区支出", "119,385,303"], ["212", "城乡社区管理事务", "94,450,003"]],
                   [0, 40, 300, 400])
    assert header_row_count(grid_cells(t), t.n_rows, 5) == 0


def test_a_header_cell_spanning_rows_pulls_them_in():
    grid = [["项目", "金额"], [None, "预算数"], ["合计", "1.00"]]
    t = make_table(1, grid, [0, 100, 200], spans={(0, 0): (2, 1)})
    assert header_row_count(grid_cells(t), t.n_rows, 5) == 2


def test_header_max_rows_caps_it():
    t = putuo_income_table()
    assert header_row_count(grid_cells(t), t.n_rows, max_rows=1) == 1


def test_repeated_and_missing_names():
    grid = [["科目编码", "科目名称", "", "科目名称"], ["301", "工资福利支出", "1", "商品和服务支出"]]
    t = make_table(1, grid, [0, 50, 150, 200, 300])
    assert flatten(grid_cells(t), 1, 4) == ["科目编码", "科目名称", "列3", "科目名称 (2)"]


def test_unwrap():
    assert unwrap("事业单位\n经营收入") == "事业单位经营收入"
    assert unwrap("对附属单位补\n助支出") == "对附属单位补助支出"
    assert unwrap("Budget\ntotal") == "Budget total"


def test_a_rule_over_part_of_the_rows_makes_no_column():
    """A scan shows the edge of a box behind some names: an empty sliver column, spanned elsewhere."""
    from pipeline.generic.grid import column_edges, merge_phantom_columns

    grid = [["编码", "科目名称", None, "决算数"],
            ["301", "", "工资福利支出", "4816.14"],
            ["30101", "", "基本工资", "537.64"],
            ["合计", "人员经费合计", None, "4884.09"]]
    t = make_table(1, grid, [0, 50, 80, 200, 260], spans={(0, 1): (1, 2), (3, 1): (1, 2)})
    merged = merge_phantom_columns(t)
    assert merged.n_cols == 3
    assert column_edges(merged) == [0, 50, 200, 260]
    assert [[c.text for c in r] for r in merged.rows()] == [
        ["编码", "科目名称", "决算数"], ["301", "工资福利支出", "4816.14"],
        ["30101", "基本工资", "537.64"], ["合计", "人员经费合计", "4884.09"]]
    assert {c.col_span for c in merged.cells} == {1}


def test_an_empty_column_with_its_own_header_stays():
    grid = [["序号", "单位名称", "备注"], ["1", "本级", ""], ["合计", None, None]]
    t = make_table(1, grid, [0, 40, 200, 260], spans={(2, 0): (1, 3)})
    from pipeline.generic.grid import merge_phantom_columns

    assert merge_phantom_columns(t).n_cols == 3


def test_a_stroke_cutting_one_cell_is_no_column():
    from pipeline.generic.grid import merge_phantom_columns

    grid = [["编码", "科目名称", None, "决算数"],
            ["301", "工资福利支出", None, "4816.14"],
            ["30108", "机关事业单位基本养老保险\n公务员医疗", "缴费\n补助缴费", "446.11"],
            ["30109", "职业年金缴费", None, "225.12"],
            ["30110", "职工基本医疗保险缴费", None, "236.63"]]
    spans = {(0, 1): (1, 2), (1, 1): (1, 2), (3, 1): (1, 2), (4, 1): (1, 2)}
    merged = merge_phantom_columns(make_table(1, grid, [0, 50, 150, 200, 260], spans=spans))
    assert merged.n_cols == 3
    assert [c.text for c in merged.rows()[2]] == ["30108", "机关事业单位基本养老保险缴费\n公务员医疗补助缴费", "446.11"]
