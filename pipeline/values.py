"""Value types: what a field or a column holds, and how its printed text becomes typed values.

A FormSpec (pipeline/spec.py) names a type for every field and column; this is
the registry. A type turns one cell's repaired text into one or more *parts*
(`value`, and for targets also `comparator` and `unit`), each with its JSON
type for the record model. Nothing here knows a template.

Targets are the one compound type: `≥95%`, `不低于30`, `2026年11月底前完成`
are a comparator, a value and a unit printed in one cell. The comparator words
come from the vocabulary's one comparator set; a unit is recognised by its
shape (short, after the number, no digits), never by membership in a list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Literal, Optional, Protocol, Union

from pipeline.text import parse_number


class Lexicon(Protocol):
    """What typing asks of the vocabulary (pipeline/repair/lexicon.Lexicon is it); a protocol, so that
    the config can check value type names without importing repair."""

    comparator_prefixes: list[str]
    comparator_suffixes: list[str]

    def comparator(self, text: str | None) -> str | None: ...
    def is_placeholder(self, text: str | None) -> bool: ...
    def is_empty_unit(self, text: str | None) -> bool: ...
    def unit(self, text: str) -> str: ...
    def unit_after_number(self, text: str) -> str: ...


Comparator = Literal["≥", "≤", "=", ">", "<", "定性"]
Number = Union[float, int]
QUALITATIVE = "定性"
# a unit after a number: short, no digits, not punctuation alone (`万人`, `立方米/日`, `元/人·月`, `%`)
MAX_UNIT_CHARS = 6
_UNIT_SHAPE = re.compile(r"^[^\d\s,，.。;；:：!！?？()（）]{1,%d}$" % MAX_UNIT_CHARS)
_PER_UNIT = re.compile(r"^[^\d\s]{0,3}/\d*[万千百]?[^\d\s]{0,3}$")  # per so many: `/10万`, `人/10万人`
_NUMBER_HEAD = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(.*)$")
_AMOUNT_UNIT = re.compile(r"^(.*?)\s*(亿元|万元|千元|元)$")
_PERIOD = re.compile(r"^((?:19|20)\d{2})[.\-/年]\s*(\d{1,2})月?\s*[-—–~～至]+\s*((?:19|20)\d{2})[.\-/年]\s*(\d{1,2})月?$")
_PERCENT = re.compile(r"^(.*?)\s*[%％]$")
_DATE_REST = re.compile(r"^[年月日].")  # a number then 年/月/日 and more: a date (a unit `年` alone is a span)


@dataclass
class Parsed:
    """What one cell gave: parts by role (value / comparator / unit) and notes for the review list."""

    parts: dict[str, Any]
    notes: list[tuple[str, str, Any, Any]]  # (kind, reason, before, after)


@dataclass(frozen=True)
class ValueType:
    name: str
    roles: tuple[str, ...]  # the parts it fills; ("value",) for simple types
    json: dict[str, Any]  # role -> python type for the record model
    parse: Callable[[str | None, Lexicon], Parsed]


def is_unit_shaped(text: str | None) -> bool:
    """Short, not a number, no digits: how a unit looks, whether or not any list knows it."""
    if not text or parse_number(text) is not None:
        return False
    text = text.strip()
    return _UNIT_SHAPE.match(text) is not None or (len(text) <= MAX_UNIT_CHARS + 2 and _PER_UNIT.match(text) is not None)


_WRAP_IN_NUMBER = re.compile(r"(?<=[\d,.])\s+(?=[\d,.])")


def unwrap_number(text: str) -> str:
    """`1,6 00` → `1,600`: a number a narrow cell wrapped (its digits were never two values)."""
    return _WRAP_IN_NUMBER.sub("", text)


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _blank(text: str | None, lex: Lexicon) -> bool:
    return text is None or not text.strip() or lex.is_placeholder(text)


def _simple(convert: Callable[[str, Lexicon, list], Any], json_type: Any, name: str,
            placeholder_is_blank: bool = True) -> ValueType:
    """A one-part type; `placeholder_is_blank`: a `/` in the cell means no value (numbers, comparators),
    where text keeps what the form printed."""
    def parse(text: str | None, lex: Lexicon) -> Parsed:
        notes: list = []
        blank = _blank(text, lex) if placeholder_is_blank else not (text or "").strip()
        value = None if blank else convert(text.strip(), lex, notes)
        return Parsed({"value": value}, notes)

    return ValueType(name, ("value",), {"value": json_type}, parse)


def _text(text: str, lex: Lexicon, notes: list) -> str:
    return text


def _number(text: str, lex: Lexicon, notes: list) -> Number | None:
    value = parse_number(unwrap_number(text))
    if value is None:
        notes.append(("warning", "not a number; left empty", text, None))
    return value


def _amount(text: str, lex: Lexicon, notes: list) -> Number | None:
    """An amount; a currency unit written in the cell (`20万元`) is removed and noted."""
    text = unwrap_number(text)
    value = parse_number(text)
    if value is None:
        match = _AMOUNT_UNIT.match(text)
        if match and parse_number(match.group(1)) is not None:
            value = parse_number(match.group(1))
            notes.append(("repair", f"unit '{match.group(2)}' written in the amount cell; removed", text, value))
            return value
        notes.append(("warning", "not a number; left empty", text, None))
    return value


def _percentage(text: str, lex: Lexicon, notes: list) -> Number | None:
    """`95.2%` → 95.2 (percent points); a bare number is taken as already in percent."""
    text = unwrap_number(text)
    match = _PERCENT.match(text)
    value = parse_number(match.group(1) if match else text)
    if value is None:
        notes.append(("warning", "not a percentage; left empty", text, None))
    return value


def _period(text: str, lex: Lexicon, notes: list) -> str:
    """`2026年1月-2026年12月`, `2026.1—2026.12` → `2026.01-2026.12`; other text kept."""
    match = _PERIOD.match(text)
    if not match:
        return text
    y1, m1, y2, m2 = match.groups()
    return f"{y1}.{int(m1):02d}-{y2}.{int(m2):02d}"


def _comparator(text: str, lex: Lexicon, notes: list) -> str | None:
    canonical = lex.comparator(text)
    if canonical is None:
        notes.append(("uncertain", "comparator is not one of ≥ ≤ = > < 定性; left empty", text, None))
    return canonical


def _unit_parse(text: str | None, lex: Lexicon) -> Parsed:
    if text is None or not text.strip() or lex.is_empty_unit(text):
        return Parsed({"value": None}, [])
    notes: list = []
    return Parsed({"value": _unit(text.strip(), lex, notes)}, notes)


def _unit(written: str, lex: Lexicon, notes: list) -> str:
    unit = lex.unit(written)
    if unit != written:
        notes.append(("repair", f"unit '{written}' read for '{unit}' (a look-alike)", written, unit))
    return unit


# ---- targets ------------------------------------------------------------------------------
def split_comparator(text: str, lex: Lexicon) -> tuple[str | None, str]:
    """(canonical comparator, rest) for a leading symbol or word (`≥`, `不低于`), or a trailing
    word (`30以上`); (None, text) when the text states none."""
    for written in lex.comparator_prefixes:
        if text.startswith(written) and len(text) > len(written):
            rest = text[len(written):].strip()
            for suffix in lex.comparator_suffixes:  # 控制在5%以内: the suffix repeats the prefix
                if rest.endswith(suffix) and len(rest) > len(suffix):
                    rest = rest[: -len(suffix)].strip()
                    break
            return lex.comparator(written), rest
    for written in lex.comparator_suffixes:
        if text.endswith(written) and len(text) > len(written):
            head = text[: -len(written)].strip()
            if _NUMBER_HEAD.match(head):
                return lex.comparator(written), head
    return None, text


def split_quantity(text: str) -> tuple[Number | None, str | None]:
    """(number, unit) for `95%`, `3万人`, `12.5`, `2个工作日`; (None, None) when it is no quantity."""
    match = _NUMBER_HEAD.match(text)
    if not match:
        return None, None
    number, rest = parse_number(match.group(1)), match.group(2).strip()
    if not rest:
        return number, None
    if _DATE_REST.match(rest):  # 2026年底前, 11月底前完成: a date, not a quantity with a unit
        return None, None
    if rest in ("%", "％"):
        return number, "%"
    if is_unit_shaped(rest):
        return number, rest
    return None, None


def parse_target(text: str | None, lex: Lexicon, default_comparator: bool) -> Parsed:
    """One printed target → comparator, value, unit.

    `default_comparator`: the template has no comparator column, so a bare number is `=` and a
    text target `定性`; otherwise a part the cell does not state is left to its own column.
    """
    if text is None or not text.strip() or (lex.is_placeholder(text) and not _has_letters(text)):
        return Parsed({"comparator": None, "value": None, "unit": None}, [])
    raw = unwrap_number(text.strip())
    if lex.is_placeholder(raw):  # `无` as a target (对社会造成的负面影响: 无) is an answer, not a blank
        return Parsed({"comparator": QUALITATIVE if default_comparator else None, "value": raw, "unit": None}, [])
    comparator, rest = split_comparator(raw, lex)
    notes: list = []
    if (mended := lex.unit_after_number(rest)) != rest:
        notes.append(("repair", f"unit in '{rest}' read for '{mended}' (a look-alike)", rest, mended))
        rest = mended
    number, unit = split_quantity(rest)
    if number is None and lex.comparator(raw) == QUALITATIVE:
        return Parsed({"comparator": QUALITATIVE, "value": None, "unit": None}, [])
    if number is None:  # a text target (提升, 2026年11月底前完成): qualitative
        value = rest if comparator else raw
        return Parsed({"comparator": QUALITATIVE if default_comparator else comparator,
                       "value": value, "unit": None}, [])
    if comparator is None and default_comparator:
        comparator = "="
    return Parsed({"comparator": comparator, "value": number, "unit": unit and _unit(unit, lex, notes)}, notes)


_TARGET_JSON = {"comparator": Optional[Comparator], "value": Optional[Union[float, int, str]],
                "unit": Optional[str]}

TYPES: dict[str, ValueType] = {
    t.name: t for t in (
        _simple(_text, Optional[str], "text", placeholder_is_blank=False),
        _simple(_number, Optional[Number], "number"),
        _simple(_amount, Optional[Number], "amount"),
        _simple(_percentage, Optional[Number], "percentage"),
        _simple(_period, Optional[str], "period", placeholder_is_blank=False),
        _simple(_comparator, Optional[Comparator], "comparator"),
        ValueType("unit", ("value",), {"value": Optional[str]}, _unit_parse),
        _simple(_text, Optional[str], "label", placeholder_is_blank=False),  # a taxonomy label: read by the indicator reader
        # the value column of a template that also has comparator and unit columns
        ValueType("target", ("comparator", "value", "unit"), _TARGET_JSON,
                  lambda t, lex: parse_target(t, lex, default_comparator=False)),
        # one cell holds the whole target (≥95%); no comparator column
        ValueType("combined_target", ("comparator", "value", "unit"), _TARGET_JSON,
                  lambda t, lex: parse_target(t, lex, default_comparator=True)),
        # the wording carries the comparator (不低于30), the unit has its own column
        ValueType("worded_target", ("comparator", "value", "unit"), _TARGET_JSON,
                  lambda t, lex: parse_target(t, lex, default_comparator=True)),
    )
}


def value_type(name: str) -> ValueType:
    try:
        return TYPES[name]
    except KeyError:
        raise KeyError(f"unknown value type '{name}' (known: {', '.join(sorted(TYPES))})") from None
