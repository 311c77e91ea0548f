"""Shared fixtures. `--update-golden` rewrites the golden files instead of comparing."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_b299a38b9a919feb.txt"
TRUTH = REPO / "tests" / "truth" / "justice_2026.json"
SAMPLES = REPO / "sample_pdfs"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*/ from the current output instead of comparing")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip(f"../shared is absent ({SEED} not found): seed tests need the shared folder")
    return SEED


@pytest.fixture(scope="session")
def scan150_run(tmp_path_factory) -> Path:
    """A run over the 150 dpi grey sample scans (real OCR, ~40 s, once a session); read it, or
    copy it before changing it."""
    pytest.importorskip("rapidocr")
    from pipeline.runner import run_batch

    out = tmp_path_factory.mktemp("scan150_run")
    manifest = run_batch([SAMPLES / "scans" / "150dpi_grey"], load_settings(overrides={"out_dir": str(out)}))
    failed = [e for e in manifest["inputs"] if e["status"] != "ok"]
    assert not failed, failed
    return out
