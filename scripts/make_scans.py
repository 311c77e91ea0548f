"""Make realistic "scans" of the digital sample PDFs.

Real 绩效目标表 arrive as scans: stamped with the unit's red seal, signed by
hand, skewed, photocopied, saved as image-only PDFs or loose JPEG/TIFF files.
This script turns the committed digital samples `sample_pdfs/*.pdf` (8 forms
on 9 pages, already signed) into such scans, so the scan path of the pipeline
can be tested against the same ground truth `tests/truth/justice_2026.json`.

Run it from the repository root:

    .venv/bin/python scripts/make_scans.py        # or: make scans

It needs pypdfium2, pdfplumber, pillow, numpy and OpenCV (all installed with the package)
(`pip install -e .[samples]`) and the CJK fonts

    apt-get install fonts-wqy-zenhei fonts-arphic-ukai fonts-arphic-uming

(WenQuanYi Zen Hei letters the seal and the date stamp; the handwritten
signatures in AR PL UKai are already in the digital samples, made by
scripts/make_samples.py with the same fonts).

Every random choice comes from a NumPy generator seeded with a CRC of the
set/file/page name, and the writers get fixed dates, so a rerun gives
byte-identical files.

Two stages, as on a real desk (the drawing and scanner pieces live in
scripts/corpus/degrade.py, shared with the corpus's scanned carriers):

1. the *paper*: the digital page rendered, then stamped -- a red seal over the
   unit name of `填报单位（盖章）：…`, on some pages a second one over a table
   cell, on two pages a blue ballpoint mark -- and tinted. The paper is the
   same in every output set (seal position, rotation and ink texture are
   seeded by the page alone), so a seal covers the same cells everywhere;
2. the *scan*: skew and offset, uneven lighting, greyscale/photocopy
   contrast, dust specks, optical blur, sensor noise, JPEG compression --
   drawn per set and page.

What it writes under `sample_pdfs/scans/` (or `--out DIR`):

* 200dpi/<stem>_scan200.pdf       image-only PDFs, colour, 200 dpi, one per input
* 150dpi_grey/<stem>_scan150g.pdf image-only PDFs, greyscale photocopy, 150 dpi
* loose/justice_projects_bundle_300dpi.tif   forms 1-4, multi-page TIFF, grey
* loose/<stem>_photo.jpg          phone-photo-like colour JPEGs, 250 dpi
  (justice_department_2026_photo_p1.jpg / _p2.jpg for the 2-page form)
* loose/xingzheng_zhifa_peixun_2026_rot90.jpg  a sideways scan (90° clockwise)
* scans.json                      per file and page: the degradations drawn,
  and where every seal is (page points and the table cells under it)

Note: the rot90 file repeats the 行政执法人员培训费 form that
`xingzheng_zhifa_peixun_2026_photo.jpg` already holds, so `loose/` has 9
form images of the 8 forms.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.corpus.degrade import (  # noqa: E402  (the paper and scanner stages)
    BLUE_INK, BOLD_FONT, SEAL_DIAMETER_PT, SEAL_RED, Profile, ink_texture, multiply_ink, render, save_pdf,
    scan, seal_mask, seeded)

SRC_DIR = ROOT / "sample_pdfs"
OUT_DIR = SRC_DIR / "scans"     # --out moves it

UNIT = "株洲市渌口区司法局"

SOURCES = [  # stem -> pages; 8 forms, the department form spans 2 pages
    "justice_projects_bundle",
    "zhengfu_falv_guwen_2026",
    "xingzheng_zhifa_peixun_2026",
    "falv_yuanzhu_2026",
    "justice_department_2026",
]


# ====================================================================== paper
# Which extra marks each physical sheet carries. The seal over the unit name is
# added on every page that prints 填报单位; these are the cells stamped as well
# (row: the text of a cell in that row, col: the column header or index) and
# the blue marks. Chosen by hand so the report below is exact.

@dataclass(frozen=True)
class CellSeal:
    row: str
    col: str | int


@dataclass
class PageMarks:
    cell_seals: list[CellSeal] = field(default_factory=list)
    blue: str | None = None            # "tick" (ballpoint tick + initials) or "date_stamp"


MARKS: dict[tuple[str, int], PageMarks] = {
    ("justice_projects_bundle", 0): PageMarks([CellSeal("年度本级预算金额", 1)]),     # amount "10"
    ("justice_projects_bundle", 1): PageMarks(blue="tick"),
    ("justice_projects_bundle", 2): PageMarks([CellSeal("安置帮教人数在册人数", "度量单位")]),
    ("zhengfu_falv_guwen_2026", 0): PageMarks([CellSeal("年度本级预算金额", 1)]),     # the blank amount
    ("falv_yuanzhu_2026", 0): PageMarks([CellSeal("年初预算金额", "指标值")]),
    ("justice_department_2026", 1): PageMarks([CellSeal("保障公民的合法权益", "指标值")],
                                              blue="date_stamp"),
}


def norm(text: str | None) -> str:
    return (text or "").replace("\n", "").strip()


@dataclass
class Grid:
    """One pdfplumber table: cell boxes (pt, top-left origin) and their text."""

    boxes: list[list[tuple | None]]
    texts: list[list[str]]
    header_row: int | None             # the 一级指标/二级指标/三级指标 row, if on this page
    columns: dict[str, int]            # header text -> column index

    def row_label(self, r: int) -> str:
        """三级指标 text of an indicator row, else the first text in the row."""
        if r == self.header_row:
            return "header"
        col3 = self.columns.get("三级指标")
        if col3 is not None and (self.header_row is None or r > self.header_row) and self.texts[r][col3]:
            return self.texts[r][col3]
        return next((t for t in self.texts[r] if t), "")

    def col_label(self, r: int, c: int) -> str:
        """Header of an indicator column; above the header, "label" or "value"."""
        if self.columns and (self.header_row is None or r >= self.header_row):
            return next((k for k, v in self.columns.items() if v == c), f"col{c}")
        return "label" if c == 0 else "value"

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        for r, row in enumerate(self.boxes):
            for c, b in enumerate(row):
                if b and b[0] <= x <= b[2] and b[1] <= y <= b[3]:
                    return r, c
        return None


@dataclass
class Layout:
    """Where things are on one digital page, in pt."""

    width: float
    height: float
    unit_box: tuple | None             # the unit name on the 填报单位 line
    words: list[dict]                  # pdfplumber words: text, x0, top, x1, bottom
    table_box: tuple
    grid: Grid


def read_layouts(pdf_path: Path) -> list[Layout]:
    layouts: list[Layout] = []
    columns: dict[str, int] = {}       # a continuation page inherits the header
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            table = page.find_tables()[0]
            texts = [[norm(t) for t in row] for row in table.extract()]
            boxes = [list(row.cells) for row in table.rows]
            header_row = next((r for r, row in enumerate(texts) if "三级指标" in row), None)
            if header_row is not None:
                columns = {t: c for c, t in enumerate(texts[header_row]) if t}
            unit_box = None
            if page.search("填报单位"):
                hits = [h for h in page.search(UNIT) if h["bottom"] < table.bbox[1]]
                unit_box = (hits[0]["x0"], hits[0]["top"], hits[0]["x1"], hits[0]["bottom"])
            words = page.extract_words()
            layouts.append(Layout(float(page.width), float(page.height), unit_box, words, table.bbox,
                                  Grid(boxes, texts, header_row, dict(columns))))
    return layouts


def find_cell(grid: Grid, spec: CellSeal) -> tuple[int, int]:
    for r, row in enumerate(grid.texts):
        if spec.row in row:
            c = spec.col if isinstance(spec.col, int) else grid.columns[spec.col]
            if grid.boxes[r][c] is None:
                raise ValueError(f"{spec}: merged-away cell")
            return r, c
    raise ValueError(f"{spec}: no such row")


def text_under(layout: Layout, centre: tuple, radius: float) -> list[dict]:
    """Printed words that the seal's disc touches, with the cell they sit in.

    Not every such word gets ink (the seal is mostly empty inside), but this
    is the list of strings a reader has to recover from under red.
    """
    out = []
    for w in layout.words:
        nx = min(max(centre[0], w["x0"]), w["x1"])      # nearest point of the word box
        ny = min(max(centre[1], w["top"]), w["bottom"])
        if math.hypot(nx - centre[0], ny - centre[1]) >= radius:
            continue
        item = {"text": w["text"]}
        rc = layout.grid.cell_at((w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2)
        if rc:
            item["row"], item["col"] = layout.grid.row_label(rc[0]), layout.grid.col_label(*rc)
        out.append(item)
    return out


# ------------------------------------------------------------------ drawing


def blue_tick_mask(scale: float, rng: np.random.Generator) -> np.ndarray:
    """A ballpoint tick followed by a looped initials scribble (pt units * scale)."""
    ss = 3
    w, h = int(110 * scale * ss), int(40 * scale * ss)
    img = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(img)
    u = scale * ss
    jitter = lambda: rng.normal(0, 0.4) * u  # noqa: E731 - a hand is never exact
    tick = [(4 * u, 18 * u), (9 * u, 24 * u), (12 * u + jitter(), 30 * u), (22 * u, 14 * u),
            (34 * u + jitter(), 3 * u)]
    width = max(1, round(0.9 * u))
    d.line(tick, fill=255, width=width, joint="curve")
    # initials: a prolate cycloid -- loops like quick cursive
    t = np.linspace(0, 5.2 * math.pi, 220)
    xs = 42 * u + t / (5.2 * math.pi) * 60 * u - 7 * u * np.sin(t)
    ys = 20 * u - 9 * u * np.cos(t) * (1 - t / (8 * math.pi)) + 3 * u * np.sin(0.5 * t)
    d.line(list(zip(xs.tolist(), ys.tolist())), fill=255, width=width, joint="curve")
    img = img.resize((w // ss, h // ss), Image.LANCZOS)
    return np.asarray(img, np.float32) / 255.0 * 0.9


def date_stamp_mask(scale: float, rng: np.random.Generator) -> np.ndarray:
    """A blue 收文 date stamp: double-ruled box, office, date, 收讫."""
    ss = 3
    u = scale * ss
    w, h = int(120 * u), int(58 * u)
    img = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(img)
    lw = max(1, round(1.2 * u))
    d.rounded_rectangle([lw, lw, w - lw, h - lw], radius=6 * u, outline=255, width=lw)
    d.rounded_rectangle([4 * u, 4 * u, w - 4 * u, h - 4 * u], radius=4 * u, outline=255,
                        width=max(1, lw // 2))
    font = ImageFont.truetype(BOLD_FONT, round(10 * u))
    big = ImageFont.truetype(BOLD_FONT, round(13 * u))
    d.text((w / 2, 15 * u), "渌口区财政局", font=font, fill=255, anchor="mm")
    d.text((w / 2, 30 * u), "2026.01.20", font=big, fill=255, anchor="mm")
    d.text((w / 2, 45 * u), "收  讫", font=font, fill=255, anchor="mm")
    img = img.resize((w // ss, h // ss), Image.LANCZOS).rotate(
        rng.uniform(-6, 6), resample=Image.BICUBIC, expand=True)
    m = np.asarray(img, np.float32) / 255.0
    return ink_texture(m, rng, 8 * scale, bleed=0.5) * 0.85


def bottom_free_spot(layout: Layout, need_h: float) -> tuple[float, float] | None:
    """Centre (pt) of an empty strip below the table, toward the right."""
    top = layout.table_box[3] + 18
    if layout.height - 40 - top < need_h:
        return None
    return layout.table_box[2] - 90, top + need_h / 2 + 6


# ------------------------------------------------------------------ paper

@dataclass
class Paper:
    image: np.ndarray                  # float RGB, the stamped sheet at some dpi
    info: dict                         # seals and marks, in pt


def seal_targets(layout: Layout, marks: PageMarks) -> list[tuple[str, tuple, tuple | None]]:
    """(kind, centre in pt, table cell) of every seal the sheet gets."""
    targets = []
    if layout.unit_box:                # the seal a clerk puts over the unit name
        ub = layout.unit_box
        targets.append(("unit", ((ub[0] + ub[2]) / 2, (ub[1] + ub[3]) / 2), None))
    for spec in marks.cell_seals:
        r, c = find_cell(layout.grid, spec)
        b = layout.grid.boxes[r][c]
        targets.append(("cell", ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2), (r, c)))
    return targets


def stamp_seals(img: np.ndarray, k: float, layout: Layout, marks: PageMarks,
                rng: np.random.Generator, key: tuple) -> list[dict]:
    seals = []
    for kind, (cx, cy), cell in seal_targets(layout, marks):
        # a hand stamp lands a few points off and turned a little
        cx, cy = cx + rng.normal(0, 3), cy + rng.normal(0, 2)
        angle = float(rng.uniform(-15, 15))
        mask = seal_mask(SEAL_DIAMETER_PT * k, angle, seeded("seal-ink", *key, kind), UNIT)
        multiply_ink(img, mask, (cx * k, cy * k), SEAL_RED)
        entry = {"over": "unit name (填报单位 line)" if kind == "unit" else "table cell",
                 "centre_pt": [round(cx, 1), round(cy, 1)], "diameter_pt": round(SEAL_DIAMETER_PT, 1),
                 "rotation_deg": round(angle, 1)}
        if cell:
            r, c = cell
            entry["cell"] = {"row": layout.grid.row_label(r), "col": layout.grid.col_label(r, c),
                             "text": layout.grid.texts[r][c]}
        entry["text_under"] = text_under(layout, (cx, cy), SEAL_DIAMETER_PT / 2)
        seals.append(entry)
    return seals


def stamp_blue(img: np.ndarray, k: float, layout: Layout, kind: str, key: tuple) -> dict:
    """Blue ink as colour noise, in blank paper below the table (never over print)."""
    mask = (blue_tick_mask if kind == "tick" else date_stamp_mask)(k, seeded("blue", *key))
    spot = bottom_free_spot(layout, mask.shape[0] / k)
    if spot is None:
        raise ValueError(f"{key}: no free space for the blue mark")
    multiply_ink(img, mask, (spot[0] * k, spot[1] * k), BLUE_INK)
    return {"kind": kind, "centre_pt": [round(spot[0], 1), round(spot[1], 1)],
            "size_pt": [round(mask.shape[1] / k), round(mask.shape[0] / k)],
            "where": "empty area below the table"}


def make_paper(stem: str, index: int, layout: Layout, dpi: int) -> Paper:
    """Render one page and stamp it; the same marks at every dpi."""
    img = render(SRC_DIR / f"{stem}.pdf", index, dpi)
    k = dpi / 72
    rng = seeded("paper", stem, index)
    marks = MARKS.get((stem, index), PageMarks())
    seals = stamp_seals(img, k, layout, marks, rng, (stem, index))
    blue = stamp_blue(img, k, layout, marks.blue, (stem, index)) if marks.blue else None
    # off-white office paper
    tint = np.array([1.0, rng.uniform(0.975, 0.99), rng.uniform(0.93, 0.965)], np.float32)
    img *= tint
    return Paper(img, {"seals": seals, "blue_mark": blue,
                       "paper_tint": [round(float(t), 3) for t in tint]})


# ====================================================================== scan


SCAN200 = Profile("200dpi", 200, False, (0.3, 1.6), 6, (0.5, 1.0), (0.010, 0.020), (40, 120),
                  (65, 75), "scanner", (238, 238, 236))
SCAN150G = Profile("150dpi_grey", 150, True, (0.3, 1.6), 6, (0.5, 0.8), (0.015, 0.025), (150, 300),
                   (60, 70), "scanner", (225, 225, 225))
TIFF300 = Profile("loose_tiff", 300, True, (0.2, 1.2), 5, (0.5, 0.8), (0.008, 0.014), (30, 80),
                  (60, 60), "scanner", (240, 240, 240))
PHOTO250 = Profile("loose_photo", 250, False, (1.0, 2.0), 10, (0.7, 1.0), (0.012, 0.020), (10, 40),
                   (68, 74), "photo", (205, 200, 190))
ROT200 = Profile("loose_rot90", 200, False, (0.3, 1.0), 6, (0.5, 0.8), (0.010, 0.018), (40, 100),
                 (70, 70), "scanner", (238, 238, 236))


def page_count(stem: str) -> int:
    return len(pdfium.PdfDocument(str(SRC_DIR / f"{stem}.pdf")))


class Scanner:
    """Caches layouts and papers so each sheet is stamped once per dpi."""

    def __init__(self) -> None:
        self.layouts = {stem: read_layouts(SRC_DIR / f"{stem}.pdf") for stem in SOURCES}
        self.papers: dict[tuple, Paper] = {}

    def paper(self, stem: str, index: int, dpi: int) -> Paper:
        key = (stem, index, dpi)
        if key not in self.papers:
            self.papers = {k: v for k, v in self.papers.items() if k[2] == dpi}  # bound memory
            self.papers[key] = make_paper(stem, index, self.layouts[stem][index], dpi)
        return self.papers[key]

    def scan(self, stem: str, index: int, profile: Profile) -> tuple[Image.Image, dict]:
        paper = self.paper(stem, index, profile.dpi)
        image, info = scan(paper.image, profile, seeded(profile.name, stem, index))
        return image, {"source": f"{stem}.pdf", "source_page": index + 1, **paper.info, "scan": info}


def write_pdf_set(sc: Scanner, profile: Profile, folder: str, suffix: str, manifest: dict) -> None:
    out = OUT_DIR / folder
    out.mkdir(parents=True, exist_ok=True)
    for stem in SOURCES:
        quality = int(seeded(profile.name, stem, "jpeg").integers(*profile.quality, endpoint=True))
        images, pages = [], []
        for i in range(page_count(stem)):
            image, info = sc.scan(stem, i, profile)
            images.append(image)
            pages.append(info)
        path = out / f"{stem}{suffix}.pdf"
        save_pdf(images, path, profile.dpi, quality)
        manifest[str(path.relative_to(OUT_DIR))] = {"dpi": profile.dpi, "mode": images[0].mode,
                                                     "jpeg_quality": quality, "pages": pages}


def write_loose(sc: Scanner, manifest: dict) -> None:
    out = OUT_DIR / "loose"
    out.mkdir(parents=True, exist_ok=True)

    # the 4-page bundle as one multi-page greyscale TIFF, JPEG-compressed
    stem = "justice_projects_bundle"
    scanned = [sc.scan(stem, i, TIFF300) for i in range(page_count(stem))]
    path = out / f"{stem}_300dpi.tif"
    q = TIFF300.quality[0]
    scanned[0][0].save(path, save_all=True, append_images=[im for im, _ in scanned[1:]],
                       compression="jpeg", quality=q, dpi=(TIFF300.dpi, TIFF300.dpi))
    manifest[str(path.relative_to(OUT_DIR))] = {"dpi": TIFF300.dpi, "mode": "L", "jpeg_quality": q,
                                                "pages": [info for _, info in scanned]}

    # each single-form PDF photographed (the department form: both pages)
    for stem in SOURCES[1:]:
        n = page_count(stem)
        for i in range(n):
            image, info = sc.scan(stem, i, PHOTO250)
            q = int(seeded(PHOTO250.name, stem, i, "jpeg").integers(*PHOTO250.quality, endpoint=True))
            name = f"{stem}_photo.jpg" if n == 1 else f"{stem}_photo_p{i + 1}.jpg"
            image.save(out / name, quality=q, dpi=(PHOTO250.dpi, PHOTO250.dpi))
            manifest[f"loose/{name}"] = {"dpi": PHOTO250.dpi, "mode": "RGB", "jpeg_quality": q,
                                         "pages": [info]}

    # a sideways scan: the sheet went in turned 90° (text runs top to bottom)
    stem = "xingzheng_zhifa_peixun_2026"
    image, info = sc.scan(stem, 0, ROT200)
    image = image.transpose(Image.Transpose.ROTATE_270)             # 90° clockwise
    info["scan"]["rotated"] = "90° clockwise"
    name = f"{stem}_rot90.jpg"
    image.save(out / name, quality=ROT200.quality[0], dpi=(ROT200.dpi, ROT200.dpi))
    manifest[f"loose/{name}"] = {"dpi": ROT200.dpi, "mode": "RGB", "jpeg_quality": ROT200.quality[0],
                                 "pages": [info]}


SETS = ("200dpi", "150dpi_grey", "loose")


def main() -> None:
    global OUT_DIR
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="default sample_pdfs/scans")
    args = parser.parse_args()
    OUT_DIR = args.out.resolve()
    if not Path(BOLD_FONT).exists():
        raise SystemExit(f"missing font {BOLD_FONT}: apt-get install fonts-wqy-zenhei "
                         "fonts-arphic-ukai fonts-arphic-uming")

    sc = Scanner()
    manifest_path = OUT_DIR / "scans.json"
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else {}
    if "200dpi" in args.sets:
        write_pdf_set(sc, SCAN200, "200dpi", "_scan200", manifest)
    if "150dpi_grey" in args.sets:
        write_pdf_set(sc, SCAN150G, "150dpi_grey", "_scan150g", manifest)
    if "loose" in args.sets:
        write_loose(sc, manifest)
    manifest = dict(sorted(manifest.items()))
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    for path in sorted(OUT_DIR.rglob("*")):
        if path.is_file():
            print(f"{path.stat().st_size / 1e6:6.2f} MB  {path}")


if __name__ == "__main__":
    main()
