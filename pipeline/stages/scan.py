"""The scanned path up to OCR: pixels, upright and clean, and the ruled grid.

Page steps (see runner.PAGE_STEPS): rasterise → preprocess → find_grid. Each
returns at once for a page that is not scanned.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from pipeline import imaging, orientation, perspective
from pipeline.config import Settings
from pipeline.engines import grid, registry
from pipeline.errors import CorruptInput, InputError
from pipeline.model import Page

MIN_PLAUSIBLE_DPI = 50  # images claiming less have a placeholder resolution, not a real one
# Resolutions that image software writes when it knows none (72: JFIF/Exif default of phones and
# screenshots, 96: Windows); no scanner scans at them, so the page's content decides the scale.
PLACEHOLDER_DPI = (72.0, 96.0)
# A sheet on a desk is taken for A4 when its sides' ratio is within this share of √2; its short
# side (210 mm) is then the ruler for an image of unknown dpi.
A4_SHORT_MM = 210.0
A4_RATIO_TOLERANCE = 0.06
# Failing a sheet, body text is: the upper-quartile glyph component (orientation._em) measured
# 8.3-10.4 pt on the 200-dpi dev scans (median 9.4); a rough ruler (±15%), better than a default.
GLYPH_EM_PT = 9.4
# A band of ink taller than this (points) is no text line: a ruled table with no line above it (the
# continuation page of a table) is one band, and the orientation classifier reads a whole table
# as upside down as often as not (measured on the Putuo budget pages, bench/putuo.py).
MAX_LINE_HEIGHT_PT = 48.0


def image_pages(path: Path, settings: Settings, make) -> Iterator:
    """Each frame of an image file (PNG, JPEG, multi-page TIFF) as a scanned page."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, per frame, with a clear message
    limit = settings.scan.max_image_pixels
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        raise CorruptInput(f"{path}: not a readable image ({exc})") from exc
    with image:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            width, height = frame.size
            if width * height > limit:
                raise InputError(f"{path}: page {index + 1} is {width}×{height} pixels, over the "
                                 f"{limit:,}-pixel limit (scan.max_image_pixels); refusing a possible "
                                 f"decompression bomb")
            claimed = float((frame.info.get("dpi") or (0,))[0] or 0)
            known = claimed >= MIN_PLAUSIBLE_DPI and round(claimed) not in PLACEHOLDER_DPI
            dpi = claimed if known else float(settings.scan.default_image_dpi)
            try:
                rgb = _read_within(frame, settings.scan.max_working_pixels)
            except OSError as exc:
                raise CorruptInput(f"{path}: page {index + 1} cannot be decoded ({exc})") from exc
            transform = {"dpi_source": "file" if known else "unknown", "claimed_dpi": claimed}
            if rgb.shape[1] != width:  # read smaller: preprocess records the step from the file's pixels
                transform["prescale"] = {"original_size": [width, height], "original_dpi": dpi}
            page = Page(number=index + 1, scanned=True, dpi=dpi * rgb.shape[1] / width,
                        width=width * 72 / dpi, height=height * 72 / dpi, transform=transform)
            yield make(page=page, path=path, index=index, image=np.ascontiguousarray(rgb[:, :, ::-1]))


def _read_within(frame, max_pixels: int) -> np.ndarray:
    """A frame as RGB, scaled down by a whole factor when it has more pixels than a page is read
    with (a 600 dpi A3 scan is read as a 200 dpi one would be): memory stays bounded."""
    width, height = frame.size
    factor = int(np.ceil((width * height / max_pixels) ** 0.5)) if width * height > max_pixels else 1
    if factor == 1:
        return to_rgb(frame)
    try:
        return to_rgb(frame.reduce(factor))  # box filter while decoded: no full-size RGB copy
    except (ValueError, NotImplementedError):  # a mode reduce does not take (palette, 16-bit)
        rgb = to_rgb(frame)
        return cv2.resize(rgb, (-(-width // factor), -(-height // factor)), interpolation=cv2.INTER_AREA)


def to_rgb(frame) -> np.ndarray:
    """A frame as 8-bit RGB the way it looks on paper.

    Transparent pixels are paper: alpha (RGBA, LA, a palette's transparent index) is flattened
    onto white, not dropped (a transparent PNG would read as black). 16- and 32-bit grey is
    scaled to 8 bits, not clipped (a 16-bit scan would read as white).
    """
    from PIL import Image

    if frame.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(frame, dtype=np.float64)
        top = 65535.0 if frame.mode.startswith("I;16") else max(float(values.max()), 1.0)
        grey = np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
        return np.stack([grey] * 3, axis=-1)
    if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
        paper = Image.new("RGBA", frame.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(paper, frame.convert("RGBA")).convert("RGB"))
    return np.asarray(frame.convert("RGB"))


def rasterise(work, settings: Settings):
    if not work.page.scanned or work.image is not None:
        return work
    dpi = render_dpi(work.page.width, work.page.height, settings.scan.dpi, settings.scan.max_working_pixels)
    raster = registry.rasterizer("pdfium", password=settings.password)
    work.image = raster.render(work.path, work.index, dpi)
    work.page.dpi = float(dpi)
    return work


MIN_RENDER_DPI = 72.0  # a page so large that it fits the pixel limit only below this is refused


def render_dpi(width_pt: float | None, height_pt: float | None, dpi: float, max_pixels: int) -> float:
    """The dpi to render a scanned PDF page at: the working dpi, or less where the page is so large
    (a 14400 pt square claims 1.6 billion pixels at 200 dpi) that its pixels would pass the limit;
    a page that would be unreadable even so is refused, with its size."""
    if not width_pt or not height_pt:
        return dpi
    area_in2 = (width_pt / 72.0) * (height_pt / 72.0)
    fits = (max_pixels / area_in2) ** 0.5
    if fits >= dpi:
        return dpi
    if fits < MIN_RENDER_DPI:
        raise InputError(f"page is {width_pt:.0f}×{height_pt:.0f} pt: over scan.max_working_pixels "
                         f"({max_pixels:,}) even at {MIN_RENDER_DPI:.0f} dpi; not rendered")
    return float(int(fits))


def preprocess(work, settings: Settings):
    """Flat, at working resolution, upright, deskewed, seal ink removed: the grey image every later step reads.

    Every step that moves pixels is recorded in page.transform (see pipeline.perspective), so a
    box on the upright page can be mapped back onto the image file.
    """
    if not work.page.scanned:
        return work
    image = work.image
    page = work.page
    h0, w0 = image.shape[:2]
    prescale = (page.transform or {}).pop("prescale", None)
    transform = {**(page.transform or {}), "original_size": [w0, h0], "original_dpi": page.dpi,
                 "steps": [], "matrix": np.eye(3).tolist()}
    transform.setdefault("dpi_source", "render")
    if prescale:  # the file's pixels were read smaller (_read_within): the first step moved them
        (w, h), dpi = prescale["original_size"], prescale["original_dpi"]
        transform.update(original_size=[w, h], original_dpi=dpi)
        transform = perspective.compose(transform, {"kind": "scale", "from_dpi": dpi, "to_dpi": page.dpi},
                                        perspective.scale_matrix(w0 / w, h0 / h))
    page.bilevel = _is_bilevel(image)
    gray = imaging.suppress_seals(image) if settings.scan.suppress_seals else imaging.to_gray(image)
    flat = perspective.rectify(image, gray) if settings.scan.perspective else None
    if flat is not None:
        image, gray, step = flat
        transform = perspective.compose(transform, step, np.asarray(step.pop("matrix")))
    if transform["dpi_source"] == "unknown":
        page.dpi, transform["dpi_source"] = _estimate_dpi(gray, flat[2] if flat else None, page.dpi)
    image, gray, transform = _upscale(image, gray, page, settings, transform)
    unfaded = None
    if settings.scan.suppress_seals and _is_greyscale(image):
        # colour cannot tell a photocopied seal from text; its lighter grey can (measured: rings
        # fitted before deskewing whiten better, 93.9% against 92.4% on the 150-dpi grey set)
        rings = imaging.find_seal_rings(gray, page.dpi)
        if rings:
            unfaded, gray = gray, imaging.whiten_seal_rings(gray, rings, page.dpi)
    engine = registry.ocr_engine(settings.ocr.engine, **settings.ocr.options)
    turn = orientation.decide(gray, page.dpi, engine if hasattr(engine, "upside_down") else None,
                              max_line_height=MAX_LINE_HEIGHT_PT * page.dpi / 72)
    page.orientation = {"axis_ratio": turn.axis_ratio, "flip_score": turn.flip_score,
                        "clear": turn.clear, **turn.evidence}
    if turn.note(page.number):
        page.errors.append(turn.note(page.number))
    if turn.quarter_turns:
        h, w = gray.shape[:2]
        transform = perspective.compose(transform, {"kind": "rotate", "quarter_turns": turn.quarter_turns},
                                        perspective.quarter_turns_matrix(turn.quarter_turns, w, h))
        image, gray, unfaded = (None if x is None else imaging.rotate90(x, turn.quarter_turns)
                                for x in (image, gray, unfaded))
        page.rotation = turn.rotation
    if settings.scan.deskew:  # an unturned page's skew was measured deciding its orientation
        angle = turn.skew if not turn.quarter_turns and turn.skew is not None else imaging.estimate_skew(gray)
        if 0.05 <= abs(angle) <= settings.scan.max_skew_degrees:
            h, w = gray.shape[:2]
            transform = perspective.compose(transform, {"kind": "deskew", "degrees": round(angle, 3)},
                                            perspective.deskew_matrix(angle, w, h))
            image, gray, unfaded = (None if x is None else imaging.deskew(x, angle) for x in (image, gray, unfaded))
            page.skew = round(angle, 3)
    # where seals were stamped: what is read there is flagged, even when it reads well
    plain = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    work.seals = imaging.find_seal_rings(plain, page.dpi)
    work.image, work.gray, work.unfaded = image, gray, unfaded
    page.transform = transform
    height, width = gray.shape[:2]
    scale = 72.0 / page.dpi
    page.width, page.height = width * scale, height * scale
    return work


def _estimate_dpi(gray: np.ndarray, flattened: dict | None, fallback: float) -> tuple[float, str]:
    """(dpi, how it was found) for an image whose file does not say: the sheet, else the text.

    An A4 sheet seen on a desk (perspective found its edges) gives the scale to ~1%; failing
    that, the glyph size against GLYPH_EM_PT gives it to ~15%; failing both, the default stays.
    """
    if flattened and flattened.get("paper_px"):
        short, long_ = sorted(flattened["paper_px"])
        if abs(long_ / max(short, 1.0) / np.sqrt(2) - 1) <= A4_RATIO_TOLERANCE:
            return round(short / (A4_SHORT_MM / 25.4), 1), "paper"
    _, text = imaging.ruling_and_text(imaging.ensure_binary(gray))
    em = orientation._em(text)
    if em is not None:
        return round(em * 72.0 / GLYPH_EM_PT, 1), "text"
    return fallback, "default"


def _upscale(image, gray, page: Page, settings: Settings, transform: dict):
    """Image and grey at the working dpi when the page's own is well below it (cubic)."""
    target = float(settings.scan.dpi)
    if page.dpi >= settings.scan.upscale_below * target:
        return image, gray, transform
    h, w = gray.shape[:2]
    f = min(target / page.dpi, (settings.scan.max_working_pixels / (w * h)) ** 0.5)  # never past the bound
    if f <= 1.0:
        return image, gray, transform
    target = page.dpi * f
    size = (int(round(w * f)), int(round(h * f)))
    image = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
    gray = cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC)
    transform = perspective.compose(transform, {"kind": "scale", "from_dpi": page.dpi, "to_dpi": target},
                                    perspective.scale_matrix(size[0] / w, size[1] / h))
    page.dpi = target
    return image, gray, transform


BILEVEL_MAX_MIDTONES = 0.005  # share of pixels between black and white (fax 0%, grey scans 7-13%)


def _is_bilevel(image: np.ndarray) -> bool:
    sample = image[::5, ::5]
    sample = sample.max(axis=2) if sample.ndim == 3 else sample
    return float(((sample > 32) & (sample < 224)).mean()) < BILEVEL_MAX_MIDTONES


def _is_greyscale(image: np.ndarray) -> bool:
    if image.ndim == 2:
        return True
    sample = image[::7, ::7].astype(np.int16)
    spread = sample.max(axis=2) - sample.min(axis=2)
    return float(np.percentile(spread, 99)) < 12


def find_grid(work, settings: Settings):
    if not work.page.scanned:
        return work
    scale = 72.0 / work.page.dpi
    tables = grid.detect_tables(work.gray, work.page.dpi)
    work.grid = tables
    work.page.blocks = [grid.to_model_table(t, work.page.number, scale) for t in tables]
    return work
