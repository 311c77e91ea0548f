"""`make bench` keeps working: its modules import against today's pipeline (an import renamed in
pipeline/ once broke bench/measure.py for weeks, unseen), and the scanned-pages section measures a
real carrier folder end to end (bench/measure.py --corpus on one generated scan)."""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", BENCH)
def test_every_bench_module_imports(name):
    importlib.import_module(f"bench.{name}")


def test_measure_scores_a_corpus_carrier_with_its_silent_errors_and_flags(tmp_path):
    """One held-out PDF scanned at 200 dpi, measured as `make bench` measures each OCR setting."""
    pytest.importorskip("rapidocr")
    from bench.corpus import generate

    split = tmp_path / "heldout"
    generate("heldout", 1, split, ["scan200"])
    out = tmp_path / "result.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "measure.py"), "formpipe", "scan200",
                           "--corpus", str(split), "--repeat", "1", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    correct, total = result["fields"]
    assert total > 50 and correct / total > 0.9  # the carrier's truth was found and scored
    assert result["pages"] >= 1 and {"preprocess", "grid", "ocr", "total"} <= set(result["per_page"])
    assert 0 <= result["silent"] <= total - correct and 0 <= result["flagged"] <= total
