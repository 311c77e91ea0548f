"""Known names: correct a reading one or two characters away from a name in config.

`渌` is rare in OCR training text and comes out as 绿 or 录, so 株洲市渌口区司法局
reads as 株洲市绿口区司法局. A list of the archive's names is a strong prior, but
never enough alone: the correction is made only when the recogniser's own
per-frame output gives the corrected line at least `known_name_min_ratio` of
the probability of what it read — it saw the name as possible. Every
correction is kept as a note, for the review list.
"""

from __future__ import annotations

import numpy as np

from pipeline.engines.base import ConstrainedRecognizer, Recognition


def max_substitutions(name: str) -> int:
    return 1 if len(name) <= 4 else 2


def near_variants(text: str, names: list[str]) -> list[tuple[str, str, str]]:
    """(corrected text, was, name) for each window of `text` that differs from a name by a few characters."""
    out = []
    for name in sorted(names, key=len, reverse=True):
        n = len(name)
        for start in range(0, len(text) - n + 1):
            window = text[start:start + n]
            diffs = sum(a != b for a, b in zip(window, name))
            if 0 < diffs <= max_substitutions(name) and diffs < n:
                out.append((text[:start] + name + text[start + n:], window, name))
    return out


def correct(reading: Recognition, crop: np.ndarray, engine, names: list[str], min_ratio: float) -> str | None:
    """Replace `reading.text` by its corrected form when the evidence allows; return a note, or None."""
    if not names or not isinstance(engine, ConstrainedRecognizer):
        return None
    variants = near_variants(reading.text, names)
    if not variants:
        return None
    candidates = [reading.text] + [v[0] for v in variants]
    scores = dict(engine.score_candidates(crop, candidates))
    read_p = scores.get(reading.text, 0.0)
    best = max(variants, key=lambda v: scores.get(v[0], 0.0))
    ratio = scores.get(best[0], 0.0) / read_p if read_p > 0 else 0.0
    if ratio < min_ratio:
        return None
    note = f"read '{best[1]}', corrected to the known name '{best[2]}' (recogniser odds {ratio:.2g})"
    reading.alternatives = [(reading.text, round(reading.confidence, 4))] + reading.alternatives
    reading.text = best[0]
    return note
