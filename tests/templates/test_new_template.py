"""A fourth template added from a YAML file alone: converted, typed, validated and written with no
Python change (the record model, CSV columns and checks come from the spec)."""

import csv
import json

from pipeline.config import load_settings
from pipeline.records import json_schema
from pipeline.runner import run_batch

MONITORING = """\
template: monitoring
form_type: monitoring
title: 项目绩效运行监控表
title_keywords: [绩效运行监控表]
name_field: project_name
budget_field: null
preamble:
  reporting_unit: ["填报单位"]
sections:
  - kind: fields
    fields:
      project_name: {labels: [项目名称]}
      competent_department: {labels: [主管部门]}
      executed_budget: {labels: [1-7月执行数], type: amount}
  - kind: indicators
    columns:
      - {field: level1, labels: [一级指标], type: label}
      - {field: level2, labels: [二级指标], type: label}
      - {field: level3, labels: [三级指标]}
      - {field: value, labels: [年度指标值], type: combined_target,
         into: {comparator: comparator, value: value, unit: unit}}
      - {field: progress, labels: [1-7月执行情况]}
      - {field: forecast, labels: [全年预计完成情况], type: combined_target,
         into: {comparator: forecast_comparator, value: forecast, unit: forecast_unit}}
      - {field: reason, labels: [偏差原因]}
required: [project_name]
"""

FORM = (
    "## 2026年项目绩效运行监控表\n填报单位：四川省绵阳市游仙区林业局\n"
    "项目名称\t森林防火能力提升\t\t\n"
    "主管部门\t游仙区林业局\t\t\n"
    "1-7月执行数\t86.4万元\t\t\n"
    "一级指标\t二级指标\t三级指标\t年度指标值\t1-7月执行情况\t全年预计完成情况\t偏差原因\n"
    "产出指标\t数量指标\t新建防火通道\t≥42公里\t25公里\t≥42公里\t\n"
    "\t\t补植苗木\t≥15000株\t9000株\t14000株\t雨季推迟\n"
    "满意度指标\t服务对象满意度\t林农满意度\t≥90%\t进行中\t≥92%\t\n"
)


def test_a_fourth_template_from_yaml_alone(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "monitoring.yaml").write_text(MONITORING, encoding="utf-8")
    (tmp_path / "my.yaml").write_text("template_dirs: [templates]\n", encoding="utf-8")
    form = tmp_path / "in" / "jiankong.txt"
    form.parent.mkdir()
    form.write_text(FORM, encoding="utf-8")
    out = tmp_path / "out"
    settings = load_settings(tmp_path / "my.yaml", overrides={"out_dir": str(out)})
    [entry] = run_batch([form], settings)["inputs"]
    assert entry["status"] == "ok", entry["errors"]
    [path] = (out / "jiankong").glob("*.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["form_type"] == "monitoring" and record["template"] == "monitoring"
    assert record["reporting_unit"] == "四川省绵阳市游仙区林业局" and record["year"] == 2026
    assert record["executed_budget"] == 86.4
    rows = [(i["level1"], i["level2"], i["value"], i["unit"], i["progress"], i["forecast_comparator"],
             i["forecast"], i["forecast_unit"], i["reason"]) for i in record["indicators"]]
    assert rows == [("产出指标", "数量指标", 42, "公里", "25公里", "≥", 42, "公里", None),
                    ("产出指标", "数量指标", 15000, "株", "9000株", "=", 14000, "株", "雨季推迟"),
                    ("满意度指标", "服务对象满意度", 90, "%", "进行中", "≥", 92, "%", None)]
    # the record model, the schema and the CSVs know the new template's fields
    schema = json_schema(settings.forms)
    assert any(s["properties"]["template"].get("const") == "monitoring" for s in schema["oneOf"])
    with (out / "indicators.csv").open(encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert {"progress", "forecast", "forecast_unit", "reason"} <= set(header)
