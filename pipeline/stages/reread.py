"""Re-reading uncertain cells of a scanned table.

A cell is read again when its confidence is low, or when its text breaks what
its column allows (the column schema, pipeline/columns.py): a comparator that is not one of ≥ ≤ = > < 定性 (OCR reads
≤ as `<` at low confidence), a value that is neither a number nor a
qualitative word, a unit outside the known list, a 一级/二级 label outside the
taxonomy. The second reading uses other crops (tighter, twice the scale,
binarised), and, where the column has a vocabulary, recognition constrained to
it: the probability of each allowed string under the recogniser's own
per-frame output. What is still unsure keeps its best reading, with its
alternatives, for repair to flag in the review list.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from pipeline.columns import ColumnSchema, Kind
from pipeline.config import Settings
from pipeline.engines import glyphs, symbols
from pipeline.engines.base import ConstrainedRecognizer, Recognition
from pipeline.model import Cell, Table
from pipeline.stages import names
from pipeline.stages.ocr_lines import line_crop, strip_noise
from pipeline.text import clean_text, label_key
from pipeline.values import is_unit_shaped, split_quantity

ACCEPT_CONSTRAINED = 0.5  # a vocabulary word this probable is taken as the reading
EMPTY_MIN_P, EMPTY_MARGIN = 0.02, 20.0  # ...or, where the cell read as nothing, this probable and this far ahead
UPSCALE = 2.0


def column_kinds(table: Table, schema: ColumnSchema) -> tuple[int, dict[int, Kind]]:
    """(header row, column → kind) from the table's indicator header, if it has one."""
    for row in table.rows():
        kinds = schema.header_kinds([c.model_copy(update={"text": clean_text(c.text)}) for c in row])
        if kinds:
            return row[0].row, kinds
    return -1, {}


def breaks_column(text: str, kind: Kind | None, schema: ColumnSchema) -> bool:
    """Does a cell's (cleaned) text break what its column allows? (see columns.Allowed)"""
    if not text or kind is None:
        return False
    key = label_key(text)
    allowed = schema.of(kind).keys
    if kind == "number":
        return not _is_target(text, schema) and key not in allowed
    if kind == "unit":  # an open set: one the list lacks (场次, 公斤) is a unit if it is shaped like one;
        # a lone Latin letter is a misread glyph (`%` read as `X`)
        lone_letter = len(text) == 1 and text.isascii() and text.isalpha()
        return (lone_letter or not is_unit_shaped(text)) and key not in allowed
    if kind == "text":  # free text: punctuation alone is a misread placeholder or noise, and so is
        # a lone Latin letter or digit (an indicator's name or a note is words; `/` reads as `1`)
        lone_mark = len(text) == 1 and text.isascii() and text.isalnum()
        return (lone_mark or not any(ch.isalnum() for ch in text)) and key not in allowed
    return key not in allowed


_DATE = re.compile(r"^(?:19|20)\d{2}年(?:\d{1,2}月)?(?:\d{1,2}日)?[^\d]{0,4}$|^\d{1,2}月(?:\d{1,2}日)?[^\d]{0,4}$")


def _is_target(text: str, schema: ColumnSchema) -> bool:
    """A value cell's text as printed: a number with its comparator written as a symbol or a word
    (`≥95%`, `不低于750`, `95%以上`) and a unit, or a date (`2026年7月15日前`). Text targets
    (`显著提升`, `有效保障`: an open set) are words with no digit in them. A Latin letter for a
    unit is a misread digit (`9S`), not a unit."""
    words = sorted(schema.of("comparator").words, key=len, reverse=True)
    core = text.strip()
    core = next((core[len(w):] for w in words if w and core.startswith(w) and core != w), core).strip()
    core = next((core[:-len(w)] for w in words if w and core.endswith(w) and core != w), core).strip()
    if _DATE.match(core):
        return True
    if sum("\u4e00" <= ch <= "\u9fff" for ch in core) >= 2 and not any(ch.isdigit() for ch in core):
        return True
    number, unit = split_quantity(core)
    if number is None:
        return False
    return unit is None or not any(ch.isascii() and ch.isalpha() for ch in unit)


def alternative_crops(gray: np.ndarray, box, unfaded: np.ndarray | None = None) -> list[np.ndarray]:
    """The same line, prepared differently: tighter and larger; binarised; and, under a
    faded grey seal, as it was before fading.

    WHY the unfaded view: fading a grey seal's ink also fades thin text strokes that are
    barely darker than the seal (digits at 150 dpi); the recogniser often reads them
    through the seal better than after it.
    """
    crops = []
    for source in (gray, unfaded) if unfaded is not None else (gray,):
        crop = line_crop(source, box)
        big = cv2.resize(crop, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC)
        stretched = cv2.normalize(big, None, 0, 255, cv2.NORM_MINMAX)
        crops.append(stretched)
        if source is gray:
            _, otsu = cv2.threshold(stretched, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            crops.append(otsu)
    return crops


def _ink(gray: np.ndarray, box) -> np.ndarray:
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def _joined_crop(gray: np.ndarray, boxes) -> np.ndarray:
    """A wrapped cell's lines side by side, as one line: `经济成本指|标` reads as `经济成本指标`."""
    crops = [line_crop(gray, box) for box in boxes]
    height = max(c.shape[0] for c in crops)
    scaled = [cv2.resize(c, (max(1, round(c.shape[1] * height / c.shape[0])), height)) for c in crops]
    return np.hstack(scaled)


def reread_page(work, tables: list[Table], jobs, readings: list[Recognition], engine, schema: ColumnSchema,
                settings: Settings) -> None:
    """Read again, in place, the cells of a page's tables that are unsure or break their column."""
    threshold = settings.ocr.uncertain_below
    px_per_pt = work.page.dpi / 72.0
    lines_of: dict[int, list] = {}
    for job, reading in zip(jobs, readings):
        if job.cell is not None:
            lines_of.setdefault(id(job.cell), []).append((job, reading))
    for table in tables:
        header_row, kinds = column_kinds(table, schema)
        if kinds:
            work.carry["columns"] = (table.n_cols, kinds)
        elif work.carry.get("columns", (None,))[0] == table.n_cols:
            # a table continued from the previous page without its header row
            header_row, kinds = -1, work.carry["columns"][1]
        for cell in table.cells:
            parts = lines_of.get(id(cell))
            if not parts:
                continue
            kind = kinds.get(cell.col) if cell.row > header_row else None

            if len(parts) == 1 and (dots := symbols.read_dots(_ink(work.gray, parts[0][0].box), px_per_pt)):
                if dots.text != cell.text:
                    cell.alternatives = [(cell.text, round(cell.confidence, 3))] + list(cell.alternatives)[:2]
                cell.text, cell.confidence = dots.text, dots.confidence
                continue
            text = clean_text(cell.text)
            # a lone glyph is re-read by shape too: OCR takes `/` for 7 or 1
            # a cell under a faded seal is read again through the seal too (see alternative_crops)
            if (cell.confidence >= threshold and not breaks_column(text, kind, schema) and len(text) != 1
                    and not (cell.sealed and work.unfaded is not None)):
                continue
            before = cell.text
            _reread_cell(work.gray, cell, parts, kind, engine, schema, threshold,
                         unfaded=work.unfaded if cell.sealed else None)
            if cell.text != before:  # the new reading gets the known-name check the first one had
                _check_known_names(work.gray, cell, parts, engine, schema, settings.ocr.known_name_min_ratio)
    for table in tables:
        for cell in table.cells:
            if lines_of.get(id(cell)) and isinstance(engine, ConstrainedRecognizer):
                settle_symbols(work.gray, cell, lines_of[id(cell)], engine, threshold)


# ≥ ≤ > < = differ by a bar or a direction: a recogniser reading one font's ⩾ takes it for >, and a
# shape rule fitted to some fonts fails on others. So every reading holding one of them is scored
# again with each of them in its place, by two independent judges: the recogniser's own frame
# probabilities over the whole line (CTC: the digits and words around the symbol anchor the
# alignment), and, for a symbol that opens the line, a glyph classifier trained on many typefaces
# (pipeline/engines/glyphs.py). Their log-probabilities add; a close call is left to a person.
COMPARATOR_SYMBOLS = "≥≤><="
# ...and ‰, which a recogniser reads as % (a small o more or less): the same scoring settles it
SYMBOL_GROUPS = (COMPARATOR_SYMBOLS, "%‰")
SYMBOL_MARGIN = 4.0  # the best variant must be this much likelier than the next to be taken as sure


def settle_symbols(gray, cell: Cell, parts, engine, threshold: float) -> None:
    """Settle each comparator symbol in a cell's reading by scoring its variants on the line image."""
    lines = cell.text.split("\n")
    parts = sorted(parts, key=lambda p: (p[0].box[1], p[0].box[0]))
    if len(lines) != len(parts) or not any(ch in group for group in SYMBOL_GROUPS for ch in cell.text):
        return
    changed, unsure, others, lone = False, False, [], None
    for i, (line, (job, _reading)) in enumerate(zip(lines, parts)):
        spots = [(k, group) for k, ch in enumerate(line) for group in SYMBOL_GROUPS if ch in group][:2]
        if not spots:
            continue
        variants = {line}
        for k, group in spots:
            variants |= {v[:k] + sym + v[k + 1:] for v in list(variants) for sym in group}
        crop = line_crop(gray, job.box)
        scored = symbol_scores(crop, line, sorted(variants), engine)
        if not scored:
            continue
        best, p_best = scored[0]
        runner_up = scored[1][1] if len(scored) > 1 else 0.0
        if len(lines) == 1 and len(line) == 1:
            lone = (best, p_best)
        if p_best < SYMBOL_MARGIN * runner_up:
            unsure = True
            others += [(t, round(p, 3)) for t, p in scored[:3] if t != line]
        if best != line and p_best >= SYMBOL_MARGIN * runner_up:
            others.append((line, round(dict(scored).get(line, 0.0), 3)))
            lines[i], changed = best, True
    if changed:
        cell.alternatives = (others + list(cell.alternatives))[:3]
        before, cell.text = cell.text, "\n".join(lines)
        settled = f"symbol settled by the line's and the glyph's scores: {before!r} read as {cell.text!r}"
        cell.note = f"{cell.note}; {settled}" if cell.note else settled  # a repair item names the change
    if unsure:
        cell.alternatives = (others + [a for a in cell.alternatives if a not in others])[:3]
        cell.confidence = min(cell.confidence, threshold / 2)  # two symbols fit: a person decides
    elif lone is not None and cell.text == lone[0]:
        # a cell that is one symbol, settled by both judges: their joint probability is its confidence
        cell.confidence = round(lone[1], 4)


def symbol_scores(crop, line: str, variants: list[str], engine) -> list[tuple[str, float]]:
    """Each variant with its joint probability (normalised over the variants), best first."""
    ctc = dict(engine.score_candidates(crop, variants))
    if not ctc:
        return []
    opens = line[:1] in COMPARATOR_SYMBOLS
    shape = glyphs.classify_comparator(crop) if opens else {}
    joint = {}
    for text in variants:
        p = ctc.get(text, 0.0)
        if shape:
            p *= shape.get(text[:1], 0.0)
        joint[text] = p
    total = sum(joint.values()) or 1.0
    return sorted(((t, p / total) for t, p in joint.items()), key=lambda tp: -tp[1])


def _best_through_seal(gray, unfaded, box, candidates: list[Recognition], kind, schema: ColumnSchema,
                       engine) -> Recognition:
    """Under a faded seal each view hides different strokes (fading takes thin strokes with the
    seal's ink; the unfaded view keeps both): the reading is the one that some view explains
    best, by the recogniser's line probability — not the surest-sounding one, which is often the
    reading that dropped the glyphs the seal covered (measured on the 150-dpi grey samples)."""
    texts = sorted({r.text for r in candidates if r.text})
    if len(texts) < 2:
        return max(candidates, key=lambda r: r.confidence)
    support: dict[str, float] = {}
    for view in (gray, unfaded):
        for text, p in engine.score_candidates(line_crop(view, box), texts):
            support[text] = max(p, support.get(text, 0.0))
    by_text = {r.text: r for r in candidates}
    best = max(texts, key=lambda t: (not breaks_column(clean_text(t), kind, schema), support.get(t, 0.0)))
    return Recognition(best, min(by_text[best].confidence, support.get(best, 0.0) ** (1 / max(1, len(best)))),
                       weakest=by_text[best].weakest)


def _clear_winner(scored: list[tuple[str, float]]) -> bool:
    """For a cell with ink that read as nothing (a faint `%`) or as what its column never holds:
    is one allowed word far likelier than any other? Its probability stays its confidence, so
    it is flagged as unsure."""
    runner_up = scored[1][1] if len(scored) > 1 else 0.0
    return scored[0][1] >= EMPTY_MIN_P and scored[0][1] >= EMPTY_MARGIN * runner_up


def _check_known_names(gray, cell: Cell, parts, engine, schema: ColumnSchema, min_ratio: float) -> None:
    """Known-name correction (stages/names.py) on a re-read cell, line by line: the
    recogniser's scores are per line image."""
    lines = cell.text.split("\n")
    if len(lines) != len(parts):
        return
    notes = []
    for i, (line, (job, _)) in enumerate(zip(lines, parts)):
        reading = Recognition(text=line, confidence=cell.confidence)
        note = names.correct(reading, line_crop(gray, job.box), engine, schema.known_names, min_ratio)
        if note:
            lines[i] = reading.text
            notes.append(note)
    if notes:
        cell.alternatives = [(cell.text, cell.confidence)] + list(cell.alternatives)[:2]
        cell.text, cell.note = "\n".join(lines), "; ".join(notes)


def _line_sets(parts, texts: list[str]) -> list[list]:
    """The lines a vocabulary word is scored over: all of them, and, where the first or last line
    read as one mark (a signature's stroke or a neighbour's descender poking into the cell reads
    `1`), all but that line."""
    boxes = [job.box for job, _ in parts]
    sets = [boxes]
    if len(boxes) > 1:
        stray = [i for i in (0, len(boxes) - 1) if len(clean_text(texts[i])) <= 1]
        kept = [b for i, b in enumerate(boxes) if i not in stray]
        if stray and kept:
            sets.append(kept)
    return sets


def _reread_cell(gray, cell: Cell, parts, kind: Kind | None, engine, schema: ColumnSchema, threshold: float,
                 unfaded: np.ndarray | None = None) -> None:
    parts.sort(key=lambda p: (p[0].box[1], p[0].box[0]))
    texts, confidences, others = [], [], []
    for job, first in parts:
        candidates = [first]
        if first.confidence < threshold or len(parts) == 1 or unfaded is not None:
            candidates += engine.recognize(alternative_crops(gray, job.box, unfaded))
        shape = (symbols.read_comparator(_ink(gray, job.box)) if kind == "comparator"
                 else symbols.read_slash(_ink(gray, job.box)) or symbols.read_zero(_ink(gray, job.box))
                 if len(parts) == 1 else None)
        if shape is not None:
            # geometry is certain where the recogniser guesses (≥ read as V, / as 7)
            best = shape
            candidates.append(shape)
        elif unfaded is not None and isinstance(engine, ConstrainedRecognizer):
            best = _best_through_seal(gray, unfaded, job.box, candidates, kind, schema, engine)
        else:
            best = max(candidates, key=lambda r: (not breaks_column(clean_text(r.text), kind, schema), r.confidence))
        texts.append(best.text)
        confidences.append(best.confidence)
        others += [(r.text, round(r.confidence, 3)) for r in candidates if r.text != best.text]
    text = strip_noise("\n".join(strip_noise(t, inner=True) for t in texts))
    confidence = min(confidences)
    words = list(schema.of(kind).words) if kind else []
    if words and isinstance(engine, ConstrainedRecognizer):
        best_p: dict[str, float] = {}
        for boxes in _line_sets(parts, texts):
            for view in (gray, unfaded) if unfaded is not None else (gray,):
                for word, p in engine.score_candidates(_joined_crop(view, boxes), words):
                    best_p[word] = max(p, best_p.get(word, 0.0))
        scored = sorted(best_p.items(), key=lambda wp: -wp[1])
        if scored and (scored[0][1] >= ACCEPT_CONSTRAINED and (
                breaks_column(clean_text(text), kind, schema) or scored[0][1] > confidence)
                or (not clean_text(text) or breaks_column(clean_text(text), kind, schema)) and _clear_winner(scored)):
            if scored[0][0] != text:
                others.append((text, round(confidence, 3)))
            text, confidence = scored[0]
            others += [(w, round(p, 3)) for w, p in scored[1:3] if p > 0.01]
    if not breaks_column(clean_text(text), kind, schema):
        # another reading a person could choose is one the column allows (`W` is no comparator)
        others = [o for o in others if not breaks_column(clean_text(o[0]), kind, schema)]
    seen, alternatives = {text}, []
    for alt_text, alt_conf in sorted(others, key=lambda o: -o[1]):
        if alt_text and alt_text not in seen:
            seen.add(alt_text)
            alternatives.append((alt_text, alt_conf))
    cell.text, cell.confidence, cell.alternatives = text, round(float(confidence), 4), alternatives[:3]
    if breaks_column(clean_text(text), kind, schema):
        cell.confidence = min(cell.confidence, threshold / 2)  # never silently wrong
