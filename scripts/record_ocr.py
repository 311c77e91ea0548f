"""Record what the real OCR engine reads on a scan, for the fast recorded-OCR tests.

    .venv/bin/python scripts/record_ocr.py sample_pdfs/scans/200dpi/falv_yuanzhu_2026_scan200.pdf

writes tests/engines/recorded/<stem>.json (line signatures and readings) and
tests/engines/recorded/<stem>.expected.json (the records the real engine produced).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.config import load_settings  # noqa: E402
from pipeline.engines import registry  # noqa: E402
from pipeline.engines.recorded import RecordingEngine  # noqa: E402
from pipeline.evaluate import load_outputs  # noqa: E402
from pipeline.runner import run_batch  # noqa: E402


def main(path: Path) -> None:
    settings = load_settings(overrides={"out_dir": tempfile.mkdtemp()})
    recording = RecordingEngine(registry.ocr_engine(settings.ocr.engine))
    registry.OCR_ENGINES["recording"] = lambda **_: recording
    settings.ocr.engine = "recording"
    run_batch([path], settings)
    folder = REPO / "tests" / "engines" / "recorded"
    folder.mkdir(parents=True, exist_ok=True)
    recording.save(folder / f"{path.stem}.json")
    records = [{k: v for k, v in r.items() if k != "source"} for r in load_outputs(settings.out_dir)]
    (folder / f"{path.stem}.expected.json").write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n",
                                                       encoding="utf-8")
    print(f"recorded {len(recording.records)} lines from {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
