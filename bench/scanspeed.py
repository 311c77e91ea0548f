"""`make bench`, scanned pages: what a page costs and what it buys, on the held-out scanned corpus.

    .venv/bin/python bench/scanspeed.py [--corpus SPLIT_DIR] [--carrier scan200] [--quick]

For one scanned carrier of the held-out split (scan200: 200 dpi colour, by default), each in a
process of its own (bench/measure.py, so each has its own peak memory, from its rusage):

- our pipeline in each OCR setting of SETTINGS: seconds per page by stage (median and p90), peak
  memory, field accuracy, silent-wrong and the share of fields flagged;
- the naive approach with the same model: a full-page detection pass read by our recogniser
  (`fullpage-same-model`), and the peers measure.py knows for scans (`rapidocr-fullpage`:
  RapidOCR's own full-page pass, PP-OCRv6 small; `img2table-tesseract`), in the peers' venv;
- pages per hour of a batch run (`pipeline run`'s process executor) with 1 worker of 2 threads
  and 2 workers of 1 thread, wall time over the carrier's pages (workers' model loading included),
  and the peak memory of the largest worker.

The split is generated (scripts/make_corpus.py, the same seeds: the same files) unless
`--corpus` names one. `--quick`: the carrier's first files only, for development.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import peers  # noqa: E402

MEASURE = ROOT / "bench" / "measure.py"
CARRIER = "scan200"
QUICK_FILES = 2
# name → ocr.options (None: the config's default)
SETTINGS = {
    "ours, default (PP-OCRv6 tiny; small re-reads the lines tiny is unsure of)": None,
    "ours, PP-OCRv6 small alone": {"model": "ppocrv6-small", "second_model": None},
    "ours, PP-OCRv6 small; tiny as the second opinion": {"model": "ppocrv6-small", "second_model": "ppocrv6-tiny"},
}
NAIVE = [("full page, same models (RapidOCR's detector, then our recognisers as configured)",
          "fullpage-same-model", "ours"),
         ("rapidocr-fullpage (RapidOCR 3, PP-OCRv6 small)", "rapidocr-fullpage", "peers"),
         ("img2table-tesseract", "img2table-tesseract", "peers")]
WORKERS = [(1, 2), (2, 1)]  # (workers, OCR threads each) on this 2-core machine
STAGES = ["raster", "preprocess", "grid", "ocr"]


def _child(args: list[str]) -> tuple[dict | None, float | None, str | None]:
    """(JSON result, peak MB of the child, why none) of one measuring child process."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out, log = Path(tmp) / "result.json", Path(tmp) / "log.txt"
        with open(log, "wb") as sink:
            child = subprocess.Popen([*args, "--json", str(out)], cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(child.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0 or not out.exists():
            tail = " / ".join(log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-2:])
            return None, None, f"failed (exit {code}): {tail}"
        return json.loads(out.read_text(encoding="utf-8")), usage.ru_maxrss / 1024, None


def measure_setting(python: str, extractor: str, split_dir: Path, carrier: str, options: dict | None,
                    quick: bool) -> tuple[dict | None, float | None, str | None]:
    args = [python, str(MEASURE), extractor, carrier, "--corpus", str(split_dir), "--repeat", "1"]
    if options is not None:
        args += ["--ocr-options", json.dumps(options)]
    return _child(args + (["--quick"] if quick else []))


def throughput(folder: Path, workers: int, threads: int, quick: bool, out: Path) -> None:
    """In this process: a batch run over the folder; pages, wall seconds and the largest worker's peak."""
    from pipeline.config import load_settings
    from pipeline.runner import run_batch

    files = sorted(p for p in folder.iterdir() if p.is_file())
    files = files[:QUICK_FILES] if quick else files
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        settings = load_settings(overrides={"out_dir": tmp, "batch": {"executor": "process", "workers": workers,
                                                                      "threads": threads}})
        started = time.perf_counter()
        manifest = run_batch(files, settings)
        seconds = time.perf_counter() - started
    pages = sum(int(e.get("pages") or 0) for e in manifest["inputs"])
    # one worker may run in this process (the executor's choice): the larger of the two is the worker's
    worker_mb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_CHILDREN, resource.RUSAGE_SELF)) / 1024
    out.write_text(json.dumps({"pages": pages, "seconds": seconds, "worker_peak_mb": worker_mb,
                               "failed": sum(e["status"] == "failed" for e in manifest["inputs"])}))


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "–"


def _row(name: str, result: dict | None, peak: float | None, why: str | None, stages: bool) -> str:
    if result is None:
        return f"| {name} | – | " + " | ".join("–" for _ in STAGES) + f" | – | – | – | {why} | – | – |"
    per = result["per_page"]
    correct, total = result["fields"]
    cells = [peers.seconds(peers.median(per[k])) if stages and per.get(k) else "–" for k in STAGES]
    return (f"| {name} | {result['pages']} | " + " | ".join(cells)
            + f" | **{peers.seconds(peers.median(per['total']))}** | {peers.seconds(peers.p90(per['total']))}"
            + f" | {peak:.0f} | {100 * result['accuracy']:.2f}% ({correct}/{total})"
            + f" | {result.get('silent', 0)} ({_pct(result.get('silent', 0), total)})"
            + f" | {_pct(result.get('flagged', 0), total)} |")


def section(ours_python: str, quick: bool = False, corpus: Path | None = None, carrier: str = CARRIER,
            peers_python: str | None = None) -> str:
    peers_python = peers_python or str(ROOT / ".venv-bench" / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix="bench-scans-") as tmp:
        split_dir = corpus
        if split_dir is None:  # generated by our venv: it has the generator's packages, the peers' has not
            from bench.corpus import SCAN_BENCH_COUNT

            split_dir = Path(tmp) / "heldout"
            print(f"generating the held-out split's {carrier} scans…", flush=True)
            subprocess.run([ours_python, str(ROOT / "scripts" / "make_corpus.py"), "--split", "heldout",
                            "--out", str(split_dir), "--count", str(2 if quick else SCAN_BENCH_COUNT),
                            "--carriers", "pdf", "--scans", carrier], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        rows, medians = [], {}
        for name, options in SETTINGS.items():
            print(f"measuring {name}…", flush=True)
            result, peak, why = measure_setting(ours_python, "formpipe", split_dir, carrier, options, quick)
            rows.append(_row(name, result, peak, why, stages=True))
            medians[name] = peers.median(result["per_page"]["total"]) if result else None
        for name, extractor, venv in NAIVE:
            print(f"measuring {name}…", flush=True)
            python = ours_python if venv == "ours" else peers_python
            why_not = peers.tesseract_missing() if extractor == "img2table-tesseract" else None
            if why_not or not Path(python).exists():
                result, peak, why = None, None, f"skipped: {why_not or python + ' missing'}"
            else:
                result, peak, why = measure_setting(python, extractor, split_dir, carrier, None, quick)
            rows.append(_row(name, result, peak, why, stages=False))
            medians[name] = peers.median(result["per_page"]["total"]) if result else None
        batch_rows = []
        for workers, threads in WORKERS:
            print(f"batch run, {workers} worker(s)…", flush=True)
            result, _, why = _child([ours_python, str(Path(__file__)), "--throughput", str(workers), str(threads),
                                     "--corpus", str(split_dir), "--carrier", carrier] + (["--quick"] if quick else []))
            if result is None:
                batch_rows.append(f"| {workers} × {threads} threads | – | – | – | {why} |")
                continue
            per_hour = 3600 * result["pages"] / result["seconds"] if result["seconds"] else 0
            batch_rows.append(f"| {workers} × {threads} thread{'s' if threads > 1 else ''} | {result['pages']} | "
                              f"{result['seconds']:.1f} | **{per_hour:,.0f}** | {result['worker_peak_mb']:.0f} |")
    default, naive = medians[next(iter(SETTINGS))], medians[NAIVE[0][0]]
    ratio = f"{naive / default:.2f}×" if default and naive else "–"
    lines = [
        f"## Scanned pages: speed, memory and accuracy by setting (held-out {carrier})",
        "",
        f"The held-out split's {carrier} carrier ({'first files only, --quick' if quick else 'every file'}), "
        "each row measured in a process of its own (bench/scanspeed.py → bench/measure.py `--corpus`): models "
        "loaded and the first file converted untimed, then every file once; seconds per page are each file's "
        "wall time shared among its pages (stages: each page's own). *peak MB*: that process's peak resident "
        "memory. Accuracy, silent-wrong (wrong, no review item naming the field) and flagged as bench/corpus.py "
        "scores them.",
        "",
        "| setting | pages | " + " | ".join(STAGES) + " | **s/page** | p90 | peak MB | field accuracy "
        "| silent-wrong | flagged |",
        "|---|---|" + "---|" * (len(STAGES) + 6),
        *rows,
        "",
        f"Ours (default) against the full-page pass with the same model, median s/page: **{ratio} faster**.",
        "",
        "Batch runs (`pipeline run`, process executor) over the same files; pages per hour from the wall time "
        "(spawning workers and loading their models included); *worker peak MB*: the largest worker's.",
        "",
        "| workers | pages | wall s | pages/hour | worker peak MB |",
        "|---|---|---|---|---|",
        *batch_rows,
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="an existing split folder with the carrier (default: generate)")
    parser.add_argument("--carrier", default=CARRIER)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--throughput", nargs=2, type=int, metavar=("WORKERS", "THREADS"), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.throughput:
        throughput(args.corpus / args.carrier, *args.throughput, args.quick, args.json)
        return
    python = str(ROOT / ".venv" / "bin" / "python")
    print(section(python if Path(python).exists() else sys.executable, args.quick, args.corpus, args.carrier))


if __name__ == "__main__":
    main()
