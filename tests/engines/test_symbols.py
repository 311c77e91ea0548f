"""The comparator and slash shape readers, on glyphs drawn here in several styles."""

import cv2
import numpy as np
import pytest

from pipeline.engines.symbols import read_comparator, read_dots, read_slash

SIZE = 40


def canvas() -> np.ndarray:
    return np.zeros((SIZE, SIZE), np.uint8)


def chevron(img, right=True, top=4, bottom=26, thickness=3):
    tip, base = (34, 6) if right else (6, 34)
    cv2.line(img, (base, top), (tip, (top + bottom) // 2), 255, thickness)
    cv2.line(img, (tip, (top + bottom) // 2), (base, bottom), 255, thickness)
    return img


def test_greater_and_less():
    assert read_comparator(chevron(canvas(), right=True)).text == ">"
    assert read_comparator(chevron(canvas(), right=False)).text == "<"


@pytest.mark.parametrize("slanted", [False, True])
def test_or_equal_with_bar_apart(slanted):
    img = chevron(canvas(), right=True)
    cv2.line(img, (6, 36 if slanted else 33), (34, 30 if slanted else 33), 255, 3)
    assert read_comparator(img).text == "≥"
    img = chevron(canvas(), right=False)
    cv2.line(img, (6, 33), (34, 33), 255, 3)
    assert read_comparator(img).text == "≤"


# ≥ as the 200-dpi sample scan of an AR PL UMing form draws it: the bar blurred into the lower arm
MERGED_GE = """
###................
#####..............
.#######...........
...######..........
.....######........
.......######......
.........#######...
...........#######.
.............######
..............#####
.............######
............######.
..........######...
........######...#.
......######..####.
....######..######.
..######..#######..
######...######....
####...######......
##...######........
...######..........
.######............
#####..............
###................
"""


def from_art(art: str) -> np.ndarray:
    rows = [r for r in art.strip().splitlines()]
    return np.array([[255 if ch == "#" else 0 for ch in r] for r in rows], np.uint8)


def test_or_equal_with_bar_blurred_into_the_lower_arm():
    assert read_comparator(from_art(MERGED_GE)).text == "≥"
    assert read_comparator(from_art(MERGED_GE)[:, ::-1]).text == "≤"


# ≥ on the 150-dpi grey scan: the bar fused with the end of the lower arm, one long bottom stroke
FUSED_GE_150 = """
.#......................
.#......................
.........###............
........######..........
.........########.......
..........##########....
.............#########..
................########
................########
.............##########.
..........##########....
.........########.......
........#######.........
........####............
.........##.............
.........##############.
........################
........###############.
"""


def test_or_equal_with_the_bar_fused_at_low_resolution():
    assert read_comparator(from_art(FUSED_GE_150)).text == "≥"


def test_equals_and_noise():
    img = canvas()
    cv2.line(img, (6, 14), (34, 14), 255, 3)
    cv2.line(img, (6, 24), (34, 24), 255, 3)
    img[2, 2] = 255  # a speck of dust
    assert read_comparator(img).text == "="


def test_equals_with_a_speck_beside_it():
    img = canvas()
    cv2.line(img, (6, 14), (24, 14), 255, 3)
    cv2.line(img, (6, 22), (24, 22), 255, 3)
    cv2.rectangle(img, (32, 30), (34, 32), 255, -1)  # a speck of toner, taller than a bar is
    assert read_comparator(img).text == "="


def test_words_are_not_symbols():
    img = canvas()
    cv2.putText(img, "AB", (2, 30), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 255, 2)
    assert read_comparator(img) is None
    assert read_comparator(canvas()) is None


def test_slash_but_not_seven_or_one():
    img = canvas()
    cv2.line(img, (10, 36), (28, 4), 255, 3)
    assert read_slash(img).text == "/"
    seven = canvas()
    cv2.line(seven, (8, 5), (32, 5), 255, 3)
    cv2.line(seven, (32, 5), (14, 36), 255, 3)
    assert read_slash(seven) is None
    one = canvas()
    cv2.line(one, (20, 4), (20, 36), 255, 3)
    assert read_slash(one) is None


def test_or_equal_with_a_bar_thinner_than_dust():
    # at 150 dpi the bar of ≥ binarises to a one-pixel line, a small area next to the chevron
    img = chevron(canvas(), right=True, thickness=4)
    cv2.line(img, (8, 34), (32, 34), 255, 1)
    assert read_comparator(img).text == "≥"


def test_a_speck_under_the_chevron_is_not_a_bar():
    img = chevron(canvas(), right=True, thickness=4)
    cv2.rectangle(img, (18, 33), (19, 34), 255, -1)
    assert read_comparator(img).text == ">"


PX_PER_PT = 200 / 72


def dots(count, diameter_px, hollow=False, gap=6):
    img = np.zeros((24, 8 + count * (diameter_px + gap)), np.uint8)
    for i in range(count):
        centre = (4 + i * (diameter_px + gap) + diameter_px // 2, 12)
        cv2.circle(img, centre, diameter_px // 2, 255, 1 if hollow else -1)
    return img


def test_three_small_dots_are_an_ellipsis():
    assert read_dots(dots(3, 4), PX_PER_PT).text == "…"
    assert read_dots(dots(6, 4), PX_PER_PT).text == "……"


def test_three_rings_are_full_stops():
    assert read_dots(dots(3, 10, hollow=True), PX_PER_PT).text == "。。。"


@pytest.mark.parametrize("drawing", [
    lambda: dots(1, 4),                                       # one dot: a speck, or a real full stop
    lambda: cv2.line(np.zeros((24, 60), np.uint8), (4, 12), (20, 12), 255, 2),  # a dash is no dot
    lambda: chevron(canvas()),                                # text-sized ink
])
def test_other_ink_is_not_dots(drawing):
    assert read_dots(drawing(), PX_PER_PT) is None
