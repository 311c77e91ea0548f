"""Executors: where the per-file tasks of a batch run — here, on every core, or on a Ray cluster.

Each executor maps one picklable task through one module-level function
(`runner.convert_task`: task, settings → manifest entry) and yields
(task, entry) as results arrive, in completion order; the runner puts them
back in input order. Only a few tasks are in flight at a time, so a batch of
tens of thousands of files costs no more memory than a batch of ten.
Executors are chosen by name (`batch.executor`, `--executor`).
"""

from __future__ import annotations

import faulthandler
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from pipeline.config import Settings
from pipeline.errors import UsageError

Task = Any  # runner.Task: picklable, with .file (the input as named)
TaskFn = Callable[[Task, Settings], dict]
IN_FLIGHT_PER_WORKER = 2  # queued tasks per worker: enough to never idle, few enough to stop fast


class Executor(Protocol):
    def map(self, fn: TaskFn, tasks: list[Task], settings: Settings) -> Iterator[tuple[Task, dict]]: ...

    def stop(self) -> None:
        """Abandon work in flight (Ctrl-C); finished results were already yielded."""


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def thread_share(workers: int) -> int:
    return max(1, cores() // max(1, workers))


class SerialExecutor:
    """In this process, one file after another (one worker, or a debugger).

    Its OCR runtime takes every core unless a thread count is asked for
    (`--threads`, to leave cores to other work or to measure scaling).
    """

    def __init__(self, threads: int = 0):
        self.threads = threads

    def map(self, fn, tasks, settings):
        if self.threads:
            from pipeline.engines import registry

            registry.limit_threads(self.threads)
        for task in tasks:
            yield task, fn(task, settings)

    def stop(self) -> None:
        pass


# --- processes on this machine ---------------------------------------------------------------------

_worker_settings: Settings | None = None
_worker_slots = None   # shared with the parent: per worker, the task it runs and since when
_worker_slot = 0
_worker_watchdog_s = 0.0


def _init_worker(settings: Settings, threads: int, parent: int, slots, taken, watchdog_s: float) -> None:
    """Once per worker process: its share of threads, settings, its slot, and no life after its parent."""
    global _worker_settings, _worker_slots, _worker_slot, _worker_watchdog_s
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)  # before any numeric runtime is loaded (spawned process)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from pipeline.engines import registry

    registry.limit_threads(threads)  # onnxruntime sessions and OpenCV
    _worker_settings = settings
    with taken.get_lock():
        _worker_slot, taken.value = taken.value, taken.value + 1
    _worker_slots, _worker_watchdog_s = slots, watchdog_s
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A parent killed with -9 cannot stop its workers; they notice and go."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def watchdog_seconds(settings: Settings) -> float:
    """When a worker is stopped from outside: a little after the input's own alarm
    (batch.input_timeout_s), which stops Python code but not native code that never returns."""
    limit = settings.batch.input_timeout_s
    return limit + max(5.0, limit / 10) if limit else 0.0


def _in_worker(fn: TaskFn, seq: int, task: Task) -> dict:
    base = 2 * _worker_slot
    _worker_slots[base], _worker_slots[base + 1] = seq, time.monotonic()
    if _worker_watchdog_s:  # faulthandler's C thread needs no GIL: it ends a worker stuck in native code
        faulthandler.dump_traceback_later(_worker_watchdog_s, exit=True, file=_devnull())
    try:
        return fn(task, _worker_settings)
    finally:
        faulthandler.cancel_dump_traceback_later()
        _worker_slots[base] = -1


_null = None


def _devnull():
    global _null
    if _null is None:
        _null = open(os.devnull, "w")  # the entry says what happened; the stack is no user's business
    return _null


def _lost(task: Task, why: str) -> dict:
    return {"file": str(task.file), "status": "failed", "forms": 0, "pages": 0, "seconds": {},
            "errors": [f"{task.file}: {why}"], "outputs": [], "records": [], "error_type": "WorkerLost"}


def _stuck(task: Task, settings: Settings) -> dict:
    return {**_lost(task, f"not converted within {settings.batch.input_timeout_s:g} s (batch.input_timeout_s: "
                          f"stuck in native code, its worker was stopped); skipped"), "error_type": "TimedOut"}


class ProcessExecutor:
    """A pool of spawned worker processes, each with `threads` threads for OCR (cores // workers).

    Each worker loads the OCR models once (the engine registry caches them per
    process) and converts file after file. A worker that dies (a crash in
    native code, the OOM killer) costs the file it held, reported as such;
    the pool is rebuilt for the rest. A file whose conversion is stuck in native
    code past batch.input_timeout_s (where the in-process alarm cannot reach)
    has its worker ended by a watchdog a little later; it is reported timed out
    and not retried.
    """

    def __init__(self, workers: int, threads: int):
        self.workers = workers
        self.threads = threads
        self._pool = None
        self._slots = None

    def _start(self, settings: Settings):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        self._slots = context.Array("d", [-1.0, 0.0] * self.workers, lock=False)
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init_worker,
            initargs=(settings, self.threads, os.getpid(), self._slots, context.Value("i", 0),
                      watchdog_seconds(settings)))
        return self._pool

    def _stuck_seqs(self, settings: Settings) -> set[int]:
        """The tasks whose worker ran them past the watchdog: the one that stopped it, not a crash."""
        limit, now, slots = watchdog_seconds(settings), time.monotonic(), self._slots
        return {int(slots[i]) for i in range(0, len(slots), 2)
                if limit and slots[i] >= 0 and now - slots[i + 1] >= limit}

    def map(self, fn, tasks, settings):
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        pending = enumerate(tasks)
        pool = self._start(settings)
        running: dict = {}
        window = self.workers * IN_FLIGHT_PER_WORKER
        try:
            while True:
                for seq, task in pending:
                    running[pool.submit(_in_worker, fn, seq, task)] = (seq, task)
                    if len(running) >= window:
                        break
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                broken = []
                for future in done:
                    seq, task = running.pop(future)
                    try:
                        yield task, future.result()
                    except BrokenProcessPool:
                        broken.append((seq, task))
                if broken:  # every task in flight is lost with the pool; retry each alone but a stuck one
                    broken += list(running.values())
                    running.clear()
                    pool.shutdown(wait=True)
                    stuck = self._stuck_seqs(settings)
                    for seq, task in broken:
                        if seq in stuck:
                            yield task, _stuck(task, settings)
                    yield from self._retry_alone(fn, [t for seq, t in broken if seq not in stuck], settings)
                    pool = self._start(settings)
        finally:
            self.stop()

    def _retry_alone(self, fn, tasks, settings):
        """After a pool broke: each task it held on a fresh single worker, to find the culprit."""
        from concurrent.futures.process import BrokenProcessPool

        for task in tasks:
            solo = ProcessExecutor(1, self.threads)
            try:
                future = solo._start(settings).submit(_in_worker, fn, 0, task)
                try:
                    entry = future.result()
                except BrokenProcessPool:
                    entry = (_stuck(task, settings) if solo._stuck_seqs(settings) else
                             _lost(task, "worker process died converting it (crash or out of memory)"))
                yield task, entry
            finally:
                solo.stop()

    def stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # work in flight is abandoned: its outputs are atomic, never half
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():  # SIGTERM blocked or ignored by native code: no choice left
                process.kill()
                process.join(timeout=5)


# --- Ray --------------------------------------------------------------------------------------------

_ray_threads_set = False


def _in_ray_worker(fn: TaskFn, task: Task, settings: Settings, cwd: str, threads: int) -> dict:
    """A Ray task: the same per-file function, with paths as the driver named them."""
    global _ray_threads_set
    if not _ray_threads_set:
        from pipeline.engines import registry

        registry.limit_threads(threads)
        _ray_threads_set = True
    if os.path.isdir(cwd):  # relative inputs and --out are relative to the driver's directory
        os.chdir(cwd)
    return fn(task, settings)


class RayExecutor:
    """The same per-file task on a Ray cluster (`pip install -e '.[ray]'`).

    Every node must see the inputs and --out at the same paths (a shared
    filesystem). Each task takes `threads` CPUs of the cluster (`--threads`,
    default 1) and as many OCR threads.
    """

    def __init__(self, workers: int, threads: int, address: str | None):
        self.workers = workers
        self.threads = threads
        self.address = address
        self._refs: list = []

    def map(self, fn, tasks, settings):
        try:
            import ray
        except ImportError as exc:
            raise UsageError("--executor ray needs Ray: pip install -e '.[ray]'") from exc
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
        largest = max((n["Resources"].get("CPU", 0) for n in ray.nodes() if n.get("Alive")), default=0)
        if self.threads > largest:  # Ray would wait for such a node for ever
            raise UsageError(f"--threads {self.threads}: no node of the Ray cluster has that many CPUs "
                             f"(the largest has {largest:g})")
        remote = ray.remote(num_cpus=self.threads, max_retries=0)(_in_ray_worker)
        settings_ref = ray.put(settings)
        cwd = os.getcwd()
        slots = int(ray.cluster_resources().get("CPU", 1)) // self.threads
        window = max(1, slots) * IN_FLIGHT_PER_WORKER
        pending = iter(tasks)
        running: dict = {}
        while True:
            for task in pending:
                running[remote.remote(fn, task, settings_ref, cwd, self.threads)] = task
                if len(running) >= window:
                    break
            if not running:
                return
            self._refs = list(running)
            [ready], _ = ray.wait(list(running), num_returns=1)
            task = running.pop(ready)
            try:
                entry = ray.get(ready)
            except ray.exceptions.RayError as exc:  # the worker died: the file is lost, the batch goes on
                entry = _lost(task, f"Ray worker failed converting it ({type(exc).__name__})")
            yield task, entry

    def stop(self) -> None:
        if self._refs:
            import ray

            for ref in self._refs:
                ray.cancel(ref, force=True)
            self._refs = []


# name → (workers, OCR threads asked for (0: not asked), settings) → executor
EXECUTORS: dict[str, Callable[[int, int, Settings], Executor]] = {
    "serial": lambda workers, threads, settings: SerialExecutor(threads),
    "process": lambda workers, threads, settings: (
        ProcessExecutor(workers, threads or thread_share(workers)) if workers > 1 else SerialExecutor(threads)),
    "ray": lambda workers, threads, settings: RayExecutor(workers, threads or 1, settings.batch.ray_address),
}


def make_executor(settings: Settings, n_tasks: int) -> Executor:
    """The executor the settings name, with no more workers than tasks."""
    name, asked = settings.batch.executor, settings.batch
    if name not in EXECUTORS:
        raise UsageError(f"unknown executor '{name}' (known: {', '.join(EXECUTORS)})")
    if asked.workers < 0:
        raise UsageError(f"--workers must be 1 or more (0: one per core), not {asked.workers}")
    if asked.threads < 0:
        raise UsageError(f"--threads must be 1 or more (0: the cores shared out among workers), not {asked.threads}")
    workers = min(asked.workers or cores(), max(1, n_tasks))
    return EXECUTORS[name](workers, asked.threads, settings)

