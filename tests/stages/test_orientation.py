"""Which way up: decided over the whole page (many lines, the layout), with its margin recorded."""

import numpy as np
import pytest

from pipeline import imaging, orientation
from pipeline.config import load_settings
from pipeline.engines import registry
from tests.stages.test_perspective import DPI, ruled_page


@pytest.fixture(scope="module")
def engine():
    settings = load_settings()
    return registry.ocr_engine(settings.ocr.engine, **settings.ocr.options)


@pytest.fixture(scope="module")
def upright():
    return ruled_page()


def _turned(gray: np.ndarray, k: int, skew: float) -> np.ndarray:
    page = imaging.rotate90(gray, k)
    return imaging.deskew(page, -skew) if skew else page


@pytest.mark.parametrize("k,skew", [(0, 0.0), (1, 0.0), (2, 0.0), (3, 0.0), (2, 1.5), (1, -2.0), (3, 2.5), (0, -1.0)])
def test_every_quarter_turn_is_undone(engine, upright, k, skew):
    decided = orientation.decide(_turned(upright, k, skew), DPI, engine)
    assert (decided.quarter_turns + k) % 4 == 0
    assert decided.clear and decided.evidence["lines"] >= 10


def test_a_continuation_page_without_title_is_turned_over_by_its_cells(engine):
    page = ruled_page()
    page[:290] = 255  # no title, no unit line: a grid only
    decided = orientation.decide(imaging.rotate90(page, 2), DPI, engine)
    assert decided.quarter_turns == 2 and decided.evidence["title"] == 0.0


def test_an_upside_down_title_alone_does_not_turn_the_page():
    class TitleOnly:  # every line reads upright, but the layout says "turned": no flip on layout alone
        def upside_down(self, lines):
            return 0.0

    page = ruled_page()
    flipped_layout = page.copy()
    flipped_layout[:290] = 255
    flipped_layout[-180:-60, 300:900] = page[100:220, 300:900]  # the title under the grid
    decided = orientation.decide(flipped_layout, DPI, TitleOnly())
    assert decided.quarter_turns == 0 and decided.flip_score < 0


def test_a_blank_page_is_left_upright_without_a_doubt(engine):
    decided = orientation.decide(np.full((1754, 1240), 255, np.uint8), DPI, engine)
    assert decided.quarter_turns == 0 and not decided.clear and decided.note(3) is None


def test_a_split_vote_is_not_turned_and_is_noted_as_uncertain():
    class Undecided:  # every other line reads upside down, all of them sure of it
        def turned_scores(self, crops):
            return [0.99 if i % 2 else 0.01 for i in range(len(crops))]

    page = ruled_page()
    page[:290] = 255  # no title: the classifier is all there is
    decided = orientation.decide(page, DPI, Undecided())
    assert decided.quarter_turns == 0 and not decided.clear
    assert "orientation uncertain" in decided.note(3) and decided.note(3).startswith("page 3:")


def test_the_vote_is_weighted_by_each_lines_confidence():
    class Classifier:  # the engine's turned_scores: each line's probability of being turned by 180°
        def __init__(self, results):
            self.results = results

        def turned_scores(self, crops):
            return [score if label == "180" else 1.0 - score for label, score in self.results]

        def upside_down(self, lines):
            raise AssertionError("the per-line classifier is used when the engine has one")

    crops = [np.full((30, 200), 255, np.uint8)] * 3
    sure_flip_two_unsure = Classifier([("180", 0.99), ("0", 0.55), ("0", 0.6)])
    vote, n = orientation.classifier_vote(sure_flip_two_unsure, crops)
    assert n == 3 and vote > 0.5  # one sure line outweighs two coin tosses
    vote, _ = orientation.classifier_vote(Classifier([("0", 0.99), ("0", 0.98), ("180", 0.97)]), crops)
    assert vote < -0.3


def test_lines_are_sampled_from_the_whole_page_not_only_the_title(upright):
    _, text = imaging.ruling_and_text(imaging.ensure_binary(upright))
    crops = orientation.sample_lines(upright, text, 30)
    assert 10 <= len(crops) <= 30
    assert all(c.shape[0] < 3 * 40 for c in crops)  # text lines, never a table taken whole
