"""What a careless or hostile user does to a run: every case a clear one-line error naming the file
(or a correct conversion), the batch going on, the manifest written, no traceback."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

PIPELINE = [sys.executable, "-m", "pipeline.cli"]
SAMPLE = SAMPLES / "falv_yuanzhu_2026.pdf"


def _run(*args, cwd: Path, preexec=None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*PIPELINE, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          preexec_fn=preexec, timeout=timeout)


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "╭" not in result.stderr, result.stderr[-3000:]


def test_a_file_name_that_is_not_utf8_converts_and_the_batch_goes_on(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SAMPLE, inputs / "ok.pdf")
    with open(os.fsencode(inputs) + b"/\xb7\xa8\xc2\xc9.pdf", "wb") as fh:  # GBK bytes, as unzip leaves them
        fh.write(SAMPLE.read_bytes())
    for _ in range(2):  # and the rerun resumes it, rather than crashing the same way
        result = _run("run", "in", "--out", "out", "-q", cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        _no_traceback(result)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(e["file"] for e in manifest["inputs"]) == ["in/\\xb7\\xa8\\xc2\\xc9.pdf", "in/ok.pdf"]
    assert all(e["status"] == "ok" for e in manifest["inputs"])
    assert (tmp_path / "out" / "xb7_xa8_xc2_xc9").is_dir()  # a folder name in plain UTF-8
    (tmp_path / "out" / "projects.csv").read_text(encoding="utf-8-sig")  # valid UTF-8


def test_a_full_disk_is_one_line_naming_the_input_and_the_summaries_still_try(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "a.pdf")

    def small_disk():  # writes past 1500 bytes fail as on a full disk (EFBIG for ENOSPC)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1500, 1500))

    result = _run("run", "a.pdf", "--out", "out", "-q", cwd=tmp_path, preexec=small_disk)
    assert result.returncode == 1
    _no_traceback(result)
    [line] = [l for l in result.stderr.splitlines() if l.strip()]
    assert line.startswith("FAILED a.pdf: results not written:") and "File too large" in line
    assert not list((tmp_path / "out").rglob("*.tmp"))  # no half-written file left


def test_an_out_that_cannot_be_made_is_exit_2(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "a.pdf")
    (tmp_path / "file").write_text("x")
    result = _run("run", "a.pdf", "--out", "file/out", cwd=tmp_path)
    assert result.returncode == 2 and "cannot write results there" in result.stderr
    _no_traceback(result)


def test_an_input_that_cannot_be_read_is_named_with_the_reason(tmp_path, monkeypatch):
    from pipeline import runner
    from pipeline.config import load_settings

    def refuse(path, *args, **kwargs):  # as root no permission can be refused: the kernel's answer, replayed
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(runner, "convert", refuse)
    settings = load_settings(overrides={"out_dir": str(tmp_path)})
    entry = runner.convert_task(runner.Task(0, tmp_path / "a.pdf", "a"), settings)
    assert entry["status"] == "failed" and entry["error_type"] == "UnreadableInput"
    assert entry["errors"] == [f"{tmp_path / 'a.pdf'}: cannot read: Permission denied"]


def test_no_inputs_is_a_usage_error_that_touches_nothing(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "a.pdf")
    assert _run("run", "a.pdf", "--out", "out", "-q", cwd=tmp_path).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")}
    (tmp_path / "empty").mkdir()
    result = _run("run", "empty", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2 and "no inputs" in result.stderr
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")} == before
    assert _run("run", "empty", "--out", "new", cwd=tmp_path).returncode == 2 and not (tmp_path / "new").exists()


def test_symlinked_folders_are_followed_once_and_a_file_named_twice_converts_once(tmp_path):
    (tmp_path / "real" / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE, tmp_path / "real" / "sub" / "a.pdf")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "linked").symlink_to(tmp_path / "real" / "sub", target_is_directory=True)
    (tmp_path / "real" / "sub" / "loop").symlink_to(tmp_path / "real", target_is_directory=True)
    result = _run("run", "in", "in/linked/a.pdf", "--out", "out", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [e["out_name"] for e in manifest["inputs"]] == ["linked/a"]


def test_a_same_named_file_from_another_run_never_deletes_the_first_ones_results(tmp_path):
    for folder, sample in (("x1", SAMPLE), ("x2", SAMPLES / "zhengfu_falv_guwen_2026.pdf")):
        (tmp_path / folder).mkdir()
        shutil.copy(sample, tmp_path / folder / "x.pdf")
    for folder in ("x1", "x2", "x1"):
        assert _run("run", f"{folder}/x.pdf", "--out", "out", "-q", cwd=tmp_path).returncode == 0
    names = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").glob("x*/*.json"))
    assert names == ["x-2/01-政府法律顾问专项.json", "x/01-法律援助专项.json"]


def test_a_second_run_on_the_same_out_is_refused_while_the_first_holds_it(tmp_path):
    from pipeline.errors import UsageError
    from pipeline.files import out_lock

    with out_lock(tmp_path / "out"):
        shutil.copy(SAMPLE, tmp_path / "a.pdf")
        result = _run("run", "a.pdf", "--out", "out", cwd=tmp_path)
        assert result.returncode == 2 and "another pipeline run" in result.stderr and str(os.getpid()) in result.stderr
        with pytest.raises(UsageError):
            with out_lock(tmp_path / "out"):
                pass
    assert _run("run", "a.pdf", "--out", "out", "-q", cwd=tmp_path).returncode == 0  # released


def test_sigterm_stops_a_batch_as_ctrl_c_does(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(4):  # one-page scans: the first finishes soon, three are left to interrupt
        shutil.copy(SAMPLES / "scans" / "200dpi" / "falv_yuanzhu_2026_scan200.pdf", scans / f"{i}.pdf")
    process = subprocess.Popen([*PIPELINE, "run", "scans", "--out", "out", "-q", "--workers", "1"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list((tmp_path / "out" / ".state").glob("*.json")):
        time.sleep(0.2)  # the first input finished
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-3000:]
    assert "interrupted:" in stderr and "Traceback" not in stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["interrupted"] is True and 1 <= len(manifest["inputs"]) < 4


@pytest.mark.parametrize("text, says", [
    ("- a\n- b\n", "a config is a mapping"), ("ocr:\n  engine: tesseract\n", "ocr.engine: Value error, unknown OCR engine"),
    ("scan:\n  dpi: 0\n", "scan.dpi: Input should be greater than or equal to 50"),
    ("batch:\n  workers: -1\n", "batch.workers"),
])
def test_a_bad_config_is_exit_2_naming_the_file_and_the_key(tmp_path, text, says):
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    shutil.copy(SAMPLE, tmp_path / "a.pdf")
    result = _run("run", "a.pdf", "--out", "out", "-c", "c.yaml", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("error: c.yaml: ") and says in result.stderr
    _no_traceback(result)


def test_a_config_that_is_not_utf8_is_named(tmp_path):
    (tmp_path / "c.yaml").write_bytes("output:\n  csv_bom: true\n# 注释\n".encode("gbk"))
    result = _run("run", str(SAMPLE), "--out", "out", "-c", "c.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "not UTF-8 text" in result.stderr


def test_a_huge_pdf_page_renders_at_a_dpi_its_pixels_fit_or_is_refused():
    from pipeline.errors import InputError
    from pipeline.stages.scan import render_dpi

    limit = 24_000_000  # scan.max_working_pixels
    assert render_dpi(595, 842, 200, limit) == 200  # A4: the working dpi
    dpi = render_dpi(3000, 3000, 200, limit)  # a poster: fewer dots an inch, pixels within the limit
    assert 72 <= dpi < 200 and (3000 / 72 * dpi) ** 2 <= limit
    with pytest.raises(InputError, match="14400×14400 pt"):
        render_dpi(14400, 14400, 200, limit)  # 1.6 billion pixels at 200 dpi: refused


def test_a_worker_stays_under_1_5_gb_whatever_the_input_claims(tmp_path):
    """Under an rlimit of 1.5 GB of data: a 119-megapixel image (377 KB of PNG), a 14400 pt PDF
    page and a text dump past max_text_mb each end in a clear line, never a MemoryError."""
    from PIL import Image
    from reportlab.pdfgen import canvas

    Image.new("RGB", (10900, 10900), "white").save(tmp_path / "huge.png")
    page = canvas.Canvas(str(tmp_path / "poster.pdf"), pagesize=(14400, 14400))
    page.rect(10, 10, 100, 100)
    page.save()
    (tmp_path / "dump.txt").write_text("项目名称\t法律援助专项\n" * 150_000, encoding="utf-8")

    def small_memory():
        resource.setrlimit(resource.RLIMIT_DATA, (1500 << 20, 1500 << 20))

    result = _run("run", "huge.png", "poster.pdf", "dump.txt", "--out", "out", "-q", "--executor", "serial",
                  cwd=tmp_path, preexec=small_memory)
    _no_traceback(result)
    assert "MemoryError" not in result.stderr and "internal error" not in result.stderr, result.stderr
    lines = {l.split(":")[0]: l for l in result.stderr.splitlines() if l.startswith("FAILED")}
    assert "no performance-target form" in lines["FAILED huge.png"]  # read, at a bounded size: blank
    assert "over scan.max_working_pixels" in lines["FAILED poster.pdf"] or "no performance" in lines["FAILED poster.pdf"]
    assert "max_text_mb" in lines["FAILED dump.txt"]
