"""A corpus split: which files, with which template, typeface, orientation, widths and carrier.

Seeds: the `dev` split uses seeds 0-99999, `heldout` 100000-199999, so the two never share a
seed (file i of a split has seed base + i). From a file's seed come its contents, its layout
(column widths, labels, placeholders), its carrier's variations and its damage, each from a
random stream of its own; the same arguments write byte-identical files.
"""

from __future__ import annotations

import re

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from scripts.corpus import records as R
from scripts.corpus import templates as T
from scripts.corpus.fonts import FONTS, STYLE

SPLITS = {"dev": 0, "heldout": 100_000}
SPLIT_SIZE = 100_000
CARRIERS = {"pdf": "pdf", "dump": "txt", "docx": "docx", "xlsx": "xlsx", "html": "html", "md": "md"}
FONT_NAMES = tuple(FONTS)


@dataclass
class FileSpec:
    file: str            # relative to the corpus folder: <carrier>/<name>.<ext>
    seed: int
    template: str
    carrier: str
    font: str | None     # the typeface (pdf, docx); None where the carrier has none
    font_style: str | None
    orientation: str
    width: str = ""      # the column-width variant of the (first) form
    forms: int = 1
    pages: int | None = None


def plan(split: str, count: int, carriers: list[str], templates: list[str]) -> list[FileSpec]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (dev or heldout)")
    if count > SPLIT_SIZE:
        raise ValueError(f"at most {SPLIT_SIZE} files per split")
    specs = []
    n_t, n_c = len(templates), len(carriers)
    for i in range(count):
        seed = SPLITS[split] + i
        template, carrier = templates[i % n_t], carriers[(i // n_t) % n_c]
        rng = random.Random(f"file-{seed}")
        font = FONT_NAMES[(i * 7 + i // (n_t * n_c)) % len(FONT_NAMES)] if carrier in ("pdf", "docx") else None
        orientation = "landscape" if rng.random() < 0.35 else "portrait"
        specs.append(FileSpec(f"{carrier}/{template}_{seed:06d}.{CARRIERS[carrier]}", seed, template, carrier,
                              font, STYLE.get(font) if font else None, orientation))
    return specs


def forms_for(spec: FileSpec) -> tuple[list[R.Form], list]:
    """The forms of one file and their layouts, from the file's seed alone."""
    rng = random.Random(f"content-{spec.seed}")
    ctx = R.new_context(rng)
    n = 1 if spec.template == "department" or rng.random() < 0.7 else rng.randint(2, 3)
    forms = [R.make_form(rng, ctx, spec.template) for _ in range(n)]
    lrng = random.Random(f"layout-{spec.seed}")
    layouts = [T.build(f, lrng) for f in forms]
    return forms, layouts


def write_file(spec: FileSpec, out: Path, forms, layouts) -> None:
    path = out / spec.file
    path.parent.mkdir(parents=True, exist_ok=True)
    crng = random.Random(f"carrier-{spec.seed}")
    title = f"{forms[0].record['title']} {forms[0].record.get('project_name') or forms[0].record['reporting_unit']}"
    if spec.carrier == "pdf":
        from scripts.corpus import pdf
        st = pdf.PdfStyle(spec.font, spec.orientation, size=crng.choice([9.0, 9.5, 10.0, 10.5]),
                          fill=round(crng.uniform(0.78, 1.0), 3), repeat_header=crng.random() < 0.75)
        pdf.render(path, layouts, st, crng.choice(pdf.SIGN_FONTS), title)
    elif spec.carrier == "dump":
        from scripts.corpus import dump
        path.write_text(dump.render(layouts, crng), encoding="utf-8")
    elif spec.carrier == "html":
        from scripts.corpus import html
        path.write_text(html.render(layouts, crng, title), encoding="utf-8")
    elif spec.carrier == "md":
        from scripts.corpus import md
        path.write_text(md.render(layouts, crng), encoding="utf-8")
    elif spec.carrier == "docx":
        from scripts.corpus import docx
        docx.render(path, layouts, crng, spec.font, spec.orientation)
    elif spec.carrier == "xlsx":
        from scripts.corpus import xlsx
        xlsx.render(path, layouts, crng)
    else:
        raise ValueError(f"unknown carrier {spec.carrier!r}")


_MONTH_SPAN = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月-((?:19|20)\d{2})年(\d{1,2})月$")


def canonical(record: dict) -> dict:
    """What a careful reader records for a printed form (README: periods as 2026.01-2026.12)."""
    out = dict(record)
    match = _MONTH_SPAN.match(out.get("period") or "")
    if match:
        y1, m1, y2, m2 = match.groups()
        out["period"] = f"{y1}.{int(m1):02d}-{y2}.{int(m2):02d}"
    return out


def generate(split: str, out: Path, count: int, carriers: list[str] | None = None,
             templates: list[str] | None = None) -> dict:
    carriers = carriers or list(CARRIERS)
    templates = templates or list(R.TEMPLATES)
    for name in carriers:
        if name not in CARRIERS:
            raise ValueError(f"unknown carrier {name!r} (one of {', '.join(CARRIERS)})")
    for name in templates:
        if name not in R.TEMPLATES:
            raise ValueError(f"unknown template {name!r} (one of {', '.join(R.TEMPLATES)})")
    out.mkdir(parents=True, exist_ok=True)
    truth, index = [], {}
    for spec in plan(split, count, carriers, templates):
        forms, layouts = forms_for(spec)
        spec.forms, spec.width = len(forms), layouts[0].width
        write_file(spec, out, forms, layouts)
        for form in forms:
            truth.append({**canonical(form.record), "source_file": spec.file})
        entry = asdict(spec)
        entry.pop("file")
        entry.pop("pages")
        index[spec.file] = entry
    lo = SPLITS[split]
    doc = {"description": f"Generated 绩效目标表 corpus, split {split!r} (seeds {lo}-{lo + count - 1}, "
                          f"scripts/make_corpus.py): {len(index)} files, {len(truth)} forms. Records follow "
                          "docs/templates.md; source_file names each form's file relative to this folder.",
           "forms": truth}
    (out / "truth.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"files": len(index), "forms": len(truth)}
