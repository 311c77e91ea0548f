"""Image files in every mode read as the paper looks: alpha onto white, 16-bit scaled, palettes."""

import numpy as np
import pytest
from PIL import Image

from pipeline.stages.scan import to_rgb


def _ink_page(size=(40, 30)):
    """A white page with a black bar: what each mode must keep."""
    page = np.full((size[1], size[0]), 255, np.uint8)
    page[10:20, 5:35] = 0
    return page


def _check(rgb):
    assert rgb.dtype == np.uint8 and rgb.shape[2] == 3
    assert rgb[0, 0].tolist() == [255, 255, 255]  # paper
    assert rgb[15, 20].max() < 40  # ink


def test_transparent_paper_is_white_not_black():
    page = _ink_page()
    rgba = np.zeros(page.shape + (4,), np.uint8)  # transparent black everywhere...
    rgba[page == 0] = [0, 0, 0, 255]  # ...but the ink
    _check(to_rgb(Image.fromarray(rgba, "RGBA")))


def test_sixteen_bit_grey_is_scaled_not_clipped():
    page = _ink_page().astype(np.uint16) * 257  # 0 and 65535, as a 16-bit PNG scan holds them
    image = Image.fromarray(page)
    assert image.mode.startswith("I;16")
    _check(to_rgb(image))


def test_a_sixteen_bit_png_file(tmp_path):
    path = tmp_path / "scan16.png"
    Image.fromarray(_ink_page().astype(np.uint16) * 257).save(path)
    with Image.open(path) as image:
        _check(to_rgb(image))


@pytest.mark.parametrize("mode", ["P", "L", "1", "LA", "CMYK"])
def test_other_modes(mode):
    image = Image.fromarray(_ink_page(), "L").convert(mode)
    _check(to_rgb(image))


def test_a_palette_with_a_transparent_index():
    page = _ink_page()
    image = Image.fromarray(page, "L").convert("P")
    image.info["transparency"] = image.getpixel((0, 0))
    _check(to_rgb(image))
