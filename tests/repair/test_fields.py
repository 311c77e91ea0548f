"""Rules for labelled header fields, preamble lines, and inferred blanks."""

from tests.repair.helpers import PROJECT_HEAD, convert_text, project

COST = ["\t成本指标\t经济成本指标\t年初预算金额\t50\t万元\t=\t"]


def test_labels_found_wherever_the_value_sits(settings):
    text = project(COST).replace("年度本级预算金额\t50\t项目类别\t常年性项目\t\t\t\t",
                                 "年度本级 预算金额\t\t50\t\t项目类别\t\t常年性项目\t")
    [record] = convert_text(text, settings)
    assert (record["budget_amount"], record["project_category"]) == (50, "常年性项目")


def test_label_and_value_in_one_cell(settings):
    text = project(COST).replace("项目名称\t学校维修改造\t", "项目名称：学校维修改造\t")
    [record] = convert_text(text, settings)
    assert record["project_name"] == "学校维修改造"


def test_blank_budget_is_inferred_from_cost_row_and_flagged(settings):
    [record] = convert_text(project(COST, budget=""), settings)
    assert record["budget_amount"] == 50
    [item] = [r for r in record["review"] if r["field"] == "budget_amount"]
    assert item["kind"] == "inferred" and item["after"] == 50


def test_budget_disagreeing_with_cost_row_is_a_warning(settings):
    [record] = convert_text(project(COST, budget="40"), settings)
    assert record["budget_amount"] == 40
    assert any(r["kind"] == "warning" and r["field"] == "budget_amount" for r in record["review"])


def test_amount_with_unit_in_cell(settings):
    [record] = convert_text(project(COST, budget="50万元"), settings)
    assert record["budget_amount"] == 50


def test_preamble_with_half_width_punctuation_and_value_on_next_line(settings):
    head = PROJECT_HEAD.replace("填报单位（盖章）：某县教育局\n金额单位：万元\n",
                                "填报单位 (盖章) :\n\n某县 教育局\n\n金额单位: 元\n")
    text = head.format(name="x", budget="1") + COST[0] + "\n"
    [record] = convert_text(text, settings)
    assert (record["reporting_unit"], record["amount_unit"]) == ("某县教育局", "元")


def test_signer_is_the_name_above_the_title(settings):
    [record] = convert_text("王小明\n\n" + project(COST), settings)
    assert record["signer"] == "王小明"
    [record] = convert_text("附件3\n\n" + project(COST), settings)
    assert record["signer"] is None


def test_period_written_in_words_is_normalised(settings):
    text = project(COST).replace("2025.01-2025.12", "2025年1月—2025年12月")
    [record] = convert_text(text, settings)
    assert record["period"] == "2025.01-2025.12"


def test_two_forms_in_one_dump_become_two_records(settings):
    text = project(COST, name="甲项目") + "\n李四\n\n" + project(COST, name="乙项目")
    records = convert_text(text, settings)
    assert [r["project_name"] for r in records] == ["甲项目", "乙项目"]
    assert records[1]["signer"] == "李四"
