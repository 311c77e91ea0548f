"""One extractor on one sample set, in this process: seconds per page, field accuracy, cell agreement.

    python bench/measure.py EXTRACTOR SET --repeat N [--quick] → one JSON object on stdout

bench/peers.py runs this once per (extractor, set) in a fresh subprocess, so each gets its own
peak memory (read by the parent from the child's rusage). Extractors:

- `formpipe`: our pipeline, `runner.convert` end to end.
- peers, each replacing only our pages stage, then our forms → repair → normalize → validate →
  write stages on what it produced ("what a user gets with X as the extraction step"):
  - `camelot-lattice`, `pdfplumber` (digital PDFs): their tables, the peer's own rows and
    columns; text outside their tables from the PDF text layer, read by the same code as ours.
  - `img2table-tesseract` (scans): its ruled tables with Tesseract `chi_sim` (borderless tables
    and implicit rows/columns off, its own rotation/skew correction on); text outside its tables
    from the same Tesseract pass.
  - `rapidocr-fullpage` (scans): one RapidOCR pass over the 200-dpi page; boxes grouped into
    rows by vertical overlap, in x order (bench/peer_tables.py), no table structure of ours.
  - `fullpage-same-model` (scans, runs in our venv): the naive approach with our own recogniser —
    rapidocr's detector over the whole 200-dpi page, every box read by our engine as configured
    (same model, same batching), rows grouped as above.

`--corpus DIR` measures a carrier folder of a generated split instead of a sample set (SET is then
the carrier, e.g. `scan200`; truth from DIR/truth.json, no cell agreement); `--ocr-options` replaces
the config's `ocr.options` (another model, a second opinion).

Each set is run once untimed first (imports, model loading), then `--repeat` times timed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import peer_tables as pt  # noqa: E402
from pipeline import geometry as geo  # noqa: E402
from pipeline.config import Settings, load_settings  # noqa: E402
from pipeline.errors import PipelineError  # noqa: E402
from pipeline.evaluate import evaluate, load_outputs, load_truth  # noqa: E402
from pipeline.model import Document, Page  # noqa: E402
from pipeline.inputs import out_names  # noqa: E402
from pipeline.runner import FORM_STAGES, convert, read_pages  # noqa: E402
from pipeline.stages import ingest, parts, tables  # noqa: E402

SAMPLES = REPO / "sample_pdfs"
TRUTH = REPO / "tests" / "truth" / "justice_2026.json"
SCAN_DPI = 200  # as our scan.dpi default; img2table renders PDFs at 200 dpi too
SETS = {
    "digital PDFs": sorted(SAMPLES.glob("*.pdf")),
    "scans 200 dpi colour": sorted((SAMPLES / "scans" / "200dpi").glob("*.pdf")),
    "scans 150 dpi grey": sorted((SAMPLES / "scans" / "150dpi_grey").glob("*.pdf")),
}
QUICK_FILES = 2  # --quick: the first files of each set only
DOWNSTREAM = FORM_STAGES  # what follows our pages stage: a peer's pages go through them too


# --- peers: file → our Pages ---------------------------------------------------------------------

def camelot_lattice(path: Path, settings: Settings) -> list[Page]:
    import camelot

    found = camelot.read_pdf(str(path), flavor="lattice", pages="all")  # default backend: pdfium
    by_page = defaultdict(list)
    for table in found:
        by_page[int(table.page)].append(table)

    def grids(number: int, height: float):
        for table in by_page[number]:
            yield [[pt.PeerCell(cell.text, (cell.x1, height - cell.y2, cell.x2, height - cell.y1))
                    for cell in row] for row in table.cells]

    return _digital_pages(path, settings, grids)


def pdfplumber_default(path: Path, settings: Settings) -> list[Page]:
    pages: dict[int, list] = {}

    def grids(number: int, height: float):
        for table in pages[number]:
            texts = table.extract()
            yield [[pt.PeerCell(text or "", box) if box is not None else None
                    for box, text in zip(row.cells, row_texts)]
                   for row, row_texts in zip(table.rows, texts)]

    def find(number: int, plumber_page):
        pages[number] = plumber_page.find_tables()  # default table settings

    return _digital_pages(path, settings, grids, before=find)


def _digital_pages(path: Path, settings: Settings, grids, before=None) -> list[Page]:
    """Pages of the peer's tables plus the text layer's lines outside them (our phrase code)."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            if before is not None:
                before(number, page)
            height = float(page.height)
            found = [t for g in grids(number, height) if (t := pt.table_from_grid(g, number)) is not None]
            boxes = [t.bbox for t in found if t.bbox is not None]
            loose = [c for c in page.dedupe_chars().chars if c["text"]
                     and not any(geo.contains(b, geo.centre((c["x0"], c["top"], c["x1"], c["bottom"])))
                                 for b in boxes)]
            keyed = [((t.bbox[1], t.bbox[0], 0), t) for t in found]
            keyed += list(tables._text_lines(loose, number, settings.tables))
            keyed.sort(key=lambda kb: kb[0])
            out.append(Page(number=number, width=float(page.width), height=height,
                            blocks=[b for _, b in keyed]))
    return out


def img2table_tesseract(path: Path, settings: Settings) -> list[Page]:
    from img2table.document import PDF
    from img2table.ocr import TesseractOCR

    class KeepingTesseract(TesseractOCR):
        """img2table's Tesseract; keeps the page words it read, for the lines outside tables.

        Words img2table itself emptied (a lone `|` or `_` becomes None) are dropped: img2table
        2.0 joins them into table titles and fails with a TypeError.
        """

        def of(self, document):
            self.images, self.kept = document.images, super().of(document)
            if self.kept is not None:
                for page, words in self.kept.records.items():
                    self.kept.records[page] = [w for w in words if w["value"] is not None]
            return self.kept

    ocr = KeepingTesseract(lang="chi_sim")  # img2table's defaults otherwise (psm 11, 1 thread)
    # detect_rotation: img2table's own deskew; the sample scans are skewed like real ones
    doc = PDF(str(path), pdf_text_extraction=False, detect_rotation=True)
    found = doc.extract_tables(ocr=ocr, implicit_rows=False, implicit_columns=False, borderless_tables=False)
    scale = 72.0 / SCAN_DPI
    words_by_page: dict[int, list] = {}
    if getattr(ocr, "kept", None) is not None:
        for i, image in enumerate(ocr.images):
            index = next(k for k, im in enumerate(doc.images) if im is image)
            words_by_page[index] = ocr.kept.records.get(i, [])
    pages = []
    for index, image in enumerate(doc.images):
        number = index + 1
        grids = [[[pt.PeerCell(cell.value or "", _scaled((cell.bbox.x1, cell.bbox.y1, cell.bbox.x2, cell.bbox.y2),
                                                         scale)) for cell in row]
                  for row in t.content.values()] for t in found.get(index, [])]
        found_tables = [t for g in grids if (t := pt.table_from_grid(g, number, "ocr")) is not None]
        words = [pt.PeerCell(w["value"], _scaled((w["x1"], w["y1"], w["x2"], w["y2"]), scale))
                 for w in words_by_page.get(index, [])
                 if w["value"] and (w["confidence"] or 0) >= 50]  # img2table's min_confidence
        outside = [w for w in words if not any(geo.contains(t.bbox, geo.centre(w.bbox)) for t in found_tables)]
        lines = pt.text_lines_from_words(outside, number, settings.tables.phrase_gap)
        blocks = sorted(lines + found_tables, key=lambda b: b.bbox[1] if b.bbox else 0.0)
        h, w = image.shape[:2]
        pages.append(Page(number=number, width=w * scale, height=h * scale, blocks=blocks, scanned=True,
                          dpi=SCAN_DPI))
    return pages


_RAPIDOCR = None


def rapidocr_fullpage(path: Path, settings: Settings) -> list[Page]:
    global _RAPIDOCR
    from rapidocr import RapidOCR

    from pipeline.engines import registry

    _RAPIDOCR = _RAPIDOCR or RapidOCR(params={"Global.log_level": "warning"})
    raster = registry.rasterizer("pdfium")
    scale = 72.0 / SCAN_DPI
    pages = []
    for index in range(raster.page_count(path)):
        image = raster.render(path, index, SCAN_DPI)
        result = _RAPIDOCR(image)
        found = zip(result.boxes, result.txts) if result.boxes is not None else []
        boxes = [pt.PeerCell(text, _scaled((min(p[0] for p in quad), min(p[1] for p in quad),
                                            max(p[0] for p in quad), max(p[1] for p in quad)), scale))
                 for quad, text in found]
        h, w = image.shape[:2]
        page = pt.page_from_rows(pt.rows_from_boxes(boxes), index + 1, w * scale, h * scale)
        page.dpi = SCAN_DPI
        pages.append(page)
    return pages


def fullpage_same_model(path: Path, settings: Settings) -> list[Page]:
    from pipeline.engines import registry

    engine = registry.ocr_engine(settings.ocr.engine, **settings.ocr.options)
    raster = registry.rasterizer("pdfium")
    scale = 72.0 / SCAN_DPI
    pages = []
    for index in range(raster.page_count(path)):
        image = raster.render(path, index, SCAN_DPI)
        found = [b.bbox for b in engine.detect(image) if b.bbox[2] > b.bbox[0] and b.bbox[3] > b.bbox[1]]
        readings = engine.recognize([image[y0:y1, x0:x1] for x0, y0, x1, y1 in found]) if found else []
        boxes = [pt.PeerCell(r.text, _scaled(box, scale)) for box, r in zip(found, readings) if r.text]
        h, w = image.shape[:2]
        page = pt.page_from_rows(pt.rows_from_boxes(boxes), index + 1, w * scale, h * scale)
        page.dpi = SCAN_DPI
        pages.append(page)
    return pages


PEERS = {
    "camelot-lattice": camelot_lattice,
    "pdfplumber": pdfplumber_default,
    "img2table-tesseract": img2table_tesseract,
    "rapidocr-fullpage": rapidocr_fullpage,
    "fullpage-same-model": fullpage_same_model,
}


def _scaled(box, scale: float):
    return tuple(float(v) * scale for v in box)


# --- one file through an extractor and our downstream stages ---------------------------------------

def run_peer(name: str, path: Path, settings: Settings, out_name: str) -> tuple[Document, str | None]:
    """The file through the peer, then our downstream stages; (document, why it made no forms, or None).

    Trouble in our stages on the peer's output fails the file as a batch would, but its time
    still counts: the peer spent it.
    """
    doc = Document(path=path, kind="pdf", out_name=out_name)
    started = time.perf_counter()
    doc = ingest.run(doc, settings)
    doc.timings["ingest"] = time.perf_counter() - started
    started = time.perf_counter()
    doc.pages = PEERS[name](path, settings)
    doc.timings["pages"] = time.perf_counter() - started
    for stage_name, stage in DOWNSTREAM:
        started = time.perf_counter()
        try:
            doc = stage(doc, settings)
        except PipelineError as exc:  # e.g. no form found in what the peer extracted
            return doc, str(exc).replace(str(path), path.name)
        except Exception as exc:  # noqa: BLE001 - a bug of ours on odd input: the file fails, as in a batch
            return doc, f"{path.name}: internal error in {stage_name}, {type(exc).__name__}: {str(exc).splitlines()[0]}"
        finally:
            doc.timings[stage_name] = time.perf_counter() - started
    return doc, None


def measure(extractor: str, files: list[Path], repeat: int, partial: bool = False,
            truth: list[dict] | None = None, ocr_options: dict | None = None) -> dict:
    """With `partial` (a subset of the set's files), only the truth forms on those files' pages count.
    With `truth` (a corpus carrier's forms), fields are scored against it, template by template as
    bench/corpus.py does, and no cell agreement is measured."""
    out_dir = Path(tempfile.mkdtemp(prefix="bench-out-"))
    overrides: dict = {"out_dir": str(out_dir)}
    if ocr_options is not None:
        overrides["ocr"] = {"options": ocr_options}
    settings = load_settings(overrides=overrides)
    names = out_names([parts.Input(p) for p in files], settings)
    per_page: dict[str, list[float]] = defaultdict(list)
    pages_of: dict[Path, list[Page]] = {}
    errors: list[str] = []
    for attempt in range(repeat + 1):  # attempt 0 warms up (imports, models) and is not timed
        for path, name in zip(files, names):
            if attempt == 0 and path != files[0]:
                continue
            started = time.perf_counter()
            failure = None
            if extractor == "formpipe":
                doc = convert(path, settings, name)
            else:
                doc, failure = run_peer(extractor, path, settings, name)
            if failure and attempt == repeat:
                errors.append(failure)
            total = time.perf_counter() - started
            if attempt == 0:
                continue
            pages_of[path] = doc.pages
            n = max(1, len(doc.pages))
            downstream = sum(v for k, v in doc.timings.items() if k in dict(DOWNSTREAM))
            per_page["total"] += [total / n] * n  # each page counts once, as a file's share
            per_page["extract"] += [doc.timings.get("pages", 0.0) / n] * n
            per_page["document stages"] += [downstream / n] * n
            for page in doc.pages:
                for step, seconds in page.timings.items():
                    per_page[step].append(seconds)
    if truth is not None:
        report = _corpus_report(load_outputs(out_dir), truth)
        matched = reference = 0
    else:
        if extractor == "formpipe":  # convert() keeps no page contents once written: read them again, untimed
            pages_of = {path: our_pages(path, settings) for path in files}
        references = {path: reference_pages(path) for path in files}
        truth = load_truth(TRUTH)
        if partial:
            truth = forms_in(truth, [p for pages in references.values() for p in pages])
        report = evaluate(load_outputs(out_dir), truth)
        matched, reference = _agreement(references, pages_of)
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"extractor": extractor, "files": len(files), "pages": len(per_page["total"]) // max(1, repeat),
            "per_page": dict(per_page), "accuracy": report.accuracy, "fields": [report.correct, report.total],
            "silent": len(report.silent), "flagged": report.flagged_wrong + report.flagged_right,
            "cells": [matched, reference], "errors": errors}


def _corpus_report(records: list[dict], forms: list[dict]):
    """One report over a corpus carrier, each template's forms paired among that template's files."""
    from bench.corpus import add
    from pipeline.evaluate import Report

    total = Report()
    for template in sorted({f["template"] for f in forms}):
        expected = [f for f in forms if f["template"] == template]
        files = {Path(f["source_file"]).name for f in expected}
        add(total, evaluate([r for r in records if (r.get("source") or {}).get("file") in files], expected))
    return total


def corpus_set(split_dir: Path, carrier: str) -> tuple[list[Path], list[dict]]:
    """A generated split's carrier folder: its files, and the truth forms they hold."""
    folder = split_dir / carrier
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such carrier folder (scripts/make_corpus.py --scans writes it)")
    forms = json.loads((split_dir / "truth.json").read_text(encoding="utf-8"))["forms"]
    return (sorted(p for p in folder.iterdir() if p.is_file()),
            [f for f in forms if f["source_file"].startswith(f"{carrier}/")])


# --- the raw measure: cells of the digital original reproduced -----------------------------------

def our_pages(path: Path, settings: Settings) -> list[Page]:
    """Our pages stage's output for a file (the tables and lines before forms are cut)."""
    doc = Document(path=path, kind=ingest.document_kind(path, settings), out_name="pages")
    return list(read_pages(ingest.run(doc, settings), settings))


def _agreement(references: dict[Path, list[Page]], pages_of: dict[Path, list[Page]]) -> tuple[int, int]:
    matched = total = 0
    for path, pages in references.items():
        got = {p.number: p for p in pages_of.get(path, [])}
        for number, reference in enumerate(pages, start=1):
            m, t = pt.cell_agreement(reference, got.get(number))
            matched, total = matched + m, total + t
    return matched, total


def forms_in(truth: list[dict], pages: list[Page]) -> list[dict]:
    """The truth forms whose project or department name stands in a cell of these pages."""
    texts = set(pt.cell_texts_of(pages))
    return [form for form in truth if (form.get("project_name") or form.get("department_name")) in texts]


def reference_pages(path: Path) -> list[Page]:
    """The digital original's pages as our text-layer reader reads them (exact text, no OCR)."""
    import pdfplumber

    settings = load_settings()
    sources = _scan_sources().get(path.resolve())
    if sources is None:  # a digital sample is its own reference
        sources = [(path, i) for i in range(1, _page_count(path) + 1)]
    out = []
    for source, number in sources:
        with pdfplumber.open(source) as pdf:
            out.append(tables.extract_pdf_page(pdf.pages[number - 1], number, settings.tables))
    return out


def _scan_sources() -> dict[Path, list[tuple[Path, int]]]:
    manifest = json.loads((SAMPLES / "scans" / "scans.json").read_text(encoding="utf-8"))
    return {(SAMPLES / "scans" / rel).resolve(): [(SAMPLES / p["source"], p["source_page"]) for p in entry["pages"]]
            for rel, entry in manifest.items()}


def _page_count(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("extractor", choices=["formpipe", *PEERS])
    parser.add_argument("set", help=f"one of {', '.join(SETS)}; with --corpus, a carrier folder")
    parser.add_argument("--corpus", type=Path, help="a generated split (scripts/make_corpus.py)")
    parser.add_argument("--ocr-options", type=json.loads, help="JSON replacing ocr.options")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK_FILES} files of the set")
    parser.add_argument("--json", type=Path, help="write the result here (peers print to stdout themselves)")
    args = parser.parse_args()
    truth = None
    if args.corpus is not None:
        files, truth = corpus_set(args.corpus, args.set)
    elif args.set in SETS:
        files = SETS[args.set]
    else:
        parser.error(f"unknown set '{args.set}' (known: {', '.join(SETS)}; or a carrier with --corpus)")
    if args.quick:
        files = files[:QUICK_FILES]
        names = {p.name for p in files}
        truth = None if truth is None else [f for f in truth if Path(f["source_file"]).name in names]
    if args.extractor in ("formpipe", "fullpage-same-model") and args.set != "digital PDFs":
        from pipeline.engines import registry

        settings = load_settings(overrides={"ocr": {"options": args.ocr_options or {}}})
        registry.ocr_engine(settings.ocr.engine, **settings.ocr.options)  # loaded before timing, as in a bulk run
    result = measure(args.extractor, files, args.repeat, partial=args.quick and truth is None,
                     truth=truth, ocr_options=args.ocr_options)
    result["set"] = args.set
    text = json.dumps(result, ensure_ascii=False)
    if args.json is not None:
        args.json.write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
