"""A small glyph classifier for the comparator that starts a cell: ≥ ≤ > < =.

PP-OCR misreads these at scan resolutions: in some typefaces (a Kai face at 150 dpi grey) the
bar under ≥ fuses with the lower arm and the recogniser reads `>` with high confidence. This
model was trained on glyphs rendered from many CJK faces and degraded like scans and faxes
(scripts/train_glyphs.py; pipeline/models/README.md says how to retrain it).

`first_glyph` crops the line's first glyph the way training did, `classify_comparator` gives
class probabilities for it. Inference is numpy + cv2: one 1-hidden-layer network over the
normalised pixels and gradient-orientation histograms of an N×N crop.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

MODEL = Path(__file__).resolve().parent.parent / "models" / "comparator_glyphs.npz"
SIZE = 24  # the crop's side in px (the model's metadata repeats it)
MIN_CONTRAST = 40  # a line crop with less grey range than this has no ink
SPECK_PX = 3  # ink pieces no wider and no taller than this are dust, not strokes
SPECK_SHARE = 0.25  # nor are pieces under this share of the tallest piece's height, both ways
CELL = 6  # gradient histograms over CELL×CELL px cells of the crop
BINS = 8  # orientation bins (unsigned, 0..180°)


def _grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    if image.dtype != np.uint8:
        image = np.clip(image * (255.0 if image.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    return image


def _ink(grey: np.ndarray) -> np.ndarray | None:
    """Otsu's ink mask (True = ink) of a dark-on-white crop, dust removed; None when blank."""
    if grey.size == 0 or int(grey.max()) - int(grey.min()) < MIN_CONTRAST:
        return None
    _, bw = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    size = stats[:, [cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT]].max(axis=1)
    keep = size > SPECK_PX
    keep[0] = False
    if keep.any():  # dust is also what is much smaller than the line's biggest glyph
        keep &= size >= SPECK_SHARE * stats[keep, cv2.CC_STAT_HEIGHT].max()
    ink = keep[labels]
    return ink if ink.any() else None


def glyph_box(gray_line: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1), exclusive ends, of the first glyph's ink in a grey line crop; None if blank.

    Otsu binarisation; the leftmost run of ink columns, ended by the first blank column (≥'s
    bar and chevron overlap in x, so they stay one glyph); the ink rows within that run.
    """
    ink = _ink(_grey(np.asarray(gray_line)))
    if ink is None:
        return None
    cols = ink.any(axis=0)
    x0 = int(np.argmax(cols))
    gap = np.flatnonzero(~cols[x0:])
    x1 = x0 + (int(gap[0]) if gap.size else cols.size - x0)
    rows = np.flatnonzero(ink[:, x0:x1].any(axis=1))
    return x0, int(rows[0]), x1, int(rows[-1]) + 1


def first_glyph(gray_line: np.ndarray, size: int = SIZE) -> np.ndarray | None:
    """The first glyph of a grey line crop (dark text on white) as a size×size uint8 image:
    its ink box (`glyph_box`) with a 1-px margin, padded to a square with white, resized."""
    grey = _grey(np.asarray(gray_line))
    box = glyph_box(grey)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    h, w = grey.shape
    crop = grey[max(0, y0 - 1):min(h, y1 + 1), max(0, x0 - 1):min(w, x1 + 1)]
    side = max(crop.shape)
    square = np.full((side, side), 255, np.uint8)
    oy, ox = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[oy:oy + crop.shape[0], ox:ox + crop.shape[1]] = crop
    interp = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    return cv2.resize(square, (size, size), interpolation=interp)


def features(glyph: np.ndarray) -> np.ndarray:
    """The model's input for one size×size glyph: contrast-normalised ink, then gradient histograms."""
    ink = 1.0 - glyph.astype(np.float32) / 255.0
    lo, hi = float(ink.min()), float(ink.max())
    ink = (ink - lo) / (hi - lo) if hi - lo > 1e-3 else np.zeros_like(ink)
    gx = cv2.Sobel(ink, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(ink, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.sqrt(gx * gx + gy * gy)
    ang = np.mod(np.arctan2(gy, gx), np.pi) / np.pi * BINS
    b0 = ang.astype(np.int64) % BINS
    frac = (ang - np.floor(ang)).ravel()
    cells = _cells(ink.shape[0], ink.shape[1])
    m = mag.ravel()
    n = (ink.shape[0] // CELL) * (ink.shape[1] // CELL) * BINS
    hist = np.bincount(cells + b0.ravel(), m * (1 - frac), n) + np.bincount(cells + (b0.ravel() + 1) % BINS, m * frac, n)
    hist /= np.linalg.norm(hist) + 1e-6
    return np.concatenate([ink.ravel(), 4.0 * hist]).astype(np.float32)


@lru_cache(maxsize=4)
def _cells(h: int, w: int) -> np.ndarray:
    """Each pixel's first histogram slot: (cell row, cell column) times BINS."""
    cy, cx = np.divmod(np.arange(h * w), w)
    cy, cx = np.minimum(cy // CELL, h // CELL - 1), np.minimum(cx // CELL, w // CELL - 1)
    return (cy * (w // CELL) + cx) * BINS


@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL)) -> dict:
    with np.load(path, allow_pickle=False) as npz:
        model = {k: npz[k].astype(np.float32) for k in ("mean", "std", "w1", "b1", "w2", "b2")}
        model["meta"] = json.loads(str(npz["meta"]))
    return model


def predict_proba(x: np.ndarray, model: dict) -> np.ndarray:
    """Class probabilities for a batch of feature rows."""
    h = np.maximum((x - model["mean"]) / model["std"] @ model["w1"] + model["b1"], 0.0)
    z = h @ model["w2"] + model["b2"]
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def classify_glyph(glyph: np.ndarray, path: str = str(MODEL)) -> dict[str, float]:
    model = load_model(path)
    p = predict_proba(features(glyph)[None, :], model)[0]
    return {c: float(v) for c, v in zip(model["meta"]["classes"], p)}


def classify_comparator(gray_line: np.ndarray, path: str = str(MODEL)) -> dict[str, float]:
    """Probabilities of ≥ ≤ > < = for the first glyph of a grey line crop; {} when it has no ink."""
    size = load_model(path)["meta"]["size"]
    glyph = first_glyph(gray_line, size)
    return {} if glyph is None else classify_glyph(glyph, path)
