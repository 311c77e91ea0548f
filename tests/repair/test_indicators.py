"""Rules for the indicator table, on forms of another department (an education bureau).

Each test damages rows the way plain extraction does and checks the repair.
"""

from tests.repair.helpers import convert_text, indicators, project, strip

CLEAN = [
    "\t产出指标\t数量指标\t维修校舍面积\t3000\t平方米\t≥\t",
    "\t\t质量指标\t工程验收合格率\t100\t%\t=\t",
    "\t效益指标\t社会效益\t改善学生学习环境\t改善\t/\t定性\t",
]


def test_clean_rows_fill_merged_labels_down(settings):
    rows = CLEAN + ["\t\t\t师生安全隐患排除率\t95\t%\t≥\t"]
    got = [strip(i) for i in indicators(project(rows), settings)]
    assert got == [
        ("产出指标", "数量指标", "维修校舍面积", 3000, "平方米", "≥"),
        ("产出指标", "质量指标", "工程验收合格率", 100, "%", "="),
        ("效益指标", "社会效益", "改善学生学习环境", "改善", None, "定性"),
        ("效益指标", "社会效益", "师生安全隐患排除率", 95, "%", "≥"),
    ]


def test_level2_label_in_level1_column_moves_back_and_implies_level1(settings):
    rows = CLEAN[:2] + ["\t可持续影响\t\t校舍使用年限\t20\t年\t≥\t"]
    [*_, last] = indicators(project(rows), settings)
    assert strip(last) == ("效益指标", "可持续影响", "校舍使用年限", 20, "年", "≥")


def test_label_pushed_one_column_right_moves_back(settings):
    rows = CLEAN[:2] + ["\t\t满意度指标\t服务对象满意度\t家长满意度\t90\t%\t≥\t"]
    [*_, last] = indicators(project(rows), settings)
    assert strip(last) == ("满意度指标", "服务对象满意度", "家长满意度", 90, "%", "≥")


def test_missing_placeholder_does_not_shift_the_rest_of_the_row(settings):
    # the empty 一级 cell was dropped: every cell sits one column left of its header
    rows = CLEAN[:1] + ["\t时效指标\t完工及时率\t100\t%\t≥"]
    [_, second] = indicators(project(rows), settings)
    assert strip(second) == ("产出指标", "时效指标", "完工及时率", 100, "%", "≥")


def test_row_shifted_right_is_read_by_content(settings):
    rows = CLEAN[:1] + ["\t\t\t\t受益学生人数\t1200\t人\t≥"]
    [_, second] = indicators(project(rows), settings)
    assert strip(second) == ("产出指标", "数量指标", "受益学生人数", 1200, "人", "≥")


def test_placeholder_rows_are_empty_categories_not_indicators(settings):
    rows = CLEAN + [
        "\t\t经济效益\t/\t\t\t\t",
        "\t生态效益\t\t\t\t\t\t",          # 二级 label alone in the 一级 column, no '/'
        "\t成本指标\t经济成本指标\t/\t/\t/\t/\t",
    ]
    [record] = convert_text(project(rows), settings)
    assert len(record["indicators"]) == 3
    assert record["empty_categories"] == [
        {"level1": "效益指标", "level2": "经济效益"},
        {"level1": "效益指标", "level2": "生态效益"},
        {"level1": "成本指标", "level2": "经济成本指标"},
    ]


def test_strokes_read_by_ocr_in_a_placeholder_row_are_an_empty_category_and_flagged(settings):
    # a faint `/` read as `1`, a `—` read as the CJK `一`: no indicator has such a name or nothing else
    rows = CLEAN + ["\t\t生态效益\t/\t1\t/\t\t一", "\t成本指标\t经济成本指标\t一\t\t\t\t一"]
    [record] = convert_text(project(rows), settings, source="ocr")
    assert len(record["indicators"]) == 3
    assert record["empty_categories"] == [{"level1": "效益指标", "level2": "生态效益"},
                                          {"level1": "成本指标", "level2": "经济成本指标"}]
    flagged = {r["field"] for r in record["review"] if r["kind"] == "uncertain"}
    assert {"empty_categories[0]", "empty_categories[1]"} <= flagged


def test_a_lone_digit_from_a_text_layer_is_not_taken_for_a_stroke(settings):
    rows = CLEAN + ["\t\t生态效益\t/\t1\t/\t\t"]
    [record] = convert_text(project(rows), settings)
    assert len(record["indicators"]) == 4  # printed text is what it says: a row with a value
    assert record["indicators"][-1]["value"] == 1


def test_a_number_beside_a_stroke_still_makes_an_indicator(settings):
    rows = CLEAN + ["\t\t生态效益\t一\t95\t%\t≥\t"]
    [record] = convert_text(project(rows), settings, source="ocr")
    assert len(record["indicators"]) == 4 and record["empty_categories"] == []


def test_level1_box_naming_nothing_does_not_hide_the_level2_beside_it(settings):
    # a signature's stroke poking into the merged 一级 box was read into it (`成本指标1`)
    rows = CLEAN + ["\t成本指标1\t经济成本指标\t预算控制数\t3.5\t万元\t≤\t",
                    "\t\t\t单位运行成本\t1.6\t万元\t≤\t"]
    [record] = convert_text(project(rows), settings, source="ocr")
    assert [(i["level1"], i["level2"]) for i in record["indicators"][3:]] == [("成本指标", "经济成本指标")] * 2
    assert any(r["kind"] == "warning" and r["after"] == "成本指标1" for r in record["review"])


def test_cost_label_is_level2_under_output_and_level1_on_its_own(settings):
    rows = ["\t产出指标\t成本指标\t生均维修成本\t500\t元/人\t≤\t",
            "\t成本指标\t经济成本指标\t年初预算金额\t50\t万元\t=\t"]
    got = [strip(i)[:2] for i in indicators(project(rows), settings)]
    assert got == [("产出指标", "成本指标"), ("成本指标", "经济成本指标")]


def test_synonym_labels_become_canonical_and_are_recorded(settings):
    rows = ["\t产出\t数量\t培训人次\t300\t人次\t≥\t", "\t满意度\t服务对象满意度指标\t学生满意度\t90\t%\t≥\t"]
    [record] = convert_text(project(rows), settings)
    assert [strip(i)[:2] for i in record["indicators"]] == [("产出指标", "数量指标"), ("满意度指标", "服务对象满意度")]
    variants = [r for r in record["review"] if "variant" in r["reason"]]
    assert {r["before"] for r in variants} == {"产出", "数量", "满意度", "服务对象满意度指标"}


def test_wrapped_indicator_text_spilling_onto_next_row_is_joined(settings):
    rows = ["\t产出指标\t数量指标\t完成农村学校厕所\t15\t所\t≥\t", "\t\t\t改造数量\t\t\t\t"]
    [only] = indicators(project(rows), settings)
    assert only["level3"] == "完成农村学校厕所改造数量"


def test_value_cell_carrying_comparator_and_percent_is_split(settings):
    rows = ["\t产出指标\t质量指标\t设备完好率\t≥95%\t\t\t"]
    [only] = indicators(project(rows), settings)
    assert strip(only) == ("产出指标", "质量指标", "设备完好率", 95, "%", "≥")


def test_comparator_outside_vocabulary_is_flagged_not_guessed(settings):
    rows = ["\t产出指标\t数量指标\t采购设备\t20\t台\t约\t"]
    [record] = convert_text(project(rows), settings)
    assert record["indicators"][0]["comparator"] is None
    assert any(r["field"] == "indicators[0].comparator" for r in record["review"])


def test_every_repair_is_recorded_with_field_and_reason(settings):
    rows = CLEAN[:2] + ["\t可持续影响\t\t校舍使用 年限\t20\t年\t≥\t"]
    [record] = convert_text(project(rows), settings)
    fields = {r["field"]: r for r in record["review"] if r["kind"] == "repair"}
    assert fields["indicators[2].level3"]["before"] == "校舍使用 年限"
    assert fields["indicators[2].level1"]["after"] == "效益指标"


def test_misread_header_cells_take_their_fields_from_the_column_order(settings):
    text = project(CLEAN).replace("指标值\t度量单位\t指标值类型", "指木示值\t\t指标值类型")
    got = [strip(i) for i in indicators(text, settings)]
    assert got[0] == ("产出指标", "数量指标", "维修校舍面积", 3000, "平方米", "≥")


def test_an_ocr_cell_misread_in_its_own_column_stays_there(settings):
    # 万人次 under a seal read `5人次`: a unit with a digit fits no unit list nor shape, but the
    # scan's grid says it is the unit cell; it must not become the row's note
    rows = CLEAN + ["\t\t\t接待游客人次\t1860\t5人次\t≥\t"]
    [record] = convert_text(project(rows), settings, source="ocr")
    last = record["indicators"][-1]
    assert (last["value"], last["unit"], last["comparator"], last["note"]) == (1860, "5人次", "≥", None)
