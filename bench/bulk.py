"""Bulk runs: throughput with 1 and 2 workers, and peak memory of a worker against a document's length.

`section()` returns the markdown that `make bench` appends to docs/benchmarks.md;
`python bench/bulk.py` prints it alone (about ten minutes; `--quick`: one).

Throughput: `pipeline run` as a user starts it (a fresh process, its workers
spawned and models loaded inside the time), into an empty --out, on archives
the size users convert:
- a synthetic archive of the tests (text dumps, digital PDFs, one input in ten
  bad): no OCR, so one worker uses one core;
- the sample scans, twice over (OCR-bound). One worker's OCR runtime takes
  both cores by itself (onnxruntime's intra-op threads), so it is measured
  both so (the default) and held to one core (`--threads 1`): the second is
  the baseline that shows how the executor scales, the first what a user
  gains by running two workers instead of one.
Start-up (spawn, imports, model load) is measured alone, on a 2-file run.
Memory: one worker's peak RSS converting a short and a long PDF, digital and
scanned, each in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.batch import make_batch  # noqa: E402

BUNDLE = REPO / "sample_pdfs" / "justice_projects_bundle.pdf"  # 4 pages, 4 project forms
BUNDLE_SCAN = REPO / "sample_pdfs" / "scans" / "200dpi" / "justice_projects_bundle_scan200.pdf"
SCANS = [REPO / "sample_pdfs" / "scans" / "200dpi", REPO / "sample_pdfs" / "scans" / "150dpi_grey"]

# A child that converts one file in this process and reports its peak RSS in KiB: VmHWM, the high-water
# mark of this process's own memory (ru_maxrss would carry over the size of the parent it forked from).
PEAK_RSS = """
import json, sys, tempfile
from pathlib import Path
from pipeline.config import load_settings
from pipeline.runner import Task, convert_task

def high_water():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

settings = load_settings(overrides={"out_dir": tempfile.mkdtemp(prefix="bench-rss-")})
before = high_water()
entry = convert_task(Task(0, Path(sys.argv[1]), "doc"), settings)
print(json.dumps({"before": before, "peak": high_water(),
                  "pages": entry["pages"], "forms": entry["forms"], "status": entry["status"]}))
"""


def timed_run(python: str, batch: list[Path], workers: int, threads: int) -> tuple[float, dict]:
    """Wall time of one `pipeline run` over the batch, and its manifest; `threads` 0: the default share."""
    extra = ["--threads", str(threads)] if threads else []
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as out:
        started = time.perf_counter()
        subprocess.run([python, "-m", "pipeline.cli", "run", *map(str, batch), "--out", out, "-q",
                        "--workers", str(workers), *extra], cwd=REPO, capture_output=True, check=False)
        seconds = time.perf_counter() - started
        return seconds, json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))


def throughput(python: str, batch: list[Path], plan: list[tuple[int, int]], repeat: int) -> list[tuple]:
    """(workers, threads, figures) for each of the plan, the plans' runs interleaved: a change in the
    background load of this shared machine then weighs on every row alike, not on the last one."""
    seconds: dict = {config: [] for config in plan}
    manifests: dict = {}
    for _ in range(repeat):
        for config in plan:
            wall, manifests[config] = timed_run(python, batch, *config)
            seconds[config].append(wall)
    rows = []
    for config in plan:
        inputs = manifests[config]["inputs"]
        pages = sum(e["pages"] for e in inputs)
        wall = statistics.median(seconds[config])
        rows.append((*config, {"files": len(inputs), "pages": pages, "seconds": wall, "files_s": len(inputs) / wall,
                               "pages_s": pages / wall, "runs": seconds[config],
                               "failed": sum(e["status"] != "ok" for e in inputs)}))
    return rows


def repeated_pdf(source: Path, pages: int, folder: Path) -> Path:
    import pypdfium2 as pdfium

    original = pdfium.PdfDocument(str(source))
    merged = pdfium.PdfDocument.new()
    while len(merged) < pages:
        merged.import_pages(original)
    path = folder / f"{source.stem}_{pages}p.pdf"
    merged.save(str(path))
    return path


def copies(folders: list[Path], times: int, into: Path) -> Path:
    """Each PDF of the folders `times` over, as distinct files of one folder."""
    into.mkdir(parents=True)
    for n in range(times):
        for pdf in sorted(p for folder in folders for p in folder.glob("*.pdf")):
            shutil.copyfile(pdf, into / f"{n}-{pdf.name}")
    return into


def peak_rss(python: str, path: Path) -> dict:
    result = subprocess.run([python, "-c", PEAK_RSS, str(path)], cwd=REPO, capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# (set, [(workers, OCR threads)]); the last of each is two workers, set against every earlier row
FAST_RUNS = [(1, 0), (2, 0)]
SCAN_RUNS = [(1, 0), (1, 1), (2, 0)]


def section(repeat: int = 3, quick: bool = False, ours_python: str = sys.executable) -> str:
    from bench.run import machine  # noqa: PLC0415 - shared wording of the machine line

    load = os.getloadavg()[0]
    files, scan_copies, lengths = (200, 1, {"digital": (8, 32), "scanned": (4, 8)}) if quick else \
        (2000, 2, {"digital": (30, 300), "scanned": (8, 32)})
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        tmp = Path(tmp)
        archive = tmp / "in"
        make_batch(archive, files)
        two = tmp / "two"
        two.mkdir()
        for name in sorted(os.listdir(archive))[1:3]:  # two good text dumps
            shutil.copyfile(archive / name, two / name)
        scans = copies(SCANS, scan_copies, tmp / "scans")
        sets = {"synthetic archive: text dumps, digital PDFs, 1 in 10 bad": ([archive], FAST_RUNS),
                f"scans (OCR): the 200 dpi colour and 150 dpi grey samples, {scan_copies}× over": ([scans], SCAN_RUNS)}
        runs = {name: throughput(ours_python, batch, plan, repeat) for name, (batch, plan) in sets.items()}
        start = {w: r["seconds"] for w, _, r in throughput(ours_python, [two], FAST_RUNS, repeat)}
        memory = {(kind, n): peak_rss(ours_python, repeated_pdf(BUNDLE if kind == "digital" else BUNDLE_SCAN, n, tmp))
                  for kind, ns in lengths.items() for n in ns}
    lines = [
        "",
        "## Bulk runs: throughput and memory",
        "",
        "`pipeline run` as a user runs it: a fresh process, workers spawned and models loaded inside the",
        f"time, into an empty `--out`; median of {repeat} runs, the rows of a set taking turns.",
        f"Machine: {machine()}; load average {load:.1f} when it started (the machine is shared:",
        "other work in the background lowers the scaling).",
        "Workers × threads: `--workers`, and the OCR threads each worker's onnxruntime may use",
        "(default: the cores shared out, so 1 worker × 2 threads, 2 workers × 1 thread here).",
        "",
        "| set | files | pages | workers × threads | seconds | files/s | pages/s | runs (s) | 2 workers over this |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in runs.items():
        two_workers = rows[-1][2]["seconds"]
        for workers, threads, r in rows:
            shown = threads or max(1, (os.cpu_count() or 1) // workers)
            ratio = f"**{r['seconds'] / two_workers:.2f}×**" if workers == 1 else ""
            lines.append(f"| {name} | {r['files']} | {r['pages']} | {workers} × {shown} | {r['seconds']:.2f} | "
                         f"{r['files_s']:.2f} | {r['pages_s']:.2f} | " + ", ".join(f"{s:.2f}" for s in r["runs"])
                         + f" | {ratio} |")
    lines += [
        "",
        f"Fixed cost of a run (start, spawn, imports, the summary), on 2 text dumps: {start[1]:.2f} s with 1",
        f"worker, {start[2]:.2f} s with 2. The first OCR page of each worker also pays its model load and",
        "warm-up (about 1 s), so a small batch scales less than these archives.",
        "",
        "Peak memory of one worker converting one PDF (the 4-form sample bundle repeated, digital and as",
        "its 200 dpi scan), each in a fresh process; \"before\" is the process after imports, before the file:",
        "",
        "| input | pages | forms | peak RSS MiB | before MiB | growth MiB |",
        "|---|---|---|---|---|---|",
    ]
    for (kind, _), m in memory.items():
        lines.append(f"| {kind} | {m['pages']} | {m['forms']} | {m['peak'] / 1024:.0f} | {m['before'] / 1024:.0f} | "
                     f"{(m['peak'] - m['before']) / 1024:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sets, one repeat")
    parser.add_argument("--python", default=sys.executable, help="the Python that has our pipeline")
    args = parser.parse_args()
    print(section(1 if args.quick else args.repeat, args.quick, args.python))
