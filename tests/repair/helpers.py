"""Build forms from small tab-separated snippets, the way a text dump arrives."""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Document
from pipeline.stages import forms, ingest, normalize, repair, validate


def convert_text(text: str, settings, source: str | None = None) -> list[dict]:
    """Run a dump's text through every stage up to validate; return the records.

    `source="ocr"`: the table cells as if a recogniser had read them (rules that only trust
    a reading of a scan apply)."""
    page = ingest.parse_dump(text)
    if source is not None:
        for block in page.blocks:
            for cell in getattr(block, "cells", []):
                cell.source = source
    doc = Document(path=Path("snippet.txt"), kind="dump", pages=[page])
    for stage in (forms, repair, normalize, validate):
        doc = stage.run(doc, settings)
    return [f.record for f in doc.forms]


PROJECT_HEAD = (
    "## 2025年项目支出绩效目标表\n"
    "填报单位（盖章）：某县教育局\n"
    "金额单位：万元\n"
    "项目名称\t{name}\t\t\t\t\t\t\n"
    "年度本级预算金额\t{budget}\t项目类别\t常年性项目\t\t\t\t\n"
    "项目支出实施期\t2025.01-2025.12\t\t\t\t\t\t\n"
    "本年度绩效目标\t改善办学条件。\t\t\t\t\t\t\n"
    "本年度绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t度量单位\t指标值类型\t备注\n"
)


def project(rows: list[str], name: str = "学校维修改造", budget: str = "50") -> str:
    """A project form with the given indicator rows (tab-separated, without the header)."""
    return PROJECT_HEAD.format(name=name, budget=budget) + "\n".join(rows) + "\n"


def indicators(text: str, settings) -> list[dict]:
    [record] = convert_text(text, settings)
    return record["indicators"]


def strip(ind: dict) -> tuple:
    return (ind["level1"], ind["level2"], ind["level3"], ind["value"], ind["unit"], ind["comparator"])
