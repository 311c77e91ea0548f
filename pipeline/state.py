"""What makes a run resumable: one state file per input under `<out>/.state/`.

When an input finishes, its manifest entry — sha256, config fingerprint,
status, outputs and the records the run-wide CSVs are built from — is written
atomically to `.state/<out_name>.json`. A rerun skips an input whose state
says it converted with the same bytes, the same config and the same record
schema and whose outputs are all there, however its path is typed this time;
failed inputs are tried again. A `partial` input (part of a form not in it) is finished too: it is not converted again, but its entry, status
`partial` and causes, is reported again, so the rerun's summary and exit code
say partial as the first run did. Outputs a new conversion no
longer writes are removed, so nothing stale lingers.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.records import SCHEMA_VERSION
from pipeline.stages.ingest import input_sha256
from pipeline.files import atomic_write, inside

MANIFEST = "manifest.json"
STATE_DIR = ".state"
TEMP_SUFFIX = ".tmp"
FINISHED = ("ok", "partial")  # not converted again on a rerun (a partial input stays reported partial)  # atomic_write's temporary files: .<name>.<random>.tmp


def read_manifest(out_dir: Path) -> dict:
    """The manifest of a folder `pipeline run` wrote; a usage error for any other folder."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict):
        raise UsageError(f"{out_dir}: not a folder written by `pipeline run` (no readable {MANIFEST})")
    return manifest


class RunState:
    def __init__(self, out_dir: Path, fingerprint: str):
        self.out_dir = out_dir
        self.fingerprint = fingerprint

    def _path(self, out_name: str) -> Path:
        return inside(self.out_dir, self.out_dir / STATE_DIR / f"{out_name}.json")

    def load(self, out_name: str) -> dict | None:
        try:
            return json.loads(self._path(out_name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # none yet, or unreadable: convert again

    def finished(self, file: Path, out_name: str, parts: tuple[Path, ...] = ()) -> dict | None:
        """The entry of an earlier conversion still valid for this input, else None.

        `parts`: the files of an input joined from several (stages/parts.py); the same files
        in the same order, with the same bytes, or it converts again."""
        entry = self.load(out_name)
        # the bytes and the config decide, not how the path was typed (`./in/a.pdf`, `/abs/in/a.pdf`)
        if (entry is None or entry.get("status") not in FINISHED
                or len(entry.get("parts", [])) != len(parts)
                or entry.get("config_fingerprint") != self.fingerprint):
            return None
        if not all((self.out_dir / p).is_file() for p in entry["outputs"]):
            return None
        if any(form["record"].get("schema_version") != SCHEMA_VERSION for form in entry.get("records", [])):
            return None  # written by an older release (no form_id, say): convert again
        try:
            same_bytes = entry.get("sha256") == input_sha256(list(parts or (file,)))
        except OSError:
            return None
        if not same_bytes:
            return None
        return {**entry, "file": str(file), **({"parts": [str(p) for p in parts]} if parts else {})}

    def owned_by_another(self, out_name: str, file: Path, parts: tuple[Path, ...] = ()) -> bool:
        """Does `out_name` hold another input's results (an earlier run's file of the same name from
        another folder)? Then this input must not write there: it would delete that one's files.
        The same bytes moved elsewhere are the same input."""
        entry = self.load(out_name)
        owner = (entry or {}).get("source_path")
        if owner is None or owner == str(Path(file).resolve()):
            return False
        try:
            return entry.get("sha256") != input_sha256(list(parts or (file,)))
        except OSError:
            return True

    def record(self, out_name: str, entry: dict) -> dict:
        """Persist a finished input; remove the outputs its earlier conversion wrote and this one did not."""
        entry = {**entry, "config_fingerprint": self.fingerprint, "source_path": str(Path(entry["file"]).resolve())}
        earlier = self.load(out_name)
        same_input = earlier is not None and (earlier.get("source_path") in (None, entry["source_path"])
                                              or earlier.get("sha256") == entry.get("sha256"))
        if same_input:  # never another input's files (_unowned keeps inputs out of each other's folders)
            for stale in set(earlier.get("outputs", [])) - set(entry["outputs"]):
                inside(self.out_dir, self.out_dir / stale).unlink(missing_ok=True)
        atomic_write(self._path(out_name), json.dumps(entry, ensure_ascii=False, indent=1) + "\n")
        return entry


def sweep_temp_files(out_dir: Path) -> int:
    """Temporary files a killed run left behind (never a finished output): remove them.

    Only where the run writes: --out itself and the folders directly in it.
    """
    swept = 0
    for pattern in (f".*{TEMP_SUFFIX}", f"*/.*{TEMP_SUFFIX}"):
        for tmp in out_dir.glob(pattern):
            if tmp.is_file():
                tmp.unlink(missing_ok=True)
                swept += 1
    return swept
