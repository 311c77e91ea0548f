"""Layouts as Markdown, as docling/MinerU write them: the title as a `## ` line, the grid as a
pipe table whose first row is the header, a merged cell's text repeated in every slot it covers."""

from __future__ import annotations

import random

from scripts.corpus.layout import Layout


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(lay: Layout) -> list[str]:
    grid = [[""] * lay.n_cols for _ in range(lay.n_rows)]
    for cell in lay.cells:
        for r in range(cell.row, cell.row + cell.row_span):
            for c in range(cell.col, cell.col + cell.col_span):
                grid[r][c] = _cell(cell.text)
    lines = ["| " + " | ".join(row) + " |" for row in grid]
    return lines[:1] + ["|" + "|".join(["---"] * lay.n_cols) + "|"] + lines[1:]


def render(layouts: list[Layout], rng: random.Random) -> str:
    out: list[str] = []
    for lay in layouts:
        if lay.signer:
            out += [lay.signer, ""]
        out += [f"## {lay.title}", ""]
        if lay.subtitle:
            out += [lay.subtitle, ""]
        out += [lay.unit_left, "", lay.unit_right, ""] if rng.random() < 0.6 else \
               [f"{lay.unit_left} {lay.unit_right}", ""]
        out += table(lay) + [""]
    return "\n".join(out)
