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


def test_lines_under_a_seal_are_found_on_the_printing_not_the_seals_residue():
    import cv2
    import numpy as np

    from pipeline import imaging
    from pipeline.stages.ocr_lines import outside_lines, without_seal_residue

    gray = np.full((400, 600), 250, np.uint8)
    cv2.circle(gray, (300, 200), 150, 165, 6)  # a faded seal's ring and, inside it, its strokes in grey
    for y in range(90, 300, 9):
        cv2.line(gray, (200, y), (400, y + 6), 160, 3)
    for top, bottom, left, right in ((150, 170, 120, 480), (220, 236, 60, 540)):  # title; unit line
        for x in range(left, right, 14):
            cv2.rectangle(gray, (x, top), (x + 9, bottom), 30, 2)  # dark print, glyph by glyph
    binary = imaging.binarize(gray)
    seals = [(300.0, 200.0, 150.0)]
    assert len({(j.box[1], j.box[3]) for j in outside_lines(binary, [], 1.0, 20)}) == 1  # one band
    kept = without_seal_residue(binary, gray, seals)
    bands = sorted({(j.box[1], j.box[3]) for j in outside_lines(kept, [], 1.0, 20)})
    assert len(bands) == 2 and bands[0][1] <= 200 <= bands[1][0]
    assert np.array_equal(kept[:, :130], binary[:, :130])  # outside the seal: untouched


def test_a_stray_mark_at_a_cells_edge_is_left_out_of_vocabulary_scoring():
    from pipeline.stages.reread import _line_sets

    parts = [(type("J", (), {"box": b})(), None) for b in [(0, 0, 10, 10), (0, 12, 10, 22)]]
    assert _line_sets(parts, ["成本指标", "1"]) == [[(0, 0, 10, 10), (0, 12, 10, 22)], [(0, 0, 10, 10)]]
    assert _line_sets(parts, ["经济成本指", "标"]) == [[(0, 0, 10, 10), (0, 12, 10, 22)], [(0, 0, 10, 10)]]
    assert _line_sets(parts[:1], ["1"]) == [[(0, 0, 10, 10)]]


def test_a_photos_dark_rim_just_inside_the_edge_is_no_text():
    """A flattened photo keeps its page's dark rim a few pixels inside the white the warp filled the
    corners with; it must not join the lines above a table into one band."""
    import numpy as np

    from pipeline.stages.ocr_lines import drop_border_blobs

    mask = np.zeros((600, 400), np.uint8)
    mask[3:6, 3:397] = 255           # the rim, 3 px in from the top, left and right edges
    mask[3:300, 3:6] = 255
    mask[3:300, 394:397] = 255
    mask[100:120, 150:250] = 255     # a title well inside the sheet
    out = drop_border_blobs(mask)
    assert not out[:, :10].any() and not out[:10].any() and not out[:, -10:].any()
    assert out[100:120, 150:250].all()
