"""Cutting a document into forms: what is a form's title, which tables belong to a form."""

import pytest

from pipeline.model import Cell, Table
from pipeline.stages.forms import _continues, match_title


@pytest.fixture
def forms(settings):
    return settings.forms


@pytest.mark.parametrize("line", ["2026年项目支出绩效目标表", "某县教育局2025年项目支出绩效目标表", "项目支出绩效目标表"])
def test_title_lines(forms, line):
    assert match_title(line, forms, fuzzy=False).form_type == "project"


@pytest.mark.parametrize("fuzzy", [False, True])
def test_prose_naming_a_form_is_no_title(forms, fuzzy):
    # a budget disclosure's sentence (Putuo 商务委 2025): it made empty project forms
    assert match_title("详见单位的项目绩效目标表", forms, fuzzy=fuzzy) is None


def test_a_title_half_read_under_a_seal_is_matched_only_when_ocr(forms):
    assert match_title("2026年项目支出绩效目杯表", forms, fuzzy=True).form_type == "project"
    assert match_title("2026年项目支出绩效目杯表", forms, fuzzy=False) is None


def table(page, top, bottom, n_cols, geometry=True):
    return Table(page=page, bbox=(50, top, 550, bottom) if geometry else None, n_rows=1, n_cols=n_cols,
                 cells=[Cell(row=0, col=c) for c in range(n_cols)])


@pytest.mark.parametrize("following, continues", [
    (table(2, 60, 300, 7), True),     # opens the next page: the form runs over
    (table(1, 505, 700, 8), True),    # right under it: one form drawn as stacked grids
    (table(1, 600, 700, 8), True),    # same columns: one grid a scan broke in two
    (table(1, 600, 700, 5), False),   # further down, other columns: a plain table
    (table(1, 0, 0, 5, geometry=False), True),  # a text dump: no geometry to tell
])
def test_which_tables_continue_a_form(following, continues):
    previous = table(1, 100, 500, 8, geometry=following.bbox is not None)
    assert _continues(previous, following) is continues


def test_nothing_continues_before_a_form():
    assert not _continues(None, table(1, 100, 200, 3))


@pytest.mark.parametrize("line", ["某某大学2026年项目支出绩效目标表", "某某集团项目支出绩效目标表", "2026年度项目绩效目标表"])
def test_a_title_after_any_unit_name_is_a_title(forms, line):
    assert match_title(line, forms, fuzzy=False) is not None


@pytest.mark.parametrize("line", ["请按照项目绩效目标表", "各单位填报项目支出绩效目标表"])
def test_a_sentence_joining_the_form_name_is_no_title(forms, line):
    assert match_title(line, forms, fuzzy=False) is None
