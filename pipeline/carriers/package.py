"""The checks before a Word or Excel file is opened, so its failure modes become one clear line.

A .docx or .xlsx is a zip of XML parts. What arrives under those names is
often something else: an old binary .doc/.xls renamed, a password-protected
file (Office then writes an OLE compound file holding the encrypted zip), a
download cut short, or a zip bomb. The readers themselves (python-docx,
openpyxl) fail on these with tracebacks about XML parts; here each gets its
own reason, naming the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipeline.errors import CorruptInput, EncryptedInput

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: old .doc/.xls, or an encrypted OOXML
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")  # the directory entry of an encrypted package
MAX_UNPACKED_RATIO = 100  # parts unpacking to this many times the file (and past max_bytes) are a bomb


def check_package(path: Path, main_part: str, what: str, max_bytes: int) -> None:
    """Raise CorruptInput/EncryptedInput unless `path` is a readable zip holding `main_part`."""
    with path.open("rb") as fh:
        head = fh.read(len(_OLE_MAGIC))
        if head == _OLE_MAGIC:
            fh.seek(0)
            if _ENCRYPTION_STREAM in fh.read():
                raise EncryptedInput(f"{path}: {what} is password-protected; save a copy without a password")
            raise CorruptInput(f"{path}: an old binary Office file (.doc/.xls), not a {what}; "
                               f"save it in the current format")
    if not zipfile.is_zipfile(path):
        raise CorruptInput(f"{path}: not a {what} (not a zip package); is it misnamed or cut short?")
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            unpacked = sum(info.file_size for info in package.infolist())
            broken = package.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorruptInput(f"{path}: damaged {what} ({exc})") from exc
    if broken is not None:
        raise CorruptInput(f"{path}: damaged {what} (part {broken} fails its checksum)")
    if main_part not in names:
        raise CorruptInput(f"{path}: a zip without {main_part}, not a {what}")
    if unpacked > max(max_bytes, MAX_UNPACKED_RATIO * path.stat().st_size):
        raise CorruptInput(f"{path}: {what} unpacks to {unpacked // 2**20} MB; refused (zip bomb?)")


def one_line(exc: BaseException) -> str:
    """A library's error as a short reason: its type and the first line of its message."""
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0][:200]}" if message else type(exc).__name__
