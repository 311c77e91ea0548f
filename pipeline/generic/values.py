"""Cell text → typed value: amounts become numbers, codes stay text, blank is null.

Rules (each tested in tests/generic/test_values.py):
- thousands separators and full-width digits are read: `79,189,400.34` → 79189400.34,
  `０.００` → 0.0; every number is a float, so a column has one type;
- negatives: `-1,000.00`, `−1,000.00` and the accountant's `(1,000.00)` / `（1,000.00）`;
- percentages become fractions: `12.5%` → 0.125 (so they add up like the amounts beside them);
- blank → null; anything else (`一、财政拨款收入`, `-`, `—`) stays text;
- a code column (功能分类科目编码, 类/款/项, see `is_code_column`) keeps `2010101` and `05` as text.
"""

from __future__ import annotations

import re
import unicodedata

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PAREN_NEGATIVE = re.compile(r"^\((.+)\)$")
_DIGITS = re.compile(r"^\d+$")


def normalise(text: str) -> str:
    """Full-width digits, signs and brackets folded to ASCII; all whitespace removed."""
    text = unicodedata.normalize("NFKC", text or "").replace("−", "-").replace("－", "-")
    return re.sub(r"\s+", "", text)


def parse_number(text: str) -> float | None:
    """The number a cell states, or None when it is not (only) a number."""
    s = normalise(text)
    negative = False
    paren = _PAREN_NEGATIVE.match(s)
    if paren:
        s, negative = paren.group(1), True
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    if not _NUMBER.match(s):
        return None
    value = float(s.replace(",", ""))
    if percent:
        value /= 100
    return -value if negative else value


def is_code_column(header_path: list[str], values: list[str], header_words: list[str],
                   leaf_headers: list[str]) -> bool:
    """Whether a column holds codes: by its header, else by a leading zero among plain digits.

    `功能分类科目编码`, `经济分类科目编码` and the 类/款/项 under them are codes; a header-less
    column (a continuation page) whose values are all plain digit strings and include one
    like `05` is one too, since no amount is printed with a leading zero.
    """
    if any(word in part for part in header_path for word in header_words):
        return True
    if header_path and header_path[-1] in leaf_headers:
        return True
    digits = [normalise(v) for v in values if normalise(v)]
    return bool(digits) and all(_DIGITS.match(v) for v in digits) \
        and any(len(v) > 1 and v.startswith("0") for v in digits)


def typed(text: str, code: bool) -> float | str | None:
    """The value of one body cell (text already unwrapped)."""
    if not normalise(text):
        return None
    if code:
        return normalise(text)
    number = parse_number(text)
    return number if number is not None else text


def column_type(values: list[float | str | None], code: bool) -> str:
    """`code`, `number` (every filled cell a number, at least one) or `text`."""
    if code:
        return "code"
    filled = [v for v in values if v is not None]
    return "number" if filled and all(isinstance(v, float) for v in filled) else "text"
