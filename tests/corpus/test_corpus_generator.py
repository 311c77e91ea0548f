"""The corpus generator (scripts/corpus/): determinism, splits, coverage, truth fields, carriers.

These test the generator, not the pipeline: what each carrier holds is checked against the
layout the generator built for it.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
from scripts.corpus import corpus  # noqa: E402
from scripts.corpus.fonts import FONTS  # noqa: E402
from scripts.corpus.records import TEMPLATES  # noqa: E402

if not all(Path(p).exists() for p, _ in FONTS.values()):
    pytest.skip("CJK fonts missing (`make fonts`)", allow_module_level=True)

COMMON = ["form_type", "template", "title", "year", "reporting_unit", "amount_unit", "signer"]
INDICATOR = ["level1", "level2", "level3", "value", "unit", "comparator"]
FIELDS = {  # docs/templates.md
    "project": (["project_name", "budget_amount", "project_category", "period", "annual_goal",
                 "indicators", "empty_categories"], INDICATOR + ["note"]),
    "department": (["department_name", "annual_duty_goal", "main_tasks", "budget", "indicators",
                    "empty_categories"], INDICATOR + ["description", "note"]),
    "project_combined": (["project_name", "competent_department", "implementing_unit", "budget_amount",
                          "period", "annual_goal", "indicators", "empty_categories"], INDICATOR + ["note"]),
    "project_wording": (["project_name", "implementing_unit", "budget_amount", "period", "annual_goal",
                         "indicators", "empty_categories"], INDICATOR + ["note"]),
    "project_application": (["project_name", "competent_department", "implementing_unit", "project_attribute",
                             "project_term", "mid_term_funds", "annual_funds", "mid_term_goal", "annual_goal",
                             "indicators"], INDICATOR + ["mid_comparator", "mid_value", "mid_unit"]),
    "self_evaluation": (["project_name", "competent_department", "implementing_unit", "funds", "expected_goal",
                         "actual_result", "total_weight", "total_score", "indicators"],
                        INDICATOR + ["actual", "weight", "score", "deviation_reason"]),
}
COUNT = 36  # every template with every carrier once


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "dev"
    corpus.generate("dev", out, COUNT)
    return out, json.loads((out / "truth.json").read_text("utf-8")), json.loads((out / "index.json").read_text("utf-8"))


def _by_file(truth):
    files: dict[str, list] = {}
    for rec in truth["forms"]:
        files.setdefault(rec["source_file"], []).append(rec)
    return files


def test_same_arguments_same_bytes(tmp_path):
    carriers = ["pdf", "dump", "html", "md", "docx", "xlsx"]
    for run in ("a", "b"):
        corpus.generate("heldout", tmp_path / run, 12, carriers)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 14
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_splits_do_not_share_seeds():
    dev = {s.seed for s in corpus.plan("dev", 5000, list(corpus.CARRIERS), list(TEMPLATES))}
    held = {s.seed for s in corpus.plan("heldout", 5000, list(corpus.CARRIERS), list(TEMPLATES))}
    assert len(dev) == len(held) == 5000 and not dev & held
    with pytest.raises(ValueError):
        corpus.plan("dev", corpus.SPLIT_SIZE + 1, ["pdf"], ["project"])


def test_every_template_and_carrier_appears(dev):
    out, truth, index = dev
    assert {e["template"] for e in index.values()} == set(TEMPLATES)
    assert {e["carrier"] for e in index.values()} == set(corpus.CARRIERS)
    assert {(e["template"], e["carrier"]) for e in index.values()} == \
        {(t, c) for t in TEMPLATES for c in corpus.CARRIERS}
    for rel in index:
        assert (out / rel).is_file(), rel
    assert set(_by_file(truth)) == set(index)


def test_many_typefaces_and_both_orientations():
    specs = corpus.plan("dev", 360, list(corpus.CARRIERS), list(TEMPLATES))
    pdfs = [s for s in specs if s.carrier == "pdf"]
    assert len({s.font for s in pdfs}) >= 6
    assert {s.font_style for s in pdfs} >= {"song", "ming", "hei", "kai", "fangsong"}
    assert {s.orientation for s in pdfs} == {"portrait", "landscape"}


def test_truth_records_carry_the_template_fields(dev):
    _, truth, _ = dev
    for rec in truth["forms"]:
        fields, ind_fields = FIELDS[rec["template"]]
        assert list(rec)[: len(COMMON)] == COMMON
        for name in fields + ["source_file"]:
            assert name in rec, (rec["template"], name)
        assert rec["indicators"]
        for ind in rec["indicators"]:
            assert set(ind_fields) <= set(ind), (rec["template"], ind)
            assert ind["comparator"] in ("≥", "≤", "=", ">", "<", "定性")
            assert (ind["unit"] is None) == (ind["comparator"] == "定性") or ind["comparator"] != "定性"
        if rec["template"] == "department":
            b = rec["budget"]
            parts = [b[k] or 0 for k in ("general_public_budget", "government_fund", "special_account", "other_funds")]
            assert round(sum(parts), 2) == b["total"]
            assert round(b["basic_expenditure"] + b["project_expenditure"], 2) == b["total"]
        if rec["template"] == "project_wording":
            assert {i["comparator"] for i in rec["indicators"]} <= {"≥", "≤", "=", "定性"}


def test_pdf_text_layer_holds_the_project_name(dev):
    import pdfplumber

    out, truth, index = dev
    for rel, recs in _by_file(truth).items():
        if index[rel]["carrier"] != "pdf":
            continue
        with pdfplumber.open(out / rel) as pdf:
            text = re.sub(r"\s", "", "".join(p.extract_text() or "" for p in pdf.pages))
        for rec in recs:
            assert rec["title"] in text
            name = rec.get("project_name") or rec["department_name"]
            assert re.sub(r"\s", "", name) in text, (rel, name)


def _spec(index, rel):
    e = index[rel]
    return corpus.FileSpec(rel, e["seed"], e["template"], e["carrier"], e["font"], e["font_style"],
                           e["orientation"])


def test_docx_has_the_layout_merges(dev):
    import docx

    out, _, index = dev
    for rel in [r for r, e in index.items() if e["carrier"] == "docx"]:
        _, layouts = corpus.forms_for(_spec(index, rel))
        tables = docx.Document(str(out / rel)).tables
        assert len(tables) == len(layouts)
        for table, lay in zip(tables, layouts):
            assert len(table.rows) == lay.n_rows
            for cell in lay.merged():
                tl = table.cell(cell.row, cell.col)
                br = table.cell(cell.row + cell.row_span - 1, cell.col + cell.col_span - 1)
                assert tl._tc is br._tc and tl.text == cell.text, (rel, cell)


def test_xlsx_has_the_layout_merges_and_numbers(dev, tmp_path):
    import openpyxl

    from scripts.corpus import xlsx

    out, _, index = dev
    for rel in [r for r, e in index.items() if e["carrier"] == "xlsx"]:
        spec = _spec(index, rel)
        _, layouts = corpus.forms_for(spec)
        where = xlsx.render(tmp_path / "again.xlsx", layouts, random.Random(f"carrier-{spec.seed}"))
        wb = openpyxl.load_workbook(out / rel)
        for (sheet, origin), lay in zip(where, layouts):
            ws = wb[sheet]
            ranges = {str(r) for r in ws.merged_cells.ranges}
            for cell in lay.merged():
                top, left = origin + cell.row, 1 + cell.col
                ref = f"{openpyxl.utils.get_column_letter(left)}{top}:" \
                      f"{openpyxl.utils.get_column_letter(left + cell.col_span - 1)}{top + cell.row_span - 1}"
                assert ref in ranges, (rel, ref, cell.text)
            numbers = [c for c in lay.cells if c.number is not None]
            assert numbers
            for c in numbers:
                assert ws.cell(origin + c.row, 1 + c.col).value == c.number


def test_html_and_md_follow_the_layout(dev):
    out, _, index = dev
    for rel, e in index.items():
        if e["carrier"] not in ("html", "md"):
            continue
        _, layouts = corpus.forms_for(_spec(index, rel))
        text = (out / rel).read_text("utf-8")
        if e["carrier"] == "html":
            assert text.count("<table") == len(layouts)
            for lay in layouts:
                for cell in lay.merged():
                    if cell.row_span > 1:
                        assert f'rowspan="{cell.row_span}"' in text
        else:
            rows = [ln for ln in text.splitlines() if ln.startswith("|")]
            assert len(rows) == sum(lay.n_rows + 1 for lay in layouts)
            assert all(ln.count(" | ") + 1 == lay.n_cols for lay in layouts[:1]
                       for ln in rows[: layouts[0].n_rows + 1] if "---" not in ln)


def test_dump_parses_into_tables(dev):
    from pipeline.stages.ingest import parse_dump

    out, truth, index = dev
    for rel, recs in _by_file(truth).items():
        if index[rel]["carrier"] != "dump":
            continue
        page = parse_dump((out / rel).read_text("utf-8"))
        tables = [b for b in page.blocks if hasattr(b, "cells")]
        lines = [b.text for b in page.blocks if hasattr(b, "text") and not hasattr(b, "cells")]
        assert len(tables) >= len(recs)
        for rec in recs:
            assert rec["title"] in lines
