"""Output folders mirror the input tree (inputs.out_names): a file's folder under --out follows from
its own path, so adding a file to an archive never moves another file's results."""

from __future__ import annotations

from pathlib import Path

from pipeline.inputs import discover, out_names
from pipeline.runner import run_batch
from pipeline.config import load_settings
from pipeline.evaluate import load_outputs
from pipeline.stages.parts import Input
from tests.conftest import SAMPLES


def _names(settings, files: dict[str, str | None] | list[tuple[str, None]]) -> list[str]:
    """files: path → the folder it was found under (None: named on the command line)."""
    pairs = list(files.items()) if isinstance(files, dict) else files
    inputs = [Input(Path(f)) for f, _ in pairs]
    roots = {Path(f): Path(r) for f, r in pairs if r is not None}
    return out_names(inputs, settings, roots)


def test_folders_mirror_the_tree_under_the_named_folder(settings):
    assert _names(settings, {"scans/2024/a.pdf": "scans", "scans/2025/a.pdf": "scans", "scans/b.jpg": "scans",
                             "elsewhere/c.pdf": None}) == ["2024/a", "2025/a", "b", "c"]


def test_adding_a_file_moves_no_other_files_folder(settings):
    before = _names(settings, {"in/a.pdf": "in", "in/sub/b.pdf": "in"})
    after = _names(settings, {"in/0.pdf": "in", "in/a.pdf": "in", "in/sub/a.pdf": "in", "in/sub/b.pdf": "in"})
    assert before == ["a", "sub/b"] and after == ["0", "a", "sub/a", "sub/b"]


def test_clashes_are_told_apart_by_the_least_that_does(settings):
    assert _names(settings, {"in/a.pdf": "in", "in/a.docx": "in"}) == ["a.pdf", "a.docx"]
    assert _names(settings, {"in1/x.pdf": "in1", "in2/x.pdf": "in2"}) == ["in1/x", "in2/x"]
    assert _names(settings, {"in/x.pdf": "in", "x.pdf": None}) == ["in/x", "x"]
    assert _names(settings, [("a/x.pdf", None), ("a/x.pdf", None)]) == ["x", "x-2"]  # the same file named twice


def test_a_run_writes_nested_folders_and_eval_reads_them(tmp_path):
    import shutil

    archive = tmp_path / "archive"
    (archive / "2026" / "司法局").mkdir(parents=True)
    shutil.copy(SAMPLES / "falv_yuanzhu_2026.pdf", archive / "2026" / "司法局" / "a.pdf")
    shutil.copy(SAMPLES / "zhengfu_falv_guwen_2026.pdf", archive / "a.pdf")
    out = tmp_path / "out"
    settings = load_settings(overrides={"out_dir": str(out)})
    assert [i.file.name for i in discover([archive], settings)] == ["a.pdf", "a.pdf"]
    manifest = run_batch([archive], settings)
    assert sorted(e["out_name"] for e in manifest["inputs"]) == ["2026/司法局/a", "a"]
    assert (out / "2026" / "司法局" / "a" / "01-法律援助专项.json").is_file()
    assert len(load_outputs(out)) == 2
    again = run_batch([archive], settings)  # resumed: the nested state is found
    assert all(e.get("resumed") or e["status"] == "ok" for e in again["inputs"])
