"""`make bench`: speed, memory and accuracy of our pipeline and its peers → docs/benchmarks.md.

The recipe, one section after another:

1. ours, seconds per page by stage, on the digital samples and both scan sets;
2. the peers on the same inputs, fed through our downstream stages (bench/peers.py), and the
   speed-against-accuracy plot;
3. optional sections other work adds — bench/scanspeed.py (the held-out scanned pages by OCR
   setting against a full-page pass, and batch pages/hour), bench/corpus.py (the held-out corpus: its digital carriers, then
   its scanned ones, a table per carrier), bench/bulk.py, bench/icdar.py, bench/putuo.py — each a
   module with `section(...) -> str` (given whichever of `repeat`, `quick`, `repo`, `ours_python`,
   `peers_python` it names);
   one that does not exist yet is skipped.

Each (set, extractor) is measured `--repeat` times in a subprocess of its own; figures are
medians, because this 2-core machine is noisy. `--quick` is for development: one repeat, the
first two files of each set.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import peers  # noqa: E402

PAGE_STEPS = ["triage", "raster", "preprocess", "grid", "ocr"]
OPTIONAL_SECTIONS = ["bench.scanspeed", "bench.corpus", "bench.bulk", "bench.icdar", "bench.putuo"]  # each: section(...) -> str
PLOT = REPO / "docs" / "bench-speed-accuracy.png"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, {platform.system()}"


def load() -> str:
    try:
        return "/".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def header(repeat: int, quick: bool, load_before: str) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    outputs = [f":!docs/{name}" for name in ("benchmarks.md", PLOT.name)]  # what a previous run wrote
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", *outputs],
                           cwd=REPO, capture_output=True, text=True).stdout.strip()
    state = f"`{commit}`" + (" with uncommitted changes" if dirty else "") if commit else "uncommitted"
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {state}.",
        f"Machine: {machine()}. Each tool on each set: warmed up on the set's first file, then run",
        f"{repeat}× in a process of its own; figures are medians (and 90th percentiles) of seconds per page.",
        f"Load average (1/5/15 min) when it started: {load_before}; when it ended: {load()} — on a busy",
        "machine the seconds are inflated; compare tools within one run, as ratios.",
    ]
    if quick:
        lines.append("**`--quick` run: one repeat, first files of each set only — not for quoting.**")
    return "\n".join(lines) + "\n"


def ours_by_stage(outcomes: list[peers.Outcome]) -> str:
    lines = [
        "## Ours, seconds per page by stage",
        "",
        "| set | pages | " + " | ".join(PAGE_STEPS) + " | document stages | **total** | total p90 | peak MB | field accuracy |",
        "|---|---|" + "---|" * (len(PAGE_STEPS) + 5),
    ]
    for o in outcomes:
        if o.extractor != peers.OURS:
            continue
        if o.result is None:
            lines.append(f"| {o.set} | – | " + " | ".join("–" for _ in PAGE_STEPS) + f" | – | – | – | – | {o.skipped} |")
            continue
        per_page, (correct, total) = o.result["per_page"], o.result["fields"]
        cells = [peers.seconds(peers.median(per_page.get(k, []))) for k in PAGE_STEPS + ["document stages"]]
        lines.append(f"| {o.set} | {o.result['pages']} | " + " | ".join(cells)
                     + f" | **{peers.seconds(peers.median(per_page['total']))}**"
                     + f" | {peers.seconds(peers.p90(per_page['total']))} | {o.peak_mb:.0f}"
                     + f" | {100 * o.result['accuracy']:.2f}% ({correct}/{total}) |")
    lines += [
        "",
        "Stages: triage (text layer usable? on digital pages it also reads that layer: words, ruled",
        "tables), raster (PDFium at 200 dpi), preprocess (seal suppression, orientation, deskew), grid",
        "(ruled lines → cells), ocr (lines found by projection inside cells, recognised in width-sorted",
        "batches, uncertain cells re-read), document stages (forms, repair, normalise, validate, write).",
        "Models are loaded before timing, as in a bulk run.",
        "",
    ]
    return "\n".join(lines)


def optional_sections(context: dict, done=lambda parts: None) -> list[str]:
    """The sections other work adds, each called with the context keys its `section` names;
    `done(parts)` after each (the run so far is written: an hour's figures survive a late failure)."""
    parts: list[str] = []
    for name in OPTIONAL_SECTIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # not added yet
            raise
        wanted = inspect.signature(module.section).parameters
        print(f"running {name}…", flush=True)
        try:
            parts.append(module.section(**{k: v for k, v in context.items() if k in wanted}))
        except Exception as exc:  # noqa: BLE001 - one section failing must not lose the others' hour
            import traceback

            traceback.print_exc()
            parts.append(f"## {name}\n\nfailed: {type(exc).__name__}: {exc}\n")
        done(parts)
    return parts


def default_python(venv: str) -> str:
    candidate = REPO / venv / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one repeat, the first files of each set")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--ours-python", default=default_python(".venv"), help="runs our pipeline")
    parser.add_argument("--peers-python", default=default_python(".venv-bench"), help="has the bench extra")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat

    load_before = load()
    outcomes = peers.measure_all(args.ours_python, args.peers_python, repeat, args.quick)
    plot_name = peers.plot(outcomes, args.out.parent / PLOT.name)
    against = peers.section(outcomes, plot_name, peers.versions(args.ours_python, args.peers_python))
    first = [
        ours_by_stage(outcomes),
        against if plot_name else against + "\n(No plot: matplotlib is not installed where this ran.)\n",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def write(rest: list[str], running: bool = True) -> str:
        note = ["**Run in progress: the sections after the last one here are still to come.**\n"] if running else []
        text = "\n".join([header(repeat, args.quick, load_before), *note, *first, *rest])
        args.out.write_text(text, encoding="utf-8")
        return text

    write([])
    rest = optional_sections({"repeat": repeat, "quick": args.quick, "repo": REPO, "ours_python": args.ours_python,
                              "peers_python": args.peers_python}, done=write)
    print(write(rest, running=False))


if __name__ == "__main__":
    main()
