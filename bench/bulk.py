"""Bulk runs: throughput with 1 and 2 workers, and peak memory of a worker against a document's length.

`section()` returns the markdown that `make bench` appends to docs/benchmarks.md;
`python bench/bulk.py` prints it alone (several minutes).

Throughput: `pipeline run` as a user starts it (a fresh process, its workers
spawned and models loaded inside the time), into an empty --out, on the
synthetic archive of the tests (text dumps, digital PDFs, one input in ten
bad) and on the sample scans (OCR-bound).
Memory: one worker's peak RSS converting a 30-page and a 300-page digital PDF
(the 4-form sample bundle repeated), each in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.batch import make_batch  # noqa: E402

PIPELINE = [sys.executable, "-m", "pipeline.cli"]
BUNDLE = REPO / "sample_pdfs" / "justice_projects_bundle.pdf"  # 4 pages, 4 project forms
SCANS = [REPO / "sample_pdfs" / "scans" / "200dpi", REPO / "sample_pdfs" / "scans" / "150dpi_grey"]

# A child that converts one file in this process and reports its peak RSS (KiB on Linux).
PEAK_RSS = """
import json, resource, sys, tempfile
from pathlib import Path
from pipeline.config import load_settings
from pipeline.runner import Task, convert_task
settings = load_settings(overrides={"out_dir": tempfile.mkdtemp(prefix="bench-rss-")})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
entry = convert_task(Task(0, Path(sys.argv[1]), "doc"), settings)
print(json.dumps({"before": before, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "pages": entry["pages"], "forms": entry["forms"], "status": entry["status"]}))
"""


def throughput(batch: list[Path], workers: int, repeat: int) -> dict:
    seconds, manifest = [], {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-bulk-") as out:
            started = time.perf_counter()
            subprocess.run(PIPELINE + ["run", *map(str, batch), "--out", out, "-q", "--workers", str(workers)],
                           cwd=REPO, capture_output=True, check=False)
            seconds.append(time.perf_counter() - started)
            manifest = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
    inputs = manifest["inputs"]
    pages = sum(e["pages"] for e in inputs)
    wall = statistics.median(seconds)
    return {"files": len(inputs), "pages": pages, "failed": sum(e["status"] != "ok" for e in inputs),
            "seconds": wall, "files_s": len(inputs) / wall, "pages_s": pages / wall, "runs": seconds}


def long_pdf(pages: int, folder: Path) -> Path:
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(str(BUNDLE))
    merged = pdfium.PdfDocument.new()
    while len(merged) < pages:
        merged.import_pages(source)
    path = folder / f"bundle_{pages}p.pdf"
    merged.save(str(path))
    return path


def peak_rss(path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", PEAK_RSS, str(path)], cwd=REPO, capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def section(repeat: int = 3, files: int = 400) -> str:
    from bench.run import machine  # noqa: PLC0415 - shared wording of the machine line

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        archive = Path(tmp) / "in"
        make_batch(archive, files)
        sets = {"synthetic archive: text dumps, digital PDFs, 1 in 10 bad": [archive],
                "scans (OCR): 200 dpi colour + 150 dpi grey PDFs": SCANS}
        runs = {name: {workers: throughput(batch, workers, repeat) for workers in (1, 2)}
                for name, batch in sets.items()}
        memory = {n: peak_rss(long_pdf(n, Path(tmp))) for n in (30, 300)}
    lines = [
        "",
        "## Bulk runs: throughput and memory",
        "",
        "`pipeline run` as a user runs it: a fresh process, workers spawned and models loaded inside the",
        f"time, into an empty `--out`; median of {repeat} runs. Machine: {machine()}; load average",
        f"{load:.1f} when it started (the machine is shared: other work in the background lowers the scaling).",
        "",
        "| set | files | pages | workers | seconds | files/s | pages/s | runs (s) | 2 over 1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, by_workers in runs.items():
        ratio = by_workers[1]["seconds"] / by_workers[2]["seconds"]
        for workers, r in by_workers.items():
            lines.append(f"| {name} | {r['files']} | {r['pages']} | {workers} | {r['seconds']:.2f} | "
                         f"{r['files_s']:.2f} | {r['pages_s']:.2f} | " + ", ".join(f"{s:.2f}" for s in r["runs"])
                         + (f" | **{ratio:.2f}×** |" if workers == 2 else " | |"))
    lines += [
        "",
        "Peak memory of one worker converting one digital PDF (the 4-form sample bundle repeated), each",
        "in a fresh process; \"before\" is the process after imports, before the file:",
        "",
        "| pages | forms | peak RSS MiB | before MiB | growth MiB |",
        "|---|---|---|---|---|",
    ]
    for n, m in memory.items():
        lines.append(f"| {m['pages']} | {m['forms']} | {m['peak'] / 1024:.0f} | {m['before'] / 1024:.0f} | "
                     f"{(m['peak'] - m['before']) / 1024:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", type=int, default=400)
    args = parser.parse_args()
    print(section(args.repeat, args.files))
