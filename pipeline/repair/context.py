"""What every repair rule shares: the form, its definition, the lexicon, raw texts.

Cells are cleaned once (pipeline/text.py) before any rule runs; the raw text is
kept here so that when a cell lands in a field, the clean-up is recorded in
the form's review list under that field's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.confidence import evidence_of
from pipeline.spec import FormSpec
from pipeline.model import Cell, RawForm, TextLine
from pipeline.repair.lexicon import Lexicon
from pipeline.text import clean_text, join_wrapped


@dataclass
class RepairContext:
    form: RawForm
    form_def: FormSpec  # the template the form is read with
    lexicon: Lexicon
    uncertain_below: float = 0.8  # OCR confidence under which a reading is unsure (`unsure`)
    raw: dict[int, str] = field(default_factory=dict)  # id(cell) -> text before cleaning

    def clean_cells(self) -> None:
        for row in self.form.rows:
            for cell in row:
                cleaned = clean_text(cell.text)
                if cleaned != cell.text and cell.text.strip() != cleaned:
                    self.raw[id(cell)] = cell.text
                cell.text = cleaned

    def take(self, field_name: str, cell: Cell) -> str:
        """The cell's clean text, recording what cleaning changed under `field_name`."""
        # a seal over the cell or a weak reading is evidence (confidence.py weighs it against the
        # rest and flags the field when the sum is under its threshold), not a flag of its own
        self.form.evidence[field_name] = evidence_of(cell)
        if cell.note:
            self.form.note("repair", field_name, cell.note, after=cell.text, cell=cell,
                           alternatives=cell.alternatives or None)
        raw = self.raw.pop(id(cell), None)
        if raw is not None:
            wrapped_only = join_wrapped(raw) == cell.text
            reason = ("wrapped text joined" if wrapped_only
                      else "text normalised: wrapped lines joined, widths and punctuation unified")
            self.form.note("repair", field_name, reason, before=raw, after=cell.text, cell=cell)
        return cell.text

    def take_line(self, field_name: str, line: TextLine) -> None:
        """Record what reading did to a text line a field was taken from."""
        self.form.evidence[field_name] = evidence_of(line)
        self.form.places[field_name] = {"page": line.page, "bbox": line.bbox}
        if line.note:
            self.form.note("repair", field_name, line.note, after=line.text, page=line.page,
                           alternatives=line.alternatives or None, bbox=line.bbox)

    def unsure(self, field_name: str) -> bool:
        """Was the field read under a seal or with the recogniser under `uncertain_below`, or flagged?
        (Of two readings of one amount the sure one wins: repair.infer_from_indicators.)"""
        evidence = self.form.evidence.get(field_name)
        weak = bool(evidence) and (evidence["sealed"] or
                                   (evidence["source"] == "ocr" and evidence["confidence"] < self.uncertain_below))
        return weak or any(item.kind == "uncertain" and item.field == field_name for item in self.form.review)
