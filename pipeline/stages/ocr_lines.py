"""Where a scanned page's text lines are, and how each line is cropped and cleaned for reading.

Shared by the first reading (ocr.py) and the second (reread.py): inside a
known cell the lines are found by a projection profile, and an empty cell has
none; outside the tables, lines are split into phrases at wide gaps.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline import imaging
from pipeline.engines.base import PixelBox
from pipeline.model import Cell, Table

CELL_BORDER_PT = 1.5  # inset from a cell's ruling lines so they are not read as strokes
BORDER_RESIDUE_PT = 2.0  # how deep a ruling remnant (thickness + skew residue) may reach past the inset
EDGE_FRAGMENT_PT = 3.0  # ink reaching no deeper than this from a cell's edge belongs to the neighbour
MAX_LINE_HEIGHT_PT = 14.0  # ink bands closer than this together are one line (the two bars of `=`)
MIN_LINE_HEIGHT_PT = 4.0  # outside tables: thinner bands are specks or rule remnants
SEAL_RING_REACH = 1.1  # a seal's ink reaches past its fitted radius by the ring's stroke and the blur
PAD_RATIO = 0.25  # white margin around a line crop, as a share of its height


@dataclass
class LineJob:
    box: PixelBox  # on the page, in pixels
    cell: Cell | None  # None: a line outside every table


def to_pixels(bbox, px_per_pt: float) -> PixelBox:
    x0, y0, x1, y1 = bbox
    return int(round(x0 * px_per_pt)), int(round(y0 * px_per_pt)), int(round(x1 * px_per_pt)), int(round(y1 * px_per_pt))


def to_points(box: PixelBox, px_per_pt: float):
    return tuple(round(v / px_per_pt, 2) for v in box)


def cell_lines(binary: np.ndarray, cell: Cell, px_per_pt: float, min_ink_pt2: float,
               cores: np.ndarray | None = None) -> list[LineJob]:
    """The text lines inside one cell, found by projection; none for an empty cell.

    Emptiness is an absolute amount of ink (a `/` is enough), not a share of
    the cell: a tall merged label cell holds a few characters in a lot of space.
    `cores`: the ink mask without a seal's residue (without_seal_residue): where it still holds
    ink, lines are found on it, so a seal's star over `7.34` does not make the line as tall and
    wide as the star; emptiness is still the full mask's, and where the cores of a line are too
    faint to count (thin digits under a seal) its ends are too.
    """
    x0, y0, x1, y1 = to_pixels(cell.bbox, px_per_pt)
    inset = max(1, int(round(CELL_BORDER_PT * px_per_pt)))
    inner = (x0 + inset, y0 + inset, x1 - inset, y1 - inset)
    if inner[2] <= inner[0] or inner[3] <= inner[1]:
        return []
    crop = _cell_ink(binary, inner, px_per_pt)
    core = _cell_ink(cores, inner, px_per_pt) if cores is not None else None
    min_ink = min_ink_pt2 * px_per_pt * px_per_pt
    if np.count_nonzero(crop) < min_ink:
        return []  # never recognise an empty cell
    max_height = MAX_LINE_HEIGHT_PT * px_per_pt
    if core is not None and np.count_nonzero(core) >= min_ink and np.any(core != crop):
        # a core band is thinner than its glyphs' anti-aliased edges: a quarter of its height each side
        bands = [(max(0, top - (bottom - top) // 4), min(crop.shape[0], bottom + (bottom - top) // 4))
                 for top, bottom in merge_close_bands(imaging.text_line_bands(core, trim=False), max_height)]
    else:
        core, bands = None, merge_close_bands(imaging.text_line_bands(crop, trim=False), max_height)
    jobs = []
    for top, bottom in bands:
        if np.count_nonzero(crop[top:bottom]) < min_ink:
            continue
        band = crop[top:bottom]
        if core is not None and np.count_nonzero(core[top:bottom]) >= min_ink:
            band = core[top:bottom]  # the line's ends without the seal's residue beside it
        # dust far from the text would widen the line and be "read" as a character
        runs = [(a, b) for a, b in imaging.split_by_gaps(band, max(2, 2 * (bottom - top)))
                if np.count_nonzero(band[:, a:b]) >= min_ink]
        if not runs:
            continue
        box = (inner[0] + runs[0][0], inner[1] + top, inner[0] + runs[-1][1], inner[1] + bottom)
        jobs.append(LineJob(box, cell))
    return jobs


def _cell_ink(mask: np.ndarray, inner, px_per_pt: float) -> np.ndarray:
    """A cell's ink inside its borders, without ruling remnants or a neighbour's descenders."""
    crop = imaging.trim_borders(mask[inner[1]:inner[3], inner[0]:inner[2]],
                                max_depth=max(2, int(BORDER_RESIDUE_PT * px_per_pt)))
    return drop_edge_fragments(crop, int(EDGE_FRAGMENT_PT * px_per_pt))


def drop_edge_fragments(crop: np.ndarray, depth: int) -> np.ndarray:
    """Erase ink that only pokes in across the cell's top or bottom (a neighbour's descender)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((crop > 0).astype(np.uint8), connectivity=8)
    height, width = crop.shape
    out = crop.copy()
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        # top and bottom only: a glyph near the left or right border is split into strokes that
        # would look shallow; ruling remnants there are trim_borders' job
        shallow = (y == 0 and h <= depth) or (y + h == height and h <= depth)
        if shallow:
            out[labels == i] = 0
    return out


EDGE_SHARE = 0.01  # of the image's shorter side: ink this near the edge is the sheet's rim, not text


def drop_border_blobs(binary: np.ndarray) -> np.ndarray:
    """Erase ink touching the image's edge, or within EDGE_SHARE of it: the dark margin of a photo,
    a scanner's shadow, the fill a deskew leaves. Text on a form never runs off the sheet, nor to
    within 2 mm of it. WHY the band: a photo flattened onto its page keeps a dark rim a few pixels
    inside the white its warp filled the corners with (a rim 3 px in had joined the title, the
    reporting unit and the signer into one band the whole page wide, read as nothing)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((binary > 0).astype(np.uint8), connectivity=8)
    height, width = binary.shape
    edge = int(EDGE_SHARE * min(height, width))
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    touching = (x <= edge) | (y <= edge) | (x + w >= width - edge) | (y + h >= height - edge)
    touching[0] = False  # the background label
    out = binary.copy()
    out[touching[labels]] = 0
    return out


def merge_close_bands(bands: list[tuple[int, int]], max_height: float) -> list[tuple[int, int]]:
    """Join neighbouring bands whose union is still no taller than one line (`=`, `三`)."""
    out: list[tuple[int, int]] = []
    for top, bottom in bands:
        if out and bottom - out[-1][0] <= max_height:
            out[-1] = (out[-1][0], bottom)
        else:
            out.append((top, bottom))
    return out


def outside_lines(binary: np.ndarray, tables: list[Table], px_per_pt: float, phrase_gap_pt: float,
                  cores: np.ndarray | None = None) -> list[LineJob]:
    """Lines of text outside the tables (title, unit, signer), split into phrases at wide gaps.

    `cores` (see cell_lines): lines and phrases are found without a seal's residue, which would
    join the title and the reporting-unit line under it into one band."""
    mask = drop_border_blobs(binary)
    core = drop_border_blobs(cores) if cores is not None else mask
    margin = int(round(3 * px_per_pt))
    for table in tables:
        x0, y0, x1, y1 = to_pixels(table.bbox, px_per_pt)
        for m in (mask, core):
            m[max(0, y0 - margin):y1 + margin, max(0, x0 - margin):x1 + margin] = 0
    min_height = MIN_LINE_HEIGHT_PT * px_per_pt
    jobs = []
    for top, bottom in imaging.text_line_bands(core):
        if bottom - top < min_height:
            continue
        band = core[top:bottom]
        for left, right in imaging.split_by_gaps(band, int(phrase_gap_pt * px_per_pt)):
            if right - left >= min_height:  # a phrase is at least one character wide
                jobs.append(LineJob((left, top, right, bottom), None))
    return jobs


def without_seal_residue(mask: np.ndarray, gray: np.ndarray, seals) -> np.ndarray:
    """The ink mask lines are found in: inside seal discs, only ink darker than the seal.

    WHY: the residue a faded seal leaves is lighter than print but still ink to the binariser; it
    spans the title and the reporting-unit line (one crop three lines tall reads as nothing) and
    the star over an amount widens its line (`7.34` read as `(★)`). The split is Otsu's between
    that ink's two grey populations, print and residue, so no grey level is fitted to a scan.
    Only where lines are is decided on this mask; what is read is still the grey image."""
    height, width = mask.shape
    disc = np.zeros((height, width), np.uint8)
    for cx, cy, radius in seals:
        # the fitted radius runs along the ring's stroke: its outer half lies beyond it
        cv2.circle(disc, (int(round(cx)), int(round(cy))), int(round(SEAL_RING_REACH * radius)), 255, -1)
    inked = (mask > 0) & (disc > 0)
    levels = gray[inked]
    if levels.size < 100:
        return mask
    split, _ = cv2.threshold(levels.reshape(-1, 1).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    out = mask.copy()
    out[inked & (gray >= split)] = 0
    return out


def line_crop(gray: np.ndarray, box: PixelBox) -> np.ndarray:
    """The line with a white margin: the recogniser reads single symbols (`/`, `=`) better with room."""
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    height = y1 - y0
    pad_x = int(PAD_RATIO * height) + max(0, (height - (x1 - x0)) // 2)
    pad_y = max(1, int(0.1 * height))
    return np.pad(crop, ((pad_y, pad_y), (pad_x, pad_x)), constant_values=255)


# a ruling-line remnant reads as | at a line's end
_NOISE_HEAD = ":：、·.,，'\"`‘’_-~|丨│ "
_NOISE_TAIL = ":：、·,，'\"`‘’_~|丨│ "
_OCR_CONFUSABLES = str.maketrans({"丶": "、"})  # the radical 丶 is never written in running text


def strip_noise(text: str, inner: bool = False) -> str:
    """Specks read as punctuation at a cell's ends (`:2026.01`, `金额、`); a final 。 is real.

    `inner`: one line inside a cell, where a wrapped `，` or `、` at the end is real
    and only ruling remnants (`|`) are stripped.
    """
    text = _strip_pictographs(text.translate(_OCR_CONFUSABLES))
    if inner:
        return text.strip(" ").strip("|丨│").strip(" ") or text
    stripped = text.strip(" \n").rstrip(_NOISE_TAIL).lstrip(_NOISE_HEAD)
    # `87.7.`, `140...`, `%.`, `指标.`: specks after the text (a real number never ends in a dot)
    stripped = re.sub(r"(?<=[\d\u4e00-\u9fff%])\.+$", "", stripped)
    stripped = _strip_unopened_close(stripped)
    return stripped if stripped or not text.strip() else text.strip()


# Symbols no form prints as text (☑ □ ■ ● ◆ ★, private-use glyphs): a recogniser with a large
# character set reads a speck or a checkbox stub at a cell's edge as one of them. Maths symbols
# (≥ ≤ = > <, category Sm) and currency signs (Sc) are not among them.
_PICTOGRAPH_CATEGORIES = ("So", "Co")


def _strip_pictographs(text: str) -> str:
    start, end = 0, len(text)
    while start < end and (unicodedata.category(text[start]) in _PICTOGRAPH_CATEGORIES or text[start] == " "):
        start += 1
    while end > start and (unicodedata.category(text[end - 1]) in _PICTOGRAPH_CATEGORIES or text[end - 1] == " "):
        end -= 1
    return text[start:end] if start < end else text


_BRACKETS = {"）": "（(", ")": "（(", "】": "【[", "]": "【[", "」": "「", "』": "『"}  # OCR mixes widths


def _strip_unopened_close(text: str) -> str:
    """`司法局】`: a closing bracket at the end that nothing opened is a seal or ruling fragment."""
    while text and text[-1] in _BRACKETS and not any(o in text for o in _BRACKETS[text[-1]]):
        text = text[:-1].rstrip()
    return text
