"""Putuo budget PDFs: every table out, and the scanned path measured against the digital one.

The 12 official budget / final-account PDFs in ../shared/external/cn_gov_budget_putuo/
have a text layer, which is the truth for the digital path. Each page that holds a
table is rendered at 200 dpi and "scanned" the way scripts/make_scans.py scans the
samples (its 200-dpi colour profile: skew 0.3-1.6°, offset, lamp falloff, dust,
blur, sensor noise, JPEG quality 65-75; no seal), saved as an image-only PDF and
run through the scanned path (grid → OCR). Pages without a table (prose) are left
out of the scan: they hold no cell to compare, and they would double the OCR time.

Cells compared: tables are paired by the original page their first part is on;
every cell of the digital table (a merged cell once, at its top-left slot) is
compared with the scanned table's cell at the same row and column of the stitched
grid; texts are compared after removing whitespace only (no other normalisation).
A table the scanned path missed counts all its cells as disagreeing.
`filled` counts only the cells whose digital text is not blank.

    .venv/bin/python bench/putuo.py [--docs N ...] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from pipeline.config import load_settings  # noqa: E402
from pipeline.model import GenericTable  # noqa: E402
from pipeline.runner import convert  # noqa: E402

PUTUO = REPO.parent / "shared" / "external" / "cn_gov_budget_putuo"
DPI = 200


def documents() -> list[Path]:
    return sorted(PUTUO.rglob("*.pdf")) if PUTUO.is_dir() else []


@dataclass
class Agreement:
    cells: int = 0
    same: int = 0
    filled: int = 0
    filled_same: int = 0
    differ: list | None = None

    def ratio(self, filled: bool = False) -> float:
        n, k = (self.filled, self.filled_same) if filled else (self.cells, self.same)
        return k / n if n else 1.0


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def cell_slots(table: GenericTable) -> list[tuple[int, int]]:
    """Every cell once: slots not covered by a merged cell other than at its top-left."""
    covered = {(r, c) for s in table.spans for r in range(s.row, s.row + s.row_span)
               for c in range(s.col, s.col + s.col_span) if (r, c) != (s.row, s.col)}
    return [(r, c) for r, row in enumerate(table.texts) for c in range(len(row)) if (r, c) not in covered]


def compare(digital: list[GenericTable], scanned: list[GenericTable], page_of: dict[int, int]) -> Agreement:
    """Cell-text agreement of the scanned tables with the digital ones (see the module doc)."""
    by_page = {page_of.get(t.parts[0].page, -1): t for t in scanned}
    agree = Agreement(differ=[])
    for table in digital:
        other = by_page.get(table.parts[0].page)
        for r, c in cell_slots(table):
            truth = squash(table.texts[r][c])
            read = squash(other.texts[r][c]) if other and r < len(other.texts) and c < len(other.texts[r]) else None
            same = read == truth
            agree.cells += 1
            agree.same += same
            if truth:
                agree.filled += 1
                agree.filled_same += same
            if not same:
                agree.differ.append((table.number, r, c, truth, read))
    return agree


def scan_pages(pdf: Path, pages: list[int], out: Path) -> None:
    """The given pages (1-based) as a degraded image-only PDF, as make_scans.py scans samples."""
    import make_scans as ms
    from scripts.corpus import degrade

    images = []
    for page in pages:
        image, _ = degrade.scan(degrade.render(pdf, page - 1, DPI), ms.SCAN200, degrade.seeded("putuo", pdf.name, page))
        images.append(image)
    quality = int(degrade.seeded("putuo", pdf.name, "jpeg").integers(*ms.SCAN200.quality, endpoint=True))
    degrade.save_pdf(images, out, DPI, quality)


def measure(pdf: Path, work: Path) -> dict:
    settings = load_settings(overrides={"out_dir": str(work / "out")})
    started = time.perf_counter()
    digital = convert(pdf, settings, "digital").tables
    digital_s = time.perf_counter() - started
    pages = sorted({p.page for t in digital for p in t.parts})
    scan = work / f"{pdf.stem}_scan{DPI}.pdf"
    scan_pages(pdf, pages, scan)
    started = time.perf_counter()
    scanned = convert(scan, settings, "scanned").tables
    scanned_s = time.perf_counter() - started
    agree = compare(digital, scanned, {i + 1: p for i, p in enumerate(pages)})
    return {"name": pdf.name, "pages": len(pages), "digital_tables": len(digital),
            "scanned_tables": len(scanned), "agree": agree,
            "digital_s": digital_s, "scanned_s_per_page": scanned_s / max(len(pages), 1)}


def _machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def section(docs: list[Path] | None = None, show_differ: int = 0) -> str:
    """The Putuo section of docs/benchmarks.md (markdown); says so when ../shared is absent."""
    docs = documents() if docs is None else docs
    if not docs:
        return f"## Putuo budget PDFs\n\nskipped: {PUTUO} is absent\n"
    rows = []
    with tempfile.TemporaryDirectory(prefix="putuo-") as tmp:
        for pdf in docs:
            print(f"putuo: {pdf.name}…", flush=True, file=sys.stderr)
            rows.append(measure(pdf, Path(tmp)))
    lines = [
        "## Putuo budget PDFs: scanned path against the digital path",
        "",
        f"Table pages rendered at {DPI} dpi and degraded like scripts/make_scans.py's 200-dpi colour set; "
        "cell texts compared with whitespace removed (bench/putuo.py says exactly how).",
        f"Command: `.venv/bin/python bench/putuo.py`; machine: {_machine()}; "
        f"run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Seconds per page are wall time on a shared machine.",
        "",
        "| document | table pages | tables digital | tables scanned | cells | agree | filled cells | agree (filled) "
        "| s/page scanned |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    total = Agreement()
    for r in rows:
        a = r["agree"]
        total.cells += a.cells
        total.same += a.same
        total.filled += a.filled
        total.filled_same += a.filled_same
        lines.append(f"| {r['name']} | {r['pages']} | {r['digital_tables']} | {r['scanned_tables']} | {a.cells} "
                     f"| {a.ratio():.2%} | {a.filled} | {a.ratio(True):.2%} | {r['scanned_s_per_page']:.2f} |")
    lines.append(f"| **all** | {sum(r['pages'] for r in rows)} | {sum(r['digital_tables'] for r in rows)} "
                 f"| {sum(r['scanned_tables'] for r in rows)} | {total.cells} | {total.ratio():.2%} | {total.filled} "
                 f"| {total.ratio(True):.2%} | "
                 f"{statistics.median(r['scanned_s_per_page'] for r in rows):.2f} (median) |")
    if show_differ:
        lines += ["", "Disagreeing cells (document, table, row, col, digital, scanned):", ""]
        for r in rows:
            for d in r["agree"].differ[:show_differ]:
                lines.append(f"- {r['name'][:16]} {d}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, nargs="*", help="indexes of the documents (sorted by path) to run")
    parser.add_argument("--differ", type=int, default=0, help="list up to N disagreeing cells per document")
    parser.add_argument("--out", type=Path, help="also write the section here")
    args = parser.parse_args()
    docs = documents()
    if args.docs:
        docs = [docs[i] for i in args.docs]
    text = section(docs, args.differ)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
