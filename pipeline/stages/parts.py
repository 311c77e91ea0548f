"""Which files are one input: a form whose pages arrived as separate files.

Two documented rules, nothing guessed from contents:

- **Numbered parts**: files in one folder named `<stem>_p<N>.<ext>`, `<stem>-p<N>.<ext>`,
  `<stem>_page<N>.<ext>` or `<stem>-page<N>.<ext>` (the `p`/`page` marker case-insensitive; PART_NAME)
  with the same `<stem>` and of one family — all images, or all PDFs — are one input, its pages
  in N order (p10 after p9). N runs from 1; a number missing (p1, p3) joins what is there and
  the input is `partial`, its error naming the missing part. One such file alone with N = 1 is
  a plain input; two files with the same N (a .jpg and a .png) are not joined.
- **A `.pages` folder**: every image and PDF directly in a folder whose name ends with `.pages`
  (`申报表.pages/`) is one input, its files in name order (numbers in names compared as numbers).

The input is named by its first part: its manifest `file` and its records' `source.file`;
`parts` lists every file joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PART_NAME = re.compile(r"^(?P<stem>.+?)[_-](?:p|page)(?P<n>\d+)$", re.IGNORECASE)
PAGES_FOLDER_SUFFIX = ".pages"


@dataclass(frozen=True)
class Input:
    """One input of a batch: one file, or the parts of one form in page order."""

    file: Path  # the first part: the input's name in the manifest and in its records
    parts: tuple[Path, ...] = ()  # every file joined, in page order; () for a single file
    missing: tuple[str, ...] = ()  # the parts the rule expects but are absent ("p2")
    name: str = ""  # what its output folder is named after (the stem the parts share)

    @property
    def stem(self) -> str:
        return self.name or self.file.stem

    @property
    def files(self) -> tuple[Path, ...]:
        return self.parts or (self.file,)


def _family(path: Path, image_suffixes: set[str], pdf_suffixes: set[str]) -> str | None:
    suffix = path.suffix.lower()
    return "image" if suffix in image_suffixes else "pdf" if suffix in pdf_suffixes else None


def natural_key(path: Path) -> list:
    """Name order with numbers compared as numbers (page2 before page10)."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def group(files: list[Path], image_suffixes: list[str], pdf_suffixes: list[str]) -> list[Input]:
    """The files as inputs, joining parts by the two rules; otherwise in the order given."""
    images, pdfs = {s.lower() for s in image_suffixes}, {s.lower() for s in pdf_suffixes}
    joined: dict[Path, Input] = {}  # first part → the joined input
    taken: set[Path] = set()
    folders: dict[Path, list[Path]] = {}
    numbered: dict[tuple[Path, str, str], list[tuple[int, Path]]] = {}
    for path in files:
        family = _family(path, images, pdfs)
        if family is None:
            continue
        if path.parent.name.lower().endswith(PAGES_FOLDER_SUFFIX) and len(path.parent.name) > len(PAGES_FOLDER_SUFFIX):
            folders.setdefault(path.parent, []).append(path)
        elif match := PART_NAME.match(path.stem):
            numbered.setdefault((path.parent, match["stem"], family), []).append((int(match["n"]), path))
    for folder, members in folders.items():
        members = sorted(set(members), key=natural_key)
        joined[members[0]] = Input(members[0], tuple(members), name=folder.name[:-len(PAGES_FOLDER_SUFFIX)])
        taken.update(members)
    for (_, stem, _), members in numbered.items():
        numbers = [n for n, _ in members]
        if len(set(numbers)) < len(numbers) or (numbers == [1]) or 0 in numbers:
            continue  # ambiguous (two files for one page), a lone first part, or a p0: not parts
        members.sort()
        missing = tuple(f"p{n}" for n in range(1, max(numbers) + 1) if n not in set(numbers))
        paths = tuple(p for _, p in members)
        joined[paths[0]] = Input(paths[0], paths, missing, name=stem)
        taken.update(paths)
    inputs: list[Input] = []
    for path in files:
        if path in joined:
            inputs.append(joined[path])
        elif path not in taken:
            inputs.append(Input(path))
    return inputs
