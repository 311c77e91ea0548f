"""A title-less grid is recognised by its head: field labels and block captions, never the indicator header."""

from pipeline.config import load_settings
from pipeline.model import Cell, Table
from pipeline.stages.forms import match_by_labels


def _table(texts):
    cells = [Cell(row=i, col=0, text=t) for i, t in enumerate(texts)]
    return Table(page=1, n_rows=len(texts), n_cols=1, cells=cells)


FORMS = load_settings().forms


def test_a_department_grid_whose_name_label_a_seal_hid_is_known_by_its_block_captions():
    grid = _table(["部门（单", "年度履职目标", "年度主要任务", "任务名称", "预算情况"])
    assert match_by_labels(grid, FORMS).form_type == "department"


def test_a_continuation_grid_with_only_the_indicator_header_starts_no_form():
    grid = _table(["一级指标", "二级指标", "三级指标", "指标值", "产出指标", "数量指标"])
    assert match_by_labels(grid, FORMS) is None


def test_one_label_alone_is_not_enough():
    assert match_by_labels(_table(["年度履职目标", "某某内容"]), FORMS) is None
