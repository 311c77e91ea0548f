"""Low-resolution images brought to the working dpi; unknown dpi measured from the page itself."""

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from pipeline import perspective
from pipeline.config import load_settings
from pipeline.stages import scan
from pipeline.stages.pages import PageWork
from tests.stages.test_perspective import keystone_homography, photograph, ruled_page


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def _pages(tmp_path: Path, gray: np.ndarray, settings, dpi=None, name="page.jpg"):
    path = tmp_path / name
    kwargs = {"dpi": (dpi, dpi)} if dpi else {}
    Image.fromarray(gray).save(path, quality=92, **kwargs)
    return list(scan.image_pages(path, settings, lambda **kw: PageWork(**kw)))


def test_a_100_dpi_scan_is_upscaled_to_the_working_dpi(tmp_path, settings):
    small = cv2.resize(ruled_page(), None, fx=100 / 150, fy=100 / 150, interpolation=cv2.INTER_AREA)
    [work] = _pages(tmp_path, small, settings, dpi=100, name="low.png")
    assert work.page.transform["dpi_source"] == "file"
    work = scan.preprocess(work, settings)
    assert work.page.dpi == settings.scan.dpi
    assert work.gray.shape[1] == pytest.approx(small.shape[1] * 2, abs=1)
    kinds = [s["kind"] for s in work.page.transform["steps"]]
    assert "scale" in kinds and "perspective" not in kinds
    # a point on the page maps back onto the 100-dpi original, and back again
    x_pt, y_pt = 300.0, 400.0
    ox, oy = perspective.to_original(work.page.transform, work.page.dpi, x_pt, y_pt)
    assert 0 <= ox < small.shape[1] and 0 <= oy < small.shape[0]
    assert perspective.to_page(work.page.transform, work.page.dpi, ox, oy) == pytest.approx((x_pt, y_pt))


def test_a_scan_at_the_working_dpi_is_not_touched(tmp_path, settings):
    page = cv2.resize(ruled_page(), None, fx=200 / 150, fy=200 / 150, interpolation=cv2.INTER_CUBIC)
    [work] = _pages(tmp_path, page, settings, dpi=200, name="flat.png")
    before = work.image.copy()
    work = scan.preprocess(work, settings)
    assert work.page.transform["steps"] == [] and work.page.dpi == pytest.approx(200, abs=0.01)  # PNG: px/m
    assert np.array_equal(work.image, before)  # flat, level, upright: byte for byte as read


@pytest.mark.parametrize("tag", [None, 72])
def test_a_photo_of_unknown_dpi_is_measured_by_its_sheet(tmp_path, settings, tag):
    gray = ruled_page()  # A4 at 150 dpi
    photo = photograph(gray, keystone_homography(*gray.shape[::-1], 0.05, "top"), desk=45)
    [work] = _pages(tmp_path, photo, settings, dpi=tag)
    assert work.page.transform["dpi_source"] == "unknown"
    work = scan.preprocess(work, settings)
    steps = {s["kind"]: s for s in work.page.transform["steps"]}
    assert work.page.transform["dpi_source"] == "paper"
    assert steps["scale"]["from_dpi"] == pytest.approx(150, rel=0.04)  # the sheet measured, then upscaled
    assert work.page.dpi == settings.scan.dpi
    assert work.page.width == pytest.approx(595, rel=0.04)  # A4's 210 mm


def test_without_a_sheet_the_text_gives_the_scale(settings):
    dpi, source = scan._estimate_dpi(ruled_page(), None, 200.0)
    assert source == "text" and 150 * 0.8 < dpi < 150 * 1.25
    assert scan._estimate_dpi(np.full((500, 400), 255, np.uint8), None, 200.0) == (200.0, "default")


def test_upscale_below_is_validated():
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError):
        load_settings(overrides={"scan": {"upscale_below": 1.5}})
