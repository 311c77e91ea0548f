"""Command-line edge: parse flags, run, map errors to exit codes (once, here).

Exit codes (pipeline/errors.py): 0 every input converted; 1 some input failed; 2 usage or config
error; 3 some input converted incompletely (status `partial`) and none failed; 130 stopped by
Ctrl-C (what finished is written; rerunning the command resumes). `pipeline apply`: 0 every
correction applied, 1 some could not be (named on stderr), 2 usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from pipeline.errors import EXIT_FAILED, EXIT_PARTIAL, PipelineError, UsageError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn budget performance-target forms (绩效目标表) into clean JSON/CSV.")


def _version(value: bool) -> None:
    if value:
        from pipeline import __version__

        typer.echo(f"formpipe {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="print the version and exit")) -> None:
    """Turn budget performance-target forms (绩效目标表) into clean JSON/CSV."""


def _fail(exc: PipelineError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


@app.command()
def run(
    paths: list[Path] = typer.Argument(..., help="PDFs, images, Word/Excel files, text dumps, HTML, markdown, "
                                                 "CSV, or folders of them"),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="folder for all results"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML merged over configs/default.yaml"),
    password: Optional[str] = typer.Option(None, "--password", help="password for encrypted PDFs"),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="parallel workers (default: one per core)"),
    threads: Optional[int] = typer.Option(None, "--threads", help="OCR threads per worker (default: cores / workers)"),
    executor: Optional[str] = typer.Option(None, "--executor", help="serial | process (default) | ray"),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to join (--executor ray)"),
    force: bool = typer.Option(False, "--force", help="convert again inputs an earlier run finished"),
    formats: Optional[str] = typer.Option(None, "--format", help="the run-wide tables also as xlsx, sqlite, "
                                                                 "parquet (comma-separated); JSON and CSV always"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="only print errors"),
) -> None:
    """Convert every form in PATHS; write per-form JSON/CSV and run summaries under --out.

    A rerun of the same command skips the inputs already converted (same bytes, same config).
    """
    from pipeline.config import load_settings
    from pipeline.progress import ConsoleReporter
    from pipeline.runner import run_batch
    from pipeline.stages.summaries import WRITERS

    batch = {k: v for k, v in {"workers": workers, "threads": threads, "executor": executor,
                                   "ray_address": ray_address}.items()
             if v is not None}
    reporter = ConsoleReporter(quiet)
    try:
        overrides: dict = {"out_dir": str(out), "password": password, "batch": batch}
        if formats is not None:
            asked = [f for f in (x.strip().lower() for x in formats.split(",")) if f and f not in ("json", "csv")]
            unknown = [f for f in asked if f not in WRITERS]
            if unknown:
                raise UsageError(f"--format {','.join(unknown)}: expected any of {', '.join(WRITERS)} "
                                 f"(JSON and CSV are always written)")
            overrides["output"] = {"formats": asked}
        settings = load_settings(config, overrides)
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out}: --out exists and is not a folder")
        manifest = run_batch(paths, settings, reporter, force=force)  # --out is made once there is input
    except PipelineError as exc:
        reporter.close()
        _fail(exc)
    reporter.summary(manifest, str(out))
    for problem in manifest.get("corrections", {}).get("problems", []):
        typer.echo(f"warning: {problem}", err=True)
    raise typer.Exit(exit_code(manifest))


def exit_code(manifest: dict) -> int:
    """1 when an input failed, else 3 when one converted only in part, else 0 (skipped: not ours to read)."""
    statuses = {e["status"] for e in manifest["inputs"]}
    if statuses - {"ok", "skipped", "partial"}:
        return EXIT_FAILED
    return EXIT_PARTIAL if "partial" in statuses else 0


@app.command("apply")
def apply_command(
    out: Path = typer.Argument(..., help="a folder written by `pipeline run`"),
    file: Path = typer.Argument(..., help="corrections JSON (schema/corrections.schema.json)"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="the config the run used"),
) -> None:
    """Merge FILE into OUT/corrections.json and apply it: records, per-form CSVs and the run's CSVs
    rewritten, each change a review item of kind `corrected`. Later runs on OUT keep applying it.

    Exit 1 when a correction could not be applied (its form or field is gone, or its value does
    not fit the field); each is named on stderr.
    """
    from pipeline import corrections
    from pipeline.config import load_settings
    from pipeline.files import out_lock
    from pipeline.state import RunState, read_manifest
    from pipeline.stages.summaries import write_run_summary

    try:
        settings = load_settings(config, {"out_dir": str(out)})
        manifest = read_manifest(out)
        new = corrections.load(file)
        with out_lock(out):  # not while a run writes there
            kept = out / corrections.CORRECTIONS_FILE
            items = corrections.merged(corrections.load(kept) if kept.is_file() else [], new)
            corrections.save(out, items)
            state = RunState(out, settings.fingerprint())
            entries = []
            for entry in manifest.get("inputs", []):
                stored = state.load(entry["out_name"]) if entry.get("out_name") else None
                entries.append({**stored, "out_name": entry["out_name"]} if stored else entry)
            fixes = corrections.apply_run(entries, settings, items)
            manifest["inputs"] = [{k: v for k, v in e.items() if k != "records"} for e in entries]
            manifest["corrections"] = fixes
            write_run_summary(entries, out, settings, manifest)
    except PipelineError as exc:
        _fail(exc)
    for problem in fixes["problems"]:
        typer.echo(f"warning: {problem}", err=True)
    typer.echo(f"{len(new)} correction(s) read; {fixes['applied']} field(s) corrected in {out}")
    raise typer.Exit(EXIT_FAILED if fixes["problems"] else 0)


@app.command("review")
def review_command(
    out: Path = typer.Argument(..., help="a folder written by `pipeline run`"),
    source: list[Path] = typer.Option([], "--source", "-s", help="a folder holding the run's input files, when "
                                                                 "they are not where the run read them"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="the config the run used"),
) -> None:
    """Write OUT/review.html: every field the run flagged, with its picture cut from the source, to
    accept or correct by keyboard; the page saves corrections.json for `pipeline apply OUT FILE`.
    Static and offline: open it from disk, no server, nothing fetched."""
    from pipeline.config import load_settings
    from pipeline.review.page import build

    try:
        built = build(out, load_settings(config, {"out_dir": str(out)}), source)
    except PipelineError as exc:
        _fail(exc)
    for warning in built.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"{built.page}: {built.flagged} flagged field(s) to check in {built.forms} form(s) "
               f"({built.cards} with review items)")


@app.command("eval")
def eval_command(
    out: Path = typer.Argument(..., help="a folder written by `pipeline run`"),
    truth: Path = typer.Option(..., "--truth", help="ground truth JSON: {\"forms\": [record, ...]}"),
    min_accuracy: Optional[float] = typer.Option(None, help="exit 1 when field accuracy is below this (0-1)"),
    only_present: bool = typer.Option(False, help="skip truth forms the output does not hold (a partial run)"),
) -> None:
    """Field accuracy of OUT against TRUTH, listing every wrong field."""
    from pipeline.evaluate import evaluate, format_report, load_outputs, load_truth

    try:
        report = evaluate(load_outputs(out), load_truth(truth), only_present)
    except PipelineError as exc:
        _fail(exc)
    typer.echo(format_report(report))
    if min_accuracy is not None and report.accuracy < min_accuracy:
        raise typer.Exit(1)


@app.command()
def schema(
    kind: str = typer.Option("form", "--kind", help="form (a form record) or table (a generic table)"),
    output: Optional[Path] = typer.Option(None, "--output", help="write here instead of stdout"),
) -> None:
    """Print the JSON Schema of an output record (the output contract)."""
    from pipeline.generic import record as table_record
    from pipeline import records as form_record

    schemas = {"form": form_record.json_schema, "table": table_record.json_schema}
    if kind not in schemas:
        _fail(UsageError(f"--kind {kind}: expected one of {', '.join(schemas)}"))
    text = json.dumps(schemas[kind](), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    app()
