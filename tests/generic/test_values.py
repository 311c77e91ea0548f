"""Typing rules: amounts → numbers, percentages → fractions, codes stay text, blank → null."""

import pytest

from pipeline.generic.values import column_type, is_code_column, parse_number, typed

WORDS, LEAVES = ["编码", "代码", "编号"], ["类", "款", "项"]


@pytest.mark.parametrize("text, value", [
    ("79,189,400.34", 79189400.34),
    ("0.00", 0.0),
    ("135,200", 135200.0),
    ("919739.00", 919739.0),
    ("７９,１８９.５", 79189.5),       # full-width digits
    ("-1,000.00", -1000.0),
    ("−1,000.00", -1000.0),          # the minus sign, not a hyphen
    ("(1,000.00)", -1000.0),         # accountant's negative
    ("（1,000.00）", -1000.0),
    ("12.5%", 0.125),
    ("12.5％", 0.125),
    (" 2,932,700 \n", 2932700.0),
])
def test_numbers_are_read(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "一、财政拨款收入", "-", "—", "2024年", "1,2345", "12.5.1", "合计"])
def test_non_numbers_are_not(text):
    assert parse_number(text) is None


def test_codes_stay_text_and_blank_is_null():
    assert typed("2010101", code=True) == "2010101"
    assert typed("05", code=True) == "05"
    assert typed("2010101", code=False) == 2010101.0
    assert typed("  ", code=False) is None
    assert typed("一般公共服务支出", code=False) == "一般公共服务支出"


@pytest.mark.parametrize("path, values, code", [
    (["项目", "功能分类科目编码", "类"], ["201"], True),
    (["经济分类科目编码"], ["30101"], True),
    (["项目", "功能分类科目编码", "款"], [""], True),
    (["项"], ["01"], True),                      # leaf 项 is a code level; 项目 is not
    (["项目", "科目名称"], ["201"], False),
    (["收入预算", "合计"], ["2,932,700", "0"], False),
    ([], ["201", "05", ""], True),                # no header (a continuation): a leading zero says code
    ([], ["100", "200"], False),
])
def test_code_columns(path, values, code):
    assert is_code_column(path, values, WORDS, LEAVES) is code


def test_column_types():
    assert column_type([1.0, None, 2.0], code=False) == "number"
    assert column_type([1.0, "合计"], code=False) == "text"
    assert column_type([None, None], code=False) == "text"
    assert column_type(["201"], code=True) == "code"
