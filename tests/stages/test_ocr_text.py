"""Cleaning a cell's OCR text, and choosing among vocabulary words for a cell that read badly."""

import pytest

from pipeline.stages.ocr_lines import strip_noise
from pipeline.stages.reread import _clear_winner


@pytest.mark.parametrize("read, kept", [
    ("株洲市渌口区司法局】", "株洲市渌口区司法局"),  # a seal fragment after the name
    ("人民调解专项)", "人民调解专项"),
    ("村（社区)", "村（社区)"),  # opened at another width: OCR mixes them
    ("(盖章）", "(盖章）"),
    ("数量（件）", "数量（件）"),
    ("金额、", "金额"),
    ("87.7.", "87.7"),
])
def test_noise_at_a_cells_ends(read, kept):
    assert strip_noise(read) == kept


def test_a_vocabulary_word_far_ahead_of_the_rest_wins():
    assert _clear_winner([("%", 0.06), ("‰", 0.0014), ("-", 0.001)])


@pytest.mark.parametrize("scored", [
    [("元", 0.03), ("分", 0.016), ("/", 0.013)],  # three guesses about a smudge
    [(">", 0.0145), ("≥", 0.0088)],
    [("%", 0.01)],  # alone, but too improbable
])
def test_no_clear_winner_among_close_or_improbable_words(scored):
    assert not _clear_winner(scored)
