"""The column schema OCR reads tables against (pipeline/columns.py)."""

from pipeline.columns import column_schema
from pipeline.model import Cell
from pipeline.stages.reread import breaks_column


def _row(*texts):
    return [Cell(row=0, col=i, text=t) for i, t in enumerate(texts)]


def test_built_once_per_settings_from_the_form_config_and_the_vocabulary(settings):
    schema = column_schema(settings)
    assert column_schema(settings.model_copy(deep=True)) is schema  # same inputs, same schema
    changed = settings.model_copy(deep=True)
    changed.vocabulary.units.append("艘")
    assert "艘" in column_schema(changed).of("unit").words and "艘" not in schema.of("unit").words
    assert set(schema.of("comparator").words) == set(settings.vocabulary.comparators)
    assert len(schema.headers) == len(settings.forms)


def test_a_header_row_gives_each_column_its_kind(settings):
    schema = column_schema(settings)
    kinds = schema.header_kinds(_row("一级指标", "二级指标", "三级指标", "指标值", "度量单位", "指标值类型", "备注"))
    assert kinds == {0: "label", 1: "label", 2: "text", 3: "number", 4: "unit", 5: "comparator", 6: "text"}
    # a header cell misread under a seal takes the one column its neighbours leave for it (三级指标)
    assert schema.header_kinds(_row("一级指标", "二级指标", "三级指杯", "指标值类型", "指标值"))[2] == "text"
    assert schema.header_kinds(_row("项目名称", "法律援助")) is None


def test_what_breaks_a_column(settings):
    schema = column_schema(settings)
    assert not breaks_column("≥", "comparator", schema) and breaks_column("V", "comparator", schema)
    assert not breaks_column("95", "number", schema) and not breaks_column("≥95%", "number", schema)
    assert breaks_column("9S", "number", schema) and breaks_column("≥9S", "number", schema)
    # what a value cell prints: the comparator as a word, a date, a text target (an open set)
    for printed in ("不低于750", "达到7.34", "95%以上", "3万人", "2026年7月15日前", "12月底前完成", "显著提升"):
        assert not breaks_column(printed, "number", schema), printed
    assert breaks_column("不低于", "number", schema) and breaks_column("1OO", "number", schema)
    assert not breaks_column("产出指标", "label", schema) and breaks_column("产出指杯", "label", schema)
    assert not breaks_column("/", "text", schema) and breaks_column("、", "text", schema)
    assert not breaks_column("", "unit", schema) and not breaks_column("V", None, schema)


def test_a_unit_no_list_holds_fits_its_column(settings):
    """Units are an open set: the list helps, a unit-shaped reading is not a misread."""
    schema = column_schema(settings)
    for unit in ("万人次", "场次", "公斤", "千瓦时", "元/人·年", "%"):
        assert not breaks_column(unit, "unit", schema), unit
    for misread in ("5元", "%0", "X", "1.5"):
        assert breaks_column(misread, "unit", schema), misread
