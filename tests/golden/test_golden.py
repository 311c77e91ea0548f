"""Golden files: each sample's full output (records, review, source) against the
expected JSON next to it in tests/golden/<sample>/.

`pytest --update-golden` rewrites them; review the git diff before committing.
A failure lists each field that changed, e.g. `02-x.json indicators[3].value`.
"""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline.config import load_settings
from pipeline.runner import run_batch
from tests.conftest import REPO, SAMPLES

GOLDEN = REPO / "tests" / "golden"
SAMPLE_FILES = sorted(SAMPLES.glob("*.pdf"))


def json_diff(expected, got, path: str = "") -> list[str]:
    """Every leaf where two JSON values differ, named by its path."""
    if isinstance(expected, dict) and isinstance(got, dict):
        out = []
        for key in sorted(set(expected) | set(got), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in got:
                out.append(f"{sub}: missing (expected {expected[key]!r})")
            elif key not in expected:
                out.append(f"{sub}: unexpected {got[key]!r}")
            else:
                out += json_diff(expected[key], got[key], sub)
        return out
    if isinstance(expected, list) and isinstance(got, list):
        out = [d for i, (a, b) in enumerate(zip(expected, got)) for d in json_diff(a, b, f"{path}[{i}]")]
        if len(expected) != len(got):
            out.append(f"{path}: {len(expected)} items expected, {len(got)} found")
        return out
    return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]


def test_json_diff_names_the_field():
    assert json_diff({"a": [{"v": 1}]}, {"a": [{"v": 2}]}) == ["a[0].v: expected 1, got 2"]


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_sample_matches_golden(sample, tmp_path, update_golden):
    settings = load_settings(overrides={"out_dir": str(tmp_path)})
    [entry] = run_batch([sample], settings)["inputs"]
    assert entry["status"] == "ok", entry["errors"]
    produced = sorted((tmp_path / sample.stem).glob("*.json"))
    golden_dir = GOLDEN / sample.stem
    if update_golden:
        shutil.rmtree(golden_dir, ignore_errors=True)
        golden_dir.mkdir(parents=True)
        for path in produced:
            shutil.copy(path, golden_dir / path.name)
        pytest.skip(f"golden files rewritten in {golden_dir}")
    expected = sorted(golden_dir.glob("*.json"))
    assert [p.name for p in produced] == [p.name for p in expected], "forms differ from the golden set"
    problems = []
    for want, have in zip(expected, produced):
        diff = json_diff(json.loads(want.read_text(encoding="utf-8")), json.loads(have.read_text(encoding="utf-8")))
        problems += [f"{want.name} {d}" for d in diff]
    assert not problems, "\n".join(problems)
