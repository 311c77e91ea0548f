"""Each carrier reader gives the one document model: lines and tables in order, merged cells once with spans."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline import carriers
from pipeline.carriers.excel import value_text
from pipeline.carriers.html_tables import decode, parse_html
from pipeline.carriers.markdown import parse_markdown
from pipeline.errors import CorruptInput, EncryptedInput
from pipeline.model import Table, TextLine
from tests.carriers import form

MAX = 50 * 2**20


def spans(table: Table) -> set[tuple[int, int, int, int, str]]:
    return {(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells}


def only_table(page) -> Table:
    [table] = [b for b in page.blocks if isinstance(b, Table)]
    return table


def texts(table: Table) -> list[list[str]]:
    return [[c.text for c in row if c.text] for row in table.rows()]


def lines(page) -> list[str]:
    return [b.text for b in page.blocks if isinstance(b, TextLine)]


def test_every_slot_is_covered_once(tmp_path):
    """What model.Table.rows() promises: a merged cell at its top-left, the slots it covers absent."""
    table = only_table(carriers.read(form.write_docx(tmp_path / "f.docx"), MAX)[0])
    slots = [(c.row + dr, c.col + dc) for c in table.cells for dr in range(c.row_span) for dc in range(c.col_span)]
    assert sorted(slots) == [(r, c) for r in range(form.N_ROWS) for c in range(form.N_COLS)]


def test_docx_keeps_body_order_and_merges(tmp_path):
    [page] = carriers.read(form.write_docx(tmp_path / "f.docx"), MAX)
    kinds = [b.kind for b in page.blocks]
    assert kinds == ["line", "line", "table", "line"]
    assert lines(page) == [form.TITLE, form.UNIT, "单位负责人：李四"]
    table = only_table(page)
    assert (table.n_rows, table.n_cols) == (form.N_ROWS, form.N_COLS)
    assert spans(table) == set(form.GRID)


def test_docx_cell_paragraphs_and_nested_table(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "本年度"
    table.cell(0, 0).add_paragraph("绩效目标")  # a label typed on two lines
    inner = table.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "目标一"
    inner.cell(0, 1).text = "目标二"
    document.save(tmp_path / "n.docx")
    cells = only_table(carriers.read(tmp_path / "n.docx", MAX)[0]).cells
    assert cells[0].text == "本年度\n绩效目标"
    assert "目标一" in cells[1].text and "目标二" in cells[1].text


def test_xlsx_sheet_lines_tables_and_values(tmp_path):
    [page] = carriers.read(form.write_xlsx(tmp_path / "f.xlsx"), MAX)
    assert page.number == 1
    assert lines(page) == [form.TITLE, form.UNIT, form.AMOUNT_UNIT]
    assert spans(only_table(page)) == set(form.GRID)  # 20.0 and 5000.0 come out as 20 and 5000


def test_xlsx_two_forms_on_one_sheet_and_sheets_as_pages(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    rows = [["2026年项目支出绩效目标表"], ["项目名称", "甲项目"], ["年度本级预算金额", 977.1100000000001],
            [], ["2026年项目支出绩效目标表"], ["项目名称", "乙项目"], ["年度本级预算金额", 0.5]]
    for row in rows:
        first.append(row)
    first.merge_cells("A5:C5")  # the second title merged across the width, no blank row above the grid
    first["B7"].number_format = "0%"
    hidden = workbook.create_sheet("选项")
    hidden.append(["是", "否"])
    hidden.sheet_state = "hidden"
    workbook.create_sheet("第三页").append(["说明", "无"])
    workbook.save(tmp_path / "two.xlsx")
    pages = carriers.read(tmp_path / "two.xlsx", MAX)
    assert [p.number for p in pages] == [1, 3]  # the hidden sheet (drop-down lists) is not a page
    blocks = pages[0].blocks
    assert [b.kind for b in blocks] == ["line", "table", "line", "table"]
    assert texts(blocks[1]) == [["项目名称", "甲项目"], ["年度本级预算金额", "977.11"]]
    assert texts(blocks[3]) == [["项目名称", "乙项目"], ["年度本级预算金额", "50%"]]
    assert blocks[1].n_cols == 3  # the sheet's used width, set by the merged title


@pytest.mark.parametrize("value, number_format, text", [
    (20.0, "General", "20"), (977.1100000000001, "0.00", "977.11"), (0.95, "0%", "95%"),
    (0.125, "0.0%", "12.5%"), (1e20, "General", "100000000000000000000"), (-0.0, "General", "0"),
    (dt.datetime(2026, 1, 1), "yyyy-mm-dd", "2026-01-01"), (dt.datetime(2026, 1, 1, 8, 30), "", "2026-01-01 08:30:00"),
    (True, "General", "是"), (None, "General", ""), ("2026.01-2026.12", "@", "2026.01-2026.12"),
])
def test_xlsx_values_as_text(value, number_format, text):
    assert value_text(value, number_format) == text


def test_html_spans_lines_and_charset():
    raw = form.html_text().encode("gb18030")
    blocks = parse_html(decode(raw, "f.html"), 1)
    assert [b.kind for b in blocks] == ["line", "line", "table", "line"]  # not the <head>'s <title>
    assert spans(blocks[2]) == set(form.GRID)
    assert decode("<p>项目名称</p>".encode("utf-8"), "u.html") == "<p>项目名称</p>"


def test_html_grid_occupancy_follows_rowspans():
    """A cell takes the first slot no rowspan from above still covers (PP-Structure's bare <td>s)."""
    html = ("<table><tr><td rowspan=2>A</td><td>B</td><td rowspan=2>C</td></tr>"
            "<tr><td>D</td></tr><tr><td colspan=3>E<table><tr><td>内</td></tr></table></td></tr></table>")
    [table] = parse_html(html, 1)
    assert spans(table) == {(0, 0, 2, 1, "A"), (0, 1, 1, 1, "B"), (0, 2, 2, 1, "C"), (1, 1, 1, 1, "D"),
                            (2, 0, 1, 3, "E\n内")}


def test_markdown_repeats_fold_into_the_merged_cells():
    page = parse_markdown(form.markdown_text())
    assert lines(page) == [form.TITLE, form.UNIT]
    assert spans(only_table(page)) == set(form.GRID)


def test_markdown_keeps_equal_values_in_distinct_columns():
    text = ("| 一级指标 | 二级指标 | 三级指标 | 指标值 | 备注 |\n|---|---|---|---|---|\n"
            "| 产出指标 | 数量指标 | 培训农户 | 100 | 100 |\n"
            "| 产出指标 | 质量指标 | 合格率 | 100 | 100 |\n"
            "| 效益指标 | 质量指标 | / | / | / |\n"
            "| 满意度指标 | 满意度 | 群众满意度 | 95 | 人次 |\n"
            "| 满意度指标 | 满意度 | 农户满意度 | 96 | 人次 |\n")
    rows = [[(c.col, c.row_span, c.col_span, c.text) for c in r] for r in only_table(parse_markdown(text)).rows()]
    assert rows[1] == [(0, 2, 1, "产出指标"), (1, 1, 1, "数量指标"), (2, 1, 1, "培训农户"), (3, 1, 1, "100"),
                       (4, 1, 1, "100")]  # 指标值 and 备注 are two columns: two values
    assert rows[2] == [(1, 1, 1, "质量指标"), (2, 1, 1, "合格率"), (3, 1, 1, "100"), (4, 1, 1, "100")]
    # 质量指标 under another 一级 is its own cell; `/` marks stay in every slot
    assert rows[3] == [(0, 1, 1, "效益指标"), (1, 1, 1, "质量指标"), (2, 1, 1, "/"), (3, 1, 1, "/"), (4, 1, 1, "/")]
    # a label column folds inside its merged neighbour; a unit column repeated does not
    assert rows[4][:2] == [(0, 2, 1, "满意度指标"), (1, 2, 1, "满意度")]
    assert rows[5] == [(2, 1, 1, "农户满意度"), (3, 1, 1, "96"), (4, 1, 1, "人次")]


def test_markdown_header_repeats_fold():
    """A two-row header: the upper row's repeats are its merges; the values under the lower row stay apart."""
    text = ("| 项目 | 收入预算 | 收入预算 | 支出预算 | 支出预算 |\n|---|---|---|---|---|\n"
            "| 项目 | 财政拨款 | 其他 | 基本支出 | 项目支出 |\n| 合计 | 10 | 10 | 10 | 10 |\n")
    rows = [[(c.col, c.row_span, c.col_span, c.text) for c in r] for r in only_table(parse_markdown(text)).rows()]
    assert rows[0] == [(0, 2, 1, "项目"), (1, 1, 2, "收入预算"), (3, 1, 2, "支出预算")]
    assert rows[2] == [(0, 1, 1, "合计"), (1, 1, 1, "10"), (2, 1, 1, "10"), (3, 1, 1, "10"), (4, 1, 1, "10")]


def test_markdown_html_tables_are_read_as_html():
    text = "# 2026年项目支出绩效目标表\n\n<table><tr><td>项目名称</td><td colspan=2>甲</td></tr></table>\n\n尾注\n"
    page = parse_markdown(text)
    assert [b.kind for b in page.blocks] == ["line", "table", "line"]
    assert spans(page.blocks[1]) == {(0, 0, 1, 1, "项目名称"), (0, 1, 1, 2, "甲")}


@pytest.mark.parametrize("encoding, delimiter", [("utf-8", ","), ("utf-8-sig", ";"), ("gb18030", "\t")])
def test_csv_titles_and_table(tmp_path, encoding, delimiter):
    text = form.csv_text().replace(",", delimiter)
    (tmp_path / "f.csv").write_bytes(text.encode(encoding))
    [page] = carriers.read(tmp_path / "f.csv", MAX)
    assert lines(page) == [form.TITLE, form.UNIT]
    table = only_table(page)
    assert (table.n_rows, table.n_cols) == (form.N_ROWS, form.N_COLS)
    assert {(c.row, c.col, c.text) for c in table.cells if c.text} == {(r, c, t) for r, c, _, _, t in form.GRID if t}


def _ole(payload: bytes) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + payload


@pytest.mark.parametrize("name, data, error, reason", [
    ("plain.docx", b"just text, saved with the wrong name", CorruptInput, "not a zip package"),
    ("old.xlsx", _ole(b"Workbook"), CorruptInput, "old binary Office file"),
    ("locked.xlsx", _ole("EncryptionInfo".encode("utf-16-le")), EncryptedInput, "password-protected"),
    ("locked.docx", _ole("EncryptionInfo".encode("utf-16-le")), EncryptedInput, "password-protected"),
])
def test_bad_office_files_say_why(tmp_path, name, data, error, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(error) as raised:
        carriers.read(tmp_path / name, MAX)
    message = str(raised.value)
    assert reason in message and name in message and "\n" not in message


def test_truncated_and_foreign_zips(tmp_path):
    import zipfile

    good = form.write_xlsx(tmp_path / "good.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(good[: len(good) // 2])
    with zipfile.ZipFile(tmp_path / "other.docx", "w") as package:
        package.writestr("readme.txt", "not a document")
    with pytest.raises(CorruptInput, match="cut.xlsx"):
        carriers.read(tmp_path / "cut.xlsx", MAX)
    with pytest.raises(CorruptInput, match="without word/document.xml"):
        carriers.read(tmp_path / "other.docx", MAX)
