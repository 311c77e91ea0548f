"""Where the shipped data lives: configs/ (settings, templates, vocabulary, the confidence model)
and schema/ (the output contracts). In an installed wheel they are package data under
pipeline/_data/ (setup.py copies them there at build time); in a checkout, the repository's own
top-level folders, which stay their one source."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`configs` or `schema`: the installed copy when there is one, else the checkout's."""
    packaged = _PACKAGE / "_data" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
