"""Perspective: a photographed page made flat, and every page transform kept invertible.

WHY: a phone photo of a form is keystoned (the far side of the page is shorter), so its ruling
lines converge and no single deskew angle makes them level; the grid detector then smears each
line over many pixels. The page is a plane, so one homography makes it flat again. It is
estimated from the table's outer frame (the largest ruled quadrilateral: crisp, long, straight
lines) or, when there is none, from the paper's edges against a darker desk; the page is warped
to a rectangle of the same mean side lengths (the dpi stays what it was) and the desk around the
paper is cropped away. A flat scan is not touched: no desk around it and a frame whose opposite
sides are equal (within KEYSTONE_MIN) leave the image as it was, byte for byte.

Every step of the scanned path that moves pixels (perspective, upscaling, quarter turns,
deskew) is a 3×3 matrix from the pixels it read to the pixels it wrote; `compose` keeps their
product in Page.transform, so `to_original` maps a point on the upright page back onto the
image file as it came.

Points are (x, y) in pixels; quadrilaterals are 4×2 float arrays ordered top-left, top-right,
bottom-right, bottom-left.
"""

from __future__ import annotations

import cv2
import numpy as np

# Opposite sides of the frame (or paper) differing by more than this share are a keystone worth
# correcting; below it the grid detector's tolerances absorb the convergence, and a flat scan's
# frame (sides equal to a pixel or two) is never warped.
KEYSTONE_MIN = 0.01
# Detection runs on a copy this long (px): fast, and the fitted sides are refined on many points.
DETECT_LONG_SIDE = 1400
# The paper: a bright region covering at least this share of the image, brighter than what lies
# around it by at least DESK_CONTRAST grey levels (a desk, a table top, a dark scanner lid).
PAPER_MIN_AREA = 0.2
DESK_CONTRAST = 40
# A desk must show: at least this share of the image outside the paper, or the "paper" is the
# scan's own page and its edge a shadow or a grey margin.
DESK_MIN_AREA = 0.02
# The sheet's outline is eroded by this share of the page before the desk outside it is whitened.
PAPER_EDGE_SHARE = 0.004
# The table frame: the largest connected ruling, at least this share of the page area, whose four
# fitted sides each run along ink for at least FRAME_SIDE_INK of their length.
FRAME_MIN_AREA = 0.12
FRAME_SIDE_INK = 0.85
# Points within this share of a side's length of its corners are left out when a side is fitted
# (corners are where the neighbouring side's pixels, and seal ink, crowd in).
CORNER_SKIP = 0.08
# A side is fitted to the ink within this many detection px of its first estimate.
SIDE_BAND_PX = 6


def order_quad(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left (by coordinate sums)."""
    p = np.asarray(points, np.float64).reshape(-1, 2)
    total, diff = p.sum(axis=1), p[:, 1] - p[:, 0]
    return np.array([p[np.argmin(total)], p[np.argmin(diff)], p[np.argmax(total)], p[np.argmax(diff)]])


def side_lengths(quad: np.ndarray) -> tuple[float, float, float, float]:
    """(top, right, bottom, left) side lengths of an ordered quadrilateral."""
    q = np.asarray(quad, np.float64)
    return tuple(float(np.hypot(*(q[(i + 1) % 4] - q[i]))) for i in range(4))


def keystone(quad: np.ndarray) -> float:
    """How much opposite sides differ: max over the two pairs of |a - b| / max(a, b)."""
    top, right, bottom, left = side_lengths(quad)
    return max(abs(top - bottom) / max(top, bottom, 1e-9), abs(left - right) / max(left, right, 1e-9))


def _detection_copy(gray: np.ndarray) -> tuple[np.ndarray, float]:
    f = min(1.0, DETECT_LONG_SIDE / max(gray.shape[:2]))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    return small, f


def _intersect(line_a: np.ndarray, line_b: np.ndarray) -> np.ndarray:
    """Where two lines (vx, vy, x0, y0) cross."""
    (ax, ay, px, py), (bx, by, qx, qy) = line_a, line_b
    det = ax * (-by) - ay * (-bx)
    if abs(det) < 1e-9:
        raise ValueError("parallel sides")
    t = ((qx - px) * (-by) - (qy - py) * (-bx)) / det
    return np.array([px + t * ax, py + t * ay])


def _refine(points: np.ndarray, quad: np.ndarray, band: float) -> np.ndarray | None:
    """The quad with each side re-fitted (robustly) to the points near it; None when one has too few."""
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        length = float(np.hypot(*d))
        if length < 10:
            return None
        u = d / length
        rel = points - a
        along = rel @ u
        across = rel @ np.array([-u[1], u[0]])
        near = (np.abs(across) <= band) & (along > CORNER_SKIP * length) & (along < (1 - CORNER_SKIP) * length)
        if np.count_nonzero(near) < 20:
            return None
        lines.append(cv2.fitLine(points[near].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel())
    try:
        return np.array([_intersect(lines[(i + 3) % 4], lines[i]) for i in range(4)])
    except ValueError:
        return None


def find_paper(gray: np.ndarray) -> np.ndarray | None:
    """Corners (full-size px) of a sheet of paper lying on a darker desk, or None.

    Otsu's threshold on a blurred small copy splits paper from desk; the largest bright region is
    the sheet. It counts only with a desk around it (DESK_MIN_AREA, DESK_CONTRAST): a scan is all
    paper, and its page must never be "found" in its own margins.
    """
    small, f = _detection_copy(gray)
    blurred = cv2.GaussianBlur(small, (0, 0), 2.0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # close the paper over its own dark text and ruling so its outline is the sheet's edge
    k = max(3, int(min(small.shape) * 0.02)) | 1
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    area = small.shape[0] * small.shape[1]
    if cv2.contourArea(sheet) < PAPER_MIN_AREA * area:
        return None
    mask = np.zeros(small.shape, np.uint8)
    cv2.drawContours(mask, [sheet], -1, 255, thickness=cv2.FILLED)
    outside = mask == 0
    if np.count_nonzero(outside) < DESK_MIN_AREA * area:
        return None
    if float(np.median(blurred[~outside])) - float(np.median(blurred[outside])) < DESK_CONTRAST:
        return None
    hull = cv2.convexHull(sheet).reshape(-1, 2)
    quad = _refine(sheet.reshape(-1, 2).astype(np.float64), order_quad(hull), SIDE_BAND_PX)
    return None if quad is None else quad / f


def find_table_frame(gray: np.ndarray, within: np.ndarray | None = None) -> np.ndarray | None:
    """Corners (full-size px) of the page's largest ruled table's outer frame, or None.

    The ruling of a table is one connected piece of ink (every line meets the frame), the largest
    on a form page; its hull's extreme corners are a first estimate, each side is then re-fitted
    to the ink along it (robust to a seal or a title touching the frame), and the frame counts
    only when ink runs along all four fitted sides.
    """
    from pipeline import imaging

    small, f = _detection_copy(gray)
    binary = imaging.binarize(small)
    if within is not None:  # the desk's texture is no ruling
        keep = np.zeros(small.shape, np.uint8)
        cv2.fillPoly(keep, [np.round(within * f).astype(np.int32)], 255)
        binary = cv2.bitwise_and(binary, cv2.erode(keep, np.ones((9, 9), np.uint8)))
    # bridge one-pixel breaks in faded ruling before asking what is connected
    joined = cv2.dilate(binary, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if n < 2:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT]))
    box_area = stats[largest, cv2.CC_STAT_WIDTH] * stats[largest, cv2.CC_STAT_HEIGHT]
    if box_area < FRAME_MIN_AREA * small.shape[0] * small.shape[1]:
        return None
    ys, xs = np.nonzero((labels == largest) & (binary > 0))
    points = np.column_stack([xs, ys]).astype(np.float64)
    hull = cv2.convexHull(points.astype(np.float32)).reshape(-1, 2)
    quad = _refine(points, order_quad(hull), SIDE_BAND_PX)
    if quad is None or min(side_lengths(quad)) < 0.1 * min(small.shape):
        return None
    if min(_ink_along(joined, quad[i], quad[(i + 1) % 4]) for i in range(4)) < FRAME_SIDE_INK:
        return None
    return quad / f


def _ink_along(binary: np.ndarray, a: np.ndarray, b: np.ndarray, samples: int = 200) -> float:
    """Share of points on segment a-b that fall on ink."""
    t = np.linspace(0.0, 1.0, samples)
    xs = np.clip(np.round(a[0] + t * (b[0] - a[0])).astype(int), 0, binary.shape[1] - 1)
    ys = np.clip(np.round(a[1] + t * (b[1] - a[1])).astype(int), 0, binary.shape[0] - 1)
    return float(np.count_nonzero(binary[ys, xs])) / samples


def rectify(image: np.ndarray, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict] | None:
    """(image, gray, step) with the page flattened and the desk cropped, or None when it needs neither.

    `step` records it: {"kind": "perspective", "corners": the four source corners the homography
    was fitted to, "source": "frame" | "paper", "keystone": ..., "matrix": 3×3 original → warped}.
    """
    paper = find_paper(gray)
    frame = find_table_frame(gray, within=paper)
    if frame is not None and keystone(frame) > KEYSTONE_MIN:
        corners, source = frame, "frame"
    elif paper is not None:
        corners, source = (frame, "frame") if frame is not None else (paper, "paper")
    else:
        return None  # flat, no desk: as scanned
    top, right, bottom, left = side_lengths(corners)
    width, height = (top + bottom) / 2, (left + right) / 2
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64)
    homography = cv2.getPerspectiveTransform(corners.astype(np.float32), target.astype(np.float32))
    h, w = gray.shape[:2]
    # the output holds the paper (cropping the desk) or, with no desk seen, the whole image
    outline = paper if paper is not None else np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    mapped = cv2.perspectiveTransform(outline.reshape(-1, 1, 2).astype(np.float64), homography).reshape(-1, 2)
    x0, y0 = np.floor(mapped.min(axis=0))
    x1, y1 = np.ceil(mapped.max(axis=0))
    # never grow the page beyond twice its size: a wild fit must not cost the memory of the run
    x0, y0 = max(x0, -width), max(y0, -height)
    x1, y1 = min(x1, 2 * width), min(y1, 2 * height)
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    matrix = shift @ homography
    size = (int(x1 - x0), int(y1 - y0))
    warped_image = _warp(image, matrix, size)
    warped_gray = _warp(gray, matrix, size)
    if paper is not None:  # the desk in the corners of the output's box becomes paper
        sheet = np.zeros((size[1], size[0]), np.uint8)
        cv2.fillPoly(sheet, [np.round(mapped - [x0, y0]).astype(np.int32)], 255)
        # the sheet's edge itself (blur, its shadow on the desk) goes with the desk
        edge = max(3, int(PAPER_EDGE_SHARE * min(size))) | 1
        desk = cv2.erode(sheet, np.ones((edge, edge), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0) == 0
        warped_image[desk] = 255
        warped_gray[desk] = 255
    step = {"kind": "perspective", "source": source, "keystone": round(keystone(corners), 4),
            "corners": np.round(corners, 2).tolist(), "matrix": matrix.tolist()}
    if paper is not None:  # the sheet's size on the flat page: a ruler when the file's dpi is unknown
        top, right, bottom, left = side_lengths(mapped)
        step["paper_px"] = [round((top + bottom) / 2, 1), round((left + right) / 2, 1)]
    return warped_image, warped_gray, step


def _warp(img: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    white = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpPerspective(img, matrix, size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=white)


# --- the page transform: original image px → upright page px -------------------------------

def quarter_turns_matrix(k: int, width: int, height: int) -> np.ndarray:
    """imaging.rotate90(img, k) as a matrix on pixel centres; width, height of the image turned."""
    m = np.eye(3)
    w, h = width, height
    for _ in range(k % 4):  # one counter-clockwise turn: (x, y) → (y, w - 1 - x)
        m = np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], np.float64) @ m
        w, h = h, w
    return m


def deskew_matrix(degrees: float, width: int, height: int) -> np.ndarray:
    """imaging.deskew(img, degrees) as a matrix (the same getRotationMatrix2D)."""
    m = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -degrees, 1.0)
    return np.vstack([m, [0, 0, 1]])


def scale_matrix(sx: float, sy: float) -> np.ndarray:
    """cv2.resize by (sx, sy) on pixel centres: x' = (x + 0.5) * sx - 0.5."""
    return np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]], np.float64)


def compose(transform: dict | None, step: dict, matrix: np.ndarray) -> dict:
    """Page.transform with one more step appended; its "matrix" maps the original onto the latest."""
    transform = dict(transform or {"steps": [], "matrix": np.eye(3).tolist()})
    transform["steps"] = [*transform["steps"], {**step, "matrix": np.asarray(matrix).tolist()}]
    transform["matrix"] = (np.asarray(matrix) @ np.asarray(transform["matrix"])).tolist()
    return transform


def to_original(transform: dict | None, dpi: float, x_pt: float, y_pt: float) -> tuple[float, float]:
    """A point on the upright page (PDF points, top-left origin) as px on the original image."""
    px = np.array([x_pt * dpi / 72.0, y_pt * dpi / 72.0, 1.0])
    if transform:
        px = np.linalg.inv(np.asarray(transform["matrix"], np.float64)) @ px
    return float(px[0] / px[2]), float(px[1] / px[2])


def to_page(transform: dict | None, dpi: float, x_px: float, y_px: float) -> tuple[float, float]:
    """A point on the original image (px) as PDF points on the upright page (to_original's inverse)."""
    p = np.array([x_px, y_px, 1.0])
    if transform:
        p = np.asarray(transform["matrix"], np.float64) @ p
    return float(p[0] / p[2] * 72.0 / dpi), float(p[1] / p[2] * 72.0 / dpi)
