"""Value types: printed targets split into comparator, value and unit, for units no list holds."""

import pytest

from pipeline.repair.lexicon import Lexicon
from pipeline.values import is_unit_shaped, value_type


@pytest.fixture(scope="module")
def lex(settings):
    return Lexicon(settings.vocabulary)


@pytest.mark.parametrize("text, expected", [
    ("≥95%", ("≥", 95, "%")),
    ("≥3万人", ("≥", 3, "万人")),
    ("≤12万元", ("≤", 12, "万元")),
    ("=100%", ("=", 100, "%")),
    ("＞0.5", (">", 0.5, None)),
    ("≥1200千瓦时", ("≥", 1200, "千瓦时")),
    ("≤2.5立方米/日", ("≤", 2.5, "立方米/日")),
    ("≥300头", ("≥", 300, "头")),
    ("100", ("=", 100, None)),
    ("2026年11月底前完成", ("定性", "2026年11月底前完成", None)),
    ("明显改善", ("定性", "明显改善", None)),
    ("不低于30", ("≥", 30, None)),
    ("不少于1,200株", ("≥", 1200, "株")),
    ("不超过5", ("≤", 5, None)),
    ("不高于3%", ("≤", 3, "%")),
    ("达到100", ("=", 100, None)),
    ("30以上", ("≥", 30, None)),
    ("控制在5%以内", ("≤", 5, "%")),
    ("/", (None, None, None)),
])
def test_combined_and_worded_targets(lex, text, expected):
    for name in ("combined_target", "worded_target"):
        parts = value_type(name).parse(text, lex).parts
        assert (parts["comparator"], parts["value"], parts["unit"]) == expected, name


def test_a_target_beside_its_own_comparator_column_states_no_default(lex):
    parts = value_type("target").parse("95", lex).parts
    assert parts == {"comparator": None, "value": 95, "unit": None}
    parts = value_type("target").parse("提升", lex).parts
    assert parts == {"comparator": None, "value": "提升", "unit": None}


@pytest.mark.parametrize("text, shaped", [
    ("千瓦时", True), ("立方米/日", True), ("头", True), ("个百分点", True), ("元/人·月", True),
    ("95", False), ("2026年11月", False), ("加强群众法治教育", False), ("", False),
])
def test_a_unit_is_known_by_its_shape(text, shaped):
    assert is_unit_shaped(text) is shaped


@pytest.mark.parametrize("name, text, value", [
    ("amount", "20万元", 20), ("amount", "1,600.50", 1600.5), ("percentage", "95.2%", 95.2),
    ("number", "10", 10), ("period", "2026年1月-2026年12月", "2026.01-2026.12"), ("text", "/", "/"),
])
def test_simple_types(lex, name, text, value):
    assert value_type(name).parse(text, lex).parts["value"] == value


@pytest.mark.parametrize("text, unit", [("‰", "‰"), ("%o", "‰"), ("%0", "‰"), ("%", "%"), ("万人次", "万人次")])
def test_a_unit_read_as_its_look_alike_is_that_unit_and_noted(lex, text, unit):
    parsed = value_type("unit").parse(text, lex)
    assert parsed.parts["value"] == unit
    assert bool(parsed.notes) == (text != unit)  # a repair a reviewer can see, before and after


def test_a_target_with_a_look_alike_unit(lex):
    parsed = value_type("combined_target").parse("≤3%o", lex)
    assert (parsed.parts["value"], parsed.parts["unit"]) == (3, "‰")
    assert [kind for kind, *_ in parsed.notes] == ["repair"]


def test_a_quantity_whose_unit_reads_as_a_look_alike(lex):
    parsed = value_type("combined_target").parse("0.7%0", lex)
    assert (parsed.parts["value"], parsed.parts["unit"]) == (0.7, "‰")
    assert [kind for kind, *_ in parsed.notes] == ["repair"]
    assert value_type("combined_target").parse("2026年底前", lex).notes == []  # no number before it: untouched
