"""Which way up a scanned page is (0/90/180/270), decided from the page as a whole.

WHY: one title line read upside down turns a whole form over, and a continuation page (a table,
no title) has no line outside its grid at all. The axis (text running across or down the page)
comes from imaging.text_direction_scores, which already looks at every glyph. 0 against 180 is
a vote: the OCR engine's 180° classifier on up to MAX_LINES text lines sampled over the whole
page (table cells included, ruling removed), each weighted by its confidence, plus a layout
cue a form's first page has (its title and header above the grid, see title_cue).
The page is turned over only when the weighted vote clearly says so (FLIP_MIN); a vote short of
CLEAR_MARGIN either way is recorded on the page as a doubt, so that downstream can flag it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline import imaging

# The axis: text along one axis must score this many times the other (imaging.is_sideways).
SIDEWAYS_MARGIN = 1.5
# A page skewed this much (degrees) is levelled before its text direction is judged.
LEVEL_FIRST_DEGREES = 0.5
# Lines shown to the classifier, sampled evenly from top to bottom of the page.
MAX_LINES = 30
# A sampled line is at least this many glyphs long: shorter ones ("/", "%", "万元") carry little
# orientation, and the classifier guesses on them.
MIN_LINE_EMS = 3.0
# Weights of the evidence (the classifier's vote is in [-1, 1], so is the title cue).
CLASSIFIER_WEIGHT = 1.0
TITLE_WEIGHT = 0.4
# Fewer classified lines than this and the classifier's weight shrinks in proportion.
FULL_VOTE_LINES = 10
# Turned over when the combined score (+1: every cue says upside down) exceeds FLIP_MIN...
FLIP_MIN = 0.35  # the title cue alone (0.4 / 1.4) cannot turn a page over
# ...and the decision is "clear" only when |score| reaches CLEAR_MARGIN (else a page note).
CLEAR_MARGIN = 0.35
# The title cue counts only with this much ink (share of the page) to compare.
MIN_LAYOUT_INK = 0.0005


@dataclass
class Orientation:
    quarter_turns: int  # counter-clockwise quarter turns that make the page upright (imaging.rotate90)
    axis_ratio: float  # winning text-direction score over the other: how clearly the axis was seen
    flip_score: float  # -1 (clearly upright) .. +1 (clearly upside down), after the axis turn
    evidence: dict = field(default_factory=dict)  # each cue's value and the classifier's line count
    text_seen: bool = True  # False: no text at all (a blank page, a photo): nothing to doubt
    skew: float | None = None  # degrees, imaging.estimate_skew of the page as given (deskewing reuses it)

    @property
    def rotation(self) -> int:
        return 90 * (self.quarter_turns % 4)

    @property
    def clear(self) -> bool:
        return self.axis_ratio >= SIDEWAYS_MARGIN and abs(self.flip_score) >= CLEAR_MARGIN

    def note(self, page_number: int) -> str | None:
        """The page's doubt in words, or None when the decision was clear."""
        if self.clear or not self.text_seen:
            return None
        return (f"page {page_number}: orientation uncertain (turned {self.rotation}°; text axis "
                f"ratio {self.axis_ratio:.2f}, upside-down score {self.flip_score:+.2f})")


def decide(gray: np.ndarray, dpi: float, engine=None, max_line_height: float | None = None) -> Orientation:
    """The quarter turns that make `gray` upright, with the margin of the decision.

    Decided on a levelled copy: at 2° of skew a ruling line breaks into runs shorter than the
    kernels that tell ruling from text, and the text-direction scores drown in ruling pieces.
    """
    angle = imaging.estimate_skew(gray)
    if abs(angle) >= LEVEL_FIRST_DEGREES:
        gray = imaging.deskew(gray, angle)
    masks = imaging.ruling_and_text(imaging.ensure_binary(gray))
    horizontal, vertical = imaging.text_direction_scores(gray, text=masks[1])
    sideways = vertical > SIDEWAYS_MARGIN * max(horizontal, 1.0)
    ratio = max(horizontal, vertical) / max(min(horizontal, vertical), 1.0)
    k = 1 if sideways else 0
    turned = imaging.rotate90(gray, k) if k else gray
    flip, evidence = flip_score(turned, dpi, engine, max_line_height, masks=None if k else masks)
    if flip > FLIP_MIN:
        k += 2
    return Orientation(quarter_turns=k, axis_ratio=round(float(ratio), 3), flip_score=round(flip, 3),
                       evidence=evidence, text_seen=max(horizontal, vertical) > 0, skew=angle)


def flip_score(gray: np.ndarray, dpi: float, engine=None, max_line_height: float | None = None,
               masks: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, dict]:
    """(score, evidence): +1 when every cue says the page is upside down, -1 when upright.
    `masks`: the page's (ruling, text) masks (imaging.ruling_and_text), where the caller has them."""
    ruling, text = masks if masks is not None else imaging.ruling_and_text(imaging.ensure_binary(gray))
    cues: list[tuple[float, float]] = []  # (value, weight)
    evidence: dict = {}
    if engine is not None:
        crops = sample_lines(gray, text, MAX_LINES, max_line_height)
        vote, n = classifier_vote(engine, crops)
        evidence.update(classifier=round(vote, 3), lines=n)
        if n:
            cues.append((vote, CLASSIFIER_WEIGHT * min(1.0, n / FULL_VOTE_LINES)))
    title = title_cue(text, ruling)
    evidence["title"] = round(title, 3)
    cues.append((title, TITLE_WEIGHT))
    total = sum(w for _, w in cues)
    score = sum(v * w for v, w in cues) / total if total else 0.0
    return float(score), evidence


def _em(text: np.ndarray) -> int | None:
    """About one glyph's size in px: the upper quartile of component sizes (CJK glyphs break up)."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    sizes = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    sizes = sizes[(sizes >= 4) & (sizes <= min(text.shape) // 10)]
    return int(np.percentile(sizes, 75)) if len(sizes) >= 10 else None


def sample_lines(gray: np.ndarray, text: np.ndarray, count: int,
                 max_height: float | None = None) -> list[np.ndarray]:
    """Up to `count` text-line crops spread over the whole page, top to bottom, ruling whitened."""
    em = _em(text)
    if em is None:
        return []
    gap = max(3, int(round(em * 0.8)))
    smeared = cv2.morphologyEx(text, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    _, _, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    limit = max_height if max_height is not None else 3 * em
    boxes = []
    for x, y, w, h, _area in stats[1:]:
        if em // 2 <= h <= min(limit, 3 * em) and w >= MIN_LINE_EMS * max(h, em):
            boxes.append((y, x, w, h))
    if not boxes:
        return []
    boxes.sort()
    picked = [boxes[int(i)] for i in np.unique(np.linspace(0, len(boxes) - 1, min(count, len(boxes))).round())]
    clean = np.where(text > 0, gray, np.uint8(255)) if gray.ndim == 2 else gray
    pad = max(2, em // 6)
    hh, ww = gray.shape[:2]
    return [np.ascontiguousarray(clean[max(0, y - pad):min(hh, y + h + pad), max(0, x - pad):min(ww, x + w + pad)])
            for y, x, w, h in picked]


def classifier_vote(engine, crops: list[np.ndarray]) -> tuple[float, int]:
    """(vote, lines): confidence-weighted share of lines read as upside down, as -1..+1.

    Uses the engine's own text-direction classifier per line when it exposes one
    (`turned_scores`: each line's probability of being turned by 180°); otherwise its
    upside_down(lines) on each line alone.
    """
    if not crops:
        return 0.0, 0
    per_line = _per_line_labels(engine, crops)
    if not per_line:
        return 0.0, 0
    # a 0.5 score is a coin toss and weighs nothing; a sure label weighs 1
    weights = [max(0.0, 2 * score - 1) for _, score in per_line]
    signs = [1.0 if flipped else -1.0 for flipped, _ in per_line]
    total = sum(weights)
    if total <= 0:
        return 0.0, len(per_line)
    return float(sum(s * w for s, w in zip(signs, weights)) / total), len(per_line)


def _per_line_labels(engine, crops: list[np.ndarray]) -> list[tuple[bool, float]]:
    turned = getattr(engine, "turned_scores", None)  # the engine's direction classifier, per line
    if turned is not None:
        return [(p > 0.5, max(p, 1.0 - p)) for p in turned(crops)]
    if not hasattr(engine, "upside_down"):
        return []
    return [(engine.upside_down([c]) > 0.5, 1.0) for c in crops]


def title_cue(text: np.ndarray, ruling: np.ndarray) -> float:
    """+1 for "upside down", -1 for "upright", 0 when unseen: is the text outside the grid above it?

    A form's title, unit line and header sit above its grid; what may sit below it (a note, a
    signature) is less. The cue flips sign when the page is turned over. A continuation page
    (a grid from top to bottom) gives no cue. The row-label column was tried as a cue too and
    dropped: on the dev forms the last column (indicator notes) holds more ink than the first
    (level-1 labels, merged over many rows).
    """
    h, w = text.shape
    ys = np.nonzero(ruling)[0]
    if len(ys) < 0.001 * h * w:
        return 0.0
    top, bottom = np.percentile(ys, [0.5, 99.5]).astype(int)
    above, below = float(np.count_nonzero(text[:top])), float(np.count_nonzero(text[bottom:]))
    return (below - above) / (above + below) if above + below >= MIN_LAYOUT_INK * h * w else 0.0
