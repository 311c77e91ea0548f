"""The digital sample PDFs: every field of all eight forms right against the hand-made truth."""

from pipeline.config import load_settings
from pipeline.evaluate import evaluate, format_report, load_outputs, load_truth
from pipeline.runner import run_batch
from tests.conftest import SAMPLES, TRUTH


def test_digital_samples_every_field_right(tmp_path):
    settings = load_settings(overrides={"out_dir": str(tmp_path)})
    manifest = run_batch(sorted(SAMPLES.glob("*.pdf")), settings)
    assert all(e["status"] == "ok" for e in manifest["inputs"]), manifest["inputs"]
    assert sum(e["forms"] for e in manifest["inputs"]) == 8
    report = evaluate(load_outputs(tmp_path), load_truth(TRUTH))
    assert report.accuracy == 1.0 and not report.forms_extra, format_report(report)
