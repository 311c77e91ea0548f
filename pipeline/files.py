"""Writing files safely: names from document text made safe, every path kept inside --out, every file
written to a temporary name and renamed (an interrupted run never leaves half a file) with the
permissions the user's umask gives, and CSV cells that a spreadsheet would run as a formula
neutralised (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import OutputError, PipelineError, UsageError

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
# bidirectional controls reorder how a name is shown (`ab‮fdp.exe` reads as `abexe.pdf`): never in a name
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMULA = re.compile(r"^[=@\t\r]|^[+\-](?![\d.,]+%?$).")  # `=…`, `@…`, `+…`/`-…` that is not a plain number


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give: colleagues on a shared folder can read results


def printable(text: str, json_text: bool = False) -> str:
    """Text that UTF-8 can hold: a file name that was not UTF-8 (a GBK-named archive unzipped on
    Linux: Python keeps its bytes as lone surrogates) shows its bytes as `\\xb7\\xa8`, so JSON and
    CSV stay valid and the name stays recognisable. `json_text`: inside JSON, where `\\` is escaped."""
    if not _SURROGATE.search(text):
        return text
    slash = "\\\\" if json_text else "\\"
    return _SURROGATE.sub(lambda m: f"{slash}x{ord(m.group()) - 0xDC00:02x}", text)


def safe_name(text: str | None, max_chars: int, fallback: str = "form") -> str:
    """A file-name part from document text: no separators, no controls, no dots at the ends, bounded."""
    name = _UNSAFE.sub("_", _BIDI.sub("", printable(text or ""))).strip(" ._")
    name = re.sub(r"\.{2,}", "_", name)
    return name[:max_chars].rstrip(" ._") or fallback


def inside(out_dir: Path, path: Path) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(out_dir.resolve()):
        raise PipelineError(f"{path}: refusing to write outside --out {out_dir}")
    return resolved


def atomic_replace(path: Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` fills a temporary file beside `path`, which is then renamed onto it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, FILE_MODE)  # mkstemp makes 0600 whatever the umask
        os.replace(tmp, path)
    except OSError as exc:  # disk full, quota, a file too large: one line, the file named
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: str, encoding: str = "utf-8") -> None:
    data = printable(data, json_text=path.suffix in (".json", ".js"))  # JSON, or JSON in a script

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding=encoding, newline="") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    atomic_replace(path, write)


def csv_safe(value):
    """A cell a spreadsheet shows as text, never runs: text starting like a formula gets a leading
    apostrophe (OWASP); numbers, and text that is a plain signed number (`-5`), stay as they are."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def csv_text(header: list[str], rows: list[dict], bom: bool) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[csv_safe(h) for h in header], extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({csv_safe(k): csv_safe(v) for k, v in row.items()} for row in rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


LOCK_FILE = ".lock"


@contextmanager
def out_lock(out_dir: Path) -> Iterator[None]:
    """One writer at a time on a --out: two runs on one folder would sweep each other's temporary
    files and overwrite each other's summaries, so a second one is refused, naming the first."""
    import fcntl

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise UsageError(f"{out_dir}: cannot write results there: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise UsageError(f"{out_dir}: another pipeline run (pid {holder}) is writing there; wait for it "
                             f"to finish, or give another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
