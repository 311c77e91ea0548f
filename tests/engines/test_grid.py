"""engines.grid: ruled tables found on page images give the digital path's shapes.

Synthetic forms are drawn here with OpenCV (merged cells both ways, text,
broken lines, seals, tilt, noise) and must come back with the exact rows,
columns and spans. The real-content tests render the sample PDFs, degrade
them, and compare the grid with what stages.tables reads from the same
page's vector graphics: the scan path and the digital path must agree.
"""

from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline import imaging
from pipeline.engines import grid
from pipeline.model import Table
from tests.engines.drawing import stamp

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_pdfs"
SCANS = SAMPLES / "scans"

# --- a synthetic form -------------------------------------------------------------

# Column / row boundaries in points (top-left origin) and the merged cells; every
# other grid slot is a 1x1 cell. Shaped like the 绩效目标表: a label column, a
# long merged value row, a row-spanning section label, narrow unit columns.
XS = [50, 130, 190, 300, 360, 400, 460, 545]
YS = [100, 124, 158, 182, 206, 230, 254, 278, 312, 336]
MERGED = [
    (0, 1, 1, 6),  # value across six columns
    (1, 1, 1, 3), (1, 5, 1, 2),
    (2, 0, 7, 1),  # section label down seven rows
    (2, 1, 3, 1), (5, 1, 4, 1),
    (3, 2, 2, 1),
]


def expected_cells(merged=MERGED, n_rows=len(YS) - 1, n_cols=len(XS) - 1):
    covered = {(r, c) for r0, c0, rs, cs in merged
               for r in range(r0, r0 + rs) for c in range(c0, c0 + cs)}
    singles = {(r, c, 1, 1) for r in range(n_rows) for c in range(n_cols) if (r, c) not in covered}
    return singles | set(merged)


def glyph(img, x, y, size, value=0):
    """A CJK-like glyph in a size x size em box: a stem, two bars and a box,
    with the side bearings of a real font (bars stop ~5% short of the box)."""
    t = max(2, size // 12)
    s = size - 1
    m = max(1, size // 20)
    cv2.line(img, (x + s // 2, y), (x + s // 2, y + s), value, t)
    cv2.line(img, (x + m, y + s // 3), (x + s - m, y + s // 3), value, t)
    cv2.line(img, (x + s // 5, y + s // 8), (x + 4 * s // 5, y + s // 8), value, t)
    cv2.rectangle(img, (x + s // 5, y + 3 * s // 5), (x + 4 * s // 5, y + s), value, t)


def draw_form(dpi=200, line_pt=0.6, outer_pt=1.1, text=True, merged=MERGED, xs=XS, ys=YS,
              size=(595, 420)):
    """Grey page with the form ruled on it; every cell holds some 'glyphs'."""
    k = dpi / 72
    img = np.full((int(size[1] * k), int(size[0] * k)), 255, np.uint8)
    t = max(1, int(round(line_pt * k)))
    for r, c, rs, cs in expected_cells(merged, len(ys) - 1, len(xs) - 1):
        x0, y0, x1, y1 = (int(round(v * k)) for v in (xs[c], ys[r], xs[c + cs], ys[r + rs]))
        cv2.rectangle(img, (x0, y0), (x1, y1), 0, t)
        if text:
            g = int(10 * k)  # 10pt glyphs, padded ~2pt from the left border
            n = max(1, min(4, (x1 - x0 - int(4 * k)) // (g + 2)))
            for i in range(n):
                glyph(img, x0 + int(2 * k) + i * (g + 2), (y0 + y1) // 2 - g // 2, g)
    x0, y0, x1, y1 = (int(round(v * k)) for v in (xs[0], ys[0], xs[-1], ys[-1]))
    cv2.rectangle(img, (x0, y0), (x1, y1), 0, max(t, int(round(outer_pt * k))))
    return img


def shapes(table):
    return {(c.row, c.col, c.row_span, c.col_span) for c in table.cells}


def only_table(image, dpi=200):
    tables = grid.detect_tables(image, dpi)
    assert len(tables) == 1, [(t.n_rows, t.n_cols) for t in tables]
    return tables[0]


def assert_form(table, merged=MERGED, xs=XS, ys=YS):
    assert (table.n_rows, table.n_cols) == (len(ys) - 1, len(xs) - 1)
    assert shapes(table) == expected_cells(merged, len(ys) - 1, len(xs) - 1)


def rotate(img, degrees):
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    white = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=white)


def jpeg(img, quality):
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)


def noisy(img, sigma, seed=0):
    rng = np.random.default_rng(seed)
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


# --- synthetic forms ---------------------------------------------------------------

def test_merged_cells_across_and_down_come_back_exactly():
    table = only_table(draw_form())
    assert_form(table)
    k = 200 / 72
    assert table.xs == pytest.approx([x * k for x in XS], abs=2)
    assert table.ys == pytest.approx([y * k for y in YS], abs=2)
    cell = next(c for c in table.cells if (c.row, c.col) == (2, 0))
    assert cell.bbox == pytest.approx((XS[0] * k, YS[2] * k, XS[1] * k, YS[9] * k), abs=2)


@pytest.mark.parametrize("dpi", [150, 300])
def test_tolerances_scale_with_resolution(dpi):
    assert_form(only_table(draw_form(dpi=dpi), dpi))


def test_the_grid_is_the_same_without_any_text():
    assert_form(only_table(draw_form(text=False)))


def test_broken_lines_are_bridged():
    img = draw_form()
    k = 200 / 72

    def gap(x0, y0, x1, y1):
        cv2.rectangle(img, (int(x0 * k), int(y0 * k)), (int(x1 * k), int(y1 * k)), 255, -1)

    # 2.5pt gaps along every ruling line (worn toner, a fold), mid-cell and at crossings
    for y in YS:
        for f in (0.13, 0.37, 0.5, 0.71, 0.9):
            x = XS[0] + f * (XS[-1] - XS[0])
            gap(x, y - 2, x + 2.5, y + 2)
    for x in XS:
        for f in (0.3, 0.55, 0.8):
            y = YS[0] + f * (YS[-1] - YS[0])
            gap(x - 2, y, x + 2, y + 2.5)
    gap(XS[-1] - 5, YS[0] - 2, XS[-1] + 2, YS[0] + 5)  # a corner broken off
    assert_form(only_table(img))


def test_a_red_seal_across_the_ruling_is_removed_by_colour():
    page = cv2.cvtColor(draw_form(), cv2.COLOR_GRAY2BGR)
    k = 200 / 72
    page = stamp(page, (int(330 * k), int(200 * k)), int(20 / 25.4 * 200), int(1.2 / 25.4 * 200))
    assert_form(only_table(imaging.suppress_seals(page)))
    assert_form(only_table(page))  # detect_tables suppresses seals on colour input itself


def test_a_grey_seal_across_the_ruling_is_found_by_shape():
    k = 200 / 72
    page = stamp(cv2.cvtColor(draw_form(), cv2.COLOR_GRAY2BGR), (int(330 * k), int(200 * k)),
                 int(20 / 25.4 * 200), int(1.2 / 25.4 * 200))
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)  # a grey scan: colour cannot help
    assert imaging.find_seal_rings(grey, 200)
    assert_form(only_table(grey))


def test_a_tilted_scan_is_read_after_deskew():
    page = rotate(draw_form(), 1.5)
    angle = imaging.estimate_skew(page)
    assert angle == pytest.approx(1.5, abs=0.05)
    assert_form(only_table(imaging.deskew(page, angle)))
    assert_form(only_table(imaging.deskew(rotate(draw_form(), -2.0), imaging.estimate_skew(rotate(draw_form(), -2.0)))))


def test_small_residual_tilt_is_tolerated_without_deskew():
    assert_form(only_table(rotate(draw_form(), 0.3)))


def test_noise_and_jpeg_do_not_change_the_grid():
    assert_form(only_table(jpeg(noisy(draw_form(), 12), 45)))


def test_thick_borders_and_a_double_rule_are_one_line_each():
    k = 200 / 72
    img = draw_form(outer_pt=2.2)
    y = int(YS[1] * k)  # the rule under the first row doubled: two thin lines 2.5pt apart
    cv2.line(img, (int(XS[0] * k), y + int(2.5 * k)), (int(XS[-1] * k), y + int(2.5 * k)), 0, 2)
    assert_form(only_table(img))


def test_text_that_nearly_fills_a_narrow_cell_is_not_ruling():
    k = 200 / 72
    img = draw_form(text=False)
    # three 10.5pt glyphs filling the 40pt column edge to edge (~1pt padding), on
    # every row: their bars line up into a 38pt "line" from border to border
    for r in range(0, 9):
        y = int((YS[r] + YS[r + 1]) / 2 * k) - int(5 * k)
        for i in range(3):
            glyph(img, int((XS[4] + 1.2) * k) + i * int(12.6 * k), y, int(11.5 * k))
    assert_form(only_table(img))


def test_two_tables_on_a_page_are_two_tables_top_to_bottom():
    k = 200 / 72
    top = draw_form(size=(595, 420))
    bottom = draw_form(size=(595, 420), merged=[(0, 0, 1, 7)])
    tables = grid.detect_tables(np.vstack([top, bottom]), 200)
    assert len(tables) == 2
    assert tables[0].bbox[1] < tables[1].bbox[1]
    assert_form(tables[0])
    assert_form(tables[1], merged=[(0, 0, 1, 7)])
    assert tables[1].bbox[1] == pytest.approx((420 + YS[0]) * k, abs=2)


def test_a_page_without_ruling_has_no_tables():
    page = np.full((800, 600), 255, np.uint8)
    for y in range(50, 700, 40):
        for i in range(15):
            glyph(page, 40 + i * 34, y, 28)
    cv2.line(page, (40, 760), (560, 760), 0, 2)  # an underline is not a table
    assert grid.detect_tables(page, 200) == []


def test_to_model_table_converts_pixels_to_points_and_leaves_text_for_ocr():
    table = only_table(draw_form())
    model = grid.to_model_table(table, page_number=3, scale_pt_per_px=72 / 200)
    assert isinstance(model, Table)
    assert (model.page, model.n_rows, model.n_cols) == (3, 9, 7)
    assert shapes(model) == expected_cells()
    assert [(c.row, c.col) for c in model.cells] == sorted((c.row, c.col) for c in model.cells)
    for cell in model.cells:
        assert cell.text == "" and cell.source == "ocr" and cell.confidence == 1.0 and cell.page == 3
    first = model.cells[0]
    assert first.bbox == pytest.approx((XS[0], YS[0], XS[1], YS[1]), abs=0.8)
    assert model.bbox == pytest.approx((XS[0], YS[0], XS[-1], YS[-1]), abs=0.8)
    assert len(model.rows()) == 9


def test_tables_from_segments_and_settings_are_usable_directly():
    # an L of two cells from hand-made segments, in px at 72 dpi (1 px = 1 pt)
    horizontal = [(0, 0, 200), (30, 0, 200), (60, 0, 100)]
    vertical = [(0, 0, 60), (100, 0, 60), (200, 0, 30)]
    tables = grid.tables_from_segments(horizontal, vertical, 72)
    assert len(tables) == 1
    assert shapes(tables[0]) == {(0, 0, 1, 1), (0, 1, 1, 1), (1, 0, 1, 1)}
    strict = grid.GridSettings(min_cols=3)
    assert grid.tables_from_segments(horizontal, vertical, 72, strict) == []


# --- real content: sample PDFs rendered, degraded, compared with the digital path ----------

def digital_tables(pdf: Path, page_index: int):
    pdfplumber = pytest.importorskip("pdfplumber")
    from pipeline.config import TableSettings
    from pipeline.stages.tables import extract_pdf_page

    with pdfplumber.open(pdf) as doc:
        page = extract_pdf_page(doc.pages[page_index], page_index + 1, TableSettings())
    return [b for b in page.blocks if b.kind == "table"]


def render(pdf: Path, page_index: int, dpi: float) -> np.ndarray:
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return np.ascontiguousarray(doc[page_index].render(scale=dpi / 72).to_numpy()[:, :, :3])  # BGR
    finally:
        doc.close()


def scan_path(image: np.ndarray, dpi: float, page_number: int):
    """What the scanned path does before OCR: seals, orientation, skew, grid."""
    gray = imaging.suppress_seals(image) if image.ndim == 3 else image
    if imaging.is_sideways(gray):
        gray = imaging.rotate90(gray, 1)
    gray = imaging.deskew(gray, imaging.estimate_skew(gray))
    return [grid.to_model_table(t, page_number, 72 / dpi) for t in grid.detect_tables(gray, dpi)]


def assert_same_structure(found, digital):
    assert len(found) == len(digital) == 1
    a, b = found[0], digital[0]
    assert (a.n_rows, a.n_cols) == (b.n_rows, b.n_cols)
    assert shapes(a) == shapes(b)
    # and the cells sit where the PDF draws them, up to where the scanner put
    # the page (a shift of the whole table): within ~1pt after deskew
    dx, dy = a.bbox[0] - b.bbox[0], a.bbox[1] - b.bbox[1]
    boxes_a = {(c.row, c.col): c.bbox for c in a.cells}
    for cell in b.cells:
        x0, y0, x1, y1 = boxes_a[(cell.row, cell.col)]
        assert (x0 - dx, y0 - dy, x1 - dx, y1 - dy) == pytest.approx(cell.bbox, abs=2.5)


REAL_PAGES = [("justice_projects_bundle.pdf", 0), ("justice_department_2026.pdf", 0),
              ("justice_department_2026.pdf", 1)]


@pytest.mark.parametrize("name,index", REAL_PAGES)
def test_rendered_sample_page_gives_the_digital_grid(name, index):
    page = render(SAMPLES / name, index, 200)
    assert_same_structure(scan_path(page, 200, index + 1), digital_tables(SAMPLES / name, index))


@pytest.mark.parametrize("name,index", REAL_PAGES)
def test_degraded_sample_page_gives_the_digital_grid(name, index):
    page = render(SAMPLES / name, index, 200)
    h, w = page.shape[:2]
    page = stamp(page, (int(w * 0.62), int(h * 0.3)), int(20 / 25.4 * 200), int(1.2 / 25.4 * 200))
    page = jpeg(noisy(rotate(page, 1.5), 8), 60)
    assert_same_structure(scan_path(page, 200, index + 1), digital_tables(SAMPLES / name, index))


def test_grey_150dpi_sample_page_with_a_grey_seal_gives_the_digital_grid():
    page = render(SAMPLES / "justice_projects_bundle.pdf", 0, 150)
    h, w = page.shape[:2]
    page = stamp(page, (int(w * 0.62), int(h * 0.3)), int(20 / 25.4 * 150), int(1.2 / 25.4 * 150))
    grey = jpeg(noisy(rotate(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY), -1.2), 6), 60)
    assert_same_structure(scan_path(grey, 150, 1),
                          digital_tables(SAMPLES / "justice_projects_bundle.pdf", 0))


def scan_pages():
    """(scan pdf, page index, dpi, source pdf, source page index) for the sample scans present."""
    import json

    listing = SCANS / "scans.json"
    if not listing.exists():
        return []
    out = []
    for name, meta in json.loads(listing.read_text(encoding="utf-8")).items():
        if not name.endswith(".pdf") or not (SCANS / name).exists():
            continue
        for i, page in enumerate(meta["pages"]):
            out.append(pytest.param(name, i, meta["dpi"], page["source"], page["source_page"] - 1,
                                    id=f"{Path(name).stem}-p{i + 1}"))
    return out


def embedded_image(pdf: Path, index: int) -> np.ndarray:
    """The scan itself: the one image on the page, at its own resolution."""
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[index]
        images = [o for o in page.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
        bitmap = images[0].get_bitmap(render=False)
        arr = bitmap.to_numpy()
        if arr.ndim == 3 and bitmap.mode in ("RGB", "RGBA", "RGBX"):
            arr = arr[:, :, 2::-1]
        return np.ascontiguousarray(arr[:, :, :3] if arr.ndim == 3 else arr)
    finally:
        doc.close()


@pytest.mark.parametrize("name,index,dpi,source,source_index", scan_pages())
def test_sample_scan_gives_the_digital_grid(name, index, dpi, source, source_index):
    image = embedded_image(SCANS / name, index)
    assert_same_structure(scan_path(image, dpi, index + 1), digital_tables(SAMPLES / source, source_index))
