"""`pipeline review OUT` without a browser: the cards (pipeline/review/collect.py), the pictures cut
from the source only when its bytes are the record's (pictures.py), and a page that loads nothing
from anywhere (page.py). The browser test (test_review_browser.py) drives the page itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.review.collect import form_cards
from pipeline.review.page import FOLDER, PAGE
from pipeline.runner import run_batch
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "justice_department_2026.pdf"


def _data(out: Path) -> dict:
    text = (out / FOLDER / "data.js").read_text(encoding="utf-8")
    assert text.startswith("window.REVIEW = ") and text.rstrip().endswith(";")
    return json.loads(text[len("window.REVIEW = "):].rstrip().rstrip(";"))


@pytest.fixture(scope="module")
def digital_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    out = tmp_path_factory.mktemp("out")
    run_batch([folder], load_settings(overrides={"out_dir": str(out)}))
    return out


def _review(out: Path, *args: str):
    result = CliRunner().invoke(app, ["review", str(out), *args])
    return result.exit_code, result.output


def test_every_review_item_has_a_card_with_its_picture_and_the_page_loads_nothing(digital_run):
    code, output = _review(digital_run)
    assert code == 0 and "warning" not in output, output
    data = _data(digital_run)
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(digital_run.glob("*/*.json"))]
    fields = {(r["form_id"], i["field"]) for r in records if "template" in r for i in r["review"]
              if i["kind"] != "corrected"}
    assert {(c["form_id"], c["field"]) for c in data["cards"]} == fields
    placed = [c for c in data["cards"] if c["bbox"]]
    assert placed and all(c.get("crop") and (digital_run / c["crop"]).stat().st_size > 100 for c in placed)
    assert all((digital_run / c["preview"]).is_file() for c in data["cards"] if c.get("preview"))
    html = (digital_run / PAGE).read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html and "<link" not in html  # offline: no CDN, no font
    assert "default-src 'none'" in html  # and the browser is told so


def test_a_moved_source_is_found_by_name_under_source_and_a_changed_one_is_refused(digital_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(digital_run, out, ignore=shutil.ignore_patterns(FOLDER, PAGE))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    typed = Path(manifest["inputs"][0]["file"])
    moved = tmp_path / "archive" / "2026"
    moved.mkdir(parents=True)
    shutil.move(typed, moved / typed.name)
    try:
        code, output = _review(out)
        assert code == 0 and f"source file {typed.name} not found" in output
        assert not any(c.get("crop") for c in _data(out)["cards"])  # no picture rather than a wrong one

        code, output = _review(out, "--source", str(tmp_path / "archive"))
        assert code == 0 and "warning" not in output, output
        assert any(c.get("crop") for c in _data(out)["cards"])

        (moved / typed.name).write_bytes((moved / typed.name).read_bytes() + b"\n% changed\n")
        code, output = _review(out, "--source", str(tmp_path / "archive"))
        assert "not found (or its bytes changed)" in output
        assert not any(c.get("crop") for c in _data(out)["cards"])
    finally:
        shutil.move(moved / typed.name, typed)


def test_review_refuses_a_folder_that_is_not_a_run(tmp_path):
    code, output = _review(tmp_path)
    assert code == 2 and "not a folder written by `pipeline run`" in output


def _record(**extra) -> dict:
    return {"form_id": "abc-01", "template": "project", "form_type": "project", "title": "2026年项目支出绩效目标表",
            "project_name": "旧名", "budget_amount": 10,
            "indicators": [{"level1": "产出指标", "level2": "数量指标", "level3": "面积", "comparator": "≥",
                            "value": 3000, "unit": "平方米"},
                           {"level1": "产出指标", "level2": "质量指标", "level3": "合格率", "comparator": "≥",
                            "value": "ee", "unit": "%"}],
            "confidence": {"indicators[1].value": 0.2, "project_name": 0.5},
            "review": [], "source": {"file": "a.pdf", "sha256": "0" * 64, "pages": [1]}, **extra}


def _item(kind, field, bbox=None, **extra) -> dict:
    return {"kind": kind, "field": field, "reason": "r", "before": None, "after": None, "page": 1 if bbox else None,
            "bbox": bbox, "alternatives": None, **extra}


def test_cards_one_per_field_a_row_item_covers_the_row_and_earlier_corrections_are_decided(settings):
    spec = settings.spec("project")
    record = _record(review=[
        _item("uncertain", "indicators[1].value", (300, 400, 340, 420), alternatives=[["95", 0.6], ["9S", 0.3]]),
        _item("repair", "indicators[1].value", (300, 400, 340, 420)),
        _item("warning", "indicators[1]", (50, 400, 500, 420)),
        _item("uncertain", "project_name", (100, 100, 300, 112)),
        _item("corrected", "project_name", before="旧名", after="新名"),
    ])
    record["project_name"] = "新名"
    cards = {c["field"]: c for c in form_cards(record, spec)}
    assert list(cards) == ["project_name", "indicators[1]", "indicators[1].value"]  # reading order: top, left
    value = cards["indicators[1].value"]
    assert value["kinds"] == ["repair", "uncertain"] and value["flagged"] and value["confidence"] == 0.2
    assert value["alternatives"][0] == ("95", 0.6)
    assert "合格率" in value["label"] and "第2行" in value["label"]  # the row is named for the reviewer
    row = cards["indicators[1]"]
    assert [leaf["field"] for leaf in row["leaves"]] == [f"indicators[1].{f}" for f in
                                                         ("level1", "level2", "level3", "comparator", "value", "unit")]
    name = cards["project_name"]["leaves"][0]
    assert (name["reading"], name["value"], name["decided"]) == ("旧名", "新名", True)
    only_repairs = {c["field"]: c for c in form_cards(_record(review=[_item("repair", "title")]), spec)}
    assert only_repairs["title"]["flagged"] is False  # shown only when the reviewer asks for repairs
