"""Rules for labelled header fields, preamble lines, and inferred blanks."""

from pathlib import Path

import pytest

from pipeline.model import Document, Table
from pipeline.stages import forms, ingest, normalize, repair, validate
from tests.repair.helpers import PROJECT_HEAD, convert_text, project

COST = ["\t成本指标\t经济成本指标\t年初预算金额\t50\t万元\t=\t"]


def test_labels_found_wherever_the_value_sits(settings):
    text = project(COST).replace("年度本级预算金额\t50\t项目类别\t常年性项目\t\t\t\t",
                                 "年度本级 预算金额\t\t50\t\t项目类别\t\t常年性项目\t")
    [record] = convert_text(text, settings)
    assert (record["budget_amount"], record["project_category"]) == (50, "常年性项目")


def test_a_label_misread_by_one_character_is_taken_and_flagged(settings):
    text = project(COST).replace("项目名称\t学校维修改造", "頓目名称\t学校维修改造")
    [record] = convert_text(text, settings, source="ocr")
    assert record["project_name"] == "学校维修改造"
    assert any(r["kind"] == "inferred" and r["field"] == "project_name" and r["before"] == "頓目名称"
               for r in record["review"])
    [printed] = convert_text(text, settings)  # a text layer says what it says: no such label
    assert printed["project_name"] is None


def test_a_cell_one_character_from_two_labels_is_no_label(settings):
    from pipeline.repair.fields import _misread_label

    labels = [("项目名称", "project_name"), ("项目单位", "implementing_unit")]
    cell = type("C", (), {"text": "项目名位"})()
    assert _misread_label(cell, labels, ctx=None) is None  # 项目名称 and 项目单位 both one away
    assert _misread_label(type("C", (), {"text": "顷目"})(), [("项目", "x")], ctx=None) is None  # too short


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


def _read_unsure(text: str, settings, unsure: set[str]) -> dict:
    """A dump whose cells with the given texts were read by OCR under a seal."""
    doc = Document(path=Path("scan.txt"), kind="dump", pages=[ingest.parse_dump(text)])
    for block in doc.pages[0].blocks:
        if isinstance(block, Table):
            for cell in block.cells:
                if cell.text in unsure:
                    cell.source, cell.sealed, cell.confidence = "ocr", True, 0.7
    for stage in (forms, repair, normalize, validate):
        doc = stage.run(doc, settings)
    return doc.forms[0].record


def test_unsure_budget_disagreeing_with_a_sure_cost_row_takes_the_cost_row(settings):
    record = _read_unsure(project(["\t成本指标\t经济成本指标\t年初预算金额\t15\t万元\t=\t"], budget="5"),
                          settings, unsure={"5"})
    assert record["budget_amount"] == 15
    [item] = [r for r in record["review"] if r["kind"] == "inferred" and r["field"] == "budget_amount"]
    assert item["before"] == "5" and item["after"] == 15 and "unsure" in item["reason"]


@pytest.mark.parametrize("unsure", [{"5", "15"}, set()], ids=["both-unsure", "both-sure"])
def test_budget_is_kept_when_the_cost_row_is_no_surer(settings, unsure):
    record = _read_unsure(project(["\t成本指标\t经济成本指标\t年初预算金额\t15\t万元\t=\t"], budget="5"),
                          settings, unsure=unsure)
    assert record["budget_amount"] == 5
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
