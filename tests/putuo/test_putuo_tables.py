"""Every table of the 12 real Putuo budget PDFs comes out, continued tables stitched (digital path).

The expected counts and pages are person-checked (tests/putuo/expected_counts.yaml says how).
The scanned path on the same documents is measured by bench/putuo.py; one real-OCR test here
guards it on a page of real content.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.config import load_settings
from pipeline.runner import convert
from tests.conftest import REPO, SHARED

PUTUO = SHARED / "external" / "cn_gov_budget_putuo"
EXPECTED = yaml.safe_load((Path(__file__).parent / "expected_counts.yaml").read_text(encoding="utf-8"))


def _bench_module():
    """bench/putuo.py, which renders and degrades the pages (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("putuo_bench", REPO / "bench" / "putuo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def putuo_pdf(relative: str) -> Path:
    path = PUTUO / relative
    if not path.exists():
        pytest.skip(f"../shared is absent ({path} not found): the Putuo tests need the shared folder")
    return path


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Each document converted once (digital path), with the folder it was written to."""
    cache: dict = {}

    def get(relative: str):
        if relative not in cache:
            out = tmp_path_factory.mktemp("putuo")
            settings = load_settings(overrides={"out_dir": str(out)})
            cache[relative] = (convert(putuo_pdf(relative), settings, "putuo"), out)
        return cache[relative]
    return get


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_every_table_out_and_stitched(relative, converted):
    doc, out = converted(relative)
    expected = EXPECTED[relative]
    assert len(doc.tables) == expected["tables"]
    assert [[p.page for p in t.parts] for t in doc.tables] == expected["pages"]
    written = sorted(p.name for p in (out / "putuo" / "tables").glob("*.json"))
    assert len(written) == expected["tables"]


def test_a_stitched_table_reads_as_one(converted):
    """收入预算总表 of 万里街道 2024: five pages, the header once, the 合计 row of the last page last."""
    doc, _ = converted("budget_2024_2025/上海市普陀区人民政府万里街道办事处24年预算.pdf")
    table = doc.tables[1]
    assert table.title == "2024年部门收入预算总表" and table.unit == "元"
    assert table.columns[:4] == ["项目/功能分类科目编码/类", "项目/功能分类科目编码/款",
                                 "项目/功能分类科目编码/项", "项目/功能分类科目名称"]
    assert table.columns[7] == "收入预算/事业单位经营收入"  # `事业单位\n经营收入` unwrapped
    assert table.column_types[:4] == ["code", "code", "code", "text"]
    assert table.rows[0][:5] == ["201", None, None, "一般公共服务支出", 2932700.0]
    assert not any(r[3] == "功能分类科目名称" for r in table.rows)  # no header inside the body
    assert table.rows[-1][0] == "合计" and table.rows[-1][4] == 156211123.0
    assert sum(r[4] for r in table.rows[:-1] if r[1] is None and r[2] is None) == table.rows[-1][4]


def test_scanned_page_agrees_with_the_digital_one(tmp_path):
    """Real OCR on one real page: the 财务收支预算总表 of 办公室单位 2025, scanned as bench/putuo.py does."""
    pytest.importorskip("rapidocr")
    bench = _bench_module()
    pdf = putuo_pdf("budget_2024_2025/上海市普陀区人民政府办公室单位25年预算.pdf")
    settings = load_settings(overrides={"out_dir": str(tmp_path)})
    digital = [t for t in convert(pdf, settings, "digital").tables if t.parts[0].page == 8]
    scan = tmp_path / "page8.pdf"
    bench.scan_pages(pdf, [8], scan)
    scanned = convert(scan, settings, "scanned").tables
    assert len(scanned) == len(digital) == 1
    agreement = bench.compare(digital, scanned, {1: 8})
    assert agreement.filled > 40
    assert agreement.ratio() >= 0.98, agreement.differ
