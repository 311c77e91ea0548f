"""The recipe in pipeline/runner.py is what runs; the OCR stage knows nothing of repair."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.config import load_settings
from tests.conftest import REPO, SAMPLES

PIPELINE = REPO / "pipeline"
SCAN = SAMPLES / "scans" / "200dpi" / "falv_yuanzhu_2026_scan200.pdf"
RECORDING = REPO / "tests" / "engines" / "recorded" / f"{SCAN.stem}.json"
BUNDLE = SAMPLES / "justice_projects_bundle.pdf"  # four pages, a form on each

# what reads pixels and text for OCR: it reads tables against pipeline/columns.ColumnSchema only
OCR_SIDE = [*sorted((PIPELINE / "stages").glob("ocr*.py")),
            *(PIPELINE / "stages" / f"{name}.py" for name in ("reread", "names", "scan")),
            *sorted((PIPELINE / "engines").glob("*.py")), PIPELINE / "columns.py"]


def imports(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function (`from a import b` gives a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


@pytest.mark.parametrize("path", OCR_SIDE, ids=module_name)
def test_the_ocr_side_does_not_import_repair(path):
    assert {m for m in imports(path) if m == "pipeline.repair" or m.startswith("pipeline.repair.")} == set()


def test_no_module_of_the_pipeline_is_in_an_import_cycle():
    modules = {module_name(p): p for p in PIPELINE.rglob("*.py") if p.name != "__init__.py"}
    graph = {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            name = todo.pop()
            if name == goal:
                return True
            if name not in seen:
                seen.add(name)
                todo += graph[name]
        return False

    assert [(a, b) for a in graph for b in graph[a] if reaches(b, a)] == []


def _counted(name: str, calls: list[str], call):
    def wrapper(*args):
        calls.append(name)
        return call(*args)
    return wrapper


def test_convert_runs_the_lists_in_runner_in_their_order(monkeypatch, tmp_path):
    settings = load_settings(overrides={"out_dir": str(tmp_path),
                                        "ocr": {"engine": "recorded", "options": {"path": str(RECORDING)}}})
    calls: list[str] = []
    monkeypatch.setattr(runner, "READ", (runner.READ[0], _counted(runner.READ[0], calls, runner.READ[1])))
    monkeypatch.setattr(runner, "PAGE_STEPS", [(n, _counted(f"page.{n}", calls, s)) for n, s in runner.PAGE_STEPS])
    monkeypatch.setattr(runner, "FORM_STAGES", [(n, _counted(n, calls, s)) for n, s in runner.FORM_STAGES])
    doc = runner.convert(SCAN, settings, "scan")
    page_steps = [f"page.{n}" for n, _ in runner.PAGE_STEPS]
    form_stages = [n for n, _ in runner.FORM_STAGES]
    assert len(doc.pages) == 1 and len(doc.forms) == 1 and not doc.errors
    assert calls == ["ingest", *page_steps, *form_stages]
    # the manifest's `seconds` (bench/ reads them): every stage under its name, in the order run
    assert list(doc.timings) == ["ingest", *page_steps, "pages", *form_stages]
    assert list(doc.pages[0].timings) == [n for n, _ in runner.PAGE_STEPS]


def test_a_stage_taken_out_of_the_list_does_not_run(monkeypatch, tmp_path, settings):
    settings = settings.model_copy(update={"out_dir": tmp_path})
    monkeypatch.setattr(runner, "FORM_STAGES", [(n, s) for n, s in runner.FORM_STAGES if n != "write"])
    doc = runner.convert(BUNDLE, settings, "bundle")
    assert len(doc.forms) == 4 and doc.outputs == [] and "write" not in doc.timings
    assert not any(tmp_path.rglob("*.json"))


def test_a_page_step_that_fails_costs_its_page_only(monkeypatch, tmp_path, settings):
    def breaks_page_two(work, settings):
        if work.page.number == 2:
            raise ValueError("unreadable")
        return work

    settings = settings.model_copy(update={"out_dir": tmp_path})
    steps = list(runner.PAGE_STEPS)
    steps.insert(1, ("probe", breaks_page_two))
    monkeypatch.setattr(runner, "PAGE_STEPS", steps)
    doc = runner.convert(BUNDLE, settings, "bundle")
    assert len(doc.forms) == 3 and len(doc.pages) == 4
    assert doc.pages[1].errors == ["page 2: probe failed (ValueError: unreadable)"]
    assert "page 2: probe failed (ValueError: unreadable)" in doc.errors
    assert list(doc.pages[1].timings) == ["triage", "probe"]  # the later steps passed it by
    assert list(doc.pages[0].timings) == [n for n, _ in steps] and "page.probe" in doc.timings
