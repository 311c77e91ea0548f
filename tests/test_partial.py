"""Incomplete is never ok: each way an input converts only in part is status `partial`, exit 3,
an `incomplete` review item on the form where there is one, and one error line per cause."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import SAMPLES
from tests.repair.helpers import PROJECT_HEAD, project

pdfium = pytest.importorskip("pypdfium2")

DEPARTMENT = SAMPLES / "justice_department_2026.pdf"  # one form over two pages
GOOD = project(["产出指标\t数量指标\t维修校舍面积\t3000\t平方米\t≥\t", "满意度指标\t服务对象满意度\t师生满意度\t90\t%\t≥\t"])
UNKNOWN_GRID = ("## 2026年项目支出绩效目标表\n"
                "序号\t资产名称\t数量\t原值\n1\t办公桌\t12\t3600\n2\t电脑\t8\t40000\n")


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--workers", "1"])
    return result.exit_code, result.output


def entries(out: Path) -> dict[str, dict]:
    return {Path(e["file"]).name: e for e in json.loads((out / "manifest.json").read_text("utf-8"))["inputs"]}


def incomplete_items(out: Path, folder: str) -> list[dict]:
    return [item for f in sorted((out / folder).glob("*.json"))
            for item in json.loads(f.read_text("utf-8"))["review"] if item["kind"] == "incomplete"]


def pdf_pages(source: Path, pages: list[int], target: Path) -> Path:
    """A PDF of some pages (0-based) of another."""
    new = pdfium.PdfDocument.new()
    new.import_pages(pdfium.PdfDocument(str(source)), pages)
    new.save(str(target))
    return target


def test_a_page_no_form_used_is_partial(tmp_path):
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    c = canvas.Canvas(str(tmp_path / "cover.pdf"))
    c.drawString(72, 720, "Cover page, no form")
    c.save()
    merged = pdfium.PdfDocument.new()
    merged.import_pages(pdfium.PdfDocument(str(SAMPLES / "falv_yuanzhu_2026.pdf")))
    merged.import_pages(pdfium.PdfDocument(str(tmp_path / "cover.pdf")))
    merged.save(str(tmp_path / "with_annex.pdf"))
    code, output = run_cli("run", str(tmp_path / "with_annex.pdf"), "--out", str(tmp_path / "out"))
    entry = entries(tmp_path / "out")["with_annex.pdf"]
    assert code == 3 and entry["status"] == "partial" and entry["forms"] == 1
    assert entry["unused_pages"] == [2] and entry["errors"] == ["page 2: no form on this page"]
    [item] = incomplete_items(tmp_path / "out", "with_annex")
    assert item["page"] == 2 and "no form on this page" in item["reason"]
    assert "partial" in output


def test_a_grid_cut_off_by_a_missing_last_page_is_partial(tmp_path):
    first = pdf_pages(DEPARTMENT, [0], tmp_path / "dept_first.pdf")
    code, _ = run_cli("run", str(first), "--out", str(tmp_path / "out"))
    entry = entries(tmp_path / "out")["dept_first.pdf"]
    assert code == 3 and entry["status"] == "partial" and entry["forms"] == 1
    [error] = entry["errors"]
    assert "stops before 满意度指标" in error and error.startswith("page 1: form '株洲市渌口区司法局'")
    [item] = incomplete_items(tmp_path / "out", "dept_first")
    assert item["field"] == "indicators"


def test_the_whole_two_page_form_is_ok(tmp_path):
    code, _ = run_cli("run", str(DEPARTMENT), "--out", str(tmp_path / "out"))
    entry = entries(tmp_path / "out")[DEPARTMENT.name]
    assert code == 0 and entry["status"] == "ok" and "unused_pages" not in entry
    assert not incomplete_items(tmp_path / "out", DEPARTMENT.stem)


def test_a_continuation_page_without_its_head_is_partial(tmp_path):
    second = pdf_pages(DEPARTMENT, [1], tmp_path / "dept_second.pdf")
    code, _ = run_cli("run", str(second), "--out", str(tmp_path / "out"))
    entry = entries(tmp_path / "out")["dept_second.pdf"]
    assert code == 3 and entry["status"] == "partial" and entry["forms"] == 0 and entry["tables"] == 1
    [error] = entry["errors"]
    assert error.startswith("page 1: an indicator grid with no form head before it")


def test_a_headless_page_before_a_form_keeps_the_input_partial(tmp_path):
    """The stray grid is its own run of pages (the form after it opens with its title), so the
    cause is the manifest's; the form after it is whole and carries no review item for it."""
    merged = pdfium.PdfDocument.new()
    merged.import_pages(pdfium.PdfDocument(str(DEPARTMENT)), [1])
    merged.import_pages(pdfium.PdfDocument(str(SAMPLES / "falv_yuanzhu_2026.pdf")))
    merged.save(str(tmp_path / "tail_then_form.pdf"))
    code, _ = run_cli("run", str(tmp_path / "tail_then_form.pdf"), "--out", str(tmp_path / "out"))
    entry = entries(tmp_path / "out")["tail_then_form.pdf"]
    assert code == 3 and entry["status"] == "partial" and entry["forms"] == 1 and entry["tables"] == 1
    [error] = entry["errors"]
    assert error.startswith("page 1: an indicator grid with no form head before it")


def test_a_form_of_no_known_template_is_partial(tmp_path):
    (tmp_path / "unknown.txt").write_text(UNKNOWN_GRID, encoding="utf-8")
    code, _ = run_cli("run", str(tmp_path / "unknown.txt"), "--out", str(tmp_path / "out"))
    entry = entries(tmp_path / "out")["unknown.txt"]
    assert code == 3 and entry["status"] == "partial" and entry["forms"] == 0 and entry["tables"] == 1
    [error] = entry["errors"]
    assert "matches no template" in error


def test_a_form_without_its_indicator_grid_is_partial(tmp_path):
    head_only = PROJECT_HEAD.format(name="食堂改造", budget="20").rsplit("\n", 2)[0] + "\n"
    (tmp_path / "head.txt").write_text(head_only, encoding="utf-8")
    code, _ = run_cli("run", str(tmp_path / "head.txt"), "--out", str(tmp_path / "out"))
    entry = entries(tmp_path / "out")["head.txt"]
    assert code == 3 and entry["status"] == "partial" and entry["forms"] == 1
    assert "no indicator grid" in entry["errors"][0]
    [item] = incomplete_items(tmp_path / "out", "head")
    assert item["field"] == "indicators"


def test_failed_wins_over_partial_and_ok_is_ok(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(GOOD, encoding="utf-8")
    code, _ = run_cli("run", str(tmp_path / "in"), "--out", str(tmp_path / "out0"))
    assert code == 0 and entries(tmp_path / "out0")["good.txt"]["status"] == "ok"
    (tmp_path / "in" / "unknown.txt").write_text(UNKNOWN_GRID, encoding="utf-8")
    code, _ = run_cli("run", str(tmp_path / "in"), "--out", str(tmp_path / "out3"))
    assert code == 3
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    code, _ = run_cli("run", str(tmp_path / "in"), "--out", str(tmp_path / "out1"))
    assert code == 1
    statuses = {name: e["status"] for name, e in entries(tmp_path / "out1").items()}
    assert statuses == {"good.txt": "ok", "unknown.txt": "partial", "empty.txt": "failed"}


def test_a_rerun_reports_a_partial_input_again_without_converting_it(tmp_path):
    first = pdf_pages(DEPARTMENT, [0], tmp_path / "dept_first.pdf")
    out = tmp_path / "out"
    code, _ = run_cli("run", str(first), "--out", str(out))
    assert code == 3
    state = out / ".state" / "dept_first.json"
    written = state.stat().st_mtime_ns
    code, output = run_cli("run", str(first), "--out", str(out))
    assert code == 3 and state.stat().st_mtime_ns == written  # resumed: not converted again
    entry = entries(out)["dept_first.pdf"]
    assert entry["status"] == "partial" and "stops before 满意度指标" in entry["errors"][0]
    assert "partial" in output and "done earlier" in output
    code, _ = run_cli("run", str(first), "--out", str(out), "--force")
    assert code == 3 and state.stat().st_mtime_ns != written
