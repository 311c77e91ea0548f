"""Known names: correct a reading one or two characters away from a name in config.

`渌` is rare in OCR training text and comes out as 绿 or 录, so 株洲市渌口区司法局
reads as 株洲市绿口区司法局. A list of the archive's names is a strong prior, but
never enough alone: the correction is made only when the recogniser's own
per-frame output gives the corrected line at least `known_name_min_ratio` of
the probability of what it read — it saw the name as possible. Every
correction is kept as a note, for the review list.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.engines.base import ConstrainedRecognizer, Recognition


MAX_ROUNDS = 3  # names corrected in one line, one after another
INDEL_MIN_CHARS = 5  # shorter names match too much text once a character may be dropped or added


def max_substitutions(name: str) -> int:
    return 1 if len(name) <= 4 else 2


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: substitutions, and characters dropped or added (a seal
    fragment read as `】` after 局)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def near_variants(text: str, names: Sequence[str]) -> list[tuple[str, str, str]]:
    """(corrected text, was, name) for each window of `text` a few edits away from a name.

    Windows are as long as the name or, for names of INDEL_MIN_CHARS or more, one
    character shorter or longer and starting with the name's first character (an
    edit at the far end, where seal fragments and cut-off strokes are). A name
    already in the text, or inside a name already there, is not looked for.
    """
    out, seen = [], set()
    present = [name for name in names if name in text]
    for name in sorted(names, key=len, reverse=True):
        if any(name in found for found in present):
            continue
        n, budget = len(name), max_substitutions(name)
        for size in (n, n - 1, n + 1) if n >= INDEL_MIN_CHARS else (n,):
            for start in range(0, len(text) - size + 1):
                window = text[start:start + size]
                if size != n and window[0] != name[0]:
                    continue
                distance = edit_distance(window, name)
                corrected = text[:start] + name + text[start + size:]
                if 0 < distance <= budget and distance < n and corrected not in seen:
                    seen.add(corrected)
                    out.append((corrected, window, name))
    return out


def correct(reading: Recognition, crop: np.ndarray, engine, names: Sequence[str], min_ratio: float) -> str | None:
    """Replace `reading.text` by its corrected form when the evidence allows; return a note, or None.

    Corrections are made one name at a time, up to MAX_ROUNDS (`株洲市濠口区司法育】`:
    first 渌口区, then 司法局), each judged against what was first read.
    """
    if not names or not isinstance(engine, ConstrainedRecognizer):
        return None
    text, read_p, fixes, ratio = reading.text, None, [], 0.0
    for _ in range(MAX_ROUNDS):
        variants = near_variants(text, names)
        if not variants:
            break
        candidates = ([reading.text] if read_p is None else []) + [v[0] for v in variants]
        scores = dict(engine.score_candidates(crop, candidates))
        if read_p is None:
            read_p = scores.get(reading.text, 0.0)
        best = max(variants, key=lambda v: scores.get(v[0], 0.0))
        best_ratio = scores.get(best[0], 0.0) / read_p if read_p > 0 else 0.0
        if best_ratio < min_ratio:
            break
        text, ratio = best[0], best_ratio
        fixes.append(f"'{best[1]}' to the known name '{best[2]}'")
    if not fixes:
        return None
    note = f"read '{reading.text}', corrected {', then '.join(fixes)} (recogniser odds {ratio:.2g})"
    reading.alternatives = [(reading.text, round(reading.confidence, 4))] + reading.alternatives
    reading.text = text
    return note
