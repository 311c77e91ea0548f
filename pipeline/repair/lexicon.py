"""What a cell *is*: a taxonomy label, a comparator, a number, a unit, a placeholder, text.

Built once from configs/forms/vocabulary.yaml. Repair places cells by what
they are rather than by the column a damaged extraction left them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from pipeline.config import Vocabulary
from pipeline.text import label_key


@dataclass
class Lexicon:
    vocab: Vocabulary
    _canon: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for level1, children in self.vocab.taxonomy.items():
            self._canon[label_key(level1)] = level1
            for child in children:
                self._canon[label_key(child)] = child
        for variant, canonical in self.vocab.synonyms.items():
            self._canon[label_key(variant)] = canonical

    @cached_property
    def level1_names(self) -> set[str]:
        return set(self.vocab.taxonomy)

    @cached_property
    def parents(self) -> dict[str, list[str]]:
        """二级 name → the 一级 names it may sit under (成本指标 sits under 产出指标)."""
        out: dict[str, list[str]] = {}
        for level1, children in self.vocab.taxonomy.items():
            for child in children:
                out.setdefault(child, []).append(level1)
        return out

    @cached_property
    def _comparators(self) -> dict[str, str]:
        return {label_key(k): v for k, v in self.vocab.comparators.items()}

    @cached_property
    def comparator_prefixes(self) -> list[str]:
        """Comparator symbols and words written before a number (`≥`, `不低于`), longest first."""
        suffixes = set(self.vocab.comparator_suffix_words)
        written = [k for k, v in self.vocab.comparators.items() if v != "定性" and k not in suffixes]
        return sorted(written, key=len, reverse=True)

    @cached_property
    def comparator_suffixes(self) -> list[str]:
        """Comparator words written after a number (`30以上`), longest first."""
        return sorted(self.vocab.comparator_suffix_words, key=len, reverse=True)

    @cached_property
    def _units(self) -> set[str]:
        return {label_key(u) for u in self.vocab.units}

    def unit(self, text: str) -> str:
        """The unit a reading stands for: itself, or the unit it is a look-alike of (`%o` → ‰)."""
        return self.vocab.unit_lookalikes.get(text.strip(), text.strip())

    def unit_after_number(self, text: str) -> str:
        """A quantity whose unit was read as a look-alike (`0.7%0`): the number and the unit (`0.7‰`)."""
        for written, unit in self.vocab.unit_lookalikes.items():
            head = text[: -len(written)] if text.endswith(written) else None
            if head and head[-1].isdigit():
                return head + unit
        return text

    @cached_property
    def _empty_units(self) -> set[str]:
        return {label_key(u) for u in self.vocab.empty_units}

    @cached_property
    def _placeholders(self) -> set[str]:
        return {label_key(p) for p in self.vocab.placeholders}

    def taxonomy_label(self, text: str | None) -> str | None:
        """The canonical taxonomy name a cell spells, exactly (never a substring)."""
        return self._canon.get(label_key(text))

    def can_be_level1(self, name: str) -> bool:
        return name in self.level1_names

    def can_be_level2(self, name: str) -> bool:
        return name in self.parents

    def comparator(self, text: str | None) -> str | None:
        return self._comparators.get(label_key(text))

    def is_unit(self, text: str | None) -> bool:
        return label_key(text) in self._units

    def is_empty_unit(self, text: str | None) -> bool:
        return label_key(text) in self._empty_units

    def is_placeholder(self, text: str | None) -> bool:
        return label_key(text) in self._placeholders

    def looks_like_placeholder(self, cell) -> bool:
        """An OCR'd cell holding one stroke a recogniser reads for a placeholder's `—` or `/`
        (`一`, `1`, `_`): only the row around it can tell, so the caller asks for the whole row."""
        return cell.source == "ocr" and label_key(cell.text) in self._lookalikes

    @cached_property
    def _lookalikes(self) -> set[str]:
        return {label_key(p) for p in self.vocab.placeholder_lookalikes}

    @cached_property
    def _qualitative(self) -> set[str]:
        return {label_key(q) for q in self.vocab.qualitative_values}

    def is_qualitative(self, text: str | None) -> bool:
        return label_key(text) in self._qualitative
