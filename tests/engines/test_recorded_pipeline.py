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
