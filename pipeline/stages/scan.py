"""The scanned path up to OCR: pixels, upright and clean, and the ruled grid.

Page steps (see runner.PAGE_STEPS): rasterise → preprocess → find_grid. Each
returns at once for a page that is not scanned.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from pipeline import imaging
from pipeline.config import Settings
from pipeline.engines import grid, registry
from pipeline.errors import CorruptInput, InputError
from pipeline.model import Page

MIN_PLAUSIBLE_DPI = 50  # images claiming less have a placeholder resolution, not a real one
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
            dpi = float((frame.info.get("dpi") or (0,))[0] or 0)
            if dpi < MIN_PLAUSIBLE_DPI:
                dpi = float(settings.scan.default_image_dpi)
            try:
                rgb = to_rgb(frame)
            except OSError as exc:
                raise CorruptInput(f"{path}: page {index + 1} cannot be decoded ({exc})") from exc
            page = Page(number=index + 1, scanned=True, dpi=dpi,
                        width=width * 72 / dpi, height=height * 72 / dpi)
            yield make(page=page, path=path, index=index, image=np.ascontiguousarray(rgb[:, :, ::-1]))


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
    dpi = settings.scan.dpi
    raster = registry.rasterizer("pdfium", password=settings.password)
    work.image = raster.render(work.path, work.index, dpi)
    work.page.dpi = float(dpi)
    return work


def preprocess(work, settings: Settings):
    """Upright, deskewed, seal ink removed: the grey image every later step reads."""
    if not work.page.scanned:
        return work
    image = work.image
    gray = imaging.suppress_seals(image) if settings.scan.suppress_seals else imaging.to_gray(image)
    unfaded = None
    if settings.scan.suppress_seals and _is_greyscale(image):
        # colour cannot tell a photocopied seal from text; its lighter grey can (measured: rings
        # fitted before deskewing whiten better, 93.9% against 92.4% on the 150-dpi grey set)
        rings = imaging.find_seal_rings(gray, work.page.dpi)
        if rings:
            unfaded, gray = gray, imaging.whiten_seal_rings(gray, rings, work.page.dpi)
    if imaging.is_sideways(gray):
        image, gray, unfaded = (None if x is None else imaging.rotate90(x, 1) for x in (image, gray, unfaded))
        work.page.rotation = 90
    if _upside_down(gray, settings, work.page.dpi):
        image, gray, unfaded = (None if x is None else imaging.rotate90(x, 2) for x in (image, gray, unfaded))
        work.page.rotation = (work.page.rotation + 180) % 360
    if settings.scan.deskew:
        angle = imaging.estimate_skew(gray)
        if 0.05 <= abs(angle) <= settings.scan.max_skew_degrees:
            image, gray, unfaded = (None if x is None else imaging.deskew(x, angle) for x in (image, gray, unfaded))
            work.page.skew = round(angle, 3)
    # where seals were stamped: what is read there is flagged, even when it reads well
    plain = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    work.seals = imaging.find_seal_rings(plain, work.page.dpi)
    work.image, work.gray, work.unfaded = image, gray, unfaded
    height, width = gray.shape[:2]
    scale = 72.0 / work.page.dpi
    work.page.width, work.page.height = width * scale, height * scale
    return work


def _is_greyscale(image: np.ndarray) -> bool:
    if image.ndim == 2:
        return True
    sample = image[::7, ::7].astype(np.int16)
    spread = sample.max(axis=2) - sample.min(axis=2)
    return float(np.percentile(spread, 99)) < 12


def _upside_down(gray: np.ndarray, settings: Settings, dpi: float) -> bool:
    """180° cannot be told from ruling lines; ask the OCR engine's classifier, if it has one."""
    engine = registry.ocr_engine(settings.ocr.engine, **settings.ocr.options)
    if not hasattr(engine, "upside_down"):
        return False
    samples = _sample_lines(gray, count=8, max_height=MAX_LINE_HEIGHT_PT * dpi / 72)
    return bool(samples) and engine.upside_down(samples) > 0.5


def _sample_lines(gray: np.ndarray, count: int, max_height: float) -> list[np.ndarray]:
    """A few of the page's widest text runs, as crops for the orientation classifier."""
    binary = imaging.binarize(gray)
    runs = []
    for top, bottom in imaging.text_line_bands(binary):
        if bottom - top < 8 or bottom - top > max_height:
            continue
        for left, right in imaging.split_by_gaps(binary[top:bottom], max(8, (bottom - top) // 2)):
            if right - left > 2 * (bottom - top):  # a phrase, not a ruling stub or a speck
                runs.append((right - left, (left, top, right, bottom)))
    runs.sort(reverse=True)
    return [gray[y0:y1, x0:x1] for _, (x0, y0, x1, y1) in runs[:count]]


def find_grid(work, settings: Settings):
    if not work.page.scanned:
        return work
    scale = 72.0 / work.page.dpi
    tables = grid.detect_tables(work.gray, work.page.dpi)
    work.grid = tables
    work.page.blocks = [grid.to_model_table(t, work.page.number, scale) for t in tables]
    return work
