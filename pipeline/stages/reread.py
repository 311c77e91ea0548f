"""Re-reading uncertain cells of a scanned table.

A cell is read again when its confidence is low, or when its text breaks what
its column allows: a comparator that is not one of ≥ ≤ = > < 定性 (OCR reads
≤ as `<` at low confidence), a value that is neither a number nor a
qualitative word, a unit outside the known list, a 一级/二级 label outside the
taxonomy. The second reading uses other crops (tighter, twice the scale,
binarised), and, where the column has a vocabulary, recognition constrained to
it: the probability of each allowed string under the recogniser's own
per-frame output. What is still unsure keeps its best reading, with its
alternatives, for repair to flag in the review list.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline import imaging
from pipeline.config import Settings
from pipeline.engines import symbols
from pipeline.engines.base import ConstrainedRecognizer, Recognition
from pipeline.model import Cell, Table
from pipeline.repair.indicators import header_slots
from pipeline.repair.lexicon import Lexicon, parse_number
from pipeline.repair.text import clean_text

ACCEPT_CONSTRAINED = 0.5  # a vocabulary word this probable is taken as the reading
EMPTY_MIN_P, EMPTY_MARGIN = 0.02, 20.0  # ...or, where the cell read as nothing, this probable and this far ahead
UPSCALE = 2.0


def column_fields(table: Table, settings: Settings) -> tuple[int, dict[int, str]]:
    """(header row, column → indicator field) from the table's indicator header, if it has one."""
    for row in table.rows():
        probe = [c.model_copy(update={"text": clean_text(c.text)}) for c in row]
        for form in settings.forms:
            slots = header_slots(probe, form.indicator_columns)
            if slots:
                return row[0].row, {col: s.field for s in slots for col in range(s.col_start, s.col_end)}
    return -1, {}


def vocabulary(field: str, lex: Lexicon) -> list[str]:
    vocab = lex.vocab
    if field == "comparator":
        return sorted(set(vocab.comparators))
    if field == "unit":
        return sorted(set(vocab.units) | set(vocab.empty_units))
    if field in ("level1", "level2"):
        names = set(vocab.taxonomy) | {c for cs in vocab.taxonomy.values() for c in cs} | set(vocab.synonyms)
        return sorted(names | set(vocab.placeholders))
    return []


def breaks_column(text: str, field: str | None, lex: Lexicon) -> bool:
    if not text or field is None:
        return False
    if field == "comparator":
        return lex.comparator(text) is None
    if field == "unit":
        return not (lex.is_unit(text) or lex.is_empty_unit(text))
    if field == "value":
        core = text.lstrip("≥≤=<>").rstrip("%")
        return parse_number(core) is None and not lex.is_qualitative(text) and not lex.is_placeholder(text)
    if field in ("level1", "level2"):
        return lex.taxonomy_label(text) is None and not lex.is_placeholder(text)
    # free-text columns: punctuation alone is a misread placeholder or noise
    return not any(ch.isalnum() for ch in text) and not lex.is_placeholder(text)


def alternative_crops(gray: np.ndarray, box, unfaded: np.ndarray | None = None) -> list[np.ndarray]:
    """The same line, prepared differently: tighter and larger; binarised; and, under a
    faded grey seal, as it was before fading.

    WHY the unfaded view: fading a grey seal's ink also fades thin text strokes that are
    barely darker than the seal (digits at 150 dpi); the recogniser often reads them
    through the seal better than after it.
    """
    from pipeline.stages.ocr import line_crop

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
    from pipeline.stages.ocr import line_crop

    crops = [line_crop(gray, box) for box in boxes]
    height = max(c.shape[0] for c in crops)
    scaled = [cv2.resize(c, (max(1, round(c.shape[1] * height / c.shape[0])), height)) for c in crops]
    return np.hstack(scaled)


def reread_page(work, tables: list[Table], jobs, readings: list[Recognition], engine, settings: Settings) -> None:
    lex = Lexicon(settings.vocabulary)
    threshold = settings.ocr.uncertain_below
    px_per_pt = work.page.dpi / 72.0
    lines_of: dict[int, list] = {}
    for job, reading in zip(jobs, readings):
        if job.cell is not None:
            lines_of.setdefault(id(job.cell), []).append((job, reading))
    for table in tables:
        header_row, fields = column_fields(table, settings)
        if fields:
            work.carry["columns"] = (table.n_cols, fields)
        elif work.carry.get("columns", (None,))[0] == table.n_cols:
            # a table continued from the previous page without its header row
            header_row, fields = -1, work.carry["columns"][1]
        for cell in table.cells:
            parts = lines_of.get(id(cell))
            if not parts:
                continue
            field = fields.get(cell.col) if cell.row > header_row else None
            if len(parts) == 1 and (dots := symbols.read_dots(_ink(work.gray, parts[0][0].box), px_per_pt)):
                if dots.text != cell.text:
                    cell.alternatives = [(cell.text, round(cell.confidence, 3))] + list(cell.alternatives)[:2]
                cell.text, cell.confidence = dots.text, dots.confidence
                continue
            text = clean_text(cell.text)
            # a lone glyph is re-read by shape too: OCR takes `/` for 7 or 1
            # a cell under a faded seal is read again through the seal too (see alternative_crops)
            if (cell.confidence >= threshold and not breaks_column(text, field, lex) and len(text) != 1
                    and not (cell.sealed and work.unfaded is not None)):
                continue
            before = cell.text
            _reread_cell(work.gray, cell, parts, field, engine, lex, threshold,
                         unfaded=work.unfaded if cell.sealed else None)
            if cell.text != before:  # the new reading gets the known-name check the first one had
                _check_known_names(work.gray, cell, parts, engine, settings)


def _clear_winner(scored: list[tuple[str, float]]) -> bool:
    """For a cell with ink that read as nothing (a faint `%`) or as what its column never holds:
    is one allowed word far likelier than any other? Its probability stays its confidence, so
    it is flagged as unsure."""
    runner_up = scored[1][1] if len(scored) > 1 else 0.0
    return scored[0][1] >= EMPTY_MIN_P and scored[0][1] >= EMPTY_MARGIN * runner_up


def _check_known_names(gray, cell: Cell, parts, engine, settings: Settings) -> None:
    """Known-name correction (stages/names.py) on a re-read cell, line by line: the
    recogniser's scores are per line image."""
    from pipeline.stages import names
    from pipeline.stages.ocr import line_crop

    lines = cell.text.split("\n")
    if len(lines) != len(parts):
        return
    notes = []
    for i, (line, (job, _)) in enumerate(zip(lines, parts)):
        reading = Recognition(text=line, confidence=cell.confidence)
        note = names.correct(reading, line_crop(gray, job.box), engine, settings.vocabulary.known_names,
                             settings.ocr.known_name_min_ratio)
        if note:
            lines[i] = reading.text
            notes.append(note)
    if notes:
        cell.alternatives = [(cell.text, cell.confidence)] + list(cell.alternatives)[:2]
        cell.text, cell.note = "\n".join(lines), "; ".join(notes)


def _reread_cell(gray, cell: Cell, parts, field: str | None, engine, lex: Lexicon, threshold: float,
                 unfaded: np.ndarray | None = None) -> None:
    parts.sort(key=lambda p: (p[0].box[1], p[0].box[0]))
    texts, confidences, others = [], [], []
    for job, first in parts:
        candidates = [first]
        if first.confidence < threshold or len(parts) == 1 or unfaded is not None:
            candidates += engine.recognize(alternative_crops(gray, job.box, unfaded))
        shape = (symbols.read_comparator(_ink(gray, job.box)) if field == "comparator"
                 else symbols.read_slash(_ink(gray, job.box)) or symbols.read_zero(_ink(gray, job.box))
                 if len(parts) == 1 else None)
        if shape is not None:
            # geometry is certain where the recogniser guesses (≥ read as V, / as 7)
            best = shape
            candidates.append(shape)
        else:
            best = max(candidates, key=lambda r: (not breaks_column(clean_text(r.text), field, lex), r.confidence))
        texts.append(best.text)
        confidences.append(best.confidence)
        others += [(r.text, round(r.confidence, 3)) for r in candidates if r.text != best.text]
    from pipeline.stages.ocr import strip_noise

    text = strip_noise("\n".join(strip_noise(t, inner=True) for t in texts))
    confidence = min(confidences)
    words = vocabulary(field, lex) if field else []
    if words and isinstance(engine, ConstrainedRecognizer):
        boxes = [job.box for job, _ in parts]
        best_p: dict[str, float] = {}
        for view in (gray, unfaded) if unfaded is not None else (gray,):
            for word, p in engine.score_candidates(_joined_crop(view, boxes), words):
                best_p[word] = max(p, best_p.get(word, 0.0))
        scored = sorted(best_p.items(), key=lambda wp: -wp[1])
        if scored and (scored[0][1] >= ACCEPT_CONSTRAINED and (
                breaks_column(clean_text(text), field, lex) or scored[0][1] > confidence)
                or (not clean_text(text) or breaks_column(clean_text(text), field, lex)) and _clear_winner(scored)):
            if scored[0][0] != text:
                others.append((text, round(confidence, 3)))
            text, confidence = scored[0]
            others += [(w, round(p, 3)) for w, p in scored[1:3] if p > 0.01]
    seen, alternatives = {text}, []
    for alt_text, alt_conf in sorted(others, key=lambda o: -o[1]):
        if alt_text and alt_text not in seen:
            seen.add(alt_text)
            alternatives.append((alt_text, alt_conf))
    cell.text, cell.confidence, cell.alternatives = text, round(float(confidence), 4), alternatives[:3]
    if breaks_column(clean_text(text), field, lex):
        cell.confidence = min(cell.confidence, threshold / 2)  # never silently wrong
