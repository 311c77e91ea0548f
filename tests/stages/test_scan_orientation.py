"""The orientation classifier is shown text lines only, never a whole table taken as one line."""

import cv2
import numpy as np

from pipeline import imaging, orientation
from pipeline.stages.scan import MAX_LINE_HEIGHT_PT

DPI = 200


def page_with_title_and_table(title: bool) -> np.ndarray:
    gray = np.full((1600, 2200), 255, np.uint8)
    if title:  # a title, a unit line, a note under the table: what a first page has
        cv2.putText(gray, "BUDGET TABLE 2024 GENERAL", (300, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
        cv2.putText(gray, "UNIT: YUAN", (1600, 250), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
        cv2.putText(gray, "NOTE: NO FUNDS OF THIS KIND IN 2024", (200, 1400), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    for y in range(500, 1301, 40):  # a ruled table, 20 rows of text
        cv2.line(gray, (200, y), (2000, y), 0, 2)
        if y < 1300:
            cv2.putText(gray, "201 05 1,234,567.00", (260, y + 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    for x in (200, 800, 1400, 2000):
        cv2.line(gray, (x, 500), (x, 1300), 0, 2)
    return gray


def test_lines_sampled_for_the_direction_classifier_are_text_not_ruling():
    """What orientation.flip_score gives the classifier: line crops no taller than a text line,
    with the table's ruling whitened (a ruled row is not a line of text)."""
    gray = page_with_title_and_table(title=True)
    _, text = imaging.ruling_and_text(imaging.ensure_binary(gray))
    limit = MAX_LINE_HEIGHT_PT * DPI / 72
    samples = orientation.sample_lines(gray, text, 8, limit)
    assert len(samples) >= 4 and all(s.shape[0] <= limit for s in samples)
    for crop in samples:  # no dark run across the crop: the ruling is gone
        assert not ((crop < 128).mean(axis=1) > 0.9).any()
    assert orientation.sample_lines(np.full((1600, 2200), 255, np.uint8), np.zeros((1600, 2200), np.uint8), 8, limit) == []
