"""Comparator symbols settled by the recogniser's line scores and the glyph classifier together."""

import numpy as np

from pipeline.model import Cell
from pipeline.stages import reread
from pipeline.stages.ocr_lines import LineJob


class Scorer:
    """A recogniser that scores candidates from a table: `probs[text]`."""

    def __init__(self, probs):
        self.probs = probs

    def score_candidates(self, line, candidates):
        return sorted(((c, self.probs.get(c, 1e-6)) for c in candidates), key=lambda s: -s[1])


def _cell(text):
    cell = Cell(row=1, col=1, text=text, source="ocr", confidence=0.95)
    parts = [(LineJob((0, 0, 60, 20), cell), None)]
    return cell, parts


GRAY = np.full((40, 80), 255, np.uint8)


def test_a_clear_line_score_replaces_the_symbol_and_keeps_the_reading_as_an_alternative(monkeypatch):
    monkeypatch.setattr(reread.glyphs, "classify_comparator", lambda crop: {})
    cell, parts = _cell(">95%")
    reread.settle_symbols(GRAY, cell, parts, Scorer({"≥95%": 0.9, ">95%": 0.05}), 0.8)
    assert cell.text == "≥95%" and cell.alternatives[0][0] == ">95%" and cell.confidence == 0.95
    assert "'>95%' read as '≥95%'" in cell.note  # the change is a review item (repair), never silent


def test_the_glyph_classifier_overrules_a_line_score_it_contradicts_and_a_close_call_is_flagged(monkeypatch):
    # the recogniser leans to `>` (the bar fused with the arm); the classifier sees the bar
    monkeypatch.setattr(reread.glyphs, "classify_comparator", lambda crop: {"≥": 0.97, ">": 0.02, "=": 0.01})
    cell, parts = _cell(">95%")
    reread.settle_symbols(GRAY, cell, parts, Scorer({">95%": 0.7, "≥95%": 0.3}), 0.8)
    assert cell.text == "≥95%"
    # both judges unsure: the reading stays, flagged under the threshold with the other symbol offered
    monkeypatch.setattr(reread.glyphs, "classify_comparator", lambda crop: {"≥": 0.5, ">": 0.5})
    cell, parts = _cell(">95%")
    reread.settle_symbols(GRAY, cell, parts, Scorer({">95%": 0.55, "≥95%": 0.45}), 0.8)
    assert cell.text == ">95%" and cell.confidence < 0.8 and "≥95%" in [a[0] for a in cell.alternatives]


def test_text_without_a_comparator_is_left_alone(monkeypatch):
    called = []
    monkeypatch.setattr(reread.glyphs, "classify_comparator", lambda crop: called.append(1) or {})
    cell, parts = _cell("95%")
    reread.settle_symbols(GRAY, cell, parts, Scorer({}), 0.8)
    assert cell.text == "95%" and not called


def test_a_lone_latin_mark_breaks_a_name_column_but_a_word_or_placeholder_does_not():
    from pipeline.columns import column_schema
    from pipeline.config import load_settings

    schema = column_schema(load_settings())
    assert reread.breaks_column("1", "text", schema) and reread.breaks_column("a", "text", schema)
    assert not reread.breaks_column("受援案件数", "text", schema) and not reread.breaks_column("/", "text", schema)


def test_under_a_seal_the_reading_some_view_explains_best_wins_over_the_surest_sounding():
    from pipeline.engines.base import Recognition

    class Views:  # the faded view supports the truncated reading a little, the unfaded view the whole
        def score_candidates(self, line, candidates):
            table = ({"满意度": 0.05, "满": 0.6} if line.mean() > 200 else {"满意度": 0.95, "满": 1e-9})
            return sorted(((c, table.get(c, 0.0)) for c in candidates), key=lambda s: -s[1])

    faded, unfaded = np.full((40, 80), 250, np.uint8), np.full((40, 80), 120, np.uint8)
    candidates = [Recognition("满", 1.0), Recognition("满意度", 0.97)]
    from pipeline.columns import column_schema
    from pipeline.config import load_settings

    best = reread._best_through_seal(faded, unfaded, (10, 10, 70, 30), candidates, "text",
                                     column_schema(load_settings()), Views())
    assert best.text == "满意度"
