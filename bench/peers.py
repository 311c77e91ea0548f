"""Our pipeline and its peers on the same samples: speed, peak memory, accuracy; and the plot.

Every (set, extractor) pair is measured by bench/measure.py in a subprocess of its own, so its
peak resident memory is its own (os.wait4's rusage of that child). Ours runs in the project's
venv (as `make run` uses it); the peers in the bench venv (`make bench` installs the `bench`
extra there, so the project's venv and `make test` never see the peer packages).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MEASURE = REPO / "bench" / "measure.py"
DIGITAL, SCAN200, SCAN150 = "digital PDFs", "scans 200 dpi colour", "scans 150 dpi grey"
OURS = "formpipe"
PLAN = [
    (DIGITAL, OURS), (DIGITAL, "camelot-lattice"), (DIGITAL, "pdfplumber"),
    (SCAN200, OURS), (SCAN200, "img2table-tesseract"), (SCAN200, "rapidocr-fullpage"),
    (SCAN150, OURS), (SCAN150, "img2table-tesseract"), (SCAN150, "rapidocr-fullpage"),
]
PEER_PACKAGES = {"camelot-lattice": "camelot-py", "pdfplumber": "pdfplumber",
                 "img2table-tesseract": "img2table", "rapidocr-fullpage": "rapidocr"}
TESSERACT_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"


@dataclass
class Outcome:
    set: str
    extractor: str
    result: dict | None = None  # measure.py's JSON
    peak_mb: float | None = None
    skipped: str | None = None  # why there is no result


def measure_all(ours_python: str, peers_python: str, repeat: int, quick: bool,
                plan: list[tuple[str, str]] = PLAN) -> list[Outcome]:
    outcomes = []
    for set_name, extractor in plan:
        print(f"measuring {extractor} on {set_name}…", flush=True)
        outcome = Outcome(set_name, extractor)
        why = tesseract_missing() if extractor == "img2table-tesseract" else None
        if why is not None:
            outcome.skipped = f"skipped: {why} ({TESSERACT_HINT})"
        else:
            python = ours_python if extractor == OURS else peers_python
            outcome.result, outcome.peak_mb, outcome.skipped = _run_child(python, extractor, set_name, repeat, quick)
        outcomes.append(outcome)
    return outcomes


def tesseract_missing() -> str | None:
    import shutil

    if shutil.which("tesseract") is None:
        return "tesseract with chi_sim not installed"
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    return None if "chi_sim" in langs else "tesseract has no chi_sim language data"


def _run_child(python: str, extractor: str, set_name: str, repeat: int, quick: bool):
    """(result, peak MB, why skipped) of one measure.py run in a child process."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out, log = Path(tmp) / "result.json", Path(tmp) / "log.txt"
        args = [python, str(MEASURE), extractor, set_name, "--repeat", str(repeat), "--json", str(out)]
        with open(log, "wb") as sink:
            child = subprocess.Popen(args + (["--quick"] if quick else []), cwd=REPO,
                                     stdout=sink, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        text = log.read_text(encoding="utf-8", errors="replace")
        if child.returncode != 0 or not out.exists():
            if "ModuleNotFoundError" in text:
                package = PEER_PACKAGES.get(extractor, extractor)
                return None, None, f"skipped: {package} not installed (`make bench` installs the bench extra)"
            tail = " / ".join(text.strip().splitlines()[-3:])
            return None, None, f"failed (exit {child.returncode}): {tail}"
        return json.loads(out.read_text(encoding="utf-8")), usage.ru_maxrss / 1024, None  # KiB on Linux


def versions(ours_python: str, peers_python: str) -> str:
    """The versions measured, one line: packages in each venv, and Tesseract."""
    script = ("import importlib.metadata as m, sys\n"
              "for name in sys.argv[1:]:\n"
              "    try: print(f'{name} {m.version(name)}')\n"
              "    except m.PackageNotFoundError: pass\n")
    found = []
    for python, names in ((ours_python, ["pdfplumber", "rapidocr", "onnxruntime", "opencv-python-headless"]),
                          (peers_python, ["camelot-py", "img2table", "opencv-contrib-python"])):
        run = subprocess.run([python, "-c", script, *names], capture_output=True, text=True)
        found += run.stdout.split("\n")
    if tesseract_missing() is None:
        tesseract = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
        found.append((tesseract.stdout or tesseract.stderr).splitlines()[0] + " (chi_sim)")
    return ", ".join(f for f in found if f.strip())


# --- rendering --------------------------------------------------------------------------------

def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def section(outcomes: list[Outcome], plot_name: str | None, versions_line: str = "") -> str:
    lines = [
        "## Against the peers",
        "",
        f"Versions (ours in .venv, peers in .venv-bench): {versions_line}." if versions_line else "",
        "",
        "Each peer replaces only our pages stage (the extraction step); what it yields goes through",
        "our own forms → repair → normalize → validate → write stages and is scored like ours. So",
        "*field accuracy* answers: what would a user get with this tool as the extraction step?",
        "",
        "| set | extractor | pages | s/page (median) | s/page p90 | extraction s/page | peak MB | field accuracy | cells reproduced |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        name = f"**{o.extractor}** (ours)" if o.extractor == OURS else o.extractor
        if o.result is None:
            lines.append(f"| {o.set} | {name} | – | – | – | – | – | {o.skipped} | – |")
            continue
        r = o.result
        per_page = r["per_page"]
        correct, total = r["fields"]
        matched, reference = r["cells"]
        errors = f" ({len(r['errors'])} file(s) failed downstream)" if r["errors"] else ""
        lines.append(
            f"| {o.set} | {name} | {r['pages']} | {seconds(median(per_page.get('total', [])))}"
            f" | {seconds(p90(per_page.get('total', [])))} | {seconds(median(per_page.get('extract', [])))}"
            f" | {o.peak_mb:.0f} | {100 * r['accuracy']:.2f}% ({correct}/{total}){errors}"
            f" | {100 * matched / max(1, reference):.1f}% ({matched}/{reference}) |")
    lines += [""] + ratios(outcomes) + [""]
    failures = [f"- {o.extractor} on {o.set}: {e}" for o in outcomes if o.result for e in o.result["errors"]]
    if failures:
        lines += ["Files whose extraction our downstream stages could not turn into forms (their forms",
                  "count as missing):", ""] + failures + [""]
    if plot_name:
        lines += [f"![seconds per page against field accuracy]({plot_name})", ""]
    lines += [
        "What each number means:",
        "",
        "- *s/page*: wall seconds from opening the file to its JSON written (extraction plus our",
        "  downstream stages), divided by its pages; median and 90th percentile over pages and",
        "  repeats. Each tool is warmed up on the set's first file (imports, models) before timing.",
        "- *extraction s/page*: the extraction step alone (for ours, the pages stage).",
        "- *peak MB*: the peak resident memory of the process that measured that tool on that set",
        "  (loading, warm-up and all repeats), from the child's rusage.",
        "- *field accuracy*: `pipeline eval`'s measure against tests/truth/justice_2026.json — every",
        "  header and indicator field of the eight forms counts once.",
        "- *cells reproduced*: raw and repair-free: of the non-empty table cells of the digital",
        "  original (as our text-layer reader reads them; for a scan, the page it was made from),",
        "  the share the extractor gave as a cell with exactly that text, whitespace ignored.",
        "",
        "How each peer is fed (bench/measure.py, bench/peer_tables.py):",
        "",
        "- **camelot-lattice** (camelot-py, `flavor=\"lattice\"`, defaults; page images by its",
        "  default pdfium backend, no Ghostscript) and **pdfplumber** (`find_tables()` with default",
        "  settings, cell text from `extract()`): their tables as they give them, rows and columns",
        "  unchanged (pdfplumber's `None` for a position under a merged cell is left absent, as in our",
        "  model); the text outside their tables (titles, unit, signer) from the PDF's text layer,",
        "  split into phrases by the same code our digital path uses.",
        "- **img2table-tesseract** (img2table `PDF`, 200 dpi, `TesseractOCR(lang=\"chi_sim\")`,",
        "  borderless tables, implicit rows and columns off; `detect_rotation=True`, its own",
        "  rotation and skew correction, without which it found a table on far fewer of these",
        "  slightly skewed pages): its tables, a merged cell repeated over",
        "  positions becoming one spanning cell; the text outside its tables from the words of the",
        "  same Tesseract pass (which img2table runs on pages where it found a table), grouped into",
        "  lines by vertical overlap and split into phrases at the form's phrase gap.",
        "- **rapidocr-fullpage** (RapidOCR's PP-OCRv6 small detector + recogniser over each 200-dpi page):",
        "  text boxes only, no table structure. The fairest simple structure is given to it: boxes",
        "  grouped into rows by vertical overlap, each row's boxes in x order as its cells; the rows",
        "  from the first to the last with two or more boxes form one table, the rows above and",
        "  below are text lines. It is the detector + recogniser our own scanned path avoids.",
        "",
    ]
    return "\n".join(lines)


def ratios(outcomes: list[Outcome]) -> list[str]:
    """Our speed against each peer's on the same set, as a ratio of medians."""
    ours = {o.set: o for o in outcomes if o.extractor == OURS and o.result}
    out = []
    for o in outcomes:
        if o.extractor == OURS or not o.result or o.set not in ours:
            continue
        mine = median(ours[o.set].result["per_page"]["total"])
        theirs = median(o.result["per_page"]["total"])
        if mine and theirs:
            faster = f"{theirs / mine:.1f}× faster than" if theirs >= mine else f"{mine / theirs:.1f}× slower than"
            delta = 100 * (ours[o.set].result["accuracy"] - o.result["accuracy"])
            out.append(f"- {o.set}: ours is {faster} {o.extractor} (median s/page), "
                       f"{delta:+.2f} points of field accuracy.")
    return out


def plot(outcomes: list[Outcome], path: Path) -> str | None:
    """Seconds per page (log x) against field accuracy, one point per extractor per set; None if no matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    markers = {DIGITAL: "o", SCAN200: "s", SCAN150: "^"}
    colours = {OURS: "tab:red", "camelot-lattice": "tab:blue", "pdfplumber": "tab:green",
               "img2table-tesseract": "tab:purple", "rapidocr-fullpage": "tab:orange"}
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    for o in outcomes:
        if not o.result or not o.result["per_page"].get("total"):
            continue
        ax.scatter(median(o.result["per_page"]["total"]), 100 * o.result["accuracy"], s=60,
                   marker=markers.get(o.set, "o"), color=colours.get(o.extractor, "grey"),
                   label=f"{o.extractor} — {o.set}")
    ax.set_xscale("log")
    ax.set_xlabel("seconds per page (median, log scale)")
    ax.set_ylabel("field accuracy (%)")
    ax.set_title("formpipe and peers on the sample forms")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path.name
