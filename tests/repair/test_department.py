"""Rules for the department form: main tasks, the budget block, its indicators."""

from tests.repair.helpers import convert_text

HEAD = ("## 2025年部门整体支出绩效目标表\n填报单位（盖章）：某市文化旅游局\n单位：万元\n"
        "部门（单位）名称\t某市文化旅游局\t\n年度履职目标\t繁荣文化事业。\t\n")
TASKS = ("年度主要任务\t任务名称\t主要内容\n\t1. 公共文化服务\t开放图书馆、文化馆。\n"
         "\t2. 文物保护\t修缮文物保护 单位。\n\n")
INDICATORS = ("一级指标\t二级指标\t三级指标\t指标值类型\t指标值\t度量单位\t指标值说明(指标解释)\t备注\n"
              "产出指标\t数量指标\t举办展览\t≥\t12\t场\t反映展览场次\t\n"
              "\t社会成本指标\t/\t\t\t\t\t\n"
              "满意度指标\t服务对象满意度\t游客满意度\t≥\t90\t%\t问卷调查\t\n")


def convert(budget_rows: str, settings) -> dict:
    [record] = convert_text(HEAD + TASKS + budget_rows + INDICATORS, settings)
    return record


def test_budget_block_with_values_below_their_labels(settings):
    rows = ("预算情况\t资金总额\t\t按收入性质分\t\t\t\t按支出性质分\t\n"
            "\t\t一般公共预算\t政府性基金拨款\t财政专户管理资金\t其他资金\t基本支出\t项目支出\n"
            "\t500.5\t450\t50.5\t\t\t300\t200.5\n")
    budget = convert(rows, settings)["budget"]
    assert budget == {"total": 500.5, "general_public_budget": 450, "government_fund": 50.5,
                      "special_account": None, "other_funds": None,
                      "basic_expenditure": 300, "project_expenditure": 200.5}


def test_budget_block_laid_out_side_by_side_and_total_inferred(settings):
    rows = ("预算情况\t资金总额\t\t基本支出\t300\t项目支出\t200\n")
    record = convert(rows, settings)
    assert record["budget"]["basic_expenditure"] == 300 and record["budget"]["project_expenditure"] == 200
    assert record["budget"]["total"] == 500
    assert any(r["kind"] == "inferred" and r["field"] == "budget.total" for r in record["review"])


def test_budget_parts_not_adding_up_are_flagged(settings):
    rows = ("预算情况\t资金总额\t基本支出\t项目支出\n\t100\t60\t30\n")
    record = convert(rows, settings)
    assert any(r["field"] == "budget" and "sum" in r["reason"] for r in record["review"])


def test_tasks_and_indicators_in_department_column_order(settings):
    record = convert("预算情况\t资金总额\n\t1\n", settings)
    assert record["main_tasks"] == [{"name": "1. 公共文化服务", "content": "开放图书馆、文化馆。"},
                                    {"name": "2. 文物保护", "content": "修缮文物保护单位。"}]
    first, second = record["indicators"]
    assert (first["comparator"], first["value"], first["unit"], first["description"]) == ("≥", 12, "场", "反映展览场次")
    assert second["level1"] == "满意度指标" and second["description"] == "问卷调查"
    assert record["empty_categories"] == [{"level1": "成本指标", "level2": "社会成本指标"}]
    assert (record["department_name"], record["reporting_unit"], record["amount_unit"]) == \
        ("某市文化旅游局", "某市文化旅游局", "万元")


def test_a_form_without_its_budget_block_keeps_the_rest_and_flags_it(settings):
    record = convert("", settings)  # the block's label unreadable: no budget section at all
    assert record["budget"] == dict.fromkeys(["total", "general_public_budget", "government_fund",
                                              "special_account", "other_funds", "basic_expenditure",
                                              "project_expenditure"])
    assert record["department_name"] == "某市文化旅游局"
    assert any(r["kind"] == "warning" and r["field"] == "budget" for r in record["review"])
