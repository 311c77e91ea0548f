"""Field accuracy and silent errors on the generated corpus, per template × carrier.

    .venv/bin/python bench/corpus.py --split heldout --count 120 [--carriers pdf,dump] [--json out.json]
    .venv/bin/python bench/corpus.py --split dev --count 12 --carriers scan200,photo --wrong

Generates the split (scripts/make_corpus.py: same seeds, same files), converts each carrier's
folder with `pipeline run` in this process, and scores every form against the split's
truth.json with `pipeline eval`'s comparison: accuracy, wrong-and-flagged, right-but-flagged,
silent-wrong (wrong with no review item naming the field) and the share of fields flagged.
The held-out split is what tests and `make bench` score; the dev split is the one to look at.
Scanned carriers (scripts/corpus/scans.py: scan200, scan150grey, fax, photo, rotated) are the
split's PDFs scanned, so naming one generates the PDFs too (scored only if pdf is named); they
are OCR'd (~1.4 s a page), so the default carriers are the six digital ones.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import load_settings  # noqa: E402
from pipeline.evaluate import Report, evaluate, load_outputs  # noqa: E402
from pipeline.runner import run_batch  # noqa: E402

CARRIERS = ["pdf", "dump", "docx", "xlsx", "html", "md"]
BENCH_COUNT = 360  # held-out files `make bench` scores (60 per carrier; ~490 forms)


def generate(split: str, count: int, out: Path, carriers: list[str]) -> None:
    from scripts.corpus import corpus, scans  # the generator: same split and count, same files

    scanned = [c for c in carriers if c in scans.CARRIERS]
    digital = [c for c in carriers if c not in scans.CARRIERS]
    if scanned and "pdf" not in digital:
        digital.append("pdf")
    corpus.generate(split, out, count, digital)
    if scanned:
        scans.write(out, scanned)


def score(split_dir: Path, work: Path, carriers: list[str]) -> dict:
    """{(template, carrier): Report} plus seconds per carrier."""
    truth = json.loads((split_dir / "truth.json").read_text(encoding="utf-8"))["forms"]
    results: dict = {"reports": {}, "seconds": {}, "failed": {}, "forms": {}}
    for carrier in carriers:
        folder = split_dir / carrier
        if not folder.is_dir():
            continue
        out = work / carrier
        settings = load_settings(overrides={"out_dir": str(out), "batch": {"executor": "serial"}})
        started = time.perf_counter()
        manifest = run_batch([folder], settings)
        results["seconds"][carrier] = time.perf_counter() - started
        results["failed"][carrier] = [e["file"] for e in manifest["inputs"] if e["status"] == "failed"]
        records = load_outputs(out)
        forms = [t for t in truth if t["source_file"].startswith(f"{carrier}/")]
        by_template = defaultdict(list)
        for form in forms:
            by_template[form["template"]].append(form)
        for template, expected in sorted(by_template.items()):
            files = {Path(t["source_file"]).name for t in expected}
            got = [r for r in records if (r.get("source") or {}).get("file") in files]
            results["reports"][(template, carrier)] = evaluate(got, expected)
            results["forms"][(template, carrier)] = len(expected)
    return results


def flagged_share(report: Report) -> float:
    return (report.flagged_wrong + report.flagged_right) / report.total if report.total else 0.0


def table(results: dict) -> str:
    lines = ["| template | carrier | forms | fields | accuracy | wrong, flagged | right, flagged | silent-wrong | "
             "flagged share |", "|---|---|---|---|---|---|---|---|---|"]
    total = Report()
    for (template, carrier), r in sorted(results["reports"].items()):
        lines.append(f"| {template} | {carrier} | {results['forms'][(template, carrier)]} | {r.total} | {100 * r.accuracy:.2f}% | "
                     f"{r.flagged_wrong} | {r.flagged_right} | {len(r.silent)} ({100 * r.silent_rate:.2f}%) | "
                     f"{100 * flagged_share(r):.1f}% |")
        total.total += r.total
        total.correct += r.correct
        total.flagged_wrong += r.flagged_wrong
        total.flagged_right += r.flagged_right
        total.silent += r.silent
    lines.append(f"| **all** | | | {total.total} | {100 * total.accuracy:.2f}% | {total.flagged_wrong} | "
                 f"{total.flagged_right} | {len(total.silent)} ({100 * total.silent_rate:.2f}%) | "
                 f"{100 * flagged_share(total):.1f}% |")
    return "\n".join(lines)


def markdown(results: dict, split: str, count: int) -> str:
    """The corpus section of docs/benchmarks.md."""
    import os
    import platform
    from datetime import datetime, timezone

    forms = sum(results["forms"].values())
    seconds = ", ".join(f"{c} {s:.1f} s" for c, s in results["seconds"].items())
    return "\n".join([
        f"## Generated corpus, {split} split: every template × carrier",
        "",
        f"{count} files ({forms} forms) of the {split} split written by scripts/make_corpus.py (six templates, "
        "nine typefaces, portrait and landscape, widths that wrap differently; PDF, a text dump with the "
        "seed's damage, docx, xlsx, HTML, Markdown), converted and scored field by field against the "
        "generator's truth. *Silent-wrong*: wrong, and no review item (uncertain, warning, inferred) names "
        "the field, its row or its block. *Flagged share*: fields a review item names.",
        f"Command: `.venv/bin/python bench/corpus.py --split {split} --count {count}`; machine: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; wall time per carrier (serial): {seconds}.",
        "",
        table(results),
        "",
    ])


def section(ours_python: str, quick: bool = False) -> str:
    """For bench/run.py: the held-out split scored in our own venv (it has the generator's packages)."""
    import subprocess

    count = 72 if quick else BENCH_COUNT
    done = subprocess.run([ours_python, str(Path(__file__)), "--split", "heldout", "--count", str(count),
                           "--markdown"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return f"## Generated corpus\n\nfailed: {done.stderr.strip().splitlines()[-1:]}\n"
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["dev", "heldout"], default="heldout")
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--carriers", default=",".join(CARRIERS))
    parser.add_argument("--corpus", type=Path, help="an existing split folder (default: generate one)")
    parser.add_argument("--wrong", action="store_true", help="list every wrong field (dev split only)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--markdown", action="store_true", help="print the docs/benchmarks.md section only")
    args = parser.parse_args()
    carriers = args.carriers.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        split_dir = args.corpus or Path(tmp) / args.split
        if args.corpus is None:
            generate(args.split, args.count, split_dir, carriers)
        results = score(split_dir, Path(tmp) / "out", carriers)
    if args.markdown:
        print(markdown(results, args.split, args.count))
        return
    print(table(results))
    for carrier, seconds in results["seconds"].items():
        print(f"{carrier}: {seconds:.1f} s; failed inputs: {len(results['failed'][carrier])}")
    if args.wrong:
        if args.split != "dev":
            raise SystemExit("--wrong lists fields of the dev split only: the held-out split is not looked at")
        for key, report in sorted(results["reports"].items()):
            for w in report.wrong:
                where = w.split(": expected")[0].split(": got")[0]    # the label, as pipeline eval cuts it
                print(f"{key[0]}/{key[1]} {'SILENT ' if where in set(report.silent) else ''}{w}")
    if args.json:
        args.json.write_text(json.dumps({f"{t}/{c}": {"fields": r.total, "correct": r.correct,
                                                      "silent": len(r.silent), "flagged_wrong": r.flagged_wrong,
                                                      "flagged_right": r.flagged_right}
                                         for (t, c), r in results["reports"].items()}, indent=2))


if __name__ == "__main__":
    main()
