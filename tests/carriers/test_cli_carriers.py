"""End to end: a form in each carrier becomes the same record; what no reader takes is listed, not lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.carriers import form
from tests.test_cli import manifest, run_cli

# units in configs/forms/vocabulary.yaml: the record's unit is the cell's, whatever unknown units become
KNOWN_UNITS = {"人次", "%"}


@pytest.fixture()
def carriers_folder(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    form.write_docx(folder / "word.docx")
    form.write_xlsx(folder / "excel.xlsx")
    (folder / "ppstructure.html").write_bytes(form.html_text().encode("gb18030"))
    (folder / "docling.md").write_text(form.markdown_text(), encoding="utf-8")
    (folder / "export.csv").write_bytes(form.csv_text().encode("utf-8-sig"))
    return folder


def _record(out: Path, entry: dict) -> dict:
    [json_path] = [p for p in entry["outputs"] if p.endswith(".json")]
    return json.loads((out / json_path).read_text("utf-8"))


def test_every_carrier_gives_the_same_record(carriers_folder, tmp_path):
    (carriers_folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    (carriers_folder / ".~lock.word.docx#").write_text("an editor's lock file", encoding="utf-8")
    out = tmp_path / "out"
    code, output = run_cli("run", str(carriers_folder), "--out", str(out), "--executor", "serial")
    assert code == 0, output
    entries = manifest(out)
    assert set(entries) == {"word.docx", "excel.xlsx", "ppstructure.html", "docling.md", "export.csv", "old.doc"}
    assert entries["old.doc"]["status"] == "skipped"
    assert entries["old.doc"]["reason"] == "unsupported file type '.doc'"
    assert "skipped" in output and "old.doc" in output and "FAILED" not in output
    for name, entry in entries.items():
        if name == "old.doc":
            continue
        assert entry["status"] == "ok" and entry["forms"] == 1, (name, entry)
        record = _record(out, entry)
        assert record["project_name"] == form.NAME, name  # once, not the merged cell's repeats
        assert record["budget_amount"] == 20, name
        assert record["project_category"] == "特定目标类", name
        assert record["period"] == "2026.01-2026.12", name
        assert record["reporting_unit"] == "某某县农业农村局", name
        if name == "excel.xlsx":  # its unit line stands in the title's row, at the right
            assert record["amount_unit"] == "万元"
        got = [(i["level1"], i["level2"], i["level3"], i["value"]) for i in record["indicators"]]
        assert got == [expected[:4] for expected in form.INDICATORS], name
        for indicator, expected in zip(record["indicators"], form.INDICATORS):
            if expected[4] in KNOWN_UNITS:
                assert indicator["unit"] == expected[4], (name, indicator)


def test_a_corrupt_docx_fails_alone_in_one_line(carriers_folder, tmp_path):
    (carriers_folder / "broken.docx").write_bytes(b"PK\x03\x04 cut short")
    out = tmp_path / "out"
    code, output = run_cli("run", str(carriers_folder), "--out", str(out), "--executor", "serial")
    assert code == 1
    assert "Traceback" not in output
    entries = manifest(out)
    [error] = entries["broken.docx"]["errors"]
    assert entries["broken.docx"]["status"] == "failed" and "broken.docx" in error and "Word document" in error
    assert len([line for line in output.splitlines() if line.startswith("FAILED")]) == 1
    assert all(e["status"] == "ok" for n, e in entries.items() if n != "broken.docx")
    assert (out / "word" / f"01-{form.NAME}.json").exists()


def test_files_too_large_to_read_whole_are_refused(tmp_path):
    path = form.write_xlsx(tmp_path / "big.xlsx")
    config = tmp_path / "small.yaml"
    config.write_text("max_loaded_mb: 0.001\n", encoding="utf-8")
    code, output = run_cli("run", str(path), "--out", str(tmp_path / "out"), "--config", str(config),
                           "--executor", "serial")
    assert code == 1
    [error] = manifest(tmp_path / "out")["big.xlsx"]["errors"]
    assert "big.xlsx" in error and "max_loaded_mb" in error


def test_results_inside_the_input_folder_are_not_inputs(carriers_folder):
    """--out inside the folder: a rerun must not read its own CSV results (now a carrier) back in."""
    out = carriers_folder / "out"
    assert run_cli("run", str(carriers_folder), "--out", str(out), "--executor", "serial")[0] == 0
    code, output = run_cli("run", str(carriers_folder), "--out", str(out), "--executor", "serial", "--force")
    assert code == 0, output
    assert len(manifest(out)) == 5 and "skipped" not in output
