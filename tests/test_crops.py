"""A flagged field's crop, cut from the file through the record's page geometry, shows that field
whichever way the page was scanned (pipeline/crops.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline import crops
from pipeline.config import load_settings
from pipeline.engines.raster import PdfiumRasterizer
from pipeline.evaluate import load_outputs
from pipeline.runner import run_batch
from tests.conftest import SAMPLES

SCAN = SAMPLES / "scans" / "200dpi" / "falv_yuanzhu_2026_scan200.pdf"


def _png(image: np.ndarray, path: Path) -> Path:
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(image[:, :, ::-1])).save(path, dpi=(200, 200))
    return path


def _record(path: Path, out: Path) -> dict:
    run_batch([path], load_settings(overrides={"out_dir": str(out), "batch": {"executor": "serial"}}))
    [record] = load_outputs(out)
    return record


def _grey(image: np.ndarray, shape) -> np.ndarray:
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float64)
    return cv2.resize(grey, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) or 1.0))


@pytest.mark.parametrize("turns", [1, 2])
def test_crops_of_a_turned_scan_match_the_upright_ones(tmp_path, turns):
    page = PdfiumRasterizer().render(SCAN, 0, 200)
    upright = _png(page, tmp_path / "upright.png")
    turned = _png(np.ascontiguousarray(np.rot90(page, turns)), tmp_path / "turned.png")
    want, got = _record(upright, tmp_path / "a"), _record(turned, tmp_path / "b")
    assert got["source"]["geometry"][0]["rotation"] in (90, 180, 270)
    boxes = {}
    for record, path in ((want, upright), (got, turned)):
        [geometry] = record["source"]["geometry"]
        image, matrix, dpi = crops.page_image(path, geometry)
        for item in record["review"]:
            if item.get("bbox"):
                field, row = crops.field_and_row(image, matrix, dpi, item["bbox"], geometry["width"])
                boxes.setdefault(item["field"], []).append((field, row))
    shared = [pair for pair in boxes.values() if len(pair) == 2]
    assert shared  # flagged fields that both readings place
    for (field_a, row_a), (field_b, _) in shared:
        assert row_a.shape[1] > field_a.shape[1]
        assert _ncc(_grey(field_a, field_a.shape[:2]), _grey(field_b, field_a.shape[:2])) > 0.7


def test_a_digital_page_is_cropped_from_its_rendering():
    geometry = {"page": 1, "file_page": 1, "scanned": False, "width": 595.0, "transform": None}
    image, matrix, dpi = crops.page_image(SAMPLES / "falv_yuanzhu_2026.pdf", geometry)
    assert dpi == crops.RENDER_DPI and np.allclose(matrix, np.eye(3))
    field = crops.crop(image, matrix, dpi, (100.0, 100.0, 172.0, 136.0))
    pad = 2 * crops.MARGIN_PT * dpi / 72
    assert field.shape[:2] == (round(36 * dpi / 72 + pad), round(72 * dpi / 72 + pad))
