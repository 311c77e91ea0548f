"""Optional OCR engine: PaddleOCR 3.x (`pip install paddleocr paddlepaddle`).

PaddleOCR fetches its models from a hub unless it is given local model
directories; this tool never downloads at run time, so the directories are
required. Configure, e.g. in my.yaml:

    ocr:
      engine: paddle
      options:
        det_model_dir: /models/PP-OCRv4_mobile_det   # inference.pdmodel/.json + params
        rec_model_dir: /models/PP-OCRv4_mobile_rec
        det_model_name: PP-OCRv4_mobile_det          # the names those directories hold
        rec_model_name: PP-OCRv4_mobile_rec
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.engines.base import Recognition, TextBox
from pipeline.errors import ConfigError


class PaddleOcrEngine:
    name = "paddle"

    def __init__(self, det_model_dir: str | None = None, rec_model_dir: str | None = None,
                 det_model_name: str = "PP-OCRv4_mobile_det", rec_model_name: str = "PP-OCRv4_mobile_rec",
                 rec_batch: int = 6):
        for key, value in (("det_model_dir", det_model_dir), ("rec_model_dir", rec_model_dir)):
            if not value or not Path(value).is_dir():
                raise ConfigError(f"config: ocr engine 'paddle' needs ocr.options.{key} pointing at a local "
                                  f"model folder (got {value!r}); models are never downloaded at run time")
        try:
            from paddleocr import TextDetection, TextRecognition
        except ImportError as exc:
            raise ConfigError("config: ocr engine 'paddle' needs `pip install paddleocr paddlepaddle`") from exc
        self._det = TextDetection(model_name=det_model_name, model_dir=det_model_dir)
        self._rec = TextRecognition(model_name=rec_model_name, model_dir=rec_model_dir)
        self.rec_batch = rec_batch

    def detect(self, image: np.ndarray) -> list[TextBox]:
        boxes = []
        for result in self._det.predict(input=_bgr(image), batch_size=1):
            for poly, score in zip(result["dt_polys"], result["dt_scores"]):
                poly = np.asarray(poly)
                boxes.append(TextBox((int(poly[:, 0].min()), int(poly[:, 1].min()),
                                      int(poly[:, 0].max()), int(poly[:, 1].max())), float(score)))
        return boxes

    def recognize(self, lines: list[np.ndarray]) -> list[Recognition]:
        if not lines:
            return []
        results = self._rec.predict(input=[_bgr(x) for x in lines], batch_size=self.rec_batch)
        return [Recognition(text=r["rec_text"], confidence=float(r["rec_score"])) for r in results]


def _bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return np.repeat(image[:, :, None], 3, axis=2)
    return image
