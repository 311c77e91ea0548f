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
