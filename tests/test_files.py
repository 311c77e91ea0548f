"""Writing files (pipeline/files.py): CSV cells a spreadsheet would run are neutralised, files get
the umask's permissions, names lose bidirectional controls."""

from __future__ import annotations

import csv
import io
import os
import stat

import pytest

from pipeline import files


@pytest.mark.parametrize("cell, written", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("-5", "-5"), ("+3.5%", "+3.5%"), ("-", "-"), ("法律援助", "法律援助"), ("a=b", "a=b"),
])
def test_text_that_would_run_as_a_formula_is_neutralised(cell, written):
    text = files.csv_text(["v", "n"], [{"v": cell, "n": -5}], bom=False)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["v"] == written and row["n"] == "-5"  # a number stays a number


def test_a_header_from_a_document_is_neutralised_too():
    text = files.csv_text(["=1+1"], [{"=1+1": "x"}], bom=False)
    assert text.splitlines()[0] == "'=1+1"


def test_files_take_the_umask_not_0600(tmp_path):
    files.atomic_write(tmp_path / "a.json", "{}")
    assert stat.S_IMODE(os.stat(tmp_path / "a.json").st_mode) == files.FILE_MODE
    assert files.FILE_MODE & 0o044  # with the usual umask colleagues can read it


def test_names_lose_bidi_controls_and_separators():
    assert files.safe_name("ab\u202efdp.exe", 60) == "abfdp.exe"
    assert files.safe_name("../../etc/passwd", 60) == "etc_passwd"
