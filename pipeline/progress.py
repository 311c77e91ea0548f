"""What a person watching a batch sees: one line per input, a progress bar, a summary table.

Lines go to stderr for failures ("FAILED <file>: <reason>", one per error)
and stdout for conversions ("ok     <file>: ..."), as scripts and tests read
them. On a terminal a rich progress bar (files, pages, failures, ETA) sits at
the bottom of stderr; pages are counted as each file finishes.
"""

from __future__ import annotations

import sys
import time
from collections import Counter

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table


class ConsoleReporter:
    def __init__(self, quiet: bool, bar: bool | None = None):
        self.quiet = quiet
        self.err = Console(stderr=True, highlight=False)
        self.bar = (not quiet and sys.stderr.isatty()) if bar is None else bar
        self.progress: Progress | None = None
        self.entries: list[dict] = []
        self.resumed = 0
        self.pages = 0
        self.failures = 0
        self.started = time.monotonic()

    # --- runner.Reporter ----------------------------------------------------------------------------
    def start(self, total: int, resumed: int) -> None:
        self.resumed = resumed
        self.started = time.monotonic()
        if resumed and not self.quiet:
            typer.echo(f"resuming: {resumed} of {total} input(s) finished in an earlier run are skipped "
                       f"(--force converts them again)")
        if self.bar:
            self.progress = Progress(
                TextColumn("[bold]converting"), BarColumn(), MofNCompleteColumn(),
                TextColumn("files · {task.fields[pages]} pages · {task.fields[failed]} failed"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=self.err, transient=True)
            self.progress.start()
            self.task = self.progress.add_task("batch", total=total - resumed, pages=0, failed=0)

    def done(self, entry: dict) -> None:
        self.entries.append(entry)
        self.pages += entry["pages"]
        ok = entry["status"] in ("ok", "partial")
        self.failures += not ok
        self._line(entry, ok)
        if self.progress is not None:
            self.progress.update(self.task, advance=1, pages=self.pages, failed=self.failures)

    # --- output -------------------------------------------------------------------------------------
    def _line(self, entry: dict, ok: bool) -> None:
        if not ok:
            for error in entry["errors"]:
                self._print(f"FAILED {error}", err=True)
        elif entry["status"] == "partial":  # incomplete is never ok: said even with --quiet
            self._print(f"PARTIAL {entry['file']}: {entry['forms']} form(s), {entry['pages']} page(s)"
                        f"{''.join(f'; {e}' for e in entry['errors'])}", err=True)
        elif not self.quiet:
            warnings = "".join(f"; {e}" for e in entry["errors"])
            tables = f"{entry['tables']} table(s), " if entry.get("tables") else ""
            self._print(f"ok     {entry['file']}: {entry['forms']} form(s), {tables}{entry['pages']} page(s), "
                        f"{entry['seconds']['total']:.2f}s{warnings}", err=False)

    def _print(self, text: str, err: bool) -> None:
        if self.progress is not None:  # above the bar, not through it
            self.progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(text, err=err)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def summary(self, manifest: dict, out: str) -> None:
        """A table of the whole batch (this run and the resumed part) and where results are."""
        self.close()
        if self.quiet:
            return
        inputs = manifest["inputs"]
        skipped = [e for e in inputs if e["status"] == "skipped"]  # no reader takes them: not failures
        failed = [e for e in inputs if e["status"] not in ("ok", "skipped", "partial")]
        partial = [e for e in inputs if e["status"] == "partial"]  # this run's and resumed ones alike
        for entry in skipped:
            typer.echo(f"skipped {entry['file']}: {entry['reason']}")
        for entry in partial:
            typer.echo(f"partial {entry['file']}: {'; '.join(entry['errors'])}")
        seconds = time.monotonic() - self.started
        table = Table(title="batch summary", show_header=True, header_style="bold")
        for column in ("", "inputs", "forms", "tables", "pages"):
            table.add_column(column, justify="right" if column else "left")
        ok = [e for e in inputs if e["status"] == "ok"]
        table.add_row("converted", str(len(ok)), str(sum(e["forms"] for e in ok)),
                      str(sum(e.get("tables", 0) for e in ok)), str(sum(e["pages"] for e in ok)))
        if partial:
            table.add_row("partial", str(len(partial)), str(sum(e["forms"] for e in partial)),
                          str(sum(e.get("tables", 0) for e in partial)), str(sum(e["pages"] for e in partial)))
        table.add_row("failed", str(len(failed)), "", "", "")
        if skipped:
            table.add_row("skipped", str(len(skipped)), "", "", "")
        if self.resumed:
            table.add_row("of which done earlier", str(self.resumed), "", "", "")
        for reason, count in Counter(e.get("error_type", "other") for e in failed).most_common():
            table.add_row(f"  failed: {reason}", str(count), "", "", "")
        converted_now = len(self.entries)
        rate = f"{converted_now / seconds:.1f} files/s, {self.pages / seconds:.1f} pages/s" if seconds > 0 else ""
        table.caption = f"this run: {converted_now} input(s) in {seconds:.1f}s ({rate})"
        Console(highlight=False, soft_wrap=True).print(table)
        tables = sum(e.get("tables", 0) for e in inputs)
        typer.echo(f"{len(ok)} of {len(inputs) - len(skipped)} input(s) converted"
                   f"{f' ({len(partial)} more in part)' if partial else ''}, "
                   f"{sum(e['forms'] for e in inputs)} form(s){f', {tables} table(s)' if tables else ''}"
                   f"{f', {len(skipped)} file(s) skipped' if skipped else ''}; "
                   f"results in {out}/ (projects.csv, indicators.csv, manifest.json)")
