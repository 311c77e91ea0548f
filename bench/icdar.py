"""ICDAR 2013 table competition: cell adjacency precision / recall / F1, ours and peers, one run.

    .venv/bin/python bench/icdar.py [--only ours,camelot-stream] [--limit N]   # markdown → stdout

Protocol ("complete process", what a user gets): every extractor is given the
same pages, the pages of ../shared/external/icdar2013 that hold a ground-truth
table, and finds the tables there itself. Each table it finds is matched to
the ground-truth table region on that page it overlaps most, when the overlap
covers at least MATCH_SHARE of the smaller of the two boxes; several found
tables may match one region (a table found in pieces). Per document:

    found    = relations of every table found on those pages (matched or not)
    expected = relations of every ground-truth table
    correct  = per ground-truth region, the multiset intersection of its
               relations with those of the tables matched to it

Micro figures sum the counts over all documents; the per-document figures
average each document's precision and recall (a document where nothing was
found has precision 0) and take F1 of those two means, as the competition's
results did. Ground truth: the 67 PDFs' `*-str.xml`; the alternative
interpretations the set ships for three tables (`eu-009b`, `us-011b`,
`us-031b`, `us-035b`: files with no PDF of their own) are not used. Each
region of a ground-truth table is a unit of its own (a table laid out in
side-by-side blocks numbers its rows again in every block).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.adjacency import (  # noqa: E402
    GridCell, Relation, Score, f1, grid_from_rows, matched, relations)

ICDAR = REPO.parent / "shared" / "external" / "icdar2013"
# A found table and a ground-truth region are the same table when their
# overlap covers this share of the smaller box (a table found with its
# caption, or without its header row, still counts as found).
MATCH_SHARE = 0.5
INSTALL_HINT = "pip install -e '.[bench]'"

Box = tuple[float, float, float, float]  # x0, y0, x1, y1; PDF points, origin bottom-left


@dataclass
class Region:
    """One ground-truth table region: its page (1-based), box and relations."""

    page: int
    bbox: Box
    relations: Counter[Relation]


@dataclass
class GtDoc:
    name: str
    pdf: Path
    regions: list[Region]

    @property
    def pages(self) -> list[int]:
        return sorted({r.page for r in self.regions})


@dataclass
class Found:
    """One table an extractor found."""

    page: int
    bbox: Box
    relations: Counter[Relation]


@dataclass
class Result:
    """One extractor over the whole set."""

    name: str
    total: Score = field(default_factory=Score)
    per_doc: list[Score] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # one per page
    found_tables: int = 0
    regions_hit: int = 0
    regions: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None


# --- ground truth ------------------------------------------------------------

def load_gt(xml_path: Path) -> GtDoc:
    """Regions and their relations from one `*-str.xml`."""
    name = xml_path.name.removesuffix("-str.xml")
    regions = []
    for table in ET.parse(xml_path).getroot().iter("table"):
        for region in table.iter("region"):
            cells, boxes = [], []
            for cell in region.iter("cell"):
                row, col = int(cell.get("start-row")), int(cell.get("start-col"))
                cells.append(GridCell(row, col, int(cell.get("end-row", row)),
                                      int(cell.get("end-col", col)),
                                      cell.findtext("content") or ""))
                b = cell.find("bounding-box")
                boxes.append(tuple(_number(b.get(k)) for k in ("x1", "y1", "x2", "y2")))
            if cells:
                regions.append(Region(int(region.get("page")), _union(boxes), relations(cells)))
    return GtDoc(name, xml_path.with_name(f"{name}.pdf"), regions)


def load_set(root: Path = ICDAR) -> list[GtDoc]:
    """Every document of the set that has its PDF (see the module doc)."""
    docs = [load_gt(p) for p in sorted(root.glob("*/*-str.xml"))]
    return [d for d in docs if d.pdf.exists() and d.regions]


# --- extractors: (pdf, pages) → per page, (seconds, tables found) --------------

PageResults = Iterator[tuple[float, list[Found]]]


def ours(unruled: bool) -> Callable[[Path, list[int]], PageResults]:
    """pipeline.stages.tables.extract_pdf_page: what `pipeline run` reads from a digital page.

    With `unruled`, as with `tables.find_unruled: true` in the config; without,
    the defaults (ruled tables only, what form runs use).
    """
    def extract(pdf: Path, pages: list[int]) -> PageResults:
        yield from _ours(pdf, pages, unruled)
    return extract


def _ours(pdf: Path, pages: list[int], unruled: bool) -> PageResults:
    from pipeline.config import load_settings
    from pipeline.stages.tables import extract_pdf_page

    settings = load_settings().tables.model_copy(update={"find_unruled": unruled})

    def tables(page, number: int) -> list[Found]:
        found = []
        for block in extract_pdf_page(page, number, settings).blocks:
            if block.kind != "table":
                continue
            cells = [GridCell(c.row, c.col, c.row + c.row_span - 1, c.col + c.col_span - 1, c.text)
                     for c in block.cells]
            found.append(Found(number, _flip(block.bbox, page), relations(cells)))
        return found

    yield from _plumber_pages(pdf, pages, tables)


def plumber(strategy: str) -> Callable[[Path, list[int]], PageResults]:
    """pdfplumber's own find_tables with one strategy for both directions."""
    options = {"vertical_strategy": strategy, "horizontal_strategy": strategy}

    def extract(pdf: Path, pages: list[int]) -> PageResults:
        def tables(page, number: int) -> list[Found]:
            return [Found(number, _flip(t.bbox, page), relations(grid_from_rows(t.extract())))
                    for t in page.find_tables(options)]
        yield from _plumber_pages(pdf, pages, tables)
    return extract


def camelot_flavour(flavour: str) -> Callable[[Path, list[int]], PageResults]:
    """camelot.read_pdf, one call per page (lattice renders the page with PDFium)."""
    def extract(pdf: Path, pages: list[int]) -> PageResults:
        import camelot

        for number in pages:
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "No tables found on page-N"
                tables = camelot.read_pdf(str(pdf), pages=str(number), flavor=flavour)
            seconds = time.perf_counter() - started
            shift = _rotated_shift(pdf, number)
            found = [Found(number, (t._bbox[0], t._bbox[1] + shift, t._bbox[2], t._bbox[3] + shift),
                           relations(grid_from_rows(t.df.values.tolist()))) for t in tables]
            yield seconds, found
    return extract


def _rotated_shift(pdf: Path, number: int) -> float:
    """What to add to camelot's y on a page with /Rotate 90 or 270 to reach the ground truth's.

    camelot counts from the bottom of the page as displayed (width and height
    swapped); the ground truth, like the glyphs, from the bottom of the MediaBox.
    """
    import pdfplumber

    with pdfplumber.open(pdf, pages=[number]) as doc:
        page = doc.pages[0]
        if page.rotation % 180 == 0:
            return 0.0
        box = [float(v) for v in page.page_obj.mediabox]
        return (box[3] - box[1]) - (box[2] - box[0])


EXTRACTORS: dict[str, tuple[Callable[[Path, list[int]], PageResults], str | None]] = {
    # name: (extractor, module it needs beyond our own dependencies)
    "ours-unruled": (ours(True), None),
    "ours-default": (ours(False), None),
    "camelot-lattice": (camelot_flavour("lattice"), "camelot"),
    "camelot-stream": (camelot_flavour("stream"), "camelot"),
    "pdfplumber-lines": (plumber("lines"), None),
    "pdfplumber-text": (plumber("text"), None),
}


def _plumber_pages(pdf: Path, pages: list[int], tables) -> PageResults:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:  # a fresh parse per extractor: no shared caches
        for number in pages:
            page = doc.pages[number - 1]
            started = time.perf_counter()
            found = tables(page, number)
            yield time.perf_counter() - started, found
            page.close()


def _flip(bbox, page) -> Box:
    """pdfplumber's top-left (x0, top, x1, bottom) → PDF points from the bottom-left.

    From the top of the page's own MediaBox, as the ground truth counts: on a
    page with /Rotate 90 pdfplumber swaps width and height but not the glyphs'
    coordinates (eu-015).
    """
    x0, top, x1, bottom = bbox
    page_top = float(page.page_obj.mediabox[3])
    return (float(x0), page_top - float(bottom), float(x1), page_top - float(top))


# --- scoring -----------------------------------------------------------------

def score_document(doc: GtDoc, found: list[Found]) -> tuple[Score, int]:
    """A document's counts, and how many of its regions at least one found table matched."""
    pooled: list[Counter[Relation]] = [Counter() for _ in doc.regions]
    score = Score(expected=sum(sum(r.relations.values()) for r in doc.regions))
    for table in found:
        score.found += sum(table.relations.values())
        best = match_region(table, doc.regions)
        if best is not None:
            pooled[best] += table.relations
    score.correct = sum(matched(r.relations, pool) for r, pool in zip(doc.regions, pooled))
    return score, sum(1 for pool in pooled if pool)


def match_region(table: Found, regions: list[Region]) -> int | None:
    """Index of the region on the table's page that it overlaps most, if enough."""
    best, best_share = None, 0.0
    for i, region in enumerate(regions):
        if region.page != table.page:
            continue
        share = overlap_share(table.bbox, region.bbox)
        if share >= MATCH_SHARE and share > best_share:
            best, best_share = i, share
    return best


def overlap_share(a: Box, b: Box) -> float:
    """Intersection area over the smaller of the two areas (0 for a degenerate box)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min(_area(a), _area(b))
    return max(w, 0) * max(h, 0) / smaller if smaller > 0 else 0.0


def run_extractor(name: str, docs: list[GtDoc]) -> Result:
    extract, needs = EXTRACTORS[name]
    result = Result(name)
    if needs and importlib.util.find_spec(needs) is None:
        result.skipped = f"skipped: `{needs}` is not installed; install with {INSTALL_HINT}"
        return result
    for doc in docs:
        found: list[Found] = []
        try:
            for seconds, tables in extract(doc.pdf, doc.pages):
                result.seconds.append(seconds)
                found.extend(tables)
        except Exception as exc:  # noqa: BLE001 - one peer failing on a file must not end the run
            result.errors.append(f"{doc.name}: {type(exc).__name__}: {exc}")
        score, hit = score_document(doc, found)
        result.total += score
        result.per_doc.append(score)
        result.found_tables += len(found)
        result.regions_hit += hit
        result.regions += len(doc.regions)
    return result


# --- report ------------------------------------------------------------------

def section(names: list[str] | None = None, limit: int | None = None) -> str:
    """The markdown section for docs/benchmarks.md."""
    head = "## ICDAR 2013 table competition (cell adjacency relations)\n\n"
    if not ICDAR.is_dir():
        return head + f"skipped: {ICDAR} is absent (the shared folder beside the repository).\n"
    docs = load_set()[:limit]
    results = [run_extractor(n, docs) for n in (names or list(EXTRACTORS))]
    return head + render(results, docs)


def render(results: list[Result], docs: list[GtDoc]) -> str:
    n_pages = sum(len(d.pages) for d in docs)
    n_regions = sum(len(d.regions) for d in docs)
    lines = [
        f"{len(docs)} documents, {n_pages} pages holding {n_regions} ground-truth table regions; "
        "every extractor finds tables itself on those pages (complete process). Micro: counts "
        "summed over all documents. Per document: mean of each document's precision and recall "
        "(precision 0 where nothing was found), F1 of the means. Protocol: `bench/icdar.py`. "
        "ours-unruled: `tables.find_unruled: true`; ours-default: the shipped settings (ruled "
        "tables only, as form runs use). Seconds per page: one call per page, the PDF already "
        "open for ours and pdfplumber, opened by each call for camelot.",
        "",
        "| extractor | micro P | micro R | micro F1 | per-doc P | per-doc R | per-doc F1 "
        "| tables found | GT regions matched | s/page (median) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.name} | {r.skipped} |||||||||")
            continue
        t = r.total
        p = statistics.mean(s.precision for s in r.per_doc) if r.per_doc else 0.0
        rc = statistics.mean(s.recall for s in r.per_doc) if r.per_doc else 0.0
        sec = statistics.median(r.seconds) if r.seconds else float("nan")
        lines.append(
            f"| {r.name} | {t.precision:.3f} | {t.recall:.3f} | {f1(t.precision, t.recall):.3f} "
            f"| {p:.3f} | {rc:.3f} | {f1(p, rc):.3f} | {r.found_tables} "
            f"| {r.regions_hit}/{r.regions} | {sec:.3f} |")
    errors = [f"- {r.name}: {e}" for r in results for e in r.errors]
    if errors:
        lines += ["", "Errors (the document scores what was found before the error):", *errors]
    return "\n".join(lines) + "\n"


def _number(text: str) -> float:
    """A coordinate of the ground truth; one file has a stray letter after one ("26ß")."""
    return float(re.match(r"-?[0-9.]+", text.strip()).group())


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _area(box: Box) -> float:
    return max(box[2] - box[0], 0) * max(box[3] - box[1], 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated extractors: " + ", ".join(EXTRACTORS))
    parser.add_argument("--limit", type=int, help="first N documents only (a quick look)")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else None
    unknown = sorted(set(names or []) - set(EXTRACTORS))
    if unknown:
        parser.error(f"unknown extractor(s): {', '.join(unknown)}")
    print(section(names, args.limit), end="")


if __name__ == "__main__":
    main()
