"""Synthetic batches for the bulk-run tests and benchmark: many good inputs, some bad ones.

Good inputs are text dumps (each a different project) and copies of the digital
sample PDFs; bad ones cycle through the failure modes of a real archive. Each
file's expected outcome is returned with it: "ok", or the reason its error names.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.repair.helpers import project

SAMPLES = Path(__file__).resolve().parents[1] / "sample_pdfs"  # not from conftest: bench/bulk.py runs without pytest

DIGITAL = sorted(SAMPLES.glob("*.pdf"))

# name suffix → (bytes maker, reason in the error); cycled through for the bad inputs
BAD = [
    (".txt", lambda i: b"", "empty file"),
    (".pdf", lambda i: f"note {i}, not a pdf".encode(), "not a PDF"),
    (".pdf", lambda i: DIGITAL[i % len(DIGITAL)].read_bytes()[:400 + i], "damaged PDF"),
    (".pdf", lambda i: os.urandom(2048), "not a PDF"),
    (".txt", lambda i: f"会议纪要 {i}\n没有表格\n".encode(), "no performance-target form"),
]


def dump(i: int) -> str:
    rows = [f"\t产出指标\t数量指标\t维修校舍面积\t{1000 + i}\t平方米\t≥\t",
            f"\t\t质量指标\t验收合格率\t{90 + i % 10}\t%\t≥\t"]
    return project(rows, name=f"第{i}号校舍维修", budget=str(10 + i % 90))


def make_batch(folder: Path, n: int, pdf_every: int = 10, bad_every: int = 10) -> dict[str, str]:
    """`n` files in `folder`: every `pdf_every`-th a digital PDF, every `bad_every`-th (offset) a bad one."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}
    for i in range(n):
        if i % bad_every == bad_every // 2:
            suffix, make, reason = BAD[(i // bad_every) % len(BAD)]
            name = f"{i:04d}-bad{suffix}"
            (folder / name).write_bytes(make(i))
            expected[name] = reason
        elif i % pdf_every == 0:
            source = DIGITAL[(i // pdf_every) % len(DIGITAL)]
            name = f"{i:04d}-{source.name}"
            (folder / name).write_bytes(source.read_bytes())
            expected[name] = "ok"
        else:
            name = f"{i:04d}-dump.txt"
            (folder / name).write_text(dump(i), encoding="utf-8")
            expected[name] = "ok"
    return expected
