"""The seed: eight real forms as a plain extraction damaged them, against hand-made truth."""

import json

from pipeline.evaluate import evaluate, format_report, load_outputs, load_truth
from pipeline.config import load_settings
from pipeline.runner import run_batch
from tests.conftest import TRUTH


def test_seed_yields_eight_forms_with_every_field_right(seed_path, tmp_path):
    settings = load_settings(overrides={"out_dir": str(tmp_path)})
    manifest = run_batch([seed_path], settings)
    [entry] = manifest["inputs"]
    assert entry["status"] == "ok", entry["errors"]
    records = load_outputs(tmp_path)
    assert [r["form_type"] for r in records] == ["project"] * 7 + ["department"]
    report = evaluate(records, load_truth(TRUTH))
    assert report.wrong == [] and report.forms_missing == [] and report.forms_extra == [], format_report(report)
    assert report.total > 700  # every header field and every indicator field was compared


def test_seed_inferred_budget_is_flagged(seed_path, tmp_path):
    settings = load_settings(overrides={"out_dir": str(tmp_path)})
    run_batch([seed_path], settings)
    [path] = tmp_path.glob("*/05-*.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["budget_amount"] == 20
    assert [r["kind"] for r in record["review"] if r["field"] == "budget_amount"] == ["inferred"]
