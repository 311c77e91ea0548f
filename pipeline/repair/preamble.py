"""Text around the table: title, year, reporting unit, amount unit, signer."""

from __future__ import annotations

import re

from pipeline.model import RawForm, TextLine
from pipeline.text import clean_text, has_cjk

_AMOUNT_UNIT = re.compile(r"(?:金额单位|单位)[：:]?\s*(亿元|万元|千元|元)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_SEAL_NOTE = re.compile(r"^\s*[（(]?\s*盖\s*章\s*[)）]?\s*[：:]?")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


_PERIOD_YEAR = re.compile(r"^((?:19|20)\d{2})[.\-/年]")


def title_year(title: str | None) -> int | None:
    """The year of a title (`2026年…`) or, failing that, of a period (`2026.01-2026.12`)."""
    match = _YEAR.search(title or "") or _PERIOD_YEAR.search(title or "")
    return int(match.group(1)) if match else None


def read_preamble(lines: list[TextLine], prefixes: dict[str, list[str]]) -> dict[str, tuple[str, TextLine]]:
    """reporting_unit and amount_unit from the lines between the title and the table.

    `填报单位（盖章）：` may carry its value on the same line or, when the seal
    space pushed it down, on the next one.
    """
    out: dict[str, tuple[str, TextLine]] = {}
    unit_prefixes = sorted(prefixes.get("reporting_unit", []), key=len, reverse=True)
    waiting_for_unit_value = False
    for line in lines:
        text = clean_text(line.text)
        match = _AMOUNT_UNIT.search(text)
        if match and "amount_unit" not in out:
            out["amount_unit"] = (match.group(1), line)
            text = (text[:match.start()] + text[match.end():]).strip()
        if not text:
            continue
        prefix = next((p for p in unit_prefixes if text.startswith(clean_text(p))), None)
        if prefix is not None and "reporting_unit" not in out:
            value = _SEAL_NOTE.sub("", text[len(clean_text(prefix)):]).lstrip("：:.·、 ").strip()
            if value:
                out["reporting_unit"] = (value, line)
            else:
                waiting_for_unit_value = True
            continue
        partial = _SEAL_NOTE.match(text)  # `（盖章）：…` with 填报单位 lost to the seal
        if partial and "reporting_unit" not in out and text[partial.end():].strip():
            out["reporting_unit"] = (text[partial.end():].lstrip("：:.·、 ").strip(), line)
            continue
        if waiting_for_unit_value and has_cjk(text):
            out["reporting_unit"] = (text, line)
            waiting_for_unit_value = False
    return out


def find_signer(form: RawForm) -> tuple[str, TextLine] | None:
    """The handwritten name just above the title: the nearest line that reads as a person's name."""
    for line in reversed(form.preceding):
        text = clean_text(line.text)
        if _NAME.match(text):
            return text, line
    return None
