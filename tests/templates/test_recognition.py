"""Which template a form is: by its title, then by the labels its grid carries; a grid no template
fits is never a mis-typed record; a continuation's repeated header is no indicator; and no Python
module names a template or a form type."""

import ast
from pathlib import Path

from pipeline.model import Document
from pipeline.stages import forms, ingest
from tests.repair.helpers import PROJECT_HEAD, convert_text, project
from tests.templates.test_templates import COMBINED

REPO = Path(__file__).resolve().parents[2]


def test_shared_title_told_apart_by_labels(settings):
    [seed_like] = convert_text(project(["产出指标\t数量指标\t培训人次\t100\t人次\t≥\t"]), settings)
    [combined] = convert_text(COMBINED, settings)
    assert combined["title"] == "2026年项目支出绩效目标表"
    assert seed_like["template"] == "project" and combined["template"] == "project_combined"


def test_a_title_over_an_unknown_grid_becomes_plain_tables(settings):
    text = ("## 2026年项目支出绩效目标表\n"
            "序号\t资产名称\t数量\t原值\n1\t办公桌\t12\t3600\n2\t电脑\t8\t40000\n")
    doc = Document(path=Path("x.txt"), kind="dump", pages=[ingest.parse_dump(text)])
    doc = forms.run(doc, settings)
    assert doc.forms == []
    assert any("matches no template" in e for e in doc.errors)
    assert all(not t.claimed for p in doc.pages for t in p.blocks if t.kind == "table")


def test_a_repeated_header_on_a_continuation_page_is_dropped(settings):
    header = PROJECT_HEAD.splitlines()[-1].split("\t", 1)[1]
    rows = ["产出指标\t数量指标\t培训人次\t100\t人次\t≥\t", "\t\t培训场次\t12\t场\t≥\t",
            "", header,  # page 2: the column header again, then the rest of the grid
            "\t质量指标\t合格率\t95\t%\t≥\t", "效益指标\t社会效益\t千瓦时节约\t1200\t千瓦时\t≥\t"]
    [record] = convert_text(project(rows), settings)
    assert [i["level3"] for i in record["indicators"]] == ["培训人次", "培训场次", "合格率", "千瓦时节约"]
    assert record["indicators"][2]["level1"] == "产出指标"  # carried across the break
    assert record["indicators"][3]["unit"] == "千瓦时"
    assert any("header repeated" in r["reason"] for r in record["review"])


def test_no_module_names_a_template_or_form_type(settings):
    names = {s.template for s in settings.forms} | {s.form_type for s in settings.forms}
    found = []
    for path in sorted((REPO / "pipeline").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.value!r}")
    assert not found, "form knowledge belongs in configs/forms/: " + ", ".join(found)
