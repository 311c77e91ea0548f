"""What a batch converts, and where each input's results go: the files named on the command line
and those under named folders (`discover`), joined into inputs where one form is in several files,
and each input's folder under --out (`out_names`, `unowned`), mirroring the input tree."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.config import Settings
from pipeline.files import safe_name
from pipeline.stages import ingest, parts
from pipeline.state import RunState


def discover(paths: list[Path], settings: Settings, skipped: list[dict] | None = None,
             roots: dict[Path, Path] | None = None) -> list[parts.Input]:
    """Files named on the command line, and the supported files under named folders, as inputs:
    a form's pages in several files (`<stem>_p1.jpg`, `<stem>_p2.jpg`; a `<name>.pages/` folder)
    are one input (stages/parts.py).

    A file under a folder that no reader takes is not converted but not hidden either: it is
    appended to `skipped` as a manifest entry saying why. Hidden files and folders stay unseen, and
    so does --out when it lies inside a named folder: its CSV and JSON results are not inputs.
    `roots` gets, for each file found under a named folder, that folder (out_names mirrors the tree).
    """
    suffixes = set(ingest.supported_suffixes(settings))
    results = settings.out_dir.resolve()
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = [p for p in _walk(path) if results not in p.resolve().parents]
            found += [p for p in files if p.suffix.lower() in suffixes]
            if roots is not None:
                roots.update({p: path for p in files})
            if skipped is not None:
                skipped += [skipped_entry(p) for p in files if p.suffix.lower() not in suffixes]
        else:
            found.append(path)  # a missing or unsupported file is reported by convert
    once: dict[Path, Path] = {}  # a file named twice (itself and by its folder, or by two paths) is one input
    for p in found:
        once.setdefault(p.resolve() if p.exists() else p, p)
    return parts.group(list(once.values()), settings.image_suffixes, settings.pdf_suffixes)


def _walk(folder: Path) -> list[Path]:
    """The files under a folder, sorted, symlinked folders followed (each real folder once, so a
    link back up cannot loop); hidden files and folders left out."""
    out: list[Path] = []
    seen: set[str] = set()
    for top, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out += [Path(top) / n for n in names if not n.startswith(".") and (Path(top) / n).is_file()]
    return sorted(out)


def skipped_entry(path: Path) -> dict:
    """The manifest entry of a file in a named folder that no reader takes."""
    return {"file": str(path), "status": "skipped", "forms": 0, "pages": 0, "seconds": {}, "errors": [],
            "outputs": [], "reason": f"unsupported file type '{path.suffix.lower() or '(none)'}'"}


def out_names(inputs: list[parts.Input], settings: Settings, roots: dict[Path, Path] | None = None) -> list[str]:
    """Each input's folder under --out, from its own path only, so that adding a file to a folder
    never moves another's results: the input's folder relative to the folder named on the command
    line, then its stem (`2024/a.pdf` under `scans/` → `2024/a`; a file named itself → `a`). Inputs
    that would share a folder are told apart by the least that does: the named folder's own name
    (`in1/x`, `in2/x`: two named folders holding `x.pdf`), their suffix (`a.pdf`, `a.docx`), both;
    only the same file named twice is numbered."""
    roots = roots or {}
    limit = settings.output.max_name_chars

    def name(item: parts.Input, suffix: bool, root_name: bool) -> str:
        root, folder = roots.get(item.file), item.file.parent
        if item.parts and folder.name.lower().endswith(parts.PAGES_FOLDER_SUFFIX):
            folder = folder.parent  # a `<name>.pages/` folder is the input itself
        steps = list(folder.relative_to(root).parts) if root is not None and folder.is_relative_to(root) else []
        if root_name and root is not None:
            steps.insert(0, root.resolve().name)
        stem = item.stem + (item.file.suffix.lower() if suffix else "")
        return "/".join(safe_name(step, limit, fallback="input") for step in [*steps, stem])

    names = [name(item, False, False) for item in inputs]
    for clash in {n for n in names if names.count(n) > 1}:
        group = [i for i, n in enumerate(names) if n == clash]
        for suffix, root_name in ((False, True), (True, False), (True, True)):  # the least that tells them apart
            told = [name(inputs[i], suffix, root_name) for i in group]
            if len(set(told)) == len(told):
                break
        else:
            told = [clash] * len(group)  # nothing tells them apart: numbered below
        for i, n in zip(group, told):
            names[i] = n
    seen: dict[str, int] = {}
    for i, n in enumerate(names):  # the same file named twice, or names that still clash
        seen[n] = seen.get(n, 0) + 1
        if seen[n] > 1:
            names[i] = f"{n}-{seen[n]}"
    return names


def unowned(names: list[str], inputs: list[parts.Input], state: RunState) -> list[str]:
    """Names whose folder an earlier run gave another input (a same-named file from elsewhere) are
    numbered for this input, so that no run deletes or overwrites another input's results."""
    taken = set(names)
    out = []
    for name, item in zip(names, inputs):
        candidate, n = name, 2
        while state.owned_by_another(candidate, item.file, item.parts):
            candidate, n = f"{name}-{n}", n + 1
            while candidate in taken:
                candidate, n = f"{name}-{n}", n + 1
        taken.add(candidate)
        out.append(candidate)
    return out
