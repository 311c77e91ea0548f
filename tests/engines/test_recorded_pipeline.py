"""Fast: the whole scanned path on a committed scan, with OCR replayed from a recording.

Everything but the neural network runs for real (rasterise, deskew, seals, grid,
line finding, re-reading by shape, repair). Re-record with scripts/record_ocr.py
when the line finding changes on purpose.
"""

import json
from pathlib import Path

from pipeline.config import load_settings
from pipeline.evaluate import load_outputs
from pipeline.runner import run_batch
from tests.conftest import REPO, SAMPLES

RECORDED = REPO / "tests" / "engines" / "recorded"
SCAN = SAMPLES / "scans" / "200dpi" / "falv_yuanzhu_2026_scan200.pdf"


def test_replayed_scan_gives_the_recorded_records(tmp_path):
    settings = load_settings(overrides={
        "out_dir": str(tmp_path),
        "ocr": {"engine": "recorded", "options": {"path": str(RECORDED / f"{SCAN.stem}.json")}},
    })
    [entry] = run_batch([SCAN], settings)["inputs"]
    assert entry["status"] == "ok", entry["errors"]
    got = [{k: v for k, v in r.items() if k != "source"} for r in load_outputs(tmp_path)]
    expected = json.loads((RECORDED / f"{SCAN.stem}.expected.json").read_text(encoding="utf-8"))
    # confidences are computed from replayed probabilities rounded in the recording: equal to 1e-3
    for have, want in zip(got, expected):
        have_conf, want_conf = have.pop("confidence"), want.pop("confidence")
        assert have_conf.keys() == want_conf.keys()
        assert all(abs(have_conf[k] - want_conf[k]) < 1e-3 for k in want_conf)
    assert got == expected
    assert got[0]["project_name"] == "法律援助专项" and len(got[0]["indicators"]) == 10


def test_every_review_bbox_maps_back_onto_the_scanned_file(tmp_path):
    from pipeline.perspective import to_original

    settings = load_settings(overrides={
        "out_dir": str(tmp_path),
        "ocr": {"engine": "recorded", "options": {"path": str(RECORDED / f"{SCAN.stem}.json")}},
    })
    run_batch([SCAN], settings)
    [record] = load_outputs(tmp_path)
    [geometry] = record["source"]["geometry"]
    assert geometry["scanned"] and geometry["transform"]["steps"] and geometry["dpi"]
    w, h = geometry["transform"]["original_size"]
    boxes = [item["bbox"] for item in record["review"] if item.get("bbox")]
    assert boxes
    for x0, top, x1, bottom in boxes:
        for x, y in ((x0, top), (x1, bottom)):
            ox, oy = to_original(geometry["transform"], geometry["dpi"], x, y)
            assert 0 <= ox <= w and 0 <= oy <= h
