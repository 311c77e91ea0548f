"""Bulk runs: parallel workers, resuming after a kill or Ctrl-C, nothing lost, nothing stale."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.state import STATE_DIR
from tests.batch import dump, make_batch
from tests.conftest import REPO, SAMPLES
from tests.batch import DIGITAL


def run_cli(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def start_run(batch: Path, out: Path, *args: str) -> subprocess.Popen:
    """`pipeline run` as its own process group, as a user's terminal would start it.

    With Ctrl-C's default action restored: a suite started in the background by a shell (`make test &`)
    runs with SIGINT ignored, which every child inherits, and Python then never raises KeyboardInterrupt."""
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(out), "-q", *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler))


def wait_for_states(out: Path, count: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / STATE_DIR).glob("*.json"))) < count:
        assert proc.poll() is None, "the run ended before it could be interrupted; make the batch bigger"
        assert time.monotonic() < deadline
        time.sleep(0.01)


def tree(out: Path) -> dict[str, object]:
    """Every file under out, parsed, with what legitimately differs between runs left out."""

    def without_times(entry: dict) -> dict:
        return {k: v for k, v in entry.items() if k != "seconds"}

    files = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        rel = str(path.relative_to(out))
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if rel == "manifest.json":
                data = {k: v for k, v in data.items() if k not in ("started", "finished")}
                data["inputs"] = [without_times(e) for e in data["inputs"]]
            elif rel.startswith(STATE_DIR):
                data = without_times(data)
            files[rel] = data
        else:
            files[rel] = path.read_bytes()
    return files


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.tmp")]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("archive") / "in"
    return folder, make_batch(folder, 160)


@pytest.fixture(scope="module")
def uninterrupted(archive, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "out"
    code, output = run_cli("run", str(archive[0]), "--out", str(out), "--workers", "1", "-q")
    assert code == 1, output  # the batch holds bad inputs
    return out


def test_killed_run_resumes_to_exactly_the_uninterrupted_result(archive, uninterrupted, tmp_path):
    """kill -9 of the run and its workers midway; the rerun skips what finished and ends identical."""
    out = tmp_path / "out"
    proc = start_run(archive[0], out, "--workers", "2")
    wait_for_states(out, 20, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished_before = len(list((out / STATE_DIR).glob("*.json")))
    assert finished_before < len(archive[1])

    code, output = run_cli("run", str(archive[0]), "--out", str(out), "--workers", "2")
    assert code == 1
    resumed = int(output.split("resuming: ", 1)[1].split(" ", 1)[0])  # finished ok before the kill
    assert 0 < resumed < sum(1 for outcome in archive[1].values() if outcome == "ok")
    assert not temp_files(out)
    assert tree(out) == tree(uninterrupted)


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(archive, uninterrupted, tmp_path):
    out = tmp_path / "out"
    proc = start_run(archive[0], out, "--workers", "2")
    wait_for_states(out, 10, proc)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole process group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("error: interrupted: ")
    assert "run the same command again to resume" in stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["interrupted"] is True and 0 < len(manifest["inputs"]) < len(archive[1])
    assert not temp_files(out)
    code, _ = run_cli("run", str(archive[0]), "--out", str(out), "--workers", "2", "-q")
    assert code == 1 and tree(out) == tree(uninterrupted)


def test_every_good_file_lands_and_every_bad_one_says_why(tmp_path):
    """The issue's synthetic archive: 500 files, one in ten bad, on two workers."""
    expected = make_batch(tmp_path / "in", 500)
    out = tmp_path / "out"
    code, output = run_cli("run", str(tmp_path / "in"), "--out", str(out), "--workers", "2", "-q")
    assert code == 1
    entries = {Path(e["file"]).name: e for e in json.loads((out / "manifest.json").read_text("utf-8"))["inputs"]}
    assert entries.keys() == expected.keys()
    for name, outcome in expected.items():
        entry = entries[name]
        if outcome == "ok":
            assert entry["status"] == "ok" and entry["forms"] >= 1, (name, entry["errors"])
            assert all((out / p).is_file() for p in entry["outputs"])
        else:
            assert entry["status"] == "failed" and entry["sha256"], name
            [error] = entry["errors"]
            assert outcome in error and name in error, error
            assert sum(1 for line in output.splitlines() if line == f"FAILED {error}") == 1
    projects = (out / "projects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(projects) - 1 == sum(e["forms"] for e in entries.values())
    assert not temp_files(out)


def test_rerun_skips_finished_inputs_and_force_converts_them_again(tmp_path):
    (tmp_path / "a.txt").write_text(dump(1), encoding="utf-8")
    (tmp_path / "b.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("run", str(tmp_path), "--out", str(out))[0] == 1
    [json_a] = (out / "a").glob("*.json")
    first = json_a.stat().st_mtime_ns

    code, output = run_cli("run", str(tmp_path), "--out", str(out))
    assert code == 1 and "resuming: 1 of 2" in output  # the failed input is tried again
    assert json_a.stat().st_mtime_ns == first

    code, output = run_cli("run", str(tmp_path), "--out", str(out), "--force")
    assert "resuming" not in output and json_a.stat().st_mtime_ns != first


def test_changed_input_is_converted_again_and_its_stale_outputs_go(tmp_path):
    source = tmp_path / "in" / "a.txt"
    source.parent.mkdir()
    source.write_text(dump(1), encoding="utf-8")
    out = tmp_path / "out"
    run_cli("run", str(source.parent), "--out", str(out))
    [old] = (out / "a").glob("*.json")
    source.write_text(dump(2), encoding="utf-8")  # another project name: another output name
    code, output = run_cli("run", str(source.parent), "--out", str(out))
    assert code == 0 and "resuming" not in output
    [new] = (out / "a").glob("*.json")
    assert new.name != old.name and "第2号" in new.name
    assert len(list((out / "a").glob("*.csv"))) == 1


def test_changed_config_converts_again(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(dump(1), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text("output: {csv_bom: false}\n", encoding="utf-8")
    out = tmp_path / "out"
    run_cli("run", str(tmp_path / "in"), "--out", str(out))
    code, output = run_cli("run", str(tmp_path / "in"), "--out", str(out), "--config", str(config))
    assert code == 0 and "resuming" not in output
    assert not (out / "projects.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_temp_files_of_a_killed_run_are_swept(tmp_path):
    (tmp_path / "a.txt").write_text(dump(1), encoding="utf-8")
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / ".01-x.json.k2j3h4.tmp").write_text('{"half": ', encoding="utf-8")
    assert run_cli("run", str(tmp_path / "a.txt"), "--out", str(out))[0] == 0
    assert not temp_files(out)


@pytest.mark.parametrize("args, message", [(["--workers", "-1"], "--workers"),
                                           (["--threads", "-2"], "--threads"),
                                           (["--executor", "threads"], "--executor")])
def test_bad_batch_options_are_usage_errors(tmp_path, args, message):
    (tmp_path / "a.txt").write_text(dump(1), encoding="utf-8")
    code, output = run_cli("run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), *args)
    assert code == 2 and message in output


def test_ray_executor_gives_the_same_result_as_serial(tmp_path):
    ray = pytest.importorskip("ray", reason="the Ray extra is not installed (pip install -e '.[ray]')")
    make_batch(tmp_path / "in", 12)
    serial, on_ray = tmp_path / "serial", tmp_path / "ray"
    assert run_cli("run", str(tmp_path / "in"), "--out", str(serial), "--executor", "serial")[0] == 1
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        code, output = run_cli("run", str(tmp_path / "in"), "--out", str(on_ray), "--executor", "ray")
        too_wide = run_cli("run", str(tmp_path / "in"), "--out", str(tmp_path / "wide"), "--executor", "ray",
                           "--threads", "3")
    finally:
        ray.shutdown()
    assert code == 1, output
    assert tree(on_ray) == tree(serial)
    assert too_wide[0] == 2 and "no node of the Ray cluster has that many CPUs" in too_wide[1]


def _dies_on_b(task, settings) -> dict:
    """A per-file task whose worker dies (as a crash in native code would) on the file named b."""
    if task.file.name == "b":
        os._exit(1)
    return {"file": str(task.file), "status": "ok"}


def _threads_of_this_worker(task, settings) -> dict:
    from pipeline.engines import registry

    return {"file": str(task.file), "threads": registry._threads}


@pytest.mark.parametrize("asked, expected", [(0, 2), (1, 1), (3, 3)])
def test_each_worker_gets_its_share_of_threads_or_the_number_asked(settings, monkeypatch, asked, expected):
    from pipeline import executors
    from pipeline.runner import Task

    monkeypatch.setattr(executors, "cores", lambda: 4)  # 2 workers on 4 cores: 2 threads each
    settings = settings.model_copy(update={"batch": settings.batch.model_copy(
        update={"executor": "process", "workers": 2, "threads": asked})})
    executor = executors.make_executor(settings, n_tasks=10)
    tasks = [Task(i, Path(name), name) for i, name in enumerate("abcd")]
    assert {entry["threads"] for _, entry in executor.map(_threads_of_this_worker, tasks, settings)} == {expected}


def test_a_worker_that_dies_costs_only_its_file(settings):
    from pipeline.executors import ProcessExecutor
    from pipeline.runner import Task

    tasks = [Task(i, Path(name), name) for i, name in enumerate("abcdef")]
    results = {task.file.name: entry for task, entry in ProcessExecutor(2, 1).map(_dies_on_b, tasks, settings)}
    assert results.keys() == set("abcdef")
    assert results["b"]["status"] == "failed" and "worker process died" in results["b"]["errors"][0]
    assert json.loads(json.dumps(results["b"]))["file"] == "b"  # goes into manifest.json as it is
    assert all(results[name]["status"] == "ok" for name in "acdef")


@pytest.mark.parametrize("sample", [p.name for p in DIGITAL] + ["long"])
def test_cutting_run_by_run_gives_what_cutting_the_whole_document_gives(sample, settings, tmp_path):
    """convert() keeps one run of pages in memory (forms.windows); the result is the whole document's."""
    from pipeline.model import Document
    from pipeline.runner import FORM_STAGES, convert, read_pages
    from pipeline.stages import forms, ingest

    if sample == "long":  # every sample one after another: forms over two pages, pages of four forms
        pdfium = pytest.importorskip("pypdfium2")
        merged = pdfium.PdfDocument.new()
        for path in DIGITAL:
            merged.import_pages(pdfium.PdfDocument(str(path)))
        merged.save(str(tmp_path / "long.pdf"))
        path = tmp_path / "long.pdf"
    else:
        path = SAMPLES / sample
    settings = settings.model_copy(update={"out_dir": tmp_path / "out"})
    whole = ingest.run(Document(path=path, kind="pdf", out_name="whole"), settings)
    whole.pages = list(read_pages(whole, settings))  # the whole document at once, then cut
    for _name, stage in FORM_STAGES:
        whole = stage(whole, settings)
    streamed = convert(path, settings, "streamed")
    assert [f.record for f in streamed.forms] == [f.record for f in whole.forms]
    assert streamed.errors == whole.errors and len(streamed.pages) == len(whole.pages)
    runs = forms.windows(read_pages(ingest.run(Document(path=path, kind="pdf"), settings), settings), settings)
    expected = {"justice_projects_bundle.pdf": [[1], [2], [3], [4]], "justice_department_2026.pdf": [[1, 2]],
                "long": [[1], [2, 3], [4], [5], [6], [7], [8], [9]]}
    assert [[page.number for page in run] for run in runs] == expected.get(sample, [[1]])


def test_resume_is_keyed_by_content_not_by_how_the_path_was_typed(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(dump(1), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("run", str(tmp_path / "in"), "--out", str(out))[0] == 0
    monkeypatch.chdir(tmp_path)
    code, output = run_cli("run", "./in/", "--out", str(out))
    assert code == 0 and "resuming: 1 of 1" in output
    [entry] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    assert entry["file"] == str(Path("./in/") / "a.txt")  # named as this run named it


def test_outputs_of_another_record_schema_are_converted_again(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(dump(1), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("run", str(tmp_path / "in"), "--out", str(out))[0] == 0
    assert "resuming: 1 of 1" in run_cli("run", str(tmp_path / "in"), "--out", str(out))[1]
    monkeypatch.setattr("pipeline.state.SCHEMA_VERSION", "9.9")  # records of another release
    code, output = run_cli("run", str(tmp_path / "in"), "--out", str(out))
    assert code == 0 and "resuming" not in output
