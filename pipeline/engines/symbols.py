"""A reader for the comparator column's symbols: ≥ ≤ = > <, by their shape.

PP-OCR reads ≥ in several common CJK fonts (those that draw it as ⩾, with a
slanted bar) as `V` or `M` — the symbol is rare in its training text. The
column allows only five symbols (and the word 定性, which OCR reads well), and
they differ in plain geometry: a chevron opening left or right, with or
without a bar under it, or two bars. So this reads the ink's shape instead of
guessing: recognition constrained to the column's vocabulary, for any font.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.engines.base import Recognition

MIN_PART_PX = 3  # connected pieces smaller than this are specks
FLAT_RATIO = 0.45  # a piece this much wider than tall is a bar, not a chevron
CLEAR = 0.9  # confidence when the shape is unambiguous


def _parts(binary: np.ndarray) -> list[tuple[int, int, int, int, np.ndarray]]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats((binary > 0).astype(np.uint8), connectivity=8)
    parts = []
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        if area >= MIN_PART_PX:
            parts.append((x, y, w, h, labels[y:y + h, x:x + w] == i))
    return parts


def _chevron_direction(mask: np.ndarray) -> str | None:
    """'>' when the arms meet on the right, '<' when on the left."""
    h = mask.shape[0]
    rows = [r for r in range(h) if mask[r].any()]
    if len(rows) < 3:
        return None
    edge = rows[: max(1, len(rows) // 5)] + rows[-max(1, len(rows) // 5):]
    middle = rows[2 * len(rows) // 5: 3 * len(rows) // 5 + 1]
    centre_of = lambda rs: float(np.mean([np.flatnonzero(mask[r]).mean() for r in rs]))
    edge_x, middle_x = centre_of(edge), centre_of(middle)
    if abs(middle_x - edge_x) < 0.15 * mask.shape[1]:
        return None
    return ">" if middle_x > edge_x else "<"


FLAT_BOTTOM = 0.7  # a bottom row inked across this share of the width is the bar of ≥ / ≤
TWIN_ROWS = 0.3  # share of lower-half rows crossing two strokes (arm and bar) that marks a bar


def _runs_in_row(row: np.ndarray) -> int:
    padded = np.concatenate(([False], row, [False]))
    return int(np.count_nonzero(padded[1:] & ~padded[:-1]))


def _bottom_heavy(mask: np.ndarray) -> bool:
    """A > or < is one stroke per row, top to bottom; ≥ or ≤ blurred into one piece
    crosses two strokes (the lower arm and the bar) in many rows of its lower half."""
    half = mask.shape[0] // 2
    twins = [_runs_in_row(r) >= 2 for r in mask[half:]]
    upper = [_runs_in_row(r) >= 2 for r in mask[:half]]
    if twins and np.mean(twins) >= TWIN_ROWS and np.mean(twins) > 2 * np.mean(upper or [0]):
        return True
    # at low resolution the bar fuses with the arm's end: the bottom rows become one long stroke,
    # where a > or < ends in a short tip
    bottom = mask[-max(1, mask.shape[0] // 5):]
    top = mask[: max(1, mask.shape[0] // 5)]
    return int(bottom.sum(axis=1).max()) >= FLAT_BOTTOM * mask.shape[1] > int(top.sum(axis=1).max())


def read_comparator(binary: np.ndarray) -> Recognition | None:
    """The comparator a cell's ink draws, or None when the ink is not one of the five."""
    parts = _parts(binary)
    if not parts:
        return None
    biggest = max(parts, key=lambda p: p[4].sum())
    largest = biggest[4].sum()
    # dust next to the symbol goes; a thin bar (≥'s, faint at 150 dpi) is long, not dust
    parts = [p for p in parts if p[4].sum() >= 0.25 * largest or _is_bar(p, biggest[2])]
    tall = sorted((p for p in parts if p[3] > FLAT_RATIO * p[2]), key=lambda p: -p[3])
    if not tall:
        widest = max(p[2] for p in parts)
        bars = [p for p in parts if p[2] >= 0.6 * widest]  # the two strokes of =, not dust beside them
        return Recognition("=", CLEAR) if len(bars) == 2 else None
    chevron = tall[0]
    cx, cy, cw, ch = chevron[:4]
    # the bar of ≥ lies under the chevron's middle and spans most of its width (slanted or not)
    bars = [p for p in parts if p is not chevron and p[1] >= cy + 0.5 * ch and p[2] >= 0.4 * cw]
    others = [p for p in parts if p is not chevron and all(p is not b for b in bars)]
    if others:
        return None  # more shapes than a comparator has: a word, digits
    direction = _chevron_direction(chevron[4])
    if direction is None:
        # ⩾ may be one piece: the slanted bar touching the lower arm — read the upper two thirds
        mask = chevron[4]
        direction = _chevron_direction(mask[: max(3, 2 * mask.shape[0] // 3)])
        if direction is None:
            return None
        return Recognition("≥" if direction == ">" else "≤", 0.6)
    if bars or _bottom_heavy(chevron[4]):  # a bar apart, or blurred into the lower arm
        return Recognition("≥" if direction == ">" else "≤", CLEAR)
    return Recognition(direction, CLEAR)


def _is_bar(part, symbol_width: int) -> bool:
    _x, _y, w, h, _mask = part
    return w >= 0.6 * symbol_width and w >= 3 * h


def read_slash(binary: np.ndarray) -> Recognition | None:
    """The placeholder `/`: one stroke, taller than wide, leaning right."""
    parts = _parts(binary)
    if not parts:
        return None
    biggest = max(parts, key=lambda p: p[3] * p[2])
    x, y, w, h, mask = biggest
    if h < 1.5 * w or any(p is not biggest and p[2] * p[3] > 0.2 * w * h for p in parts):
        return None
    rows = [r for r in range(h) if mask[r].any()]
    top = np.mean([np.flatnonzero(mask[r]).mean() for r in rows[: max(1, len(rows) // 4)]])
    bottom = np.mean([np.flatnonzero(mask[r]).mean() for r in rows[-max(1, len(rows) // 4):]])
    top_width = max(np.count_nonzero(mask[r]) for r in rows[: max(1, len(rows) // 4)])
    if top - bottom < 0.3 * w or top_width > 0.6 * w:  # a 7 has a bar on top
        return None
    return Recognition("/", CLEAR)


def read_zero(binary: np.ndarray) -> Recognition | None:
    """A lone `0`: one ring, its hole most of its height.

    PP-OCR reads a lone narrow zero as nothing, `o` or `。` (measured on the Putuo
    budget tables, bench/putuo.py), though it reads zeros inside numbers well. A ring
    is told from `6` and `9` (their hole is half the height, the tail outside it), from
    `8` (two holes) and from `。` (as wide as tall, and small: under half the line).
    """
    parts = _parts(binary)
    if not parts:
        return None
    biggest = max(parts, key=lambda p: p[3] * p[2])
    x, y, w, h, mask = biggest
    if h < 1.2 * w or h < 0.5 * binary.shape[0] or any(
            p is not biggest and p[2] * p[3] > 0.2 * w * h for p in parts):
        return None
    filled = np.pad(mask.astype(np.uint8), 1)
    count, _, stats, _ = cv2.connectedComponentsWithStats(1 - filled, connectivity=4)
    holes = [s for s in stats[1:] if s[0] > 0 and s[1] > 0 and s[0] + s[2] < w + 2 and s[1] + s[3] < h + 2]
    if len(holes) != 1 or holes[0][3] < 0.55 * h:
        return None
    return Recognition("0", CLEAR)


DOT_MAX_PT = 4.5  # a dot of … or a 。 is smaller than this across (text is 9-12 pt tall)
ELLIPSIS_DOT_PT = 2.5  # …'s dots are under this; a 。 is bigger (and often hollow)


def read_dots(binary: np.ndarray, px_per_pt: float) -> Recognition | None:
    """A cell of placeholder dots: `…` (small filled dots, three to a sign) or `。。。`.

    PP-OCR reads a row of dots alone as `+++`, `000` or `o0o` (measured on the blank
    Putuo template, bench/putuo.py). Dots are told apart by absolute size: every
    piece round and under DOT_MAX_PT across, three or more of them on one line.
    """
    parts = _parts(binary)
    if len(parts) < 3:
        return None
    limit = DOT_MAX_PT * px_per_pt
    for _x, _y, w, h, _mask in parts:
        if w > limit or h > limit or w > 2 * h or h > 2 * w:
            return None
    # on one line: the two rings of a `%` whose stroke faded away sit one above the other
    centres = [y + h / 2 for _x, y, _w, h, _m in parts]
    if max(centres) - min(centres) > 0.5 * max(p[3] for p in parts):
        return None
    rings = [p for p in parts if _hollow(p[4]) or min(p[2], p[3]) >= ELLIPSIS_DOT_PT * px_per_pt]
    if len(rings) > len(parts) / 2:
        return Recognition("。" * len(parts), CLEAR)
    return Recognition("…" * max(1, round(len(parts) / 3)), CLEAR)


def _hollow(mask: np.ndarray) -> bool:
    filled = np.pad(mask.astype(np.uint8), 1)
    count, _, _, _ = cv2.connectedComponentsWithStats(1 - filled, connectivity=4)
    return count > 2  # the outside and at least one hole
