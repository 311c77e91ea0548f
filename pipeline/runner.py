"""The recipe: the ordered lists of stages below are what runs over each input; one manifest.

`convert` runs, in order: READ (ingest), each of PAGE_STEPS over the pages one
page at a time, the windowing of those pages into runs that hold whole forms
(forms.windows), and each of FORM_STAGES over every run. Every stage is timed
into the manifest's `seconds` under its name (a page step as `page.<name>`).
An input that cannot be converted is recorded with its reason and the batch
goes on. A batch runs its inputs on an executor (pipeline/executors.py: in
this process, on every core, or on Ray) and resumes where an earlier run of
it stopped (pipeline/state.py).
"""

from __future__ import annotations

import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Protocol

from pipeline import confidence, corrections
from pipeline.config import Settings
from pipeline.errors import (InputError, Interrupted, NoFormFound, OutputError, PipelineError, TimedOut,
                             UnreadableInput, UsageError)
from pipeline.executors import make_executor
from pipeline.files import out_lock
from pipeline.inputs import discover, out_names, unowned
from pipeline.model import Document, Page
from pipeline.records import SCHEMA_VERSION
from pipeline.stages import (complete, forms, generic, ingest, normalize, ocr, pages, parts, repair, scan,
                             summaries, tables, validate, write)
from pipeline.stages.pages import PageStep
from pipeline.state import RunState, sweep_temp_files

Stage = Callable[[Document, Settings], Document]  # a document stage: the whole input, or one run of its pages

READ: tuple[str, Stage] = ("ingest", ingest.run)  # identify, check, load text dumps

# Each page, one at a time (pages.PageWork in, PageWork out); a step returns at once when it does not apply.
PAGE_STEPS: list[tuple[str, PageStep]] = [
    ("triage", tables.triage),        # usable text layer → read it; else mark scanned
    ("raster", scan.rasterise),       # scanned PDF page → pixels at scan.dpi
    ("preprocess", scan.preprocess),  # upright, deskew, seal ink removed
    ("grid", scan.find_grid),         # ruled lines → table cells
    ("ocr", ocr.read_page),           # text of cells and of the lines around them (uncertain cells re-read)
]

# Then the pages in runs that hold whole forms (forms.windows, timed as `pages` with the steps above);
# each run of pages, as a document of its own, through:
FORM_STAGES: list[tuple[str, Stage]] = [
    ("forms", forms.run),          # cut the run of pages into forms
    ("tables_out", generic.run),   # tables no form claimed → plain tables, stitched across pages
    ("repair", repair.run),        # undo the extraction's damage, record each change
    ("normalize", normalize.run),  # typed values, canonical units and comparators
    ("validate", validate.run),    # schema and consistency checks → review warnings
    ("complete", complete.run),    # is each form whole? what is missing → `incomplete` review, status partial
    ("confidence", confidence.run),  # each field's calibrated probability of being right; unsure → flagged
    ("write", write.run),          # per-form JSON and CSV
]


def read_pages(doc: Document, settings: Settings) -> Iterator[Page]:
    """The ingested document's pages through PAGE_STEPS, lazily: one page's images at a time."""
    works = pages.read(doc, settings)
    for name, step in PAGE_STEPS:
        works = pages.each(name, step, works, settings)
    return pages.finish(works, doc)


def convert(path: Path, settings: Settings, out_name: str, parts: tuple[Path, ...] = (),
            missing: tuple[str, ...] = (), write_files: bool = True) -> Document:
    """Read, cut, repair and write one input, keeping only one run of pages in memory at a time.

    `parts`: the files of one form in several files, in page order (stages/parts.py; `path` is the
    first), `missing` the parts the naming rule expects but are absent. What stays of a written
    run is small: each page's number, timings and errors, and each form's record and output path.
    `write_files=False` skips the write stage (the Python API: records returned, nothing written).
    """
    stages = FORM_STAGES if write_files else [(n, s) for n, s in FORM_STAGES if n != "write"]
    doc = Document(path=path, kind=ingest.document_kind(path, settings), out_name=out_name,
                   parts=list(parts), missing_parts=list(missing))
    name, stage = READ
    doc = _timed(doc, name, stage, doc, settings)
    if missing:
        doc.errors.append(f"{path}: part(s) {', '.join(missing)} of '{Path(path).parent / _stem(parts)}' "
                          f"missing; the {len(parts)} part(s) present are joined in order")
        doc.incomplete.append(doc.errors[-1])
    no_form: NoFormFound | None = None
    unused_pages: list[str] = []
    runs = forms.windows(read_pages(doc, settings), settings)
    while (window := _timed(doc, "pages", next, runs, None)) is not None:
        part = doc.model_copy(update={"pages": window, "forms": [], "tables": [], "errors": [], "outputs": [],
                                      "incomplete": [], "unused_pages": [],
                                      "forms_before": len(doc.forms), "tables_before": len(doc.tables)})
        try:
            for name, stage in stages:
                part = _timed(doc, name, stage, part, settings)
        except NoFormFound as exc:  # pages before the first form, say; the whole input may yet hold one
            no_form = no_form or exc
            used = [page for page in window if page.blocks or page.errors]  # a blank page holds nothing
            part.errors = [f"page {page.number}: no form on this page" for page in used]
            part.unused_pages = [page.number for page in used]
            part.incomplete = []
        unused_pages += part.errors
        doc.incomplete += part.incomplete
        doc.unused_pages += part.unused_pages
        doc.pages += [page.model_copy(update={"blocks": []}) for page in window]
        doc.forms += [form.model_copy(update=_FORM_WORKINGS) for form in part.forms]
        doc.tables += part.tables
        doc.outputs += part.outputs
        del window, part  # before the next run of pages is read
    if not doc.forms and not doc.tables:
        raise no_form or NoFormFound(f"{path}: no performance-target form and no ruled table found")
    doc.errors += unused_pages
    return doc


def _stem(files: tuple[Path, ...]) -> str:
    match = parts.PART_NAME.match(files[0].stem) if files else None
    return f"{match['stem']}_p<N>" if match else (files[0].stem if files else "")


# what a written form no longer needs: its cells and lines (its record holds the result)
_FORM_WORKINGS = {"lines": [], "preceding": [], "rows": [], "tables": [], "indicators": [], "empty_categories": [],
                  "review": [], "fields": {}, "evidence": {}}


def _timed(doc: Document, name: str, call: Callable, *args):
    started = time.perf_counter()
    try:
        return call(*args)
    finally:
        doc.timings[name] = round(doc.timings.get(name, 0.0) + time.perf_counter() - started, 4)


@dataclass(frozen=True)
class Task:
    """One input of a batch, as a worker process or a Ray node receives it (with the settings)."""

    index: int  # position in the batch: results are put back in input order
    file: Path  # as named on the command line or found under a named folder
    out_name: str  # its folder under --out
    parts: tuple[Path, ...] = ()  # a form in several files: every file, in page order (`file` is the first)
    missing: tuple[str, ...] = ()  # the parts the naming rule expects but are absent


class Reporter(Protocol):
    def start(self, total: int, resumed: int) -> None:
        """The batch holds `total` inputs, of which `resumed` finished in an earlier run."""

    def done(self, entry: dict) -> None:
        """One input finished converting (entry["status"] says how)."""


class _Silent:
    def start(self, total: int, resumed: int) -> None:
        pass

    def done(self, entry: dict) -> None:
        pass


def run_batch(paths: list[Path], settings: Settings, report: Reporter | None = None,
              force: bool = False) -> dict:
    """Convert every input not finished in an earlier run; write the run summary; return the manifest.

    Each finished input is persisted at once, by the worker that converted it
    (pipeline/state.py), so a run that is killed loses only the inputs in
    flight, and rerunning it resumes.
    """
    report = report or _Silent()
    started = datetime.now(timezone.utc)
    skipped: list[dict] = []
    roots: dict[Path, Path] = {}
    inputs = discover(paths, settings, skipped, roots)
    if not inputs:  # an empty folder must not replace an earlier run's summaries with empty ones
        named = ", ".join(str(p) for p in paths)
        extra = f" ({len(skipped)} file(s) of types no reader takes)" if skipped else ""
        raise UsageError(f"no inputs: {named} holds no file to convert{extra}; nothing written")
    with out_lock(settings.out_dir):  # one writer at a time on a --out
        return _run_batch(inputs, skipped, roots, started, settings, report, force)


def _run_batch(inputs: list[parts.Input], skipped: list[dict], roots: dict[Path, Path], started: datetime,
               settings: Settings, report: Reporter, force: bool) -> dict:
    sweep_temp_files(settings.out_dir)
    state = RunState(settings.out_dir, settings.fingerprint())
    entries: list[dict | None] = [None] * len(inputs)
    tasks = []
    for index, (item, out_name) in enumerate(zip(inputs, unowned(out_names(inputs, settings, roots), inputs, state))):
        earlier = None if force else state.finished(item.file, out_name, item.parts)
        if earlier is not None:
            entries[index] = {**earlier, "out_name": out_name}  # a partial one stays partial: its entry says so again
        else:
            tasks.append(Task(index, item.file, out_name, item.parts, item.missing))
    tasks.sort(key=_size, reverse=True)  # big files first: no worker is left with one at the end
    report.start(len(inputs), resumed=len(inputs) - len(tasks))
    executor = make_executor(settings, len(tasks))
    try:
        with _sigterm_as_interrupt():
            for task, entry in executor.map(convert_and_record, tasks, settings):
                entries[task.index] = entry
                report.done(entry)
    except KeyboardInterrupt:
        executor.stop()  # workers are gone: what they were writing is only ever a temporary file
        sweep_temp_files(settings.out_dir)
        finished = [e for e in entries if e is not None]
        _write_summary(started, finished + skipped, settings, interrupted=True)
        raise Interrupted(f"interrupted: {len(finished)} of {len(inputs)} input(s) done and written; "
                          f"run the same command again to resume (finished inputs are skipped)") from None
    fixes = corrections.apply_run(entries, settings)  # a person's corrections outlive every rerun
    return _write_summary(started, entries + skipped, settings, fixes=fixes)


@contextmanager
def _deadline(seconds: float, path: Path):
    """TimedOut when the block runs past `seconds` (a real-time alarm: where the converting thread
    is the process's main one, as in every executor's workers and the serial executor)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    expired = []
    message = f"{path}: not converted within {seconds:g} s (batch.input_timeout_s); skipped"

    def expire(signum, frame):
        expired.append(True)
        raise TimedOut(message)

    earlier = signal.signal(signal.SIGALRM, expire)
    # then again every second: a step that catches every exception (one bad page must not cost the
    # file) may swallow one; and whatever the block ends with once it expired, it timed out
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    except Exception:
        if expired:
            raise TimedOut(message) from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, earlier)
    if expired:
        raise TimedOut(message)


@contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (what `timeout`, a scheduler or `docker stop` sends) stops a batch as Ctrl-C does:
    the workers are stopped, what finished is written with the summaries, a rerun resumes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    earlier = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, earlier)


def _size(task: Task) -> int:
    try:
        return sum(f.stat().st_size for f in task.parts or (task.file,))
    except OSError:
        return 0  # missing: reported when its turn comes


def _write_summary(started: datetime, entries: list[dict], settings: Settings, interrupted: bool = False,
                   fixes: dict | None = None) -> dict:
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config_fingerprint": settings.fingerprint(),
        **({"interrupted": True} if interrupted else {}),
        **({"corrections": fixes} if fixes and (fixes["applied"] or fixes["problems"]) else {}),
        "inputs": [{k: v for k, v in e.items() if k != "records"} for e in entries],
    }
    summaries.write_run_summary(entries, settings.out_dir, settings, manifest)
    return manifest


def convert_and_record(task: Task, settings: Settings) -> dict:
    """The per-file task an executor runs: convert, then persist the input's state where it ran
    (the workers write in parallel; the driver only gathers)."""
    return RunState(settings.out_dir, settings.fingerprint()).record(task.out_name, convert_task(task, settings))


def convert_task(task: Task, settings: Settings) -> dict:
    """Convert one input; never raises for a bad input: the entry says what went wrong."""
    path, out_name = task.file, task.out_name
    entry: dict = {"file": str(path), "out_name": out_name, "status": "failed", "forms": 0, "pages": 0,
                   **({"parts": [str(p) for p in task.parts]} if task.parts else {}),
                   "seconds": {}, "errors": [], "outputs": [], "records": []}
    started = time.perf_counter()
    try:
        with _deadline(settings.batch.input_timeout_s, path):
            doc = convert(path, settings, out_name, task.parts, task.missing)
    except InputError as exc:
        entry["errors"].append(str(exc))
        entry["error_type"] = type(exc).__name__
    except OutputError as exc:
        entry["errors"].append(f"{path}: results not written: {exc}")
        entry["error_type"] = type(exc).__name__
    except PipelineError as exc:
        entry["errors"].append(str(exc))
        entry["error_type"] = type(exc).__name__
    except OSError as exc:  # reading the input: permissions, an I/O error (writing raises OutputError)
        entry["errors"].append(f"{path}: cannot read: {exc.strerror or exc}")
        entry["error_type"] = UnreadableInput.__name__
    except Exception as exc:  # a bug of ours: keep the batch going, keep the evidence
        entry["errors"].append(f"{path}: internal error {type(exc).__name__}: {exc}")
        entry["traceback"] = traceback.format_exc()
    else:
        out_dir = settings.out_dir.resolve()
        partial = bool(doc.incomplete or doc.unused_pages)
        entry.update({
            "status": "partial" if partial else "ok",  # partial: part of it is not in the input (doc.incomplete)
            **({"unused_pages": doc.unused_pages} if partial else {}),
            "sha256": doc.sha256,
            "forms": len(doc.forms),
            "tables": len(doc.tables),
            "pages": len(doc.pages),
            "seconds": doc.timings,
            "errors": doc.errors,
            "outputs": [str(p.relative_to(out_dir)) for p in doc.outputs],
            "records": [{"number": i, "record": f.record, "json": str(f.output.relative_to(out_dir))}
                        for i, f in enumerate(doc.forms, start=1)],
        })
    if "sha256" not in entry and all(f.is_file() for f in task.parts or (path,)):  # a failed input is still identified
        try:
            entry["sha256"] = ingest.input_sha256(list(task.parts or (path,)))
        except OSError:
            pass
    entry["seconds"]["total"] = round(time.perf_counter() - started, 4)
    return entry
