"""The optional PaddleOCR engine: never downloads; adapts PaddleOCR 3.x results to our type.

PaddleOCR and its models are not installed here (no model hub), so the adapter is
tested against a stand-in module with PaddleOCR 3.x's interface.
"""

import sys
import types

import numpy as np
import pytest

from pipeline.errors import ConfigError


def test_refuses_to_run_without_local_model_folders(tmp_path):
    from pipeline.engines.paddle import PaddleOcrEngine

    with pytest.raises(ConfigError, match="det_model_dir"):
        PaddleOcrEngine()
    with pytest.raises(ConfigError, match="rec_model_dir"):
        PaddleOcrEngine(det_model_dir=str(tmp_path), rec_model_dir=str(tmp_path / "missing"))


def test_adapts_paddleocr_results(tmp_path, monkeypatch):
    calls = {}

    class TextDetection:
        def __init__(self, model_name, model_dir):
            calls["det"] = (model_name, model_dir)

        def predict(self, input, batch_size):
            return [{"dt_polys": [np.array([[1, 2], [30, 2], [30, 12], [1, 12]])], "dt_scores": [0.97]}]

    class TextRecognition:
        def __init__(self, model_name, model_dir):
            calls["rec"] = (model_name, model_dir)

        def predict(self, input, batch_size):
            return [{"rec_text": f"line{i}", "rec_score": 0.9} for i, _ in enumerate(input)]

    monkeypatch.setitem(sys.modules, "paddleocr", types.SimpleNamespace(
        TextDetection=TextDetection, TextRecognition=TextRecognition))
    from pipeline.engines.paddle import PaddleOcrEngine

    engine = PaddleOcrEngine(det_model_dir=str(tmp_path), rec_model_dir=str(tmp_path))
    assert calls["det"] == ("PP-OCRv4_mobile_det", str(tmp_path))
    [box] = engine.detect(np.zeros((20, 40), np.uint8))
    assert box.bbox == (1, 2, 30, 12) and box.score == pytest.approx(0.97)
    readings = engine.recognize([np.zeros((10, 30), np.uint8)] * 2)
    assert [r.text for r in readings] == ["line0", "line1"] and readings[0].confidence == 0.9
