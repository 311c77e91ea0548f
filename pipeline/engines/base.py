"""Engine protocols: small, so that engines are easy to add and to fake in tests.

- OCR engines: `detect` text lines in an image, `recognize` line images.
  Every engine returns the same `Recognition` (text + confidence).
- Rasterisers: `page_count` and `render` a page of a file to pixels.
- Grid detectors: ruled table cells in a page image.
An engine may also offer `score_candidates` (ConstrainedRecognizer): how well a
line image reads as each of a few allowed strings — used to re-read a cell
against its column's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

PixelBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


@dataclass
class TextBox:
    bbox: PixelBox
    score: float


@dataclass
class Recognition:
    text: str
    confidence: float  # 0..1: mean probability of the characters read
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    weakest: float = 1.0  # the least probable character's probability: one doubtful glyph in a sure line


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def detect(self, image: np.ndarray) -> list[TextBox]:
        """Text line boxes in a BGR or grey image."""

    def recognize(self, lines: list[np.ndarray]) -> list[Recognition]:
        """One Recognition per line image (each a single line of text)."""


@runtime_checkable
class ConstrainedRecognizer(Protocol):
    def score_candidates(self, line: np.ndarray, candidates: list[str]) -> list[tuple[str, float]]:
        """Each candidate with the probability that the line reads exactly so, best first."""


@runtime_checkable
class OrientationClassifier(Protocol):
    def upside_down(self, lines: list[np.ndarray]) -> float:
        """Share of the line images that read as rotated by 180°."""

    # an engine may also offer turned_scores(lines) -> list[float]: each line's probability of
    # being turned by 180° (pipeline/orientation.py weighs its vote by it)


class Rasterizer(Protocol):
    name: str

    def page_count(self, path: Path) -> int: ...

    def render(self, path: Path, index: int, dpi: float) -> np.ndarray:
        """Page `index` (0-based) as a BGR uint8 array at `dpi` (OpenCV's channel order)."""
