"""A recorded OCR engine: replays what a real engine read, for fast tests.

Recording wraps a real engine and keeps, for every line image it recognised, a
small signature of the image (its shape and a 12×48 thumbnail) with the
reading. Replaying finds the recorded line whose signature is nearest, so a
pixel or two of difference between machines (OpenCV builds) changes nothing.
Everything except the neural network runs for real.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from pipeline.engines.base import Recognition, TextBox

THUMB = (32, 8)  # width, height of the signature thumbnail
ASPECT_WEIGHT = 20.0  # a line's shape outweighs small differences of content in the thumbnail


def signature(image: np.ndarray) -> np.ndarray:
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    thumb = cv2.resize(gray, THUMB, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    ratio = np.float32(ASPECT_WEIGHT * gray.shape[1] / max(gray.shape[0], 1))
    return np.concatenate([thumb.ravel(), [ratio]])


class RecordingEngine:
    """Delegates to a real engine and records every line it reads."""

    def __init__(self, engine):
        self.engine = engine
        self.name = f"recording:{engine.name}"
        self.records: list[dict] = []

    def detect(self, image: np.ndarray) -> list[TextBox]:
        return self.engine.detect(image)

    def recognize(self, lines: list[np.ndarray]) -> list[Recognition]:
        results = self.engine.recognize(lines)
        for line, result in zip(lines, results):
            self.records.append({"sig": signature(line).round(2).tolist(), "text": result.text,
                                 "confidence": round(result.confidence, 6), "weakest": round(result.weakest, 6)})
        return results

    def upside_down(self, lines: list[np.ndarray]) -> float:
        return self.engine.upside_down(lines)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"engine": self.engine.name, "lines": self.records}, ensure_ascii=False),
                        encoding="utf-8")


class RecordedEngine:
    """Replays a recording: each line image gets the reading of its nearest recorded twin."""

    name = "recorded"

    def __init__(self, path: str):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        lines = data["lines"]
        self._sigs = np.array([r["sig"] for r in lines], dtype=np.float32)
        self._readings = [Recognition(r["text"], r["confidence"], weakest=r.get("weakest", r["confidence"]))
                          for r in lines]

    def detect(self, image: np.ndarray) -> list[TextBox]:
        return []

    def recognize(self, lines: list[np.ndarray]) -> list[Recognition]:
        out = []
        for line in lines:
            distances = np.abs(self._sigs - signature(line)).sum(axis=1)
            out.append(self._readings[int(distances.argmin())])
        return out

    def upside_down(self, lines: list[np.ndarray]) -> float:
        return 0.0
