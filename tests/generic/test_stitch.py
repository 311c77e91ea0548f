"""Stitching: a table continued on the next page becomes one, with or without a repeated header."""

import pytest

from pipeline.config import load_settings
from pipeline.generic.grid import map_columns
from pipeline.generic.stitch import repeats_header
from pipeline.stages.generic import find_tables
from tests.generic.helpers import document, line, make_table

XS = [60, 90, 120, 300, 420, 540]
HEADER = [["项目", None, None, "支出预算", None],
          ["科目编码", None, "科目名称", "合计", "项目支出"],
          ["类", "款", None, None, None]]
HEADER_SPANS = {(0, 0): (1, 3), (0, 3): (1, 2), (1, 0): (1, 2), (1, 2): (2, 1), (1, 3): (2, 1), (1, 4): (2, 1)}
BODY1 = [["201", "", "一般公共服务支出", "2,932,700", "2,932,700"],
         ["201", "05", "统计信息事务", "257,700", "257,700"]]
BODY2 = [["212", "01", "城乡社区管理事务", "94,450,003", "0"],
         ["212", "01", "行政运行", "16,603,248", "0.00"]]


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def first_page(top=130.0):
    return [line(1, "2024年部门支出预算总表", 60), line(1, "单位：元", 100),
            make_table(1, HEADER + BODY1, XS, top=top, spans=HEADER_SPANS)]


def built(doc, settings):
    return [b.build(i + 1) for i, b in enumerate(find_tables(doc, settings))]


def test_continuation_without_header_is_stitched(settings):
    doc = document(first_page(), [make_table(2, BODY2, XS, top=60)])
    [t] = built(doc, settings)
    assert (t.title, t.unit) == ("2024年部门支出预算总表", "元")
    assert [p.page for p in t.parts] == [1, 2] and [p.rows for p in t.parts] == [(0, 2), (2, 4)]
    assert [r[2] for r in t.rows] == ["一般公共服务支出", "统计信息事务", "城乡社区管理事务", "行政运行"]
    assert t.rows[2][:2] == ["212", "01"] and t.rows[2][3] == 94450003.0


def test_repeated_header_is_dropped(settings):
    doc = document(first_page(), [make_table(2, HEADER + BODY2, XS, top=60, spans=HEADER_SPANS)])
    [t] = built(doc, settings)
    assert len(t.rows) == 4 and len(t.header) == 3
    assert all(r[2] != "科目名称" for r in t.rows)


def test_repeated_header_read_with_an_ocr_slip_is_still_dropped(settings):
    slipped = [[("项自" if text == "项目" else text) if text else text for text in row] for row in HEADER]
    doc = document(first_page(), [make_table(2, slipped + BODY2, XS, top=60, spans=HEADER_SPANS)])
    [t] = built(doc, settings)
    assert len(t.rows) == 4


def test_total_row_merging_columns_lands_in_the_right_columns(settings):
    """A last page holding only `合计`, merged over the code and name columns: fewer rules, same table."""
    total = make_table(2, [["合计", "156,211,123", "99,706,020"]], [XS[0], XS[3], XS[4], XS[5]], top=60)
    doc = document(first_page(), [make_table(2, BODY2, XS, top=60)], [])
    doc.pages[1].blocks = [make_table(2, BODY2, XS, top=60)]
    doc.pages[2].blocks = [total.model_copy(update={"page": 3})]
    [t] = built(doc, settings)
    assert t.rows[-1] == ["合计", None, None, 156211123.0, 99706020.0]
    assert any(s.row == 3 + 4 and s.col == 0 and s.col_span == 3 for s in t.spans)


def test_a_page_scanned_a_few_points_aside_still_continues(settings):
    doc = document(first_page(), [make_table(2, BODY2, [x + 5.5 for x in XS], top=60)])
    assert len(built(doc, settings)) == 1


@pytest.mark.parametrize("second_page, why", [
    ([line(2, "2024年部门财政拨款收支预算总表"), make_table(2, BODY2, XS, top=100)], "a title above it"),
    ([make_table(2, [r[:4] for r in BODY2], XS[:5], top=60)], "other columns"),
    ([make_table(2, BODY2, [60, 100, 120, 300, 420, 540], top=60)], "a column rule elsewhere"),
])
def test_not_a_continuation(settings, second_page, why):
    assert len(built(document(first_page(), second_page), settings)) == 2, why


def test_only_the_next_page_and_only_after_the_last_table(settings):
    gap = document(first_page(), [line(2, "说明文字")], [make_table(3, BODY2, XS, top=60)])
    assert len(built(gap, settings)) == 2
    other = make_table(1, [["序号", "单位名称"], ["1", "本级"]], [60, 100, 300], top=400)
    after = document(first_page() + [other], [make_table(2, BODY2, XS, top=60)])
    assert len(built(after, settings)) == 3


def test_claimed_tables_are_left_to_their_form(settings):
    doc = document(first_page())
    doc.pages[0].blocks[-1].claimed = True
    assert built(doc, settings) == []


def test_page_numbers_do_not_count_as_titles(settings):
    doc = document(first_page(), [line(2, "- 12 -", 20), make_table(2, BODY2, XS, top=60)])
    assert len(built(doc, settings)) == 1


def test_map_columns():
    assert map_columns([0, 10, 20, 30], [0, 10, 20, 30], 2) == [0, 1, 2, 3]
    assert map_columns([5, 35], [0, 10, 20, 30], 2) == [0, 3]            # shifted, one merged row
    assert map_columns([0, 15, 30], [0, 10, 20, 30], 2) is None          # a rule that is not one
    assert map_columns([0, 10, 25], [0, 10, 20, 30], 2) is None          # narrower


def test_repeats_header():
    header = ["项目支出预算", "科目编码科目名称合计项目支出", "类款"]
    assert repeats_header(header, list(header), 0.8)
    assert repeats_header(header, ["项自支出预算", "科目编码科目名称合计项目支出", "类款"], 0.8)
    assert not repeats_header(header, ["212城乡社区支出", "21201城乡社区管理事务", "2120101行政运行"], 0.8)
    assert not repeats_header([], ["x"], 0.8)
