"""Layouts as HTML tables, as PaddleOCR PP-Structure writes them: `<table>` rows of `<td>` with
rowspan/colspan for merged cells, the lines around the grid as paragraphs."""

from __future__ import annotations

import random
from html import escape

from scripts.corpus.layout import Layout


def table(lay: Layout) -> str:
    starts = lay.at()
    rows = []
    for r in range(lay.n_rows):
        tds = []
        for c in range(lay.n_cols):
            cell = starts.get((r, c))
            if cell is None:
                continue
            attrs = (f' rowspan="{cell.row_span}"' if cell.row_span > 1 else "") + \
                    (f' colspan="{cell.col_span}"' if cell.col_span > 1 else "")
            tds.append(f"<td{attrs}>{escape(cell.text)}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return "<table border=\"1\">" + "".join(rows) + "</table>"


def render(layouts: list[Layout], rng: random.Random, title: str) -> str:
    parts = ['<html><head><meta charset="utf-8"><title>' + escape(title) + "</title></head><body>"]
    for lay in layouts:
        if lay.signer:
            parts.append(f"<p>{escape(lay.signer)}</p>")
        parts.append(f"<h2>{escape(lay.title)}</h2>")
        if lay.subtitle:
            parts.append(f"<p>{escape(lay.subtitle)}</p>")
        if rng.random() < 0.5:
            parts.append(f"<p>{escape(lay.unit_left)}　　{escape(lay.unit_right)}</p>")
        else:
            parts += [f"<p>{escape(lay.unit_left)}</p>", f"<p>{escape(lay.unit_right)}</p>"]
        parts.append(table(lay))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
