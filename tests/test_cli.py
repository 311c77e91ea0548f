"""The command-line edge: bad input gets one clear line, the batch goes on, exit codes."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import REPO, SAMPLES
from tests.repair.helpers import project

GOOD = project(["\t产出指标\t数量指标\t维修校舍面积\t3000\t平方米\t≥\t"])


def run_cli(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def manifest(out: Path) -> dict:
    return {Path(e["file"]).name: e for e in json.loads((out / "manifest.json").read_text("utf-8"))["inputs"]}


def _pdf_with_text(path: Path, text: str, encrypt: str | None = None) -> Path:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    c = canvas.Canvas(str(path), encrypt=encrypt)
    c.drawString(72, 720, text)
    c.save()
    return path


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that claims width × height pixels in a few bytes: what a decompression bomb looks like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


@pytest.fixture()
def batch(tmp_path) -> Path:
    """A folder of one good dump and every kind of bad input."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    (d / "gbk.txt").write_bytes(GOOD.replace("学校维修改造", "食堂改造").encode("gb18030"))
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.md").write_text("\n  \n", encoding="utf-8")
    (d / "notes.txt").write_text("会议纪要\n没有表格\n", encoding="utf-8")
    (d / "fake.pdf").write_text("this is not a pdf", encoding="utf-8")
    (d / "truncated.pdf").write_bytes((SAMPLES / "falv_yuanzhu_2026.pdf").read_bytes()[:400])
    (d / "random.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    (d / "noise.pdf").write_bytes(os.urandom(4096))
    pdfium = pytest.importorskip("pypdfium2")
    pdfium.PdfDocument.new().save(str(d / "nopages.pdf"))
    _png_header_only(d / "bomb.png", 20000, 20000)
    _pdf_with_text(d / "locked.pdf", "secret", encrypt="pw")
    _pdf_with_text(d / "cover.pdf", "Cover page, no form")
    return d


def test_bad_inputs_each_get_one_line_and_the_batch_lands(batch, tmp_path):
    out = tmp_path / "out"
    code, output = run_cli("run", str(batch), str(tmp_path / "missing.pdf"), "--out", str(out))
    assert code == 1
    assert "Traceback" not in output
    entries = manifest(out)
    assert entries["good.txt"]["status"] == "ok" and entries["gbk.txt"]["status"] == "ok"
    reasons = {
        "empty.txt": "empty file", "blank.md": "empty text dump", "notes.txt": "no performance-target form",
        "fake.pdf": "not a PDF", "truncated.pdf": "damaged PDF", "random.pdf": "damaged PDF",
        "locked.pdf": "encrypted; pass --password", "cover.pdf": "no performance-target form",
        "missing.pdf": "cannot read", "noise.pdf": "not a PDF", "nopages.pdf": "PDF has no pages",
        "bomb.png": "decompression bomb",
    }
    for name, reason in reasons.items():
        assert entries[name]["status"] == "failed", name
        [error] = entries[name]["errors"]
        assert reason in error and name in error, error
        failed_lines = [line for line in output.splitlines() if line.startswith("FAILED") and name in line]
        assert len(failed_lines) == 1, (name, output)
    assert (out / "good" / "01-学校维修改造.json").exists()
    assert (out / "gbk" / "01-食堂改造.json").exists()


def test_encrypted_pdf_with_wrong_password_says_so(tmp_path):
    pdf = _pdf_with_text(tmp_path / "locked.pdf", "secret", encrypt="pw")
    code, _ = run_cli("run", str(pdf), "--out", str(tmp_path / "out"), "--password", "nope")
    assert code == 1
    assert "wrong password" in manifest(tmp_path / "out")["locked.pdf"]["errors"][0]


def test_encrypted_pdf_with_password_opens(tmp_path):
    pdf = _pdf_with_text(tmp_path / "locked.pdf", "secret", encrypt="pw")
    run_cli("run", str(pdf), "--out", str(tmp_path / "out"), "--password", "pw")
    # it opens; it simply holds no form
    assert "no performance-target form" in manifest(tmp_path / "out")["locked.pdf"]["errors"][0]


def test_all_good_exits_zero_and_writes_run_files(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    code, output = run_cli("run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"))
    assert code == 0, output
    for name in ("projects.csv", "indicators.csv", "manifest.json", "a/01-学校维修改造.csv"):
        assert (tmp_path / "out" / name).exists(), name
    assert (tmp_path / "out" / "projects.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel


@pytest.mark.parametrize("name", ["../../escape", "/etc/passwd", "..", "a/b\\c:d", "长" * 300])
def test_names_from_document_text_never_leave_out(tmp_path, name):
    (tmp_path / "x.txt").write_text(project(["\t产出指标\t数量指标\t面积\t1\t平方米\t≥\t"], name=name),
                                    encoding="utf-8")
    out = tmp_path / "out"
    code, _ = run_cli("run", str(tmp_path / "x.txt"), "--out", str(out))
    assert code == 0
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "x.txt"]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    assert all(len(p.name) < 100 for p in written)


def test_bad_config_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tables: {snap_tolerance: lots}\n", encoding="utf-8")
    code, output = run_cli("run", str(tmp_path), "--out", str(tmp_path / "out"), "--config", str(bad))
    assert code == 2 and "snap_tolerance" in output


def test_console_script_prints_no_traceback(tmp_path):
    (tmp_path / "fake.pdf").write_text("nope", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(tmp_path / "fake.pdf"),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"FAILED {tmp_path / 'fake.pdf'}: not a PDF (no %PDF- header); is it misnamed?"]


def test_schema_file_matches_the_models():
    from pipeline.records import json_schema

    committed = json.loads((REPO / "schema" / "form-record.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run `pipeline schema --output schema/form-record.schema.json`"


def test_output_validates_against_the_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    from pipeline.records import json_schema

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    run_cli("run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"))
    record = json.loads(next((tmp_path / "out" / "a").glob("*.json")).read_text("utf-8"))
    jsonschema.validate(record, json_schema())


def test_page_without_form_is_reported_partial_and_the_forms_still_land(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    cover = _pdf_with_text(tmp_path / "cover.pdf", "Cover page, no form")
    merged = pdfium.PdfDocument.new()
    merged.import_pages(pdfium.PdfDocument(str(cover)))
    merged.import_pages(pdfium.PdfDocument(str(SAMPLES / "falv_yuanzhu_2026.pdf")))
    merged.save(str(tmp_path / "with_cover.pdf"))
    code, output = run_cli("run", str(tmp_path / "with_cover.pdf"), "--out", str(tmp_path / "out"))
    entry = manifest(tmp_path / "out")["with_cover.pdf"]
    assert code == 3 and entry["status"] == "partial" and entry["forms"] == 1  # incomplete is never ok
    assert entry["errors"] == ["page 1: no form on this page"] and entry["unused_pages"] == [1]
    assert "page 1: no form on this page" in output


def test_a_300_page_pdf_is_read_page_by_page(tmp_path):
    """A form followed by 299 appendix pages: every page read, the form found, each empty page noted."""
    pdfium = pytest.importorskip("pypdfium2")
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    appendix = canvas.Canvas(str(tmp_path / "appendix.pdf"))
    for number in range(2, 301):
        appendix.drawString(72, 720, f"Appendix, page {number}")
        appendix.showPage()
    appendix.save()
    merged = pdfium.PdfDocument.new()
    merged.import_pages(pdfium.PdfDocument(str(SAMPLES / "falv_yuanzhu_2026.pdf")))
    merged.import_pages(pdfium.PdfDocument(str(tmp_path / "appendix.pdf")))
    merged.save(str(tmp_path / "long.pdf"))
    code, _ = run_cli("run", str(tmp_path / "long.pdf"), "--out", str(tmp_path / "out"), "-q")
    entry = manifest(tmp_path / "out")["long.pdf"]
    assert code == 3 and entry["status"] == "partial" and entry["pages"] == 300 and entry["forms"] == 1
    assert entry["errors"] == [f"page {n}: no form on this page" for n in range(2, 301)]
    assert entry["unused_pages"] == list(range(2, 301))


def test_a_tiff_with_pages_of_different_sizes_reads_each_at_its_own_size(tmp_path, settings):
    from PIL import Image

    from pipeline.model import Document
    from pipeline.runner import read_pages

    sizes = [(1654, 2339), (2339, 1654), (800, 600)]  # A4 portrait and landscape at 200 dpi, a slip
    frames = [Image.new("L", size, 255) for size in sizes]
    frames[0].save(tmp_path / "mixed.tif", save_all=True, append_images=frames[1:], dpi=(200, 200))
    doc = Document(path=tmp_path / "mixed.tif", kind="image")
    doc.pages = list(read_pages(doc, settings))
    assert [(round(p.width * 200 / 72), round(p.height * 200 / 72)) for p in doc.pages] == sizes
    assert not doc.errors
    code, output = run_cli("run", str(tmp_path / "mixed.tif"), "--out", str(tmp_path / "out"))
    assert code == 1 and "mixed.tif: no performance-target form" in output and "Traceback" not in output


def test_schema_prints_the_table_contract_too(tmp_path):
    out = tmp_path / "table.schema.json"
    result = CliRunner().invoke(app, ["schema", "--kind", "table", "--output", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["$id"].startswith("table-record-")
    assert CliRunner().invoke(app, ["schema", "--kind", "chart"]).exit_code == 2
