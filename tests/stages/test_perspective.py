"""Keystoned photos of a ruled form made flat: synthetic pages warped by known homographies."""

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import perspective
from pipeline.engines import grid
from tests.fonts import FONTS

DPI = 150
WORDS = ["项目名称", "预算金额", "绩效目标", "产出指标", "数量指标", "质量指标", "时效指标", "满意度"]


def ruled_page(width: int = 1240, height: int = 1754, rows: int = 10, cols: int = 4) -> np.ndarray:
    """An A4 page at 150 dpi: a title above a ruled grid with CJK text in its cells (grey, ink 0)."""
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    path, index = FONTS["ZenHei"]
    title, body = ImageFont.truetype(path, 44, index=index), ImageFont.truetype(path, 24, index=index)
    draw.text((width // 2 - 330, 110), "二〇二六年项目支出绩效目标表", font=title, fill=0)
    draw.text((120, 220), "填报单位：某某市财政局", font=body, fill=0)
    x0, x1, y0, y1 = 120, width - 120, 300, height - 200
    xs, ys = np.linspace(x0, x1, cols + 1).astype(int), np.linspace(y0, y1, rows + 1).astype(int)
    for i, y in enumerate(ys[:-1]):
        for j, x in enumerate(xs[:-1]):
            draw.text((x + 14, y + 40), WORDS[(i + j) % len(WORDS)], font=body, fill=0)
    gray = np.asarray(page).copy()
    for y in ys:
        cv2.line(gray, (x0, y), (x1, y), 0, 2)
    for x in xs:
        cv2.line(gray, (x, y0), (x, y1), 0, 2)
    return gray


def keystone_homography(width: int, height: int, share: float, far: str) -> np.ndarray:
    """Homography that shortens the `far` side of the page by `share` (a camera tilted towards it)."""
    src = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    dst = src.copy()
    dx, dy = share * width / 2, share * height / 2
    if far == "top":
        dst[0, 0] += dx; dst[1, 0] -= dx
    elif far == "bottom":
        dst[3, 0] += dx; dst[2, 0] -= dx
    elif far == "left":
        dst[0, 1] += dy; dst[3, 1] -= dy
    else:
        dst[1, 1] += dy; dst[2, 1] -= dy
    return cv2.getPerspectiveTransform(src, dst)


def photograph(gray: np.ndarray, homography: np.ndarray, desk: int | None, margin: int = 120) -> np.ndarray:
    """The page warped by `homography` and laid on a desk of grey level `desk` (None: white, a scan)."""
    h, w = gray.shape
    shift = np.array([[1, 0, margin], [0, 1, margin], [0, 0, 1]], np.float64) @ homography
    size = (w + 2 * margin, h + 2 * margin)
    page = cv2.warpPerspective(gray, shift, size, borderValue=255)
    if desk is None:
        return page
    sheet = cv2.warpPerspective(np.full_like(gray, 255), shift, size, borderValue=0)
    return np.where(sheet > 127, page, np.uint8(desk))


def _cells(gray: np.ndarray) -> list[int]:
    return sorted(len(t.cells) for t in grid.detect_tables(gray, DPI))


@pytest.fixture(scope="module")
def flat():
    gray = ruled_page()
    return gray, _cells(gray)


def _parallel_within(quad: np.ndarray, degrees: float) -> bool:
    q = np.asarray(quad)
    angle = lambda a, b: np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0]))  # noqa: E731
    top, bottom = angle(q[0], q[1]), angle(q[3], q[2])
    left, right = angle(q[0], q[3]), angle(q[1], q[2])
    return abs(top - bottom) < degrees and abs(left - right) < degrees and abs(top) < degrees


@pytest.mark.parametrize("share,far,desk", [
    (0.03, "top", 40), (0.06, "bottom", 90), (0.10, "left", 30), (0.10, "right", None),
    (0.05, "top", None), (0.08, "right", 70), (0.10, "top", 60), (0.04, "left", 100),
])
def test_keystone_is_corrected_and_the_grid_found_as_on_the_flat_page(flat, share, far, desk):
    gray, flat_cells = flat
    photo = photograph(gray, keystone_homography(*gray.shape[::-1], share, far), desk)
    result = perspective.rectify(cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), photo)
    assert result is not None
    _image, upright, step = result
    frame = perspective.find_table_frame(upright)
    assert frame is not None
    assert perspective.keystone(frame) < perspective.KEYSTONE_MIN
    assert _parallel_within(frame, 0.3)
    assert _cells(upright) == flat_cells
    if desk is not None:  # the desk is cropped: no dark border left
        assert upright[:5].min() > 200 and upright[-5:].min() > 200
        # the page keeps its scale: mean sides of the warped sheet close to the page's own
        assert abs(upright.shape[1] / gray.shape[1] - 1) < 0.05


def test_a_flat_scan_is_left_as_it_is(flat):
    gray, _ = flat
    assert perspective.rectify(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), gray) is None
    turned = cv2.warpAffine(gray, cv2.getRotationMatrix2D((620, 877), 1.5, 1.0), gray.shape[::-1], borderValue=255)
    assert perspective.rectify(cv2.cvtColor(turned, cv2.COLOR_GRAY2BGR), turned) is None  # skew is deskew's


def test_a_straight_photo_on_a_desk_is_cropped(flat):
    gray, flat_cells = flat
    photo = photograph(gray, np.eye(3), desk=50)
    _image, upright, step = perspective.rectify(cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), photo)
    assert abs(upright.shape[0] - gray.shape[0]) < 8 and abs(upright.shape[1] - gray.shape[1]) < 8
    assert step["paper_px"][0] == pytest.approx(gray.shape[1], rel=0.01)
    assert _cells(upright) == flat_cells


def test_a_point_maps_back_to_the_original_photo(flat):
    gray, _ = flat
    truth = keystone_homography(*gray.shape[::-1], 0.08, "left")
    photo = photograph(gray, truth, desk=40, margin=100)
    _image, upright, step = perspective.rectify(cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), photo)
    transform = perspective.compose(None, step, np.asarray(step["matrix"]))
    # the frame's top-left corner, (120, 300) on the page as drawn, found on the upright page
    corner = perspective.find_table_frame(upright)[0]
    dpi = 150.0
    x_pt, y_pt = corner[0] * 72 / dpi, corner[1] * 72 / dpi
    ox, oy = perspective.to_original(transform, dpi, x_pt, y_pt)
    expected = cv2.perspectiveTransform(np.array([[[120, 300]]], np.float64), truth)[0, 0] + 100
    assert np.hypot(ox - expected[0], oy - expected[1]) < 4
    assert perspective.to_page(transform, dpi, ox, oy) == pytest.approx((x_pt, y_pt), abs=1e-6)


def test_page_transform_composes_quarter_turns_deskew_and_scale():
    from pipeline import imaging

    img = np.zeros((30, 50), np.uint8)
    img[7, 11] = 255
    transform = perspective.compose(None, {"kind": "scale"}, perspective.scale_matrix(2.0, 2.0))
    big = cv2.resize(img, (100, 60), interpolation=cv2.INTER_NEAREST)
    transform = perspective.compose(transform, {"kind": "rotate"}, perspective.quarter_turns_matrix(3, 100, 60))
    turned = imaging.rotate90(big, 3)
    ys, xs = np.nonzero(turned)
    # the point's 2×2 block on the turned page maps back onto the one pixel it came from
    for x, y in zip(xs, ys):
        ox, oy = perspective.to_original(transform, 72.0, float(x), float(y))
        assert round(ox) == 11 and round(oy) == 7
    m = perspective.deskew_matrix(2.0, 50, 30)
    assert np.allclose(m[:2], cv2.getRotationMatrix2D((25, 15), -2.0, 1.0))
