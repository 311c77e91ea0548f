"""The orientation classifier is shown text lines only, never a whole table taken as one line."""

import cv2
import numpy as np

from pipeline.stages.scan import MAX_LINE_HEIGHT_PT, _sample_lines

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


def test_a_table_is_not_a_text_line():
    limit = MAX_LINE_HEIGHT_PT * DPI / 72
    assert _sample_lines(page_with_title_and_table(title=False), 8, limit) == []
    samples = _sample_lines(page_with_title_and_table(title=True), 8, limit)
    assert samples and all(s.shape[0] <= limit for s in samples)
