"""The lone-zero shape reader: a ring whose hole is most of its height is `0`; 6, 8, 9, 。 are not."""

import cv2
import numpy as np
import pytest

from pipeline.engines.symbols import read_zero


def glyph(text: str, scale: float = 1.4, thickness: int = 2) -> np.ndarray:
    img = np.zeros((60, 50), np.uint8)
    cv2.putText(img, text, (8, 48), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness)
    return img


def test_a_ring_is_zero():
    ring = np.zeros((44, 30), np.uint8)
    cv2.ellipse(ring, (15, 22), (10, 18), 0, 0, 360, 255, 3)
    assert read_zero(ring).text == "0"
    narrow = np.zeros((40, 20), np.uint8)
    cv2.ellipse(narrow, (10, 20), (6, 16), 0, 0, 360, 255, 2)  # the Putuo tables' narrow zero
    assert read_zero(narrow).text == "0"


@pytest.mark.parametrize("text", ["6", "8", "9", "1", "7", "/"])
def test_other_digits_are_not(text):
    assert read_zero(glyph(text)) is None


def test_a_small_round_mark_is_not():
    dot = np.zeros((44, 30), np.uint8)
    cv2.circle(dot, (15, 30), 6, 255, 2)  # 。: as wide as tall, low in the line
    assert read_zero(dot) is None
