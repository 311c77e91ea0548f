"""The comparator glyph classifier (pipeline/engines/glyphs.py) on faces it never saw in training.

Glyphs are typeset and damaged by the training script's own renderer with fixed seeds, in the two
faces held out of training (KaitiGB, a Kai face whose ≥ loses its bar at 150 dpi; MicroHei, a Hei
face). The floors sit just under what the shipped model measured here.
"""

from pathlib import Path

import numpy as np
import pytest

from pipeline.engines.glyphs import (MODEL, classify_comparator, first_glyph, glyph_box, load_model,
                                     predict_proba)
from scripts import train_glyphs as T
from tests.fonts import FONTS

GE, LE, GT, LT, EQ = range(5)

pytestmark = pytest.mark.skipif(not all(Path(FONTS[f][0]).exists() for f in T.HELD_OUT + T.TRAIN_FONTS),
                                reason="`make fonts` installs the CJK font packages")

# measured 2026-01 on the shipped model: accuracy, and the share of ≥ read > (≤ read <)
FLOORS = {  # (font, condition): (overall accuracy floor, ≥/≤ accuracy floor, ceiling on ≥→> and ≤→<)
    ("KaitiGB", "150grey_blur"): (0.97, 0.95, 0.05),
    ("MicroHei", "150grey_blur"): (0.92, 0.82, 0.17),
    ("KaitiGB", "200"): (0.98, 0.95, 0.05),
    ("MicroHei", "200"): (0.96, 0.92, 0.07),
}


@pytest.mark.parametrize("font,condition", list(FLOORS))
def test_held_out_faces(font, condition):
    x, y, _ = T.dataset([font], 40, np.random.default_rng([7, len(condition), len(font)]), **T.CONDITIONS[condition])
    assert len(y) == 200
    pred = predict_proba(x, load_model()).argmax(1)
    overall, or_equal, confused = FLOORS[(font, condition)]
    assert (pred == y).mean() >= overall
    for cls, bare in ((GE, GT), (LE, LT)):
        assert (pred[y == cls] == cls).mean() >= or_equal, T.CLASSES[cls]
        assert (pred[y == cls] == bare).mean() <= confused, T.CLASSES[cls]
        assert (pred[y == bare] == cls).mean() <= confused, T.CLASSES[bare]


def test_first_glyph_finds_the_symbol_in_front_of_digits():
    rng = np.random.default_rng(3)
    for text, pt, dpi in (("≥95%", 10, 150), ("<4.3", 9, 200), ("=100%", 12, 150)):
        line, end = T.render_line("KaitiGB", text, pt, dpi, rng)
        grey = (line * 255).astype(np.uint8)
        x0, _, x1, _ = glyph_box(grey)
        alone, _ = T.render_line("KaitiGB", text[0], pt, dpi, np.random.default_rng(0))
        a0, _, a1, _ = glyph_box((alone * 255).astype(np.uint8))
        assert x1 <= end + 1  # the crop stops before the first digit
        assert x1 - x0 >= 0.6 * (a1 - a0)  # and holds the whole symbol
        glyph = first_glyph(grey)
        assert glyph.shape == (24, 24) and glyph.dtype == np.uint8
        probs = classify_comparator(grey)
        assert max(probs, key=probs.get) == text[0]
        assert abs(sum(probs.values()) - 1) < 1e-5


def test_blank_and_dusty_crops():
    assert first_glyph(np.full((30, 60), 250, np.uint8)) is None
    assert classify_comparator(np.full((30, 60), 250, np.uint8)) == {}
    line, _ = T.render_line("MicroHei", "≤90%", 10, 200, np.random.default_rng(1))
    grey = (line * 255).astype(np.uint8)
    x0 = glyph_box(grey)[0]
    grey[14:16, 1:3] = 40  # a speck of dust left of the symbol
    assert glyph_box(grey)[0] == x0


def test_metadata_names_training_fonts_and_excludes_held_out():
    meta = load_model()["meta"]
    assert meta["classes"] == ["≥", "≤", ">", "<", "="]
    assert meta["size"] == 24
    assert set(meta["training_fonts"]) == set(T.TRAIN_FONTS) and len(meta["training_fonts"]) >= 5
    assert set(meta["held_out_fonts"]) == {"KaitiGB", "MicroHei"}
    assert not set(meta["training_fonts"]) & set(meta["held_out_fonts"])
    assert "validation" in meta["accuracy"] and "held_out" in meta["accuracy"]
    assert MODEL.stat().st_size < 1_000_000
