"""pipeline.imaging on synthetic pages drawn here with OpenCV (no files needed)."""

import cv2
import numpy as np
import pytest

from pipeline import imaging
from tests.engines.drawing import stamp

DPI = 200
PT = DPI / 72  # px per point


def blank(h=600, w=800, colour=False):
    shape = (h, w, 3) if colour else (h, w)
    return np.full(shape, 255, np.uint8)


def glyph(img, x, y, size, value=0):
    """A CJK-like glyph filling a size x size box: a full-height stem, a long
    bar, a short bar and a small box, strokes ~size/12 thick (no two glyphs
    share a straight edge, as real characters do not)."""
    t = max(2, size // 12)
    col = (value,) * 3 if img.ndim == 3 else value
    s = size - 1
    cv2.line(img, (x + s // 2, y), (x + s // 2, y + s), col, t)
    cv2.line(img, (x, y + s // 3), (x + s, y + s // 3), col, t)
    cv2.line(img, (x + s // 5, y + s // 8), (x + 4 * s // 5, y + s // 8), col, t)
    cv2.rectangle(img, (x + s // 5, y + 3 * s // 5), (x + 4 * s // 5, y + s), col, t)
    return img


def text_line(img, x, y, n, size, gap=4, value=0):
    for i in range(n):
        glyph(img, x + i * (size + gap), y, size, value)
    return img


multiply_seal = stamp


def rotate(img, degrees):
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    white = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=white)


def form_like(h=900, w=1200):
    """Ruling and rows of glyphs: enough structure for skew and orientation."""
    img = blank(h, w)
    for y in range(100, 800, 70):
        cv2.line(img, (80, y), (1120, y), 0, 2)
    for x in (80, 300, 700, 1120):
        cv2.line(img, (x, 100), (x, 730), 0, 2)
    for y in range(118, 700, 70):
        text_line(img, 320, y, 12, 26)
        text_line(img, 100, y, 6, 26)
    return img


# --- seals -----------------------------------------------------------------

def test_suppress_seals_removes_red_ink_and_keeps_black_text_under_it():
    page = blank(400, 400, colour=True)
    for y in (120, 200, 280):  # three lines of black "text" running under the seal
        text_line(page, 40, y, 9, 32)
    page = multiply_seal(page, (200, 200), 120)
    gray = imaging.suppress_seals(page)
    assert gray.shape == page.shape[:2] and gray.dtype == np.uint8

    ring = np.zeros(gray.shape, np.uint8)
    cv2.circle(ring, (200, 200), 120, 255, 6)
    text = np.zeros(gray.shape, np.uint8)
    for y in (120, 200, 280):
        text_line(text, 40, y, 9, 32, value=255)
    seal_only = (ring > 0) & (text == 0)
    assert np.median(gray[seal_only]) >= 235  # the ring is gone ...
    core = cv2.erode(text, np.ones((3, 3), np.uint8)) > 0
    assert np.percentile(gray[core], 90) <= 60  # ... the strokes under it stay black
    # a plain grey conversion would have kept the ring as mid-grey ink
    assert np.median(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)[seal_only]) < 150


def test_suppress_seals_also_removes_blue_stamps_but_keeps_dark_coloured_writing():
    page = blank(300, 300, colour=True)
    page = multiply_seal(page, (150, 150), 100, colour=(200, 60, 30))  # blue (BGR)
    cv2.putText(page, "Li", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (20, 31, 115), 4)  # dark red name
    gray = imaging.suppress_seals(page)
    ring = np.zeros(gray.shape, np.uint8)
    cv2.circle(ring, (150, 150), 100, 255, 6)
    assert np.median(gray[ring > 0]) >= 235
    name = np.zeros(gray.shape, np.uint8)
    cv2.putText(name, "Li", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 255, 2)
    assert np.median(gray[name > 0]) <= 130  # the signer's name is content, not a seal


def test_suppress_seals_passes_grey_through_and_to_gray_handles_bgra():
    gray = form_like(200, 300)
    assert np.array_equal(imaging.suppress_seals(gray), gray)
    bgra = np.dstack([cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), np.full(gray.shape, 255, np.uint8)])
    assert np.array_equal(imaging.to_gray(bgra), gray)


def test_find_seal_rings_finds_a_grey_ring_over_a_table_and_nothing_on_a_bare_table():
    page = form_like()
    assert imaging.find_seal_rings(page, DPI) == []  # cells are not rings
    radius = int(20 / 25.4 * DPI)  # a 40 mm seal
    stamped = page.copy()
    cv2.circle(stamped, (640, 400), radius, 150, 10)
    rings = imaging.find_seal_rings(stamped, DPI)
    assert len(rings) == 1
    cx, cy, r = rings[0]
    assert abs(cx - 640) <= 3 and abs(cy - 400) <= 3 and abs(r - radius) <= 3


def test_whiten_seal_rings_removes_grey_seal_ink_and_keeps_black_ruling():
    page = form_like()
    radius = int(20 / 25.4 * DPI)
    cv2.circle(page, (640, 400), radius, 150, 10)
    out = imaging.whiten_seal_rings(page, [(640.0, 400.0, float(radius))], DPI)
    ring = np.zeros(page.shape, np.uint8)
    cv2.circle(ring, (640, 400), radius, 255, 4)
    line = np.zeros(page.shape, np.uint8)
    for y in range(100, 800, 70):
        cv2.line(line, (80, y), (1120, y), 255, 1)
    assert np.median(out[(ring > 0) & (line == 0)]) >= 240
    assert np.median(out[line > 0]) <= 10


def test_seal_ink_cut_separates_a_grey_seal_from_black_ink_only_when_it_is_lighter():
    page = form_like()
    radius = int(20 / 25.4 * DPI)
    light = page.copy()
    cv2.circle(light, (640, 400), radius, 150, 10)
    cut = imaging.seal_ink_cut(light, (640.0, 400.0, float(radius)), DPI)
    assert cut is not None and 60 < cut < 150
    dark = page.copy()
    cv2.circle(dark, (640, 400), radius, 20, 10)  # as black as the text: no level separates them
    assert imaging.seal_ink_cut(dark, (640.0, 400.0, float(radius)), DPI) is None
    (y0, y1, x0, x1), mask = imaging.seal_disc(page.shape, (640.0, 400.0, float(radius)), DPI)
    assert mask.shape == (y1 - y0, x1 - x0) and mask[mask.shape[0] // 2, mask.shape[1] // 2]
    assert imaging.seal_disc(page.shape, (-5000.0, -5000.0, 10.0), DPI) is None


# --- binarisation -------------------------------------------------------------

def test_binarize_copes_with_uneven_light_and_keeps_faint_lines():
    page = blank(400, 600)
    text_line(page, 40, 60, 10, 30)
    cv2.line(page, (20, 200), (580, 200), 200, 2)  # a faded ruling line
    shade = np.linspace(0, 110, 600, dtype=np.float32)[None, :]  # dark towards the right
    page = np.clip(page.astype(np.float32) - shade, 0, 255).astype(np.uint8)
    binary = imaging.binarize(page)
    assert set(np.unique(binary)) <= {0, 255}
    assert np.count_nonzero(binary[300:400]) < 0.001 * binary[300:400].size  # shaded paper stays white
    assert np.count_nonzero(binary[199:202].any(axis=0)) > 0.95 * 560  # the faint line is ink
    assert np.count_nonzero(binary[60:92, 40:400]) > 500  # the glyphs are ink


def test_ensure_binary_accepts_either_polarity():
    page = form_like(300, 400)
    ink = imaging.binarize(page)
    assert np.array_equal(imaging.ensure_binary(ink), ink)
    assert np.array_equal(imaging.ensure_binary(255 - ink), ink)  # black ink on white, as a scan


def test_ink_ratio_counts_ink_inside_a_box_with_an_inset():
    binary = np.zeros((100, 100), np.uint8)
    binary[10:20, 10:60] = 255
    assert imaging.ink_ratio(binary, (10, 10, 60, 20)) == pytest.approx(1.0)
    assert imaging.ink_ratio(binary, (0, 0, 100, 100)) == pytest.approx(0.05)
    cv2.rectangle(binary, (0, 50), (99, 99), 255, 2)  # a cell whose own border is in the crop
    assert imaging.ink_ratio(binary, (0, 50, 100, 100), inset=3) == 0.0
    assert imaging.ink_ratio(binary, (200, 200, 300, 300)) == 0.0


# --- skew and orientation -----------------------------------------------------

@pytest.mark.parametrize("angle", [1.5, -2.3, 0.4, 4.5])
def test_estimate_skew_reads_the_rotation_and_deskew_undoes_it(angle):
    page = form_like()
    turned = rotate(page, angle)  # counter-clockwise for positive angles
    estimate = imaging.estimate_skew(turned)
    assert estimate == pytest.approx(angle, abs=0.06)
    straight = imaging.deskew(turned, estimate)
    assert straight.shape == page.shape
    assert abs(imaging.estimate_skew(straight)) <= 0.04
    assert straight[0, 0] == 255 and straight[-1, -1] == 255  # white, not black, corners


def test_estimate_skew_of_a_straight_or_empty_page_is_zero():
    assert imaging.estimate_skew(form_like()) == pytest.approx(0.0, abs=0.03)
    assert imaging.estimate_skew(blank()) == 0.0
    assert np.array_equal(imaging.deskew(form_like(100, 100), 0.0), form_like(100, 100))


def test_deskew_works_on_colour_pages_too():
    page = cv2.cvtColor(form_like(), cv2.COLOR_GRAY2BGR)
    out = imaging.deskew(page, 1.0)
    assert out.shape == page.shape and tuple(out[0, 0]) == (255, 255, 255)


def test_sideways_pages_are_told_by_the_direction_of_their_text():
    page = form_like()
    assert not imaging.is_sideways(page)
    assert imaging.orientation_candidates(page) == [0, 2]
    for k in (1, 3):
        turned = imaging.rotate90(page, k)
        assert turned.shape == page.shape[::-1]
        assert imaging.is_sideways(turned)
        assert imaging.orientation_candidates(turned) == [1, 3]
        # one of the candidates turns it back exactly
        assert any(np.array_equal(imaging.rotate90(turned, c), page) for c in (1, 3))
    horizontal, vertical = imaging.text_direction_scores(page)
    assert horizontal > 3 * vertical


def test_a_blank_page_is_not_sideways():
    assert not imaging.is_sideways(blank())


# --- text lines inside a cell --------------------------------------------------------

def cell_crop(lines=2, border=True):
    crop = np.zeros((120, 300), np.uint8)
    for i in range(lines):
        text_line(crop, 20, 15 + i * 45, 7, 30, value=255)
    if border:  # remnants of the cell's own ruling caught by the crop
        crop[0:3, :] = 255
        crop[:, 0:2] = 255
        crop[-2:, :] = 255
    return crop


def test_text_line_bands_trims_border_remnants_and_finds_each_line():
    bands = imaging.text_line_bands(cell_crop(2))
    assert len(bands) == 2
    (a0, a1), (b0, b1) = bands
    assert abs(a0 - 15) <= 2 and abs(a1 - 46) <= 2
    assert abs(b0 - 60) <= 2 and abs(b1 - 91) <= 2
    assert imaging.text_line_bands(cell_crop(0)) == []  # an empty cell: only its borders
    assert len(imaging.text_line_bands(cell_crop(1, border=False))) == 1


def test_text_line_bands_keeps_a_glyph_like_er_in_one_line():
    crop = np.zeros((60, 200), np.uint8)
    text_line(crop, 10, 10, 3, 30, value=255)
    cv2.line(crop, (120, 14), (145, 14), 255, 2)  # "二": two strokes with a gap between
    cv2.line(crop, (116, 36), (150, 36), 255, 2)
    crop[36:38, 116:200] = 255
    assert len(imaging.text_line_bands(crop, trim=False)) == 1


def test_trim_borders_erases_only_full_rows_and_columns_near_the_edges():
    crop = cell_crop(1)
    trimmed = imaging.trim_borders(crop)
    assert not trimmed[0:3].any() and not trimmed[:, 0:2].any() and not trimmed[-2:].any()
    assert np.count_nonzero(trimmed[15:46]) == np.count_nonzero(cell_crop(1, border=False)[15:46])


def test_split_by_gaps_separates_phrases_far_apart():
    line = np.zeros((30, 600), np.uint8)
    text_line(line, 10, 2, 4, 24, gap=4, value=255)  # 10..122
    text_line(line, 300, 2, 3, 24, gap=4, value=255)  # 300..384
    runs = imaging.split_by_gaps(line, min_gap_px=40)
    assert len(runs) == 2
    assert abs(runs[0][0] - 10) <= 2 and abs(runs[0][1] - 122) <= 3
    assert abs(runs[1][0] - 300) <= 2 and abs(runs[1][1] - 384) <= 3
    assert len(imaging.split_by_gaps(line, min_gap_px=2)) > 2  # glyph gaps split when asked
    assert imaging.split_by_gaps(np.zeros((5, 5), np.uint8), 3) == []


def test_a_page_binarised_twice_is_binarised_once_and_neither_copy_can_change():
    """Skew, orientation, grid and OCR all binarise the page's grey: the mask is made once, and
    both arrays become read-only, so no caller can change one under another's cached mask."""
    gray = np.full((120, 200), 255, np.uint8)
    gray[40:60, 20:180] = 30
    mask = imaging.binarize(gray)
    assert imaging.binarize(gray) is mask and imaging.ensure_binary(gray) is mask
    with pytest.raises(ValueError):
        gray[0, 0] = 0
    with pytest.raises(ValueError):
        mask[0, 0] = 0
    other = gray.copy()  # the same pixels in another array: measured afresh, equal
    again = imaging.binarize(other)
    assert again is not mask and np.array_equal(again, mask)
    assert imaging.binarize(gray, window=15) is not mask  # other parameters, another mask
