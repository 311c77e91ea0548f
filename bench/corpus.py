"""Field accuracy and silent errors on the generated corpus, per template × carrier.

    .venv/bin/python bench/corpus.py --split heldout --count 120 [--carriers pdf,dump] [--json out.json]
    .venv/bin/python bench/corpus.py --split dev --count 12 --carriers scan200,photo --wrong
    .venv/bin/python bench/corpus.py --split heldout --count 12 --carriers scans --markdown

Generates the split (scripts/make_corpus.py: same seeds, same files), converts each carrier's
folder with `pipeline run` in this process, and scores every form against the split's
truth.json with `pipeline eval`'s comparison: accuracy, wrong-and-flagged, right-but-flagged,
silent-wrong (wrong with no review item naming the field) and the share of fields flagged, and
forms expected against forms found -- a form lost is counted, and *lost silently* when its
file converted with status ok. Each set is a template × carrier, each carrier has a total.
The held-out split is what tests and `make bench` score; the dev split is the one to look at.
Scanned carriers (scripts/corpus/scans.py: scan200, scan150grey, fax, photo, rotated, scanmixed;
`--carriers scans` names them all) are the split's PDFs scanned, so naming one generates the
PDFs too (scored only if pdf is named; `--count` is then the PDFs, i.e. the files per scanned
carrier when pdf is the only digital carrier); they are OCR'd (~1.5-5 s a page), so the default
carriers are the six digital ones. A photo of several pages is one input named by its first
part (`<stem>_p1.jpg`, as truth.json names it): records read from a later part are counted
under the first, so the score is the same whether or not the pipeline joins the parts.
"""

from __future__ import annotations

import argparse
import json
import re
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
SCAN_CARRIERS = ["scan200", "scan150grey", "fax", "photo", "rotated", "scanmixed"]
BENCH_COUNT = 360  # held-out files `make bench` scores (60 per carrier; ~490 forms)
# held-out PDFs `make bench` scans into every scanned carrier: 12 files (~25 pages) per carrier,
# 6 carriers × ~25 pages × ~3 s a page is about 10 minutes
SCAN_BENCH_COUNT = 12
_PART = re.compile(r"^(.+)_p(\d+)\.jpg$")


def first_part(name: str, names: set[str]) -> str:
    """`<stem>_p2.jpg` → `<stem>_p1.jpg` where the truth names the first part; else unchanged."""
    match = _PART.match(name)
    if match and f"{match.group(1)}_p1.jpg" in names:
        return f"{match.group(1)}_p1.jpg"
    return name


def generate(split: str, count: int, out: Path, carriers: list[str]) -> None:
    from scripts.corpus import corpus, scans  # the generator: same split and count, same files

    scanned = [c for c in carriers if c in scans.CARRIERS]
    digital = [c for c in carriers if c not in scans.CARRIERS]
    if scanned and "pdf" not in digital:
        digital.append("pdf")
    corpus.generate(split, out, count, digital)
    if scanned:
        scans.write(out, scanned)


def score(split_dir: Path, work: Path, carriers: list[str], executor: str = "serial",
          ocr_options: dict | None = None) -> dict:
    """{(template, carrier): Report} plus seconds per carrier, failed inputs, forms expected,
    forms lost silently (their file's status ok) and each file's status. `executor`: serial
    where seconds are measured (bench); the tests take every core ("process"). `ocr_options`
    replace the config's `ocr.options` (another model, a second opinion)."""
    truth = json.loads((split_dir / "truth.json").read_text(encoding="utf-8"))["forms"]
    results: dict = {"reports": {}, "seconds": {}, "failed": {}, "forms": {}, "lost_silently": {}, "status": {}}
    for carrier in carriers:
        folder = split_dir / carrier
        if not folder.is_dir():
            continue
        out = work / carrier
        overrides: dict = {"out_dir": str(out), "batch": {"executor": executor}}
        if ocr_options is not None:
            overrides["ocr"] = {"options": ocr_options}
        settings = load_settings(overrides=overrides)
        started = time.perf_counter()
        manifest = run_batch([folder], settings)
        results["seconds"][carrier] = time.perf_counter() - started
        results["failed"][carrier] = [e["file"] for e in manifest["inputs"] if e["status"] == "failed"]
        forms = [t for t in truth if t["source_file"].startswith(f"{carrier}/")]
        names = {Path(t["source_file"]).name for t in forms}
        status: dict[str, str] = {}
        for e in manifest["inputs"]:        # a file of several parts is ok only if every part is
            name = first_part(Path(e["file"]).name, names)
            status[name] = e["status"] if status.get(name, "ok") == "ok" else status[name]
        results["status"][carrier] = status
        records = []
        for r in load_outputs(out):
            source = r.get("source") or {}
            if source.get("file"):
                r = {**r, "source": {**source, "file": first_part(source["file"], names)}}
            records.append(r)
        by_template = defaultdict(list)
        for form in forms:
            by_template[form["template"]].append(form)
        for template, expected in sorted(by_template.items()):
            files = {Path(t["source_file"]).name for t in expected}
            got = [r for r in records if (r.get("source") or {}).get("file") in files]
            report = evaluate(got, expected)
            results["reports"][(template, carrier)] = report
            results["forms"][(template, carrier)] = len(expected)
            results["lost_silently"][(template, carrier)] = [
                label for label in report.forms_missing if status.get(label.split(": ", 1)[0]) == "ok"]
    return results


def flagged_share(report: Report) -> float:
    return (report.flagged_wrong + report.flagged_right) / report.total if report.total else 0.0


def add(total: Report, r: Report) -> None:
    total.total += r.total
    total.correct += r.correct
    total.flagged_wrong += r.flagged_wrong
    total.flagged_right += r.flagged_right
    total.silent += r.silent
    total.forms_missing += r.forms_missing


def carrier_totals(results: dict) -> dict[str, dict]:
    """Per carrier: its Report summed over templates, forms expected and lost silently."""
    out: dict[str, dict] = {}
    for (template, carrier), r in sorted(results["reports"].items()):
        t = out.setdefault(carrier, {"report": Report(), "forms": 0, "lost_silently": 0})
        add(t["report"], r)
        t["forms"] += results["forms"][(template, carrier)]
        t["lost_silently"] += len(results["lost_silently"].get((template, carrier), []))
    return out


def _row(name: str, carrier: str, forms: int, lost_silently: int, r: Report) -> str:
    found = forms - len(r.forms_missing)
    return (f"| {name} | {carrier} | {forms} | {found}{' **(%d lost)**' % (forms - found) if found < forms else ''} | "
            f"{lost_silently} | {r.total} | {100 * r.accuracy:.2f}% | {r.flagged_wrong} | {r.flagged_right} | "
            f"{len(r.silent)} ({100 * r.silent_rate:.2f}%) | {100 * flagged_share(r):.1f}% |")


def table(results: dict, carriers: list[str] | None = None) -> str:
    """One row per template × carrier, a total per carrier (where it has several templates), one in all."""
    lines = ["| template | carrier | forms expected | forms found | lost silently | fields | accuracy | "
             "wrong, flagged | right, flagged | silent-wrong | flagged share |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    totals = carrier_totals(results)
    keep = [c for c in totals if carriers is None or c in carriers]
    total, forms, lost = Report(), 0, 0
    for carrier in keep:
        for (template, c), r in sorted(results["reports"].items()):
            if c == carrier:
                lines.append(_row(template, carrier, results["forms"][(template, c)],
                                  len(results["lost_silently"].get((template, c), [])), r))
        t = totals[carrier]
        lines.append(_row(f"*{carrier} total*", carrier, t["forms"], t["lost_silently"], t["report"]))
        add(total, t["report"])
        forms, lost = forms + t["forms"], lost + t["lost_silently"]
    if len(keep) > 1:
        lines.append(_row("**all**", "", forms, lost, total))
    return "\n".join(lines)


def markdown(results: dict, split: str, count: int) -> str:
    """The corpus section of docs/benchmarks.md (the scanned carriers: `scans_markdown`)."""
    if all(c in SCAN_CARRIERS for c in results["seconds"]):
        return scans_markdown(results, split, count)
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


def scans_markdown(results: dict, split: str, count: int) -> str:
    """The scanned carriers' section: one table per carrier."""
    import os
    import platform
    from datetime import datetime, timezone

    parts = [
        f"## Generated corpus, {split} split, scanned: every template in every scanned carrier",
        "",
        f"{count} PDFs of the {split} split (scripts/make_corpus.py), each stamped and signed once and scanned into "
        "every scanned carrier by scripts/corpus/scans.py: scan200 (200 dpi colour), scan150grey (photocopy), fax "
        "(black and white), photo (phone photos on a desk, keystoned, shadowed), rotated (pages turned a quarter, "
        "half or three quarters), scanmixed (100-300 dpi, colour or grey, skewed up to 5°). Scored as above; "
        "*lost silently*: a form not found although its file converted with status ok.",
        f"Command: `.venv/bin/python bench/corpus.py --split {split} --count {count} --carriers scans --markdown`; "
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    for carrier, seconds in results["seconds"].items():
        failed = len(results["failed"].get(carrier, []))
        parts += [f"### {carrier}", "", f"Wall time (serial): {seconds:.1f} s; failed inputs: {failed}.", "",
                  table(results, [carrier]), ""]
    return "\n".join(parts)


def section(ours_python: str, quick: bool = False) -> str:
    """For bench/run.py: the held-out split scored in our own venv (it has the generator's packages),
    the digital carriers, then the scanned ones (one table per carrier)."""
    import subprocess

    runs = [("Generated corpus", ["--count", str(72 if quick else BENCH_COUNT)]),
            ("Generated corpus, scanned", ["--count", str(2 if quick else SCAN_BENCH_COUNT), "--carriers", "scans"])]
    parts = []
    for title, args in runs:
        done = subprocess.run([ours_python, str(Path(__file__)), "--split", "heldout", *args, "--markdown"],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            parts.append(f"## {title}\n\nfailed: {done.stderr.strip().splitlines()[-1:]}\n")
        else:
            parts.append(done.stdout)
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["dev", "heldout"], default="heldout")
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--carriers", default=",".join(CARRIERS))
    parser.add_argument("--corpus", type=Path, help="an existing split folder (default: generate one)")
    parser.add_argument("--wrong", action="store_true", help="list every wrong field (dev split only)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--markdown", action="store_true", help="print the docs/benchmarks.md section only")
    parser.add_argument("--keep", type=Path, help="write the converted outputs here (one folder per carrier) "
                                                  "instead of a temporary folder, for `pipeline eval`")
    parser.add_argument("--executor", choices=["serial", "process"], default="serial",
                        help="process: every core (for accuracy; seconds are measured serially)")
    parser.add_argument("--ocr-options", type=json.loads, help='JSON replacing ocr.options, e.g. '
                        '\'{"model": "ppocrv6-tiny", "second_model": "ppocrv6-small"}\'')
    args = parser.parse_args()
    carriers = [c for name in args.carriers.split(",") for c in (SCAN_CARRIERS if name == "scans" else [name])]
    with tempfile.TemporaryDirectory() as tmp:
        split_dir = args.corpus or Path(tmp) / args.split
        if args.corpus is None:
            generate(args.split, args.count, split_dir, carriers)
        results = score(split_dir, args.keep or Path(tmp) / "out", carriers, args.executor, args.ocr_options)
    if args.markdown:
        print(markdown(results, args.split, args.count))
        return
    print(table(results))
    for key, lost in sorted(results["lost_silently"].items()):
        for label in lost:
            print(f"LOST SILENTLY {key[0]}/{key[1]}: {label}")
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
                                                      "flagged_right": r.flagged_right,
                                                      "forms": results["forms"][(t, c)],
                                                      "forms_missing": len(r.forms_missing),
                                                      "lost_silently": len(results["lost_silently"][(t, c)])}
                                         for (t, c), r in results["reports"].items()}, indent=2))


if __name__ == "__main__":
    main()
