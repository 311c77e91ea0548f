"""Each shipped template read from a text dump: its record's own fields, targets split, and which
template a form is told apart by its labels when titles are shared."""

from tests.repair.helpers import convert_text


def one(text, settings) -> dict:
    [record] = convert_text(text, settings)
    return record


COMBINED = (
    "## 2026年项目支出绩效目标表\n填报单位（盖章）：甘肃省定西市安定区水利局\n金额单位：万元\n"
    "项目名称\t农村饮水安全巩固提升工程\t\t\n"
    "主管部门\t定西市水利局\t实施单位\t安定区水利局\n"
    "项目资金（万元）\t320.5\t\t\n"
    "实施期限\t2026年1月-2026年12月\t\t\n"
    "年度绩效目标\t巩固提升农村供水保障水平。\t\t\n"
    "一级指标\t二级指标\t三级指标\t指标值\t备注\n"
    "产出指标\t数量指标\t新建供水管网\t≥38.5公里\t\n"
    "\t\t日供水能力\t≥1200立方米/日\t\n"
    "\t质量指标\t水质达标率\t=100%\t\n"
    "\t时效指标\t工程完工时间\t2026年11月底前完成\t\n"
    "效益指标\t社会效益\t受益人口\t≥3万人\t\n"
    "\t生态效益\t水源地保护\t明显改善\t\n"
    "满意度指标\t服务对象满意度\t群众满意度\t≥95%\t\n"
)


def test_combined_target_template(settings):
    record = one(COMBINED, settings)
    assert record["template"] == "project_combined" and record["form_type"] == "project"
    assert record["implementing_unit"] == "安定区水利局" and record["competent_department"] == "定西市水利局"
    assert record["budget_amount"] == 320.5 and record["period"] == "2026.01-2026.12"
    got = [(i["level2"], i["comparator"], i["value"], i["unit"]) for i in record["indicators"]]
    assert got == [("数量指标", "≥", 38.5, "公里"), ("数量指标", "≥", 1200, "立方米/日"),
                   ("质量指标", "=", 100, "%"), ("时效指标", "定性", "2026年11月底前完成", None),
                   ("社会效益", "≥", 3, "万人"), ("生态效益", "定性", "明显改善", None),
                   ("服务对象满意度", "≥", 95, "%")]


WORDING = (
    "## 2026年度项目绩效目标表\n填报单位：云南省大理州宾川县农业农村局\n"
    "项目名称\t高标准农田建设\t\t\n"
    "项目单位\t宾川县农业农村局\t\t\n"
    "预算金额（万元）\t860\t\t\n"
    "实施周期\t2026.01-2026.12\t\t\n"
    "年度目标\t建成高标准农田。\t\t\n"
    "一级指标\t二级指标\t三级指标\t指标值\t度量单位\t备注\n"
    "产出指标\t数量指标\t建成高标准农田面积\t不低于12000\t亩\t\n"
    "\t\t发放良种\t不少于300\t头\t\n"
    "\t成本指标\t亩均投资\t不超过3000\t元/亩\t\n"
    "\t质量指标\t验收合格率\t达到100\t%\t\n"
    "效益指标\t经济效益\t新增粮食产能\t240\t万公斤\t\n"
    "\t社会效益\t农业生产条件\t明显提升\t/\t\n"
)


def test_worded_target_template(settings):
    record = one(WORDING, settings)
    assert record["template"] == "project_wording"
    assert record["implementing_unit"] == "宾川县农业农村局" and record["budget_amount"] == 860
    got = [(i["comparator"], i["value"], i["unit"]) for i in record["indicators"]]
    assert got == [("≥", 12000, "亩"), ("≥", 300, "头"), ("≤", 3000, "元/亩"), ("=", 100, "%"),
                   ("=", 240, "万公斤"), ("定性", "明显提升", None)]


APPLICATION = (
    "## 项目支出绩效目标申报表\n（2026年度）\n"
    "项目名称\t县域医共体建设\t\t\t\n"
    "主管部门及代码\t[201]县卫生健康委员会\t实施单位\t县人民医院\n"
    "项目属性\t延续项目\t项目期\t3年\n"
    "项目资金（万元）\t中期资金总额\t900\t年度资金总额\t300\n"
    "\t其中：财政拨款\t750\t其中：财政拨款\t250\n"
    "\t其他资金\t150\t其他资金\t50\n"
    "总体目标\t中期目标（2026年—2028年）\t年度目标\n"
    "\t建成紧密型县域医共体。\t完成信息平台一期。\n"
    "绩效指标\t一级指标\t二级指标\t三级指标\t中期指标值\t年度指标值\n"
    "\t产出指标\t数量指标\t覆盖乡镇卫生院\t≥18个\t≥6个\n"
    "\t\t质量指标\t远程会诊响应率\t≥98%\t≥95%\n"
    "\t满意度指标\t服务对象满意度\t患者满意度\t≥90%\t≥88%\n"
)


def test_application_template_mid_term_and_annual(settings):
    record = one(APPLICATION, settings)
    assert record["template"] == "project_application" and record["year"] == 2026
    assert record["implementing_unit"] == "县人民医院" and record["project_term"] == "3年"
    assert record["mid_term_funds"] == {"total": 900, "fiscal": 750, "other": 150}
    assert record["annual_funds"] == {"total": 300, "fiscal": 250, "other": 50}
    assert record["mid_term_goal"] == "建成紧密型县域医共体。" and record["annual_goal"] == "完成信息平台一期。"
    first = record["indicators"][0]
    assert (first["mid_comparator"], first["mid_value"], first["mid_unit"]) == ("≥", 18, "个")
    assert (first["comparator"], first["value"], first["unit"]) == ("≥", 6, "个")
    assert [i["level1"] for i in record["indicators"]] == ["产出指标", "产出指标", "满意度指标"]


SELF_EVALUATION = (
    "## 项目支出绩效自评表\n（2025年度）\n"
    "项目名称\t城乡环卫一体化\t\t\t\t\t\t\n"
    "主管部门\t县住房和城乡建设局\t实施单位\t县环卫所\t\t\t\t\n"
    "项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
    "\t年度资金总额\t500\t520\t494\t10\t95%\t9.5\n"
    "\t其中：当年财政拨款\t500\t520\t494\t—\t—\t—\n"
    "年度总体目标\t预期目标\t实际完成情况\n"
    "\t垃圾无害化处理率达标。\t全年处理率98.6%。\n"
    "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
    "\t产出指标\t数量指标\t垃圾清运量\t≥3.6万吨\t3.7万吨\t20\t20\t\n"
    "\t\t质量指标\t无害化处理率\t≥98%\t98.6%\t20\t20\t\n"
    "\t效益指标\t社会效益\t村容村貌\t明显改善\t基本达成\t30\t27\t部分村庄设施不足，下年补齐。\n"
    "总分\t100\t86.5\n"
)


def test_self_evaluation_is_its_own_form_type(settings):
    record = one(SELF_EVALUATION, settings)
    assert record["form_type"] == "self_evaluation" and record["title"] == "项目支出绩效自评表"
    assert record["funds"] == {"initial_budget": 500, "full_year_budget": 520, "executed": 494, "weight": 10,
                               "execution_rate": 95, "score": 9.5}
    assert record["expected_goal"] == "垃圾无害化处理率达标。" and record["actual_result"] == "全年处理率98.6%。"
    assert record["total_weight"] == 100 and record["total_score"] == 86.5
    rows = [(i["comparator"], i["value"], i["unit"], i["actual"], i["weight"], i["score"], i["deviation_reason"])
            for i in record["indicators"]]
    assert rows == [("≥", 3.6, "万吨", "3.7万吨", 20, 20, None), ("≥", 98, "%", "98.6%", 20, 20, None),
                    ("定性", "明显改善", None, "基本达成", 30, 27, "部分村庄设施不足，下年补齐。")]
