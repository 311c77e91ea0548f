"""stages.tables on small PDFs drawn on the fly, and on one real Putuo budget PDF.

Generated PDFs use reportlab's built-in CID font STSong-Light: it needs no
font file, and pdfminer's bundled CMaps decode it back to the same Unicode.
"""

from pathlib import Path

import pdfplumber
import pytest

from pipeline import geometry as geo
from pipeline.config import TableSettings
from pipeline.model import Table, TextLine
from pipeline.stages.tables import _is_visible, extract_pdf_page, finder_settings, page_has_text_layer

try:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
except ImportError:  # the real-document and stub tests still run
    canvas = None

FONT = "STSong-Light"
if canvas is not None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
needs_reportlab = pytest.mark.skipif(canvas is None, reason="reportlab draws the test PDFs (pip install -e '.[test]')")
W, H = 595.0, 842.0
SETTINGS = TableSettings()

# The form: 5 rows x 4 columns, in top-left coordinates.
XS = [60, 160, 260, 360, 500]
YS = [120, 150, 180, 220, 250, 280]
CELLS = [  # row, col, row_span, col_span, text lines
    (0, 0, 1, 1, ["项目名称"]),
    (0, 1, 1, 3, ["社区矫正教育"]),          # merged across 3 columns
    (1, 0, 3, 1, ["产出指标"]),              # merged down 3 rows
    (1, 1, 1, 1, ["数量指标"]), (1, 2, 1, 1, ["培训人次"]), (1, 3, 1, 1, ["≥100人次"]),
    (2, 1, 1, 1, ["质量", "指标"]),          # wrapped: two lines in one cell
    (2, 2, 1, 1, ["合格率"]), (2, 3, 1, 1, []),  # empty cell
    (3, 1, 1, 1, ["时效指标"]), (3, 2, 1, 1, ["完成时间"]), (3, 3, 1, 1, ["2026年12月"]),
    (4, 0, 1, 1, ["备注"]), (4, 1, 1, 2, ["Total amount"]), (4, 3, 1, 1, ["12.50"]),
]


def _text(c, x, top, s, size=10):
    """Draw a string whose glyph boxes start at `top` (top-left coordinates)."""
    c.setFont(FONT, size)
    c.drawString(x, H - top - 0.729 * size, s)  # pdfminer puts STSong-Light glyph tops 0.729 em above the baseline


def _cell_rect(r, c, rs, cs):
    return XS[c], YS[r], XS[c + cs], YS[r + rs]


def _draw_form(c, ruling="stroke"):
    _text(c, 230, 50, "项目支出绩效目标表", size=16)
    # Word-style: one string, the second field pushed right with spaces
    _text(c, 60, 90, "填报单位（盖章）：某某局" + " " * 50 + "金额单位：万元")
    for r, col, rs, cs, lines in CELLS:
        x0, top, x1, bottom = _cell_rect(r, col, rs, cs)
        if ruling == "stroke":
            c.setLineWidth(0.5)
            c.rect(x0, H - bottom, x1 - x0, bottom - top, stroke=1, fill=0)
        else:  # each border a 0.6pt filled rectangle, as the Putuo PDFs do
            t = 0.6
            for rx, ry, rw, rh in ((x0, top, x1 - x0, t), (x0, bottom, x1 - x0, t),
                                   (x0, top, t, bottom - top), (x1, top, t, bottom - top)):
                c.rect(rx, H - ry - rh, rw, rh, stroke=0, fill=1)
        for k, line in enumerate(lines):
            _text(c, x0 + 4, top + 8 + 12 * k, line)
    _text(c, 60, 300, "联系人：张三  电话：12345")
    _text(c, 60, 320, "填表人：李四")  # two strings far apart on one line
    _text(c, 400, 320, "日期：2026年1月")


def _pdf(tmp_path, draw, name="t.pdf"):
    path = tmp_path / name
    c = canvas.Canvas(str(path), pagesize=(W, H))
    draw(c)
    c.showPage()
    c.save()
    return path


def _extract(path, number=1):
    with pdfplumber.open(path) as pdf:
        return extract_pdf_page(pdf.pages[0], number, SETTINGS)


def _shape(table: Table):
    return [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells]


EXPECTED = [(r, c, rs, cs, "\n".join(lines)) for r, c, rs, cs, lines in CELLS]


@needs_reportlab
@pytest.mark.parametrize("ruling", ["stroke", "thin-rects"])
def test_form_blocks_cells_and_spans(tmp_path, ruling):
    page = _extract(_pdf(tmp_path, lambda c: _draw_form(c, ruling)), number=7)
    assert page.errors == []
    assert (page.number, page.width, page.height) == (7, W, H)
    kinds = [b.kind for b in page.blocks]
    assert kinds == ["line", "line", "line", "table", "line", "line", "line"]
    title, unit, amount, table, contact, filler, date = page.blocks
    assert [title.text, unit.text, amount.text] == ["项目支出绩效目标表", "填报单位（盖章）：某某局", "金额单位：万元"]
    assert contact.text == "联系人：张三 电话：12345"  # gap below phrase_gap: one line, one space
    assert title.font_size == 16 and unit.font_size == 10
    assert [filler.text, date.text] == ["填表人：李四", "日期：2026年1月"]
    assert unit.bbox == pytest.approx((60, 90, 180, 100), abs=0.5)  # the spaces are not in it
    assert amount.bbox[0] > 180 + SETTINGS.phrase_gap
    assert date.bbox[0] == pytest.approx(400)

    assert (table.n_rows, table.n_cols, table.page) == (5, 4, 7)
    assert _shape(table) == EXPECTED
    assert table.bbox == pytest.approx((60, 120, 500, 280), abs=0.7)
    for cell, (r, c, rs, cs, _) in zip(table.cells, CELLS):
        assert cell.bbox == pytest.approx(_cell_rect(r, c, rs, cs), abs=0.7)
        assert (cell.page, cell.source, cell.confidence) == (7, "pdf-text", 1.0)


@needs_reportlab
def test_merged_cell_appears_once(tmp_path):
    table = _extract(_pdf(tmp_path, _draw_form)).blocks[3]
    rows = table.rows()
    assert [c.text for c in rows[0]] == ["项目名称", "社区矫正教育"]
    assert [c.col for c in rows[2]] == [1, 2, 3]  # column 0 is covered by 产出指标 above
    assert sum(c.text == "产出指标" for c in table.cells) == 1


@needs_reportlab
def test_white_boxes_are_not_a_table(tmp_path):
    # a table of contents laid out on white-filled boxes, two columns
    def draw(c):
        c.setFillColorRGB(1, 1, 1)
        for r in range(3):
            for x0, x1 in ((60, 300), (300, 500)):
                c.rect(x0, H - 120 - 20 * (r + 1), x1 - x0, 20, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        for r in range(3):
            _text(c, 64, 124 + 20 * r, f"第{r + 1}章")
            _text(c, 304, 124 + 20 * r, f"{r + 5}")
    page = _extract(_pdf(tmp_path, draw))
    assert all(b.kind == "line" for b in page.blocks)
    assert [b.text for b in page.blocks] == ["第1章", "5", "第2章", "6", "第3章", "7"]


@needs_reportlab
@pytest.mark.parametrize("gap", [2, 5])
def test_double_rule_adds_no_phantom_row(tmp_path, gap):
    # a heavy rule under the header drawn as two thin ones `gap` apart, plus a
    # double outer frame: still a 2x2 table
    def draw(c):
        for x in (100, 200, 300):
            c.line(x, H - 100, x, H - 160 - gap)
        for y in (100, 130, 130 + gap, 160 + gap):
            c.line(100, H - y, 300, H - y)
        c.rect(96, H - 164 - gap, 208, 68 + gap)
        _text(c, 110, 110, "甲")
        _text(c, 210, 140 + gap, "乙")
    (table,) = _extract(_pdf(tmp_path, draw)).blocks
    assert (table.n_rows, table.n_cols) == (2, 2)
    assert _shape(table) == [(0, 0, 1, 1, "甲"), (0, 1, 1, 1, ""), (1, 0, 1, 1, ""), (1, 1, 1, 1, "乙")]


@needs_reportlab
def test_single_column_box_is_not_a_table(tmp_path):
    # min_cols = 2: a framed paragraph is text, not a table
    def draw(c):
        c.rect(60, H - 200, 400, 100, stroke=1, fill=0)
        _text(c, 64, 110, "说明文字")
    page = _extract(_pdf(tmp_path, draw))
    assert [(b.kind, b.text) for b in page.blocks] == [("line", "说明文字")]


def _draw_unruled(c):
    """A title, then a table without any ruling: a header over two columns, 4 rows."""
    _text(c, 60, 60, "表1 各区人口")
    _text(c, 200, 100, "常住人口（万人）")  # spans the two value columns
    rows = [("区名", "2024年", "2025年"), ("普陀区", "123.1", "124.0"),
            ("静安区", "97.6", "98.2"), ("徐汇区", "111.3", "112.9")]
    for r, row in enumerate(rows):
        for x, text in zip((60, 200, 300), row):
            _text(c, x, 116 + 16 * r, text)


@needs_reportlab
def test_unruled_table_is_found_only_when_asked(tmp_path):
    path = _pdf(tmp_path, _draw_unruled)
    assert all(b.kind == "line" for b in _extract(path).blocks)  # default: forms are ruled
    with pdfplumber.open(path) as pdf:
        page = extract_pdf_page(pdf.pages[0], 1, TableSettings(find_unruled=True))
    title, table = page.blocks
    assert (title.kind, title.text) == ("line", "表1 各区人口")
    assert (table.n_rows, table.n_cols) == (5, 3)
    assert _shape(table)[:4] == [(0, 1, 1, 2, "常住人口（万人）"), (1, 0, 1, 1, "区名"),
                                 (1, 1, 1, 1, "2024年"), (1, 2, 1, 1, "2025年")]
    assert _shape(table)[-1] == (4, 2, 1, 1, "112.9")


@needs_reportlab
def test_geometry_cells_match_pdfplumber(tmp_path):
    """The scan path's cell finder agrees with pdfplumber on the same ruling."""
    with pdfplumber.open(_pdf(tmp_path, lambda c: _draw_form(c, "thin-rects"))) as pdf:
        ours, theirs = _both_cell_finders(pdf.pages[0])
    assert len(ours) == len(CELLS) and _same_cells(ours, theirs)


def _both_cell_finders(page):
    edges = page.filter(_is_visible).edges
    h = geo.merge_segments([(e["top"], e["x0"], e["x1"]) for e in edges if e["orientation"] == "h"],
                           SETTINGS.snap_tolerance, SETTINGS.join_tolerance, SETTINGS.edge_min_length)
    v = geo.merge_segments([(e["x0"], e["top"], e["bottom"]) for e in edges if e["orientation"] == "v"],
                           SETTINGS.snap_tolerance, SETTINGS.join_tolerance, SETTINGS.edge_min_length)
    ours = geo.cells_from_segments(h, v, SETTINGS.intersection_tolerance)
    theirs = [c for t in page.filter(_is_visible).find_tables(finder_settings(SETTINGS)) for c in t.cells]
    return ours, theirs


def _same_cells(ours, theirs):
    # the two snap to slightly different means (pdfplumber averages distinct
    # values, we average all), hence a tolerance
    close = lambda a, b: all(abs(x - y) <= 1.5 for x, y in zip(a, b))  # noqa: E731
    return (len(ours) == len(theirs) and all(any(close(a, b) for b in theirs) for a in ours)
            and all(any(close(a, b) for a in ours) for b in theirs))


# --- errors and triage ------------------------------------------------------

class _BrokenPage:
    width, height = 595, 842

    def filter(self, _):
        raise ValueError("Unsupported colorspace")


def test_a_bad_page_is_recorded_not_raised():
    page = extract_pdf_page(_BrokenPage(), 4, SETTINGS)
    assert page.number == 4 and page.blocks == []
    assert page.errors == ["page 4: ValueError: Unsupported colorspace"]
    assert (page.width, page.height) == (595, 842)


class _Chars:
    def __init__(self, texts):
        self.chars = [{"text": t} for t in texts]


def test_page_has_text_layer():
    assert page_has_text_layer(_Chars(list("绩效目标表")))
    assert not page_has_text_layer(_Chars([]))
    assert not page_has_text_layer(_Chars([" ", "\n", " "]))
    assert not page_has_text_layer(_Chars(["(cid:12)", "(cid:13)", "(cid:14)", "表"]))
    assert not page_has_text_layer(_Chars(["\ue001", "\ue002", "a"]))
    assert not page_has_text_layer(_Chars(["(cid:12)", "绩", "效"]))  # a third unmapped: OCR reads it whole
    assert page_has_text_layer(_Chars(["(cid:12)"] + list("绩效目标表项目名称法律援助专项预算情况")))  # a stray symbol


@needs_reportlab
def test_a_font_without_tounicode_sends_the_page_to_ocr_even_when_its_digits_decode(tmp_path):
    import re

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("zenhei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"))
    path = tmp_path / "cid.pdf"
    c = canvas.Canvas(str(path), pageCompression=0)
    c.setFont("zenhei", 12)
    for i in range(20):  # mostly digits, which decode; the Chinese does not
        c.drawString(72, 760 - i * 20, f"预算 {1000 + i * 37}.50 {2026 + i} {i * 11}")
    c.save()
    data = path.read_bytes()
    assert b"/ToUnicode" in data
    path.write_bytes(re.sub(rb"/ToUnicode \d+ 0 R", lambda m: b" " * len(m.group()), data))  # offsets kept
    with pdfplumber.open(path) as pdf:
        texts = [c["text"] for c in pdf.pages[0].chars if c["text"].strip()]
        assert 0 < sum(t.startswith("(cid:") for t in texts) < len(texts) / 2  # the old rule read it as text
        assert not page_has_text_layer(pdf.pages[0])


@needs_reportlab
def test_page_has_text_layer_on_pdfs(tmp_path):
    with pdfplumber.open(_pdf(tmp_path, _draw_form)) as pdf:
        assert page_has_text_layer(pdf.pages[0])
    with pdfplumber.open(_pdf(tmp_path, lambda c: c.rect(60, 60, 100, 100), "blank.pdf")) as pdf:
        assert not page_has_text_layer(pdf.pages[0])


# --- a real document -----------------------------------------------------------

SHARED = Path(__file__).parents[2].parent / "shared"
PUTUO = SHARED / "external/cn_gov_budget_putuo/budget_2026/上海市普陀区司法局2026年部门预算.pdf"
needs_putuo = pytest.mark.skipif(not PUTUO.exists(), reason=f"{PUTUO} absent (../shared not mounted)")


@pytest.fixture(scope="module")
def putuo():
    with pdfplumber.open(PUTUO) as pdf:
        yield pdf


@needs_putuo
def test_putuo_three_row_merged_header(putuo):
    # page 21: 2026年部门"三公"经费和机关运行经费预算表, verified on a rendering
    page = extract_pdf_page(putuo.pages[20], 21, SETTINGS)
    assert page.errors == []
    lines = [b for b in page.blocks if isinstance(b, TextLine)]
    assert [b.text for b in lines] == ["2026年部门“三公”经费和机关运行经费预算表", "编制部门：上海市普陀区司法局", "单位:万元"]
    assert [b.kind for b in page.blocks] == ["line", "line", "line", "table"]
    table = page.blocks[3]
    assert (table.n_rows, table.n_cols) == (4, 7)
    assert _shape(table) == [
        (0, 0, 1, 6, "“三公”经费预算数"),
        (0, 6, 3, 1, "机关运行经费预算\n数"),
        (1, 0, 2, 1, "合计"), (1, 1, 2, 1, "因公出国(境)费"), (1, 2, 2, 1, "公务接待费"),
        (1, 3, 1, 3, "公务用车购置及运行费"),
        (2, 3, 1, 1, "小计"), (2, 4, 1, 1, "购置费"), (2, 5, 1, 1, "运行费"),
        (3, 0, 1, 1, "10.81"), (3, 1, 1, 1, "0"), (3, 2, 1, 1, "0.83"), (3, 3, 1, 1, "9.98"),
        (3, 4, 1, 1, "0"), (3, 5, 1, 1, "9.98"), (3, 6, 1, 1, "217.83"),
    ]


@needs_putuo
def test_putuo_income_table_header_and_total(putuo):
    # page 11: 2026年部门收入预算总表, 项目 / 功能分类科目编码 / 类 款 项 header
    table = next(b for b in extract_pdf_page(putuo.pages[10], 11, SETTINGS).blocks if b.kind == "table")
    assert (table.n_rows, table.n_cols) == (25, 9)
    rows = table.rows()
    assert [(c.col, c.col_span, c.text) for c in rows[0]] == [(0, 4, "项目"), (4, 5, "收入预算")]
    assert [(c.col, c.row_span, c.text) for c in rows[1]] == [
        (0, 1, "功能分类科目编码"), (3, 2, "功能分类科目名称"), (4, 2, "合计"), (5, 2, "财政拨款收入"),
        (6, 2, "事业收入"), (7, 2, "事业单位\n经营收入"), (8, 2, "其他收入")]
    assert [c.text for c in rows[2]] == ["类", "款", "项"]
    assert [c.text for c in rows[3]] == ["204", "", "", "公共安全支出", "87267272.44", "87267272.44",
                                         "0.00", "0.00", "0.00"]
    assert [(c.col_span, c.text) for c in rows[24]][:2] == [(4, "合计"), (1, "96282213.44")]
    assert sum(len(r) for r in rows) == len(table.cells) == 2 + 7 + 3 + 21 * 9 + 6


@needs_putuo
def test_putuo_whole_document(putuo):
    pages = [extract_pdf_page(p, i, SETTINGS) for i, p in enumerate(putuo.pages, 1)]
    assert all(p.errors == [] for p in pages)
    with_tables = [p.number for p in pages if any(b.kind == "table" for b in p.blocks)]
    # 2 and 3 (table of contents) sit on white boxes: no tables there
    assert with_tables == list(range(10, 22))
    assert not page_has_text_layer(putuo.pages[2])  # page 3 is blank


@needs_putuo
@pytest.mark.parametrize("number", [11, 14, 21])
def test_putuo_geometry_cells_match_pdfplumber(putuo, number):
    ours, theirs = _both_cell_finders(putuo.pages[number - 1])
    assert ours and _same_cells(ours, theirs)


@needs_reportlab
def test_a_striped_table_is_one_table_not_its_shaded_bands(tmp_path):
    def draw(c):
        c.setFillColorRGB(0.85, 0.85, 0.85)
        for r in (1, 3):  # shaded bands behind rows 1 and 3: each alone a one-row ruled grid
            c.rect(56, H - 114 - 16 * r, 300, 16, stroke=0, fill=1)
            for x in (200, 290):  # and ruled between its cells
                c.line(x, H - 114 - 16 * r, x, H - 98 - 16 * r)
        c.setFillColorRGB(0, 0, 0)
        for r, row in enumerate([("区名", "2024年", "2025年"), ("普陀区", "123.1", "124.0"),
                                 ("静安区", "97.6", "98.2"), ("徐汇区", "111.3", "112.9"),
                                 ("合计", "332.0", "335.1")]):
            for x, text in zip((60, 220, 300), row):
                _text(c, x, 100 + 16 * r, text)
    with pdfplumber.open(_pdf(tmp_path, draw)) as pdf:
        (table,) = extract_pdf_page(pdf.pages[0], 1, TableSettings(find_unruled=True)).blocks
    assert (table.n_rows, table.n_cols) == (5, 3)
    assert [c.text for c in table.rows()[3]] == ["徐汇区", "111.3", "112.9"]


def _glyph(text, x, top=100.0, size=10.0):
    return {"text": text, "x0": x, "x1": x + size * 0.6, "top": top, "bottom": top + size, "size": size}


def test_text_lines_are_cut_into_chunks_at_cell_wide_gaps_and_bullets_stay_with_their_item():
    from pipeline.stages.tables import _chunked_lines

    line = [_glyph("•", 50), *(_glyph(ch, 70 + 6 * i) for i, ch in enumerate("Item")),
            _glyph("-", 200), _glyph("-", 260)]
    (chunks,) = _chunked_lines(line, SETTINGS)
    assert ["".join(g["text"] for g in chunk) for chunk in chunks] == ["•Item", "-", "-"]
