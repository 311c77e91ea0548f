"""Write a split of the generated 绩效目标表 corpus: files per carrier, truth.json, index.json.

    python scripts/make_corpus.py --split heldout --out corpus/heldout --count 60
    python scripts/make_corpus.py --split dev --out /tmp/dev --count 12 --carriers pdf,dump --templates project
    python scripts/make_corpus.py --split dev --out /tmp/dev --count 12 --carriers pdf --scans scan200,photo

Splits by seed: dev 0-99999, heldout 100000-199999 (file i of a split has seed base + i); the
heldout split is scored (tests, `make bench`), never looked at or tuned on. Same arguments give
byte-identical files. Needs reportlab, python-docx, openpyxl (`pip install -e .[samples]`) and
the CJK fonts (`make fonts`). `--scans` then scans the split's PDFs into the scanned carriers
(scripts/corpus/scans.py: scan200, scan150grey, fax, photo, rotated, scanmixed; needs pdfplumber, pypdfium2,
OpenCV), each form's truth copied per scanned carrier.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.corpus import corpus, scans  # noqa: E402
from scripts.corpus.records import TEMPLATES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=sorted(corpus.SPLITS), required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--count", type=int, default=60, help="files to write (default 60)")
    ap.add_argument("--carriers", default=",".join(corpus.CARRIERS),
                    help=f"comma-separated, of {','.join(corpus.CARRIERS)}")
    ap.add_argument("--templates", default=",".join(TEMPLATES), help=f"comma-separated, of {','.join(TEMPLATES)}")
    ap.add_argument("--scans", default="", help=f"comma-separated, of {','.join(scans.CARRIERS)}: "
                                                "the PDFs scanned (pdf is then among the carriers)")
    args = ap.parse_args(argv)
    carriers, scanned = args.carriers.split(","), [c for c in args.scans.split(",") if c]
    if scanned and "pdf" not in carriers:
        ap.error("--scans scans the split's PDFs: include pdf in --carriers")
    t0 = time.perf_counter()
    try:
        stats = corpus.generate(args.split, args.out, args.count, carriers, args.templates.split(","))
        print(f"{args.split}: {stats['files']} files, {stats['forms']} forms -> {args.out} "
              f"({time.perf_counter() - t0:.1f} s)")
        if scanned:
            t0 = time.perf_counter()
            stats = scans.write(args.out, scanned)
            print(f"scans: {stats['files']} files, {stats['pages']} pages, {stats['forms']} forms "
                  f"({time.perf_counter() - t0:.1f} s)")
    except ValueError as exc:
        ap.error(str(exc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
