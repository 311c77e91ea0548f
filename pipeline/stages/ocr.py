"""OCR of a scanned page: the text of every non-empty cell, and of the lines around tables.

Where the time goes is recognising lines, so the page detector is not run:
inside a known cell the lines are found by a projection profile, an empty
cell is never recognised, and all the lines of a page are recognised in one
call (the engine batches lines of similar width). Cells whose reading is
unsure, or breaks what their column allows, are read again (reread.py).
Where lines are and how they are cropped: ocr_lines.py.
"""

from __future__ import annotations

from pipeline import imaging
from pipeline.columns import column_schema
from pipeline.config import Settings
from pipeline.engines import registry
from pipeline.engines.base import PixelBox
from pipeline.model import Table, TextLine
from pipeline.stages import names, reread
from pipeline.stages.ocr_lines import (LineJob, cell_lines, line_crop, outside_lines, strip_noise, to_pixels, to_points,
                                      without_seal_residue)


def read_page(work, settings: Settings):
    """Page step: the text of a scanned page's cells and lines (a page with a text layer passes).

    What a column allows comes from the column schema (pipeline/columns.py) alone.
    """
    if not work.page.scanned:
        return work
    schema = column_schema(settings)
    engine = registry.ocr_engine(settings.ocr.engine, **settings.ocr.options)
    px_per_pt = work.page.dpi / 72.0
    binary = imaging.binarize(work.gray)
    cores = without_seal_residue(binary, work.gray, work.seals) if work.seals else None
    tables = [b for b in work.page.blocks if isinstance(b, Table)]
    jobs: list[LineJob] = []
    for table in tables:
        for cell in table.cells:
            jobs += cell_lines(binary, cell, px_per_pt, settings.ocr.min_ink_pt2, cores)
    jobs += outside_lines(binary, tables, px_per_pt, settings.tables.phrase_gap, cores)
    crops = [line_crop(work.gray, job.box) for job in jobs]
    readings = engine.recognize(crops)
    notes = [names.correct(r, crop, engine, schema.known_names, settings.ocr.known_name_min_ratio)
             for r, crop in zip(readings, crops)]
    lines = _assemble(work, jobs, readings, notes, px_per_pt)
    _mark_sealed(work.seals, tables, lines, px_per_pt, inked={id(job.cell) for job in jobs if job.cell is not None})
    if settings.ocr.reread:
        reread.reread_page(work, tables, jobs, readings, engine, schema, settings)
    work.page.blocks = sorted(lines + tables, key=lambda b: b.bbox[1] if b.bbox else 0.0)
    return work


def _under_seal(box: PixelBox, seals) -> bool:
    x0, y0, x1, y1 = box
    for cx, cy, r in seals:
        nearest_x, nearest_y = min(max(cx, x0), x1), min(max(cy, y0), y1)
        if (nearest_x - cx) ** 2 + (nearest_y - cy) ** 2 < (0.9 * r) ** 2:
            return True
    return False


def _mark_sealed(seals, tables: list[Table], lines: list[TextLine], px_per_pt: float, inked: set[int]) -> None:
    """Cells with ink under a seal, even those that read as nothing: a blank read there is a loss to flag."""
    for table in tables:
        for cell in table.cells:
            cell.sealed = id(cell) in inked and _under_seal(to_pixels(cell.bbox, px_per_pt), seals)
    for line in lines:
        line.sealed = _under_seal(to_pixels(line.bbox, px_per_pt), seals)


def _assemble(work, jobs: list[LineJob], readings, notes, px_per_pt: float) -> list[TextLine]:
    """Cell texts (lines joined in reading order) and the TextLines outside tables."""
    by_cell: dict[int, list] = {}
    lines: list[TextLine] = []
    for job, reading, note in zip(jobs, readings, notes):
        if job.cell is not None and note:
            job.cell.note = note
            job.cell.alternatives = reading.alternatives
        if job.cell is None:
            if strip_noise(reading.text):
                bbox = to_points(job.box, px_per_pt)
                lines.append(TextLine(page=work.page.number, text=strip_noise(reading.text), bbox=bbox, source="ocr",
                                      confidence=reading.confidence, weakest=reading.weakest,
                                      font_size=round(bbox[3] - bbox[1], 1),
                                      alternatives=reading.alternatives, note=note))
            continue
        by_cell.setdefault(id(job.cell), []).append((job, reading))
    for parts in by_cell.values():
        cell = parts[0][0].cell
        parts.sort(key=lambda p: (p[0].box[1], p[0].box[0]))
        cell.text = strip_noise("\n".join(strip_noise(r.text, inner=True) for _, r in parts))
        cell.confidence = min(r.confidence for _, r in parts)
        cell.weakest = min(r.weakest for _, r in parts)
        cell.source = "ocr"
    return lines
