"""Fault injection, in the manner of OCRmyPDF's tests: an OCR engine that raises, hangs or returns
garbage, a disk that fills mid-write (tests/test_hostile.py), a worker killed (tests/test_bulk.py),
a file changed while it is read. The batch finishes what it can, says what it could not, and a
rerun resumes to the result of a clean run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.runner import run_batch
from tests.conftest import REPO, SAMPLES

SCAN = SAMPLES / "scans" / "200dpi" / "falv_yuanzhu_2026_scan200.pdf"
DIGITAL = SAMPLES / "zhengfu_falv_guwen_2026.pdf"


def _batch(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SCAN, folder / "scan.pdf")
    shutil.copy(DIGITAL, folder / "digital.pdf")
    return folder


def _run(tmp_path: Path, engine: str, timeout_s: float = 0) -> tuple[subprocess.CompletedProcess, dict]:
    (tmp_path / "c.yaml").write_text(f"ocr:\n  engine: '{engine}'\nbatch:\n  input_timeout_s: {timeout_s}\n",
                                     encoding="utf-8")
    started = time.time()
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # the plugin engines: tests.faults.engines, for the workers too
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "in", "--out", "out", "-q",
                             "-c", "c.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    result.seconds = time.time() - started
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result, {Path(e["file"]).name: e for e in manifest["inputs"]}


@pytest.mark.parametrize("engine, status, code, says", [
    ("tests.faults.engines:raising", "failed", 1, "no performance-target form"),
    # garbage finds the grid but no form; the table it writes is said to be doubtful: partial, not ok
    ("tests.faults.engines:garbage", "partial", 3, "check it against the page"),
])
def test_an_engine_that_raises_or_reads_garbage_costs_the_scan_only(tmp_path, engine, status, code, says):
    _batch(tmp_path)
    result, entries = _run(tmp_path, engine)
    assert entries["digital.pdf"]["status"] == "ok"  # the text layer needs no engine
    scan = entries["scan.pdf"]
    assert scan["status"] == status and any(says in e for e in scan["errors"]), scan
    assert result.returncode == code


def test_an_engine_that_hangs_times_out_and_the_batch_goes_on(tmp_path):
    _batch(tmp_path)
    result, entries = _run(tmp_path, "tests.faults.engines:hanging", timeout_s=4)
    assert entries["scan.pdf"]["error_type"] == "TimedOut"
    assert "not converted within 4 s" in entries["scan.pdf"]["errors"][0]
    assert entries["digital.pdf"]["status"] == "ok" and result.seconds < 120


def test_an_engine_stuck_in_native_code_has_its_worker_stopped_and_the_batch_goes_on(tmp_path):
    _batch(tmp_path)  # two inputs: two worker processes; the alarm cannot stop the stuck one, the watchdog does
    result, entries = _run(tmp_path, "tests.faults.engines:stuck", timeout_s=4)
    assert entries["scan.pdf"]["error_type"] == "TimedOut", entries["scan.pdf"]
    assert "not converted within 4 s" in entries["scan.pdf"]["errors"][0]
    assert "stuck in native code" in entries["scan.pdf"]["errors"][0]
    assert entries["digital.pdf"]["status"] == "ok" and result.returncode == 1 and result.seconds < 120


def test_a_file_changed_while_read_is_converted_again_on_the_rerun(tmp_path, monkeypatch):
    from pipeline.stages import ingest

    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "a.pdf"
    shutil.copy(SAMPLES / "falv_yuanzhu_2026.pdf", target)
    settings = load_settings(overrides={"out_dir": str(tmp_path / "out"), "batch": {"executor": "serial"}})
    real = ingest.input_sha256

    def read_then_replaced(files):  # the bytes hashed are not those read after: someone saved over it
        digest = real(files)
        shutil.copy(DIGITAL, target)
        return digest

    monkeypatch.setattr(ingest, "input_sha256", read_then_replaced)
    run_batch([folder], settings)
    monkeypatch.setattr(ingest, "input_sha256", real)
    again = run_batch([folder], settings)  # its state names the old bytes: not resumed, converted again
    clean = run_batch([folder], load_settings(overrides={"out_dir": str(tmp_path / "clean"),
                                                         "batch": {"executor": "serial"}}))
    assert not again["inputs"][0].get("resumed")
    names = lambda m: [r["record"]["project_name"] for r in m.get("records", [])] or m["outputs"]
    ours = json.loads(next((tmp_path / "out" / "a").glob("*.json")).read_text(encoding="utf-8"))
    theirs = json.loads(next((tmp_path / "clean" / "a").glob("*.json")).read_text(encoding="utf-8"))
    assert ours["project_name"] == theirs["project_name"] == "政府法律顾问专项"
    assert again["inputs"][0]["sha256"] == clean["inputs"][0]["sha256"]
