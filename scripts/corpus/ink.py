"""Handwriting on the paper: a pen-stroke signature scribble (the seals are in degrade.py).

A signature is one to three cursive strokes running left to right (a drift with the pen turning
loops, at times a tall capital and an underline, Bézier curves), drawn with a ballpoint whose line swells and thins with the pressure
(thin where the pen lands and lifts), unevenly inked; `signature_mask` gives its ink coverage in
[0, 1], laid on with degrade.multiply_ink like a seal. Every choice comes from the generator it
is given (degrade.seeded), so a rerun draws the same scribble.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from scripts.corpus.degrade import smooth_field

# a ballpoint's ink, before multiply: blue as most sign, black as some do
PEN_INKS = (("blue", np.array([0.10, 0.16, 0.58], np.float32), 0.65),
            ("black", np.array([0.08, 0.08, 0.10], np.float32), 0.35))
SUPERSAMPLE = 4


def pen_ink(rng: np.random.Generator) -> tuple[str, np.ndarray]:
    u = rng.random()
    for name, ink, share in PEN_INKS:
        if u < share:
            return name, ink
        u -= share
    return PEN_INKS[0][0], PEN_INKS[0][1]


def _bezier(p0, p1, p2, p3, n: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3


def _wander(rng: np.random.Generator, t: np.ndarray, scale: float) -> np.ndarray:
    """A slow random curve over t in [0, 1]: a few low sine terms."""
    out = np.zeros_like(t)
    for k in range(1, 4):
        out += rng.normal(0, scale / k) * np.sin(math.pi * k * t + rng.uniform(0, 2 * math.pi))
    return out


def strokes(rng: np.random.Generator, w: float, h: float) -> list[np.ndarray]:
    """The pen's path in the box (0..w, 0..h): one to three strokes, then fitted to the box.

    A stroke is cursive: it drifts right while the pen turns loops (a trochoid whose loops
    grow and shrink), sometimes led by a tall capital (a Bézier loop); the last stroke is at
    times an underline flourish.
    """
    out = []
    n = int(rng.integers(1, 4))
    cuts = np.sort(rng.uniform(0.2, 0.8, n - 1)) if n > 1 else np.array([])
    edges = np.concatenate([[0.0], cuts, [1.0]])
    for k in range(n):
        x0, x1 = edges[k] + (0.03 if k else 0.0), edges[k + 1]
        loops = float(rng.uniform(2, 7)) * (x1 - x0) + 1.5
        t = np.linspace(0.0, 1.0, int(60 * loops))
        phase = rng.uniform(0, 2 * math.pi)
        amp = np.clip(0.28 + _wander(rng, t, 0.12), 0.08, 0.5)
        back = rng.uniform(0.5, 1.6) * (x1 - x0) / (2 * math.pi * loops)    # > drift/turn: a loop
        x = x0 + (x1 - x0) * t - back * np.cos(2 * math.pi * loops * t + phase)
        y = 0.5 + _wander(rng, t, 0.08) + amp * np.sin(2 * math.pi * loops * t + phase)
        x = x + (0.5 - y) * rng.uniform(0.0, 0.12)             # a forward slant
        path = np.stack([x, y], 1)
        if k == 0 and rng.random() < 0.6:                    # a capital: one tall loop first
            a, top = path[0], np.array([x0 + rng.uniform(0.0, 0.06), rng.uniform(-0.25, 0.0)])
            cap = _bezier(a, a + [rng.uniform(0.1, 0.2), -0.6], top + [-0.08, 0.1], top, 50)
            cap = np.concatenate([cap, _bezier(top, top + [0.05, 0.3], a + [0.02, 0.3], a + [0.01, 0.0], 50)])
            path = np.concatenate([cap[::-1], path]) if rng.random() < 0.5 else np.concatenate([cap, path])
        out.append(path)
    if rng.random() < 0.4:                                   # the underline flourish
        y = rng.uniform(0.85, 1.05)
        a, b = np.array([rng.uniform(0, 0.2), y]), np.array([rng.uniform(0.8, 1.05), y - rng.uniform(0, 0.25)])
        out.append(_bezier(a, a + [0.3, rng.uniform(-0.1, 0.15)], b - [0.3, rng.uniform(-0.1, 0.15)], b, 80))
    allpts = np.concatenate(out)
    lo, span = allpts.min(0), np.maximum(np.ptp(allpts, 0), 1e-6)
    return [(s - lo) / span * [w, h] for s in out]


def signature_mask(w_px: float, h_px: float, stroke_px: float, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Ink coverage (h, w) of one scribbled signature; stroke_px is the pen's full width."""
    ss = SUPERSAMPLE
    pad = stroke_px * 2
    W, H = int(math.ceil(w_px + 2 * pad)), int(math.ceil(h_px + 2 * pad))
    canvas = np.zeros((H * ss, W * ss), np.uint8)
    paths = strokes(rng, w_px, h_px)
    for path in paths:
        t = np.linspace(0, 1, len(path))
        pressure = 0.35 + 0.65 * np.sin(math.pi * t) ** 0.4          # lands and lifts thin
        pressure *= 1 + 0.25 * np.sin(t * rng.uniform(6, 14) + rng.uniform(0, 2 * math.pi))
        pts = (path + pad) * ss
        for (xa, ya), (xb, yb), p in zip(pts[:-1], pts[1:], pressure[1:]):
            thick = max(1, int(round(stroke_px * ss * p)))
            cv2.line(canvas, (int(round(xa)), int(round(ya))), (int(round(xb)), int(round(yb))), 255, thick,
                     cv2.LINE_AA)
    m = cv2.resize(canvas, (W, H), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    density = 0.7 + 0.3 * smooth_field(rng, m.shape, max(1.0, stroke_px * 3))   # ballpoint skips a little
    m = np.clip(m * density, 0, 1) * float(rng.uniform(0.8, 0.95))
    return m, {"strokes": len(paths), "stroke_px": round(stroke_px, 2)}
