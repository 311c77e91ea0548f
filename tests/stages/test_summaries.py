"""The run-wide tables (stages/summaries.py): amounts and tasks beside projects and indicators, and
the same tables as xlsx, sqlite and parquet with numbers as numbers and codes and text as text."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.stages import summaries
from tests.conftest import SAMPLES


def _entry(settings) -> dict:
    record = {"form_id": "abc-01", "form_type": "department", "template": "department", "title": "t", "year": 2026,
              "reporting_unit": "u", "amount_unit": "万元", "signer": None, "department_name": "司法局",
              "budget": {"total": 977.11, "general_public_budget": 977, "government_fund": None},
              "main_tasks": [{"name": "任务一", "content": "=HYPERLINK(\"x\")"}, {"name": "001", "content": "c"}],
              "indicators": [{"level3": "面积", "value": 3000, "unit": "平方米"}, {"level3": "率", "value": "提升"}],
              "confidence": {"budget.total": 0.4, "main_tasks[1].name": 0.9, "main_tasks[1].content": 0.7},
              "review": [{"kind": "uncertain", "field": "budget.total"}, {"kind": "warning", "field": "main_tasks[1]"}]}
    return {"file": "in/a.pdf", "records": [{"record": record, "json": "a/01-x.json", "number": 1}]}


def test_amounts_and_tasks_one_row_each_with_label_confidence_and_flag(settings):
    tables = summaries.run_tables([_entry(settings)], settings)
    amounts = {r["field"]: r for r in tables["amounts"][1]}
    assert (amounts["total"]["label"], amounts["total"]["value"], amounts["total"]["flagged"]) == ("资金总额", 977.11, True)
    assert amounts["total"]["confidence"] == 0.4 and amounts["general_public_budget"]["flagged"] is False
    tasks = tables["tasks"][1]
    assert [(t["row"], t["main_tasks.name"], t["name"]) for t in tasks] == [(0, "任务一", "司法局"), (1, "001", "司法局")]
    assert tasks[1]["confidence"] == 0.7 and tasks[1]["flagged"] and not tasks[0]["flagged"]


def test_xlsx_sqlite_parquet_keep_numbers_numbers_and_codes_text(settings, tmp_path):
    tables = summaries.run_tables([_entry(settings)], settings)
    for write in summaries.WRITERS.values():
        write(tables, tmp_path)
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "results.xlsx")
    assert book.sheetnames == ["projects", "indicators", "amounts", "tasks"]
    header = [c.value for c in book["tasks"][1]]
    rows = [[c for c in row] for row in book["tasks"].iter_rows(min_row=2)]
    content, name = header.index("content"), header.index("main_tasks.name")
    assert rows[0][content].data_type == "s" and rows[0][content].value.startswith("=HYPERLINK")  # text, no formula
    assert rows[1][name].value == "001" and rows[1][name].data_type == "s"  # a code keeps its zeros
    amounts = [c.value for c in book["amounts"][2]]
    assert 977.11 in amounts
    db = sqlite3.connect(tmp_path / "results.sqlite")
    assert db.execute("select typeof(value), value from amounts where field='total'").fetchone() == ("real", 977.11)
    assert db.execute('select typeof("main_tasks.name") from tasks where row=1').fetchone() == ("text",)
    assert {t for (t,) in db.execute("select typeof(value) from indicators")} == {"integer", "text"}
    pq = pytest.importorskip("pyarrow.parquet")
    indicators = pq.read_table(tmp_path / "parquet" / "indicators.parquet")
    assert str(indicators.schema.field("value").type) == "string"  # numbers and text: one type a column
    assert str(indicators.schema.field("value_number").type) == "int64"  # whole numbers stay whole
    assert indicators.column("value_number").to_pylist() == [3000, None]
    assert str(pq.read_table(tmp_path / "parquet" / "amounts.parquet").schema.field("flagged").type) == "bool"


def test_format_flag_writes_them_and_a_later_run_keeps_them_current(tmp_path):
    out = tmp_path / "out"
    cli = CliRunner()
    result = cli.invoke(app, ["run", str(SAMPLES / "justice_department_2026.pdf"), "--out", str(out), "-q",
                              "--format", "xlsx,sqlite"])
    assert result.exit_code == 0, result.output
    assert (out / "results.xlsx").is_file() and (out / "results.sqlite").is_file()
    with (out / "amounts.csv").open(encoding="utf-8-sig") as fh:
        assert any(r["field"] == "total" and r["value"] == "977.11" for r in csv.DictReader(fh))
    (out / "results.sqlite").unlink()
    (out / "results.xlsx").write_bytes(b"stale")
    result = cli.invoke(app, ["run", str(SAMPLES / "justice_department_2026.pdf"), "--out", str(out), "-q"])
    assert result.exit_code == 0
    from openpyxl import load_workbook

    assert load_workbook(out / "results.xlsx").sheetnames[0] == "projects"  # rewritten, not left stale
    assert not (out / "results.sqlite").exists()  # not asked for, not there before


def test_an_unknown_format_is_a_usage_error_and_formats_do_not_reconvert(tmp_path):
    result = CliRunner().invoke(app, ["run", str(SAMPLES / "justice_department_2026.pdf"), "--out",
                                      str(tmp_path), "--format", "xlsx,docx"])
    assert result.exit_code == 2 and "docx" in result.output
    plain = load_settings()
    assert plain.fingerprint() == load_settings(overrides={"output": {"formats": ["xlsx"]}}).fingerprint()
