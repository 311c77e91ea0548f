"""Held-out corpus floors: forms nobody here made, every template in every carrier, scored as
`make bench` scores them (bench/corpus.py) on a sample small enough for CI.

Measured on this sample (72 held-out files, 12,650 fields; 2026-12-01, commit 9d538b3): every
template × carrier 100.00%, no silent-wrong field. The floors leave one wrong field per
template × carrier (one in ~200 is 99.5%) and two silent-wrong fields in all.
`make bench` scores 360 held-out files (docs/benchmarks.md). Nobody tunes rules on this split.
"""

from __future__ import annotations

import pytest

pytest.importorskip("reportlab")
pytest.importorskip("docx")
pytest.importorskip("openpyxl")

from bench import corpus as bench_corpus  # noqa: E402
from pipeline.evaluate import Report  # noqa: E402

COUNT = 72  # 12 files per carrier
FLOOR_ALL = 0.9995
FLOOR_EACH = 0.995  # one wrong field in ~200
MAX_SILENT = 0.0002  # silent-wrong share of all fields: 2 of 12,650


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    split = tmp_path_factory.mktemp("heldout")
    bench_corpus.generate("heldout", COUNT, split, bench_corpus.CARRIERS)
    return bench_corpus.score(split, tmp_path_factory.mktemp("out"), bench_corpus.CARRIERS,
                              executor="process")


def test_every_template_in_every_carrier_is_scored(results):
    from scripts.corpus.records import TEMPLATES

    assert {t for t, _ in results["reports"]} == set(TEMPLATES)
    assert {c for _, c in results["reports"]} == set(bench_corpus.CARRIERS)
    assert not any(results["failed"].values()), results["failed"]


def test_heldout_field_accuracy_and_silent_errors(results):
    total = Report()
    for (template, carrier), report in results["reports"].items():
        assert report.accuracy >= FLOOR_EACH, (template, carrier, report.wrong)
        total.total += report.total
        total.correct += report.correct
        total.silent += report.silent
    assert total.accuracy >= FLOOR_ALL
    assert total.silent_rate <= MAX_SILENT, total.silent
