"""A person's corrections: applied once per field, typed, reported when they no longer fit, and kept
through reruns with and without --force (pipeline/corrections.py)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import corrections
from pipeline.cli import app
from pipeline.corrections import Correction
from tests.conftest import REPO, SAMPLES


def _record() -> dict:
    return {"form_id": "abc-01", "project_name": "旧名", "budget_amount": 12.5,
            "budget": {"total": 10, "fiscal": None},
            "indicators": [{"level3": "面积", "value": 3000, "unit": "平方米"}],
            "review": [{"kind": "uncertain", "field": "indicators[0].value", "reason": "r", "before": None,
                        "after": 3000, "page": 2, "bbox": [1, 2, 3, 4], "alternatives": None}],
            "confidence": {"indicators[0].value": 0.4}}


def _fix(field: str, value, form_id: str = "abc-01", note: str | None = None) -> Correction:
    return Correction(form_id=form_id, field=field, value=value, note=note)


def test_number_field_takes_typed_text_as_a_number_and_keeps_the_reading_as_before():
    record = _record()
    changed, problems = corrections.apply(record, [_fix("indicators[0].value", "3,200", note="seen on paper")])
    assert changed and not problems
    assert record["indicators"][0]["value"] == 3200
    item = record["review"][-1]
    assert (item["kind"], item["before"], item["after"], item["page"], item["bbox"]) == \
        ("corrected", 3000, 3200, 2, [1, 2, 3, 4])
    assert item["reason"].endswith("seen on paper")
    assert record["confidence"]["indicators[0].value"] == 1.0
    assert record["review"][0]["kind"] == "uncertain"  # it was flagged: `pipeline eval` still counts it so


def test_applying_again_is_a_no_op_and_a_changed_correction_keeps_the_original_reading():
    record = _record()
    corrections.apply(record, [_fix("budget.total", "11")])
    assert corrections.apply(record, [_fix("budget.total", "11")]) == (False, [])
    changed, _ = corrections.apply(record, [_fix("budget.total", "12")])
    fixed = [r for r in record["review"] if r["kind"] == "corrected"]
    assert changed and len(fixed) == 1 and (fixed[0]["before"], fixed[0]["after"]) == (10, 12)


def test_same_value_is_a_confirmation():
    record = _record()
    changed, _ = corrections.apply(record, [_fix("project_name", "旧名")])
    assert changed and record["review"][-1]["reason"] == "confirmed by a person"


@pytest.mark.parametrize("field", ["indicators[5].value", "indicators[0].missing", "nope", "budget.total.x",
                                   "indicators[0]value", "form_id", "review", "confidence"])
def test_a_field_that_does_not_exist_is_reported(field):
    record = _record()
    before = json.dumps(record, sort_keys=True)
    changed, problems = corrections.apply(record, [_fix(field, "1")])
    assert not changed and len(problems) == 1 and field in problems[0]
    assert json.dumps(record, sort_keys=True) == before


def test_text_in_a_number_field_is_refused():
    record = _record()
    changed, problems = corrections.apply(record, [_fix("budget_amount", "十二")])
    assert not changed and "not one" in problems[0] and record["budget_amount"] == 12.5


def test_other_forms_corrections_are_left_alone_and_unknown_forms_reported():
    record = _record()
    assert corrections.apply(record, [_fix("project_name", "新", form_id="xyz-02")]) == (False, [])
    assert "xyz-02" in corrections.unmatched([_fix("project_name", "新", form_id="xyz-02")], {"abc-01"})[0]


def test_merge_later_wins(tmp_path):
    merged = corrections.merged([_fix("a", "1"), _fix("b", "2")], [_fix("a", "3")])
    assert [(c.field, c.value) for c in merged] == [("a", "3"), ("b", "2")]
    bad = tmp_path / "bad.json"
    bad.write_text('{"corrections": [{"form_id": "x"}]}', encoding="utf-8")
    with pytest.raises(corrections.UsageError, match="bad.json: not a corrections file"):
        corrections.load(bad)


def test_committed_schema_is_current():
    committed = json.loads((REPO / "schema" / "corrections.schema.json").read_text(encoding="utf-8"))
    assert committed == corrections.json_schema()


def _run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def _records(out: Path) -> dict[str, dict]:
    records = [json.loads(p.read_text("utf-8")) for p in out.glob("*/*.json") if not p.parent.name.startswith(".")]
    return {r["form_id"]: r for r in records}


def test_run_apply_rerun_force_keep_every_correction(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "falv_yuanzhu_2026.pdf", src)
    out = tmp_path / "out"
    assert _run("run", src, "--out", out, "-q", "--workers", "1")[0] == 0
    (form_id, record), = _records(out).items()
    assert form_id.endswith("-01") and len(form_id) == 19
    fixes = {"corrections": [
        {"form_id": form_id, "field": "indicators[0].value", "value": "999"},
        {"form_id": form_id, "field": "project_name", "value": "改正的名称", "note": "typo"},
        {"form_id": "0000000000000000-09", "field": "title", "value": "x"},
    ]}
    (tmp_path / "fix.json").write_text(json.dumps(fixes, ensure_ascii=False), encoding="utf-8")
    code, output = _run("apply", out, tmp_path / "fix.json")
    assert code == 1 and "0000000000000000-09" in output and "2 field(s) corrected" in output
    _assert_corrected(out, form_id)
    for args in ([], ["--force"]):  # resumed, then converted again: the corrections outlive both
        code, output = _run("run", src, "--out", out, "-q", "--workers", "1", *args)
        assert code == 0 and "0000000000000000-09" in output  # reported on every run, never dropped
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        assert manifest["corrections"]["applied"] == 2 and len(manifest["corrections"]["problems"]) == 1
        _assert_corrected(out, form_id)
    record = _records(out)[form_id]
    assert record["indicators"][0]["value"] == 999
    assert [r["field"] for r in record["review"] if r["kind"] == "corrected"] == \
        ["indicators[0].value", "project_name"]


def _assert_corrected(out: Path, form_id: str) -> None:
    record = _records(out)[form_id]
    assert record["indicators"][0]["value"] == 999 and record["project_name"] == "改正的名称"
    rows = list(csv.DictReader((out / "indicators.csv").read_text("utf-8-sig").splitlines()))
    assert rows[0]["form_id"] == form_id and rows[0]["row"] == "0" and rows[0]["value"] == "999"
    assert rows[0]["value_number"] == "999" and rows[0]["value_text"] == ""
    projects = list(csv.DictReader((out / "projects.csv").read_text("utf-8-sig").splitlines()))
    assert projects[0]["name"] == "改正的名称" and projects[0]["form_id"] == form_id
    own = list(csv.DictReader(next(p for p in out.glob("*/*.csv") if not p.parent.name.startswith(".")).read_text("utf-8-sig").splitlines()))
    assert own[0]["value"] == "999" and own[0]["form_id"] == form_id


def test_apply_refuses_what_is_not_a_run(tmp_path):
    (tmp_path / "fix.json").write_text('{"corrections": []}', encoding="utf-8")
    code, output = _run("apply", tmp_path, tmp_path / "fix.json")
    assert code == 2 and "not a folder written by `pipeline run`" in output


@pytest.mark.parametrize("read", [None, "ee"])  # blank, or a number misread as text
def test_a_text_or_empty_field_takes_a_number_where_its_type_allows_one_else_the_text(read):
    def validate(record):  # as the record model does: indicator values are numbers or text, names text
        if record["project_name"] is not None and not isinstance(record["project_name"], str):
            raise ValueError("project_name: a string")

    record = {**_record(), "project_name": read, "indicators": [{"level3": "面积", "value": read}]}
    corrections.apply(record, [_fix("indicators[0].value", "95"), _fix("project_name", "2026")], validate)
    assert record["indicators"][0]["value"] == 95 and record["project_name"] == "2026"


def test_indicator_rows_split_value_by_type_and_say_how_sure_each_row_is():
    from pipeline.config import load_settings
    from pipeline.stages.write import indicator_rows

    spec = load_settings().spec("project")
    record = {"form_id": "abc-01", "project_name": "P",
              "indicators": [{"level3": "面积", "value": 3000}, {"level3": "满意度", "value": "提升"}],
              "confidence": {"indicators[0].value": 0.9, "indicators[0].unit": 0.99, "indicators[1].value": 0.999,
                             "indicators[10].value": 0.1},
              "review": [{"kind": "uncertain", "field": "indicators[0].value"},
                         {"kind": "repair", "field": "indicators[1].value"}]}
    first, second = indicator_rows(record, spec)
    assert (first["row"], first["value_number"], first["value_text"], first["confidence"], first["flagged"]) == \
        (0, 3000, None, 0.9, True)
    assert (second["value_number"], second["value_text"], second["confidence"], second["flagged"]) == \
        (None, "提升", 0.999, False)  # a repair is not a flag; indicators[10] is not indicators[1]


def test_empty_text_empties_a_field_and_a_json_number_fills_a_text_field_as_text():
    def validate(record):
        if record["project_name"] is not None and not isinstance(record["project_name"], str):
            raise ValueError("project_name: a string")

    record = _record()
    changed, problems = corrections.apply(record, [_fix("budget_amount", " "), _fix("project_name", 2026)], validate)
    assert changed and not problems
    assert record["budget_amount"] is None and record["project_name"] == "2026"
