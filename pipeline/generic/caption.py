"""What stands above a table: its title (`2024年部门收支总表`) and its unit (`单位：元`)."""

from __future__ import annotations

import re

from pipeline.text import clean_text

MAX_TITLE_CHARS = 40  # a longer line is prose, not a caption
_UNIT = re.compile(r"(?:金额)?单位\s*[:：]\s*([^\s，,；;]+)")
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/共]\s*\d{1,4}\s*页?)?[-—–\s]*$")


def is_page_number(text: str) -> bool:
    """`12`, `- 12 -`, `第 3 页`, `3/20`: page furniture, not a caption."""
    return bool(_PAGE_NUMBER.match(text or ""))


def title_of(lines: list[str]) -> str | None:
    """The nearest line above the table that names a table (ends with 表), else None.

    A note (`注：…故本表为空表。`) ends with a full stop, not with 表, so it is never taken.
    """
    for text in reversed(lines):
        text = clean_text(text)
        if text.endswith("表") and len(text) <= MAX_TITLE_CHARS and not text.startswith("注"):
            return text
    return None


def unit_of(lines: list[str]) -> str | None:
    """The unit a line above states (`单位：元`, `金额单位:万元`), the nearest one."""
    for text in reversed(lines):
        match = _UNIT.search(clean_text(text))
        if match:
            return match.group(1)
    return None
