"""Write a split of the generated 绩效目标表 corpus: files per carrier, truth.json, index.json.

    python scripts/make_corpus.py --split heldout --out corpus/heldout --count 60
    python scripts/make_corpus.py --split dev --out /tmp/dev --count 12 --carriers pdf,dump --templates project

Splits by seed: dev 0-99999, heldout 100000-199999 (file i of a split has seed base + i); the
heldout split is scored (tests, `make bench`), never looked at or tuned on. Same arguments give
byte-identical files. Needs reportlab, python-docx, openpyxl (`pip install -e .[samples]`) and
the CJK fonts (`make fonts`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.corpus import corpus  # noqa: E402
from scripts.corpus.records import TEMPLATES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=sorted(corpus.SPLITS), required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--count", type=int, default=60, help="files to write (default 60)")
    ap.add_argument("--carriers", default=",".join(corpus.CARRIERS),
                    help=f"comma-separated, of {','.join(corpus.CARRIERS)}")
    ap.add_argument("--templates", default=",".join(TEMPLATES), help=f"comma-separated, of {','.join(TEMPLATES)}")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        stats = corpus.generate(args.split, args.out, args.count, args.carriers.split(","),
                                args.templates.split(","))
    except ValueError as exc:
        ap.error(str(exc))
    print(f"{args.split}: {stats['files']} files, {stats['forms']} forms -> {args.out} "
          f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
