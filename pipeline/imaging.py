"""Small pure functions on page images, for the scanned-page path.

Every function takes and returns numpy uint8 arrays and keeps no state, so
each step of the scan path (seal removal → orientation → deskew → binarise →
grid → OCR) can be tested and timed on its own.

Conventions
    colour images are BGR (OpenCV's order), shape (h, w, 3);
    grey images are dark ink on white paper, shape (h, w);
    binary images are ink = 255 on background = 0 (OpenCV's morphology and
    connected components treat non-zero as the foreground);
    boxes are (x0, y0, x1, y1) in pixels, x1 / y1 exclusive;
    angles are degrees, positive = the content is turned counter-clockwise
    as seen on screen (OpenCV's getRotationMatrix2D convention).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

# --- seals -----------------------------------------------------------------

# A pixel is "coloured" when its brightest channel exceeds its dimmest by this
# much. JPEG chroma fringes around black glyphs stay below it (~20-40); seal
# ink, even faded, is well above it (~80-200).
SEAL_MIN_CHROMA = 50
# Seal ink is bright (its own channel ~180-255 on a scan). Coloured pixels whose
# brightest channel is darker than this are kept as ink: a signer's name written
# or printed in dark red (the sample forms' "邵发亮" is BGR ~(20, 31, 115)) is
# content the pipeline reads, not a stamp.
SEAL_MIN_BRIGHTNESS = 150
# The level that counts as "pure seal" is this percentile of the seal pixels'
# brightest channel; lower percentiles whiten more of the seal's uneven ink.
SEAL_LEVEL_PERCENTILE = 40


def suppress_seals(bgr: np.ndarray, min_chroma: int = SEAL_MIN_CHROMA,
                   min_brightness: int = SEAL_MIN_BRIGHTNESS) -> np.ndarray:
    """Grey page with red and blue stamp ink removed, black ink kept.

    WHY: official forms carry a red seal (公章) stamped over the reporting unit,
    the table and often the ruling lines. A plain grey conversion turns red into
    a mid-grey that binarises as ink: it crosses cells, breaks OCR and adds
    phantom ruling. Stamp ink absorbs only its complementary light, so in the
    channel of its own colour (R for red, B for blue) the seal is nearly
    invisible while black text under it stays dark. The grey value is the
    brightest channel; where a pixel is clearly red or blue, that channel is
    stretched so the seal's own level becomes white, which also gives back the
    anti-aliased edge of black text printed under the seal (ink multiplies:
    text * seal / seal = text). Pixels dark in all channels are untouched, and
    so is dark-red writing (see SEAL_MIN_BRIGHTNESS).

    A grey (2-D) image is returned as a copy: colour is gone, nothing to do.
    """
    if bgr.ndim == 2:
        return bgr.copy()
    if bgr.ndim != 3 or bgr.shape[2] < 3:
        raise ValueError(f"expected a BGR image, got shape {bgr.shape}")
    b, g, r = (bgr[:, :, i] for i in range(3))
    hi = np.maximum(np.maximum(b, g), r)
    lo = np.minimum(np.minimum(b, g), r)
    out = hi.copy()
    coloured = (hi.astype(np.int16) - lo >= min_chroma) & (hi >= min_brightness)
    # red / magenta / blue: green is never the dominant channel of a seal
    # (yellow-ish pixels count as red, which also removes highlighter marks)
    reddish = coloured & (r >= g) & (r >= b)
    bluish = coloured & (b > r) & (b >= g)
    for mask in (reddish, bluish):
        n = int(np.count_nonzero(mask))
        if n < 20:  # a few fringe pixels: not a seal
            continue
        level = float(np.percentile(hi[mask], SEAL_LEVEL_PERCENTILE))
        level = max(level, float(min_brightness))
        stretched = hi[mask].astype(np.float32) * (255.0 / level)
        out[mask] = np.clip(stretched, 0, 255).astype(np.uint8)
    return out


# Round seals: official seals (公章, 财务章) are 38-45 mm across; 28 mm is the
# smallest round stamp looked for (smaller circles are too easily "found" in
# the cells of a table, and a wrong ring costs real ruling).
SEAL_MIN_RADIUS_MM = 14.0
SEAL_MAX_RADIUS_MM = 25.0
# A candidate circle is a seal ring when ink lies along at least this share of it
# (a stamped ring is nearly closed; the circle inscribed in a table cell, which
# a Hough transform also proposes, touches ink at four short tangents only)...
SEAL_MIN_COVERAGE = 0.6
# ...and the ring stands out: 2 mm inside and outside it there is clearly less
# ink than on it. A circle drawn through dense text or ruling has ink
# everywhere, on it and beside it alike.
SEAL_MIN_CONTRAST = 0.3
_HOUGH_DPI = 75.0  # circles are found on a small copy: fast, and text blurs away
_RING_SAMPLES = 360


def find_seal_rings(image: np.ndarray, dpi: float, min_coverage: float = SEAL_MIN_COVERAGE,
                    binary: np.ndarray | None = None) -> list[tuple[float, float, float]]:
    """Round stamp rings on a page as (cx, cy, radius) in px, found by shape, not colour.

    WHY: on a grey scan (or a photocopy) the red seal is just more dark ink;
    suppress_seals cannot see it, and a seal stamped over the table puts an
    arc between two ruling lines that looks like one more column border. The
    ring itself is easy to find: a Hough circle search on a 75-dpi copy
    proposes circles of seal size, each is then fitted to the full-resolution
    ink (a small search over centre and radius) and kept only if ink covers
    most of its circumference. The grid detector drops ruling pieces that lie
    along a ring.
    """
    if binary is None:
        binary = ensure_binary(image)
    gray = image if image.ndim == 2 else to_gray(image)
    if set(np.unique(gray[::97, ::97]).tolist()) <= {0, 255}:
        gray = np.where(binary > 0, np.uint8(0), np.uint8(255))  # binary in: Hough wants dark on light
    f = min(1.0, _HOUGH_DPI / dpi)
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    small = cv2.GaussianBlur(small, (5, 5), 1.5)
    px_per_mm = dpi / 25.4
    r_min, r_max = SEAL_MIN_RADIUS_MM * px_per_mm * f, SEAL_MAX_RADIUS_MM * px_per_mm * f
    found = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT_ALT, 1.5, r_min, param1=150, param2=0.5,
                             minRadius=int(r_min), maxRadius=int(np.ceil(r_max)))
    if found is None:
        return []
    # ink within ~0.5 mm of the circle counts: rings are ~1 mm wide and imperfect
    near = cv2.dilate(binary, cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (max(3, int(px_per_mm)) | 1,) * 2))
    rings: list[tuple[float, float, float, float]] = []
    for cx, cy, r in found[0][:12]:
        if _coverage(near, cx / f, cy / f, r / f) < min_coverage / 2:
            continue  # nowhere near a ring: not worth fitting
        x, y, rr = _fit_ring(binary, cx / f, cy / f, r / f, px_per_mm)
        cover = _coverage(near, x, y, rr)
        if cover < min_coverage:
            continue
        beside = max(_coverage(near, x, y, rr - 2 * px_per_mm), _coverage(near, x, y, rr + 2 * px_per_mm))
        if cover - beside >= SEAL_MIN_CONTRAST:
            rings.append((x, y, rr, cover))
    rings.sort(key=lambda c: -c[3])
    kept: list[tuple[float, float, float]] = []
    for cx, cy, r, _ in rings:  # one ring per seal, the best-covered fit
        if all(np.hypot(cx - x, cy - y) > 0.5 * max(r, rr) for x, y, rr in kept):
            kept.append((cx, cy, r))
    return kept


def _coverage(near: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Share of a circle's points that fall on ink."""
    h, w = near.shape
    angles = np.linspace(0, 2 * np.pi, _RING_SAMPLES, endpoint=False)
    xi = np.round(cx + r * np.cos(angles)).astype(np.intp)
    yi = np.round(cy + r * np.sin(angles)).astype(np.intp)
    inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    return float(np.count_nonzero(near[yi[inside], xi[inside]])) / len(angles)


SEAL_MARGIN_MM = 2.5  # the disc cleaned inside a found ring reaches this far past it
# Grey seal ink is only removed when it is clearly lighter than the page's
# black ink: the two ink levels inside the seal must be this far apart.
SEAL_MIN_INK_GAP = 50


def seal_ink_cut(gray: np.ndarray, ring: tuple[float, float, float], dpi: float) -> float | None:
    """The grey level above which ink inside a seal ring is the seal's, or None.

    WHY: on a grey scan a red seal is mid-grey ink; printed text and ruling
    are near black. The seal's own level is read on its ring (the median
    along the fitted circle), the black ink's level is the darkest ink in
    its disc. When the two are SEAL_MIN_INK_GAP or more apart the cut sits
    SEAL_CUT_SHARE of the way from the seal towards the black: seal ink is
    lighter than the cut, black text and ruling (even faded) darker. None
    when the seal is as dark as the text: nothing can separate them by level.
    """
    levels = _seal_levels(gray, ring, dpi)
    if levels is None:
        return None
    ink_level, seal_level = levels
    (y0, y1, x0, x1), mask = seal_disc(gray.shape, ring, dpi)
    paper = float(np.percentile(gray[y0:y1, x0:x1][mask], 90))
    if seal_level - ink_level < SEAL_MIN_INK_GAP or paper - seal_level < 20:
        return None
    return seal_level - SEAL_CUT_SHARE * (seal_level - ink_level)


def seal_disc(shape: tuple[int, ...], ring: tuple[float, float, float], dpi: float):
    """((y0, y1, x0, x1), mask) of a ring's disc plus SEAL_MARGIN_MM, clipped to the page.

    The window is in page pixels; the mask (window-sized, bool) marks the
    disc inside it. None for a ring entirely off the page.
    """
    h, w = shape[:2]
    cx, cy, r = ring
    rr = r + SEAL_MARGIN_MM * dpi / 25.4
    x0, x1 = max(0, int(cx - rr)), min(w, int(np.ceil(cx + rr)) + 1)
    y0, y1 = max(0, int(cy - rr)), min(h, int(np.ceil(cy + rr)) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    yy, xx = np.mgrid[y0:y1, x0:x1]
    return (y0, y1, x0, x1), (xx - cx) ** 2 + (yy - cy) ** 2 <= rr * rr


def whiten_seal_rings(gray: np.ndarray, rings: Sequence[tuple[float, float, float]],
                      dpi: float) -> np.ndarray:
    """Grey page with the mid-grey ink of found seal rings faded to paper.

    WHY: on a grey scan a red seal is mid-grey ink over the text it covers
    (the title, the reporting unit, cells); OCR reads its ring and characters
    as strokes. Inside each ring's disc the grey levels are stretched so
    that the black ink's level (see seal_ink_cut) stays black and the seal's
    own level becomes paper: v' = (v - ink) / (seal - ink) * 255. Text edges
    keep their anti-aliasing (a pixel half-way between black and the seal
    comes out mid-grey), which a hard cut would erase. Seals as dark as the
    text are left alone. Not used by the grid detector (it judges whole
    ruling pieces by level instead, see engines.grid). The scanned path
    applies it to greyscale pages before OCR (stages/scan.py): on the 150-dpi
    grey samples it read better than both no whitening and a hard cut inside
    the ring (pipeline eval on sample_pdfs/scans/150dpi_grey, same code).
    """
    out = gray.copy()
    for ring in rings:
        if seal_ink_cut(gray, ring, dpi) is None:
            continue
        disc = seal_disc(gray.shape, ring, dpi)
        if disc is None:
            continue
        (y0, y1, x0, x1), mask = disc
        levels = _seal_levels(gray, ring, dpi)
        if levels is None:
            continue
        ink, seal = levels
        patch = out[y0:y1, x0:x1].astype(np.float32)
        stretched = np.clip((patch - ink) * (255.0 / max(seal - ink, 1.0)), 0, 255)
        window = out[y0:y1, x0:x1]
        window[mask] = np.maximum(window[mask], stretched[mask].astype(np.uint8))
    return out


def _seal_levels(gray: np.ndarray, ring: tuple[float, float, float], dpi: float) -> tuple[float, float] | None:
    """(black ink level, seal ink level) inside a ring's disc."""
    h, w = gray.shape[:2]
    cx, cy, r = ring
    angles = np.linspace(0, 2 * np.pi, 2 * _RING_SAMPLES, endpoint=False)
    xi = np.round(cx + r * np.cos(angles)).astype(np.intp)
    yi = np.round(cy + r * np.sin(angles)).astype(np.intp)
    on = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    disc = seal_disc(gray.shape, ring, dpi)
    if np.count_nonzero(on) < len(angles) // 2 or disc is None:
        return None
    (y0, y1, x0, x1), mask = disc
    return float(np.percentile(gray[y0:y1, x0:x1][mask], 1)), float(np.median(gray[yi[on], xi[on]]))


# The cut between black ink and seal ink sits this share of the way from the
# seal's level towards the black ink's: close to the seal, so faded ruling and
# grey text (well darker than the seal) survive, while the seal's own uneven
# ink (a little darker than its median) still goes.
SEAL_CUT_SHARE = 0.3


def _fit_ring(binary: np.ndarray, cx: float, cy: float, r: float,
              px_per_mm: float) -> tuple[float, float, float]:
    """Refine a proposed circle so that it runs along the middle of the ring's stroke.

    For a candidate centre, the share of ink along concentric circles is a
    radial profile; at the true centre the ring shows as one sharp peak, off
    centre the peak smears over several radii and drops. The centre with
    the highest peak (profile smoothed over the ~1 mm stroke width) wins:
    first on a coarse grid of ±2.5 mm, then at 1-px steps around the best.
    """
    h, w = binary.shape
    radii = r + np.arange(-3 * px_per_mm, 3 * px_per_mm + 1)
    stroke = max(1, int(round(px_per_mm)))
    kernel = np.ones(stroke) / stroke

    def score(x: float, y: float, samples: int) -> tuple[float, float]:
        angles = np.linspace(0, 2 * np.pi, samples, endpoint=False)
        xi = np.round(x + radii[:, None] * np.cos(angles)[None, :]).astype(np.intp)
        yi = np.round(y + radii[:, None] * np.sin(angles)[None, :]).astype(np.intp)
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        hit = np.zeros(xi.shape, bool)
        hit[inside] = binary[yi[inside], xi[inside]] > 0
        profile = np.convolve(hit.mean(axis=1), kernel, mode="same")
        i = int(np.argmax(profile))
        return float(profile[i]), float(radii[i])

    # coarse grid, fewer samples: the 81 centres at once (one gather instead of 81 small ones)
    step = max(1, int(round(px_per_mm * 0.6)))
    offsets = np.arange(-4, 5) * step
    xs = np.repeat(cx + offsets, len(offsets))  # dx-major, as a loop over dx then dy would go
    ys = np.tile(cy + offsets, len(offsets))
    angles = np.linspace(0, 2 * np.pi, _RING_SAMPLES // 2, endpoint=False)
    xi = np.round(xs[:, None, None] + radii[None, :, None] * np.cos(angles)[None, None, :]).astype(np.intp)
    yi = np.round(ys[:, None, None] + radii[None, :, None] * np.sin(angles)[None, None, :]).astype(np.intp)
    inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    hit = np.zeros(xi.shape, bool)
    hit[inside] = binary[yi[inside], xi[inside]] > 0
    shares = hit.mean(axis=2)
    profiles = np.stack([np.convolve(row, kernel, mode="same") for row in shares])
    peaks, at = profiles.max(axis=1), profiles.argmax(axis=1)
    first = int(np.argmax(peaks))  # the first best centre, as the loop kept it
    best = (float(peaks[first]), float(xs[first]), float(ys[first]), float(radii[at[first]]))
    # then climb in 1-px moves until no neighbour is better
    peak, x, y = score(best[1], best[2], _RING_SAMPLES)[0], best[1], best[2]
    radius = best[3]
    for _ in range(4 * step):
        moves = [(score(x + dx, y + dy, _RING_SAMPLES), x + dx, y + dy)
                 for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))]
        (p, rr), nx, ny = max(moves, key=lambda m: m[0][0])
        if p <= peak:
            break
        peak, radius, x, y = p, rr, nx, ny
    return x, y, radius


def to_gray(img: np.ndarray) -> np.ndarray:
    """Grey version of any page image (BGR via seal suppression, BGRA dropped alpha).

    WHY: every later step wants one channel; going through suppress_seals for
    colour input means no caller forgets the seal.
    """
    if img.ndim == 2:
        return img
    if img.shape[2] == 4:
        img = img[:, :, :3]
    return suppress_seals(img)


# --- binarisation ------------------------------------------------------------

SAUVOLA_WINDOW = 41  # px; a few glyph strokes wide at 150-300 dpi
SAUVOLA_K = 0.18  # 0.2-0.5 in the literature; lower keeps faint lines (a 55-level grey line on white)
SAUVOLA_R = 128.0  # dynamic range of the standard deviation for uint8


def binarize(gray: np.ndarray, window: int = SAUVOLA_WINDOW, k: float = SAUVOLA_K) -> np.ndarray:
    """Ink mask (ink = 255) by Sauvola's local threshold.

    WHY: scans have uneven lighting (a darker spine side, a grey photocopy
    background, faded toner); one global threshold either loses faint ruling
    lines or turns the dark side black. Sauvola compares each pixel with the
    mean and spread of its neighbourhood: T = m * (1 + k * (s / R - 1)). On
    flat paper (s ≈ 0) T sits well below the local mean, so JPEG noise and
    background gradients stay white; near strokes (large s) T rises towards
    the mean, so faint grey lines still count as ink. Computed with box
    filters, so the cost does not depend on the window size.
    """
    window = max(3, int(window) | 1)
    for source, w, kk, mask in _RECENT_MASKS:
        if source is gray and w == window and kk == k:
            return mask
    mask = _sauvola(gray if gray.ndim == 2 else to_gray(gray), window, k)
    # a page's grey is binarised by skew, orientation, grid and OCR alike: kept for the next
    # caller, and both made read-only so that nobody changes one under the other (~60 ms a page)
    gray.flags.writeable = mask.flags.writeable = False
    _RECENT_MASKS.insert(0, (gray, window, k, mask))
    del _RECENT_MASKS[_RECENT_LIMIT:]
    return mask


_RECENT_MASKS: list[tuple[np.ndarray, int, float, np.ndarray]] = []
_RECENT_LIMIT = 2  # the page's grey before and after deskewing


def _sauvola(gray: np.ndarray, window: int, k: float) -> np.ndarray:
    f = gray.astype(np.float32)
    mean = cv2.boxFilter(f, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REPLICATE)
    sq = cv2.boxFilter(f * f, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REPLICATE)
    std = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    thresh = mean * (1.0 + k * (std / SAUVOLA_R - 1.0))
    return np.where(f < thresh, np.uint8(255), np.uint8(0))


def ensure_binary(img: np.ndarray) -> np.ndarray:
    """Ink mask from a colour, grey or already binary page.

    WHY: callers may hand in a binary image in either polarity. Ink is the
    minority on any page, so for a two-valued image the rarer value is ink.
    """
    if img.ndim == 3:
        img = to_gray(img)
    values = np.unique(img[:: max(1, img.shape[0] // 256), :: max(1, img.shape[1] // 256)])
    if len(values) <= 2 and set(values.tolist()) <= {0, 1, 255}:
        mask = img > 0
        if np.count_nonzero(mask) > mask.size / 2:
            mask = ~mask
        return np.where(mask, np.uint8(255), np.uint8(0))
    return binarize(img)


def ink_ratio(binary: np.ndarray, box: Sequence[float], inset: float = 0.0) -> float:
    """Share of ink pixels in a box (0..1), `inset` px trimmed from every side.

    WHY: most cells of a form are empty (the 备注 column, "/" rows); sending
    them to OCR costs time and invites hallucinated text. A cell whose inside,
    minus a few px of border remnants (the inset), holds almost no ink can be
    skipped.
    """
    h, w = binary.shape[:2]
    x0 = int(round(max(0.0, box[0] + inset)))
    y0 = int(round(max(0.0, box[1] + inset)))
    x1 = int(round(min(float(w), box[2] - inset)))
    y1 = int(round(min(float(h), box[3] - inset)))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    crop = binary[y0:y1, x0:x1]
    return float(np.count_nonzero(crop)) / crop.size


# --- skew ---------------------------------------------------------------------

MAX_SKEW = 5.0  # degrees; a scanner feed or phone photo of a flat page stays inside
_SKEW_COARSE_STEP = 0.25
_SKEW_FINE_STEP = 0.02
_SKEW_MAX_POINTS = 250_000


def estimate_skew(gray: np.ndarray, max_angle: float = MAX_SKEW) -> float:
    """The page's rotation in degrees (positive = counter-clockwise), |angle| ≤ max_angle.

    WHY: the grid detector looks for horizontal and vertical ruling and maps
    cells to rows by position; a page fed 1-2° crooked smears each ruling line
    over tens of pixels. A projection-profile search is used: shear the ink
    pixels by each candidate angle and keep the angle whose row histogram is
    sharpest (sum of squared counts). Ruling lines and text lines both peak
    when level, so the estimate works on tables and on plain text, and it does
    not depend on detecting lines first. Coarse 0.25° steps, then 0.02° steps
    around the best; ~0.02° precision.
    """
    binary = ensure_binary(gray)
    ys, xs = np.nonzero(binary)
    if len(xs) < 50:
        return 0.0
    stride = max(1, len(xs) // _SKEW_MAX_POINTS)
    xs = xs[::stride].astype(np.float32)
    ys = ys[::stride].astype(np.float32)
    xs -= binary.shape[1] / 2.0  # shear about the centre: shifts stay small
    offset = binary.shape[0] / 2.0 + abs(binary.shape[1] * np.tan(np.radians(max_angle)))
    n_bins = int(binary.shape[0] + 2 * offset) + 2

    def score(angle: float) -> float:
        # content turned counter-clockwise by `angle`: y = y0 - x*tan(angle)
        rows = np.rint(ys + xs * np.float32(np.tan(np.radians(angle))) + offset).astype(np.int32)
        hist = np.bincount(rows, minlength=n_bins).astype(np.float64)
        return float(np.dot(hist, hist))

    coarse = np.arange(-max_angle, max_angle + 1e-9, _SKEW_COARSE_STEP)
    # ties (a shear under half a pixel across the page changes no bin) go to
    # the smaller angle: 0 for a straight page, not the first angle tried
    best = max(coarse, key=lambda a: (score(a), -abs(a)))
    n_fine = int(round(_SKEW_COARSE_STEP / _SKEW_FINE_STEP))
    fine = best + _SKEW_FINE_STEP * np.arange(-n_fine, n_fine + 1)  # centred: best itself is tried
    best = max(fine, key=lambda a: (score(a), -abs(a)))
    return float(np.clip(round(float(best), 3), -max_angle, max_angle))


def deskew(img: np.ndarray, degrees: float, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Rotate the page back by `degrees` about its centre; same size, white border.

    WHY: undoing the skew before grid detection keeps ruling lines one pixel
    row / column each, so the tolerances of the grid detector stay small. The
    size is kept so that pixel coordinates (and the px → pt scale) do not
    change; the corners lost to a ≤5° turn are page margin. Pass the result of
    estimate_skew: deskew(img, estimate_skew(gray)).
    """
    if abs(degrees) < 1e-3:
        return img.copy()
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), -degrees, 1.0)
    white = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (w, h), flags=interpolation,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=white)


# --- coarse orientation -------------------------------------------------------

def rotate90(img: np.ndarray, k: int) -> np.ndarray:
    """Turn the image counter-clockwise by k quarter turns (numpy's rot90).

    WHY: quarter turns are exact (no interpolation, no lost corners), so a
    page scanned sideways or upside down is fixed losslessly.
    """
    return np.ascontiguousarray(np.rot90(img, k % 4))


def ruling_and_text(binary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ruling, text) masks of an ink mask: ruling is any run longer than 1/15 of the page in
    either direction; text is the rest of the ink, a pixel clear of the ruling."""
    h, w = binary.shape
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, w // 15), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, h // 15)))
    ruling = cv2.morphologyEx(binary, cv2.MORPH_OPEN, hk) | cv2.morphologyEx(binary, cv2.MORPH_OPEN, vk)
    return ruling, cv2.subtract(binary, cv2.dilate(ruling, np.ones((3, 3), np.uint8)))


def text_direction_scores(gray: np.ndarray, text: np.ndarray | None = None) -> tuple[float, float]:
    """(horizontal, vertical): how strongly the page's text runs along each axis.

    WHY: ruling lines cannot tell a sideways page (a form has long rules in
    both directions), but text can: Chinese glyphs sit almost touching along a
    line and a clear gap apart between lines. Smearing the ink (ruling removed)
    by about one glyph along an axis merges glyphs into long thin line blobs
    only if text runs along that axis. Each score is the ink area of blobs at
    least 3x longer than thick after smearing along that axis. `text`: the page's text mask
    (ruling_and_text), where the caller has it already.
    """
    if text is None:
        _, text = ruling_and_text(ensure_binary(gray))
    h, w = text.shape
    n, _, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    sizes = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    sizes = sizes[(sizes >= 4) & (sizes <= min(h, w) // 10)]
    if len(sizes) < 10:
        return 0.0, 0.0
    # CJK glyphs break into several components (radicals); the upper quartile
    # of component sizes is close to one glyph
    em = int(np.percentile(sizes, 75))
    gap = max(3, int(round(em * 0.8)))

    def score(kernel: tuple[int, int], along_x: bool) -> float:
        smeared = cv2.morphologyEx(text, cv2.MORPH_CLOSE,
                                   cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        m, _, st, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
        ww, hh, area = st[1:, cv2.CC_STAT_WIDTH], st[1:, cv2.CC_STAT_HEIGHT], st[1:, cv2.CC_STAT_AREA]
        long_, thick = (ww, hh) if along_x else (hh, ww)
        keep = (long_ >= 3 * thick) & (thick <= 3 * em) & (thick >= em // 3)
        return float(area[keep].sum())

    return score((gap, 1), True), score((1, gap), False)


def is_sideways(gray: np.ndarray, margin: float = 1.5) -> bool:
    """Whether the text runs top-to-bottom, i.e. the page is turned 90° or 270°.

    WHY: a form fed sideways must be turned a quarter before grid detection
    and OCR. Only the axis is decided here; which of the two quarter turns is
    right (like 0° vs 180°) needs a text classifier, see orientation_candidates.
    `margin`: the vertical score must beat the horizontal one by this factor,
    so a page with little text is left as it is.
    """
    horizontal, vertical = text_direction_scores(gray)
    return vertical > margin * max(horizontal, 1.0)


def orientation_candidates(gray: np.ndarray) -> list[int]:
    """Counter-clockwise quarter turns (for rotate90) that may make the page upright.

    [0, 2] for a page whose text runs left-right (upright or upside down),
    [1, 3] for a sideways one. The first is the likelier: for sideways
    scans, pages turned clockwise by the scanner (needing one counter-clockwise
    turn) are the common case. Lines cannot tell 0 from 180 (nor 90 from 270);
    an OCR orientation classifier picks between the two candidates.
    """
    return [1, 3] if is_sideways(gray) else [0, 2]


# --- text lines and phrases inside a cell ------------------------------------------

BORDER_FILL = 0.5  # a row / column this full of ink at the crop's edge is a ruling remnant


def trim_borders(binary_crop: np.ndarray, max_depth: int | None = None,
                 fill: float = BORDER_FILL) -> np.ndarray:
    """Copy of a cell crop with ruling-line remnants along its edges erased.

    WHY: a cell crop cut from grid coordinates usually catches a few pixels of
    the cell's own borders (line thickness, residual skew). Those rows and
    columns are nearly full of ink and would make one tall "text line" of
    the whole cell. Within `max_depth` px of each edge (default 20% of the
    crop), a row / column is a remnant when it is more than `fill` full and
    touches the edge (or a remnant row next to it), or when it is almost
    entirely ink (BORDER_FILL_DEEP) wherever it lies; it is erased together
    with everything between it and the edge. The top strokes of a line of
    glyphs near the edge fill much less than a ruling line does, and stay.
    """
    out = (binary_crop > 0).astype(np.uint8) * 255
    h, w = out.shape
    if h == 0 or w == 0:
        return out
    for axis, size, length in ((0, h, w), (1, w, h)):
        depth = max_depth if max_depth is not None else max(3, int(size * 0.2))
        depth = min(depth, size)
        share = np.count_nonzero(out, axis=1 - axis) / float(length)
        head = _edge_cut(share[:depth], fill)
        tail = _edge_cut(share[::-1][:depth], fill)
        if axis == 0:
            if head >= 0:
                out[: head + 1, :] = 0
            if tail >= 0:
                out[size - 1 - tail:, :] = 0
        else:
            if head >= 0:
                out[:, : head + 1] = 0
            if tail >= 0:
                out[:, size - 1 - tail:] = 0
    return out


BORDER_FILL_DEEP = 0.9  # a row this full is ruling even a few px in from the edge
_BORDER_SLACK = 2  # px: a remnant may start this far from the crop's edge


def _edge_cut(share: np.ndarray, fill: float) -> int:
    """Index of the innermost remnant row counted from an edge, -1 if none."""
    cut = -1
    for i, f in enumerate(share):
        if f > BORDER_FILL_DEEP or (f > fill and (i <= _BORDER_SLACK or cut == i - 1)):
            cut = i
    return cut


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start / end (exclusive) of each run of True in a 1-D mask."""
    if not len(mask):
        return []
    padded = np.concatenate(([False], mask.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(edges[i]), int(edges[i + 1])) for i in range(0, len(edges), 2)]


def text_line_bands(binary_crop: np.ndarray, min_gap: int = 1, min_ink: int = 2,
                    trim: bool = True) -> list[tuple[int, int]]:
    """Text lines in a cell crop as (y0, y1) bands, top to bottom (y1 exclusive).

    WHY: OCR recognisers read one line at a time, and a cell whose text wraps
    ("年度本级预算金\\n额") must be read line by line and joined with "\\n"
    like the digital path does. The horizontal projection (ink per row) is
    zero between lines. Border remnants are trimmed first (see trim_borders).
    Rows with fewer than `min_ink` ink pixels count as blank (specks, JPEG
    noise); gaps up to `min_gap` rows do not split. A band much thinner than
    the others (the strokes of "二", an underscore) is merged into its nearest
    neighbour rather than reported as a line; an isolated speck band is dropped.
    """
    b = trim_borders(binary_crop) if trim else binary_crop
    if b.size == 0:
        return []
    profile = np.count_nonzero(b, axis=1)
    bands = _runs(profile >= min_ink)
    bands = _close_gaps(bands, min_gap)
    if not bands:
        return []
    heights = [y1 - y0 for y0, y1 in bands]
    typical = float(np.median(heights)) if len(bands) > 2 else float(max(heights))
    changed = True
    while changed and len(bands) > 1:
        changed = False
        for i, (y0, y1) in enumerate(bands):
            if y1 - y0 >= 0.5 * typical:
                continue
            gap_up = y0 - bands[i - 1][1] if i > 0 else None
            gap_dn = bands[i + 1][0] - y1 if i + 1 < len(bands) else None
            options = [(g, j) for g, j in ((gap_up, i - 1), (gap_dn, i + 1)) if g is not None]
            g, j = min(options)
            if g > typical:
                continue
            lo, hi = sorted((i, j))
            bands[lo:hi + 1] = [(bands[lo][0], bands[hi][1])]
            changed = True
            break
    # a lone sliver far from any text: a speck or a remnant, not a line
    return [(y0, y1) for y0, y1 in bands if y1 - y0 >= max(2, 0.25 * typical)]


def split_by_gaps(binary_line: np.ndarray, min_gap_px: int) -> list[tuple[int, int]]:
    """Horizontal ink runs of one text line as (x0, x1), x1 exclusive, left to right.

    WHY: one OCR line may hold several fields far apart ("填报单位：…      金额单位：万元");
    like geometry.split_phrases on digital glyphs, a blank stretch of at least
    `min_gap_px` columns separates two phrases. Gaps narrower than that
    (between glyphs, inside a glyph) do not split.
    """
    if binary_line.size == 0:
        return []
    profile = np.count_nonzero(binary_line, axis=0) if binary_line.ndim == 2 else (binary_line > 0)
    runs = _runs(profile > 0)
    return _close_gaps(runs, min_gap_px - 1)


def _close_gaps(runs: list[tuple[int, int]], max_gap: int) -> list[tuple[int, int]]:
    """Join runs separated by at most `max_gap` blank positions."""
    out: list[tuple[int, int]] = []
    for start, end in runs:
        if out and start - out[-1][1] <= max_gap:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
