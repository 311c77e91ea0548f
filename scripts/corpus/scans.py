"""The corpus's PDF carrier as scans: the same forms, stamped, scanned, faxed, photographed.

`write(split_dir, carriers)` reads a generated split's `pdf/` folder and truth.json and writes one
folder per scanned carrier, each file named after its PDF's stem:

* scan200/<stem>.pdf      image-only PDF, colour, 200 dpi, skewed, JPEG ~70
* scan150grey/<stem>.pdf  image-only PDF, greyscale photocopy, 150 dpi
* fax/<stem>.pdf          image-only PDF, black and white (Otsu threshold after the noise), 200 dpi
* photo/<stem>.jpg        a phone photo of each page on a desk, 200-250 dpi, keystoned, vignetted;
                          a file of several pages as <stem>_p1.jpg, <stem>_p2.jpg, ...
* rotated/<stem>.pdf      as scan200, every page turned 90°, 180° or 270°

Two stages, as scripts/make_scans.py (the pieces are scripts/corpus/degrade.py): the *paper* is
stamped once per page -- a seal over the reporting unit's name on every page that prints it, and on
about half the pages a second one over a table cell holding an amount, a comparator or a name --
in a colour drawn per file (red, blue, grey); then each carrier *scans* it, drawn per carrier,
file and page. Where a seal lands and what it covers is the same in every carrier.

Truth: truth.json gets a copy of each form per scanned carrier, its `source_file` naming the scanned
file (`scan200/<stem>.pdf`); a photographed file of several pages names the photo of the page the
form starts on (`photo/<stem>_p2.jpg`), since each photo is a separate input. Forms start on the
pages that print their reporting unit above the grid. index.json gets each scanned file, and
scans.json what was drawn per page (seals, the words under them, the scan's damage).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pdfplumber
from PIL import Image

from scripts.corpus import degrade as D
from scripts.corpus.degrade import Profile


@dataclass(frozen=True)
class Carrier:
    profile: Profile
    ext: str = "pdf"
    fax: bool = False          # binarised after the noise
    rotate: bool = False       # pages turned a quarter, half or three quarters
    photo: bool = False        # on a desk, keystoned; one JPEG per page
    dpi_range: tuple[int, int] | None = None   # drawn per file (photos have no fixed dpi)


CARRIERS = {
    "scan200": Carrier(Profile("scan200", 200, False, (0.3, 1.6), 6, (0.5, 1.0), (0.010, 0.020), (40, 120),
                               (65, 75), "scanner", (238, 238, 236))),
    "scan150grey": Carrier(Profile("scan150grey", 150, True, (0.3, 1.6), 6, (0.5, 0.8), (0.015, 0.025),
                                   (150, 300), (60, 70), "scanner", (225, 225, 225))),
    "fax": Carrier(Profile("fax", 200, True, (0.3, 1.6), 5, (0.4, 0.7), (0.02, 0.035), (400, 900),
                           (75, 75), "scanner", (250, 250, 250)), fax=True),
    # a photo has no glass: its skew, offset and fill go unused (on_desk places the sheet)
    "photo": Carrier(Profile("photo", 225, False, (0.0, 0.0), 0, (0.7, 1.1), (0.012, 0.020), (10, 40),
                             (70, 80), "photo", (0, 0, 0)), ext="jpg", photo=True, dpi_range=(200, 250)),
    "rotated": Carrier(Profile("rotated", 200, False, (0.3, 1.6), 6, (0.5, 1.0), (0.010, 0.020), (40, 120),
                               (65, 75), "scanner", (238, 238, 236)), rotate=True),
}
KEYSTONE = (0.03, 0.10)       # the far side of a photo is this much shorter
SEAL_INKS = (("red", D.SEAL_RED, 0.6), ("blue", D.BLUE_INK, 0.25), ("grey", D.SEAL_GREY, 0.15))
CELL_SEAL_SHARE = 0.5         # pages that get a second seal over a table cell
PRODUCER = "formpipe scripts/corpus/scans.py"


# ====================================================================== paper

@dataclass
class Page:
    """What the seals need to know of one digital page, in pt (top-left origin)."""

    width: float
    height: float
    unit: tuple[str, tuple] | None     # the reporting unit's name and its box, above the grid
    cells: list[tuple[str, tuple]]     # (text, box) of every table cell with text
    words: list[dict]


def _clean(text: str | None) -> str:
    return "".join((text or "").split())


def read_pages(pdf_path: Path, units: list[str]) -> list[Page]:
    pages = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            tables = page.find_tables()
            grid_top = min((t.bbox[1] for t in tables), default=page.height)
            cells = []
            for table in tables:
                for row, texts in zip(table.rows, table.extract()):
                    cells += [(_clean(t), box) for box, t in zip(row.cells, texts) if box and _clean(t)]
            unit = None
            for name in dict.fromkeys(units):
                hits = [h for h in page.search(name, regex=False) if h["bottom"] <= grid_top]
                if hits:
                    unit = (name, (hits[0]["x0"], hits[0]["top"], hits[0]["x1"], hits[0]["bottom"]))
                    break
            pages.append(Page(float(page.width), float(page.height), unit, cells, page.extract_words()))
    return pages


def form_starts(pages: list[Page], n_forms: int) -> list[int]:
    """The page each form starts on: the pages with the unit line; page 0 for all where that fails."""
    starts = [i for i, p in enumerate(pages) if p.unit]
    return starts if len(starts) == n_forms else [0] * n_forms


def cell_candidates(page: Page, record: dict) -> dict[str, list[tuple]]:
    """Table cells a clerk's second seal may cover, by what they hold: an amount, a comparator, a name."""
    amounts = {float(v) for v in record.values() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for v in record.values():
        if isinstance(v, dict):
            amounts |= {float(x) for x in v.values() if isinstance(x, (int, float)) and not isinstance(x, bool)}
    comparators = {_clean(i.get("comparator")) for i in record.get("indicators") or [] if i.get("comparator")}
    names = {_clean(v) for k, v in record.items() if k.endswith("_name") and isinstance(v, str) and v}
    out: dict[str, list[tuple]] = {"amount": [], "comparator": [], "name": []}
    for text, box in page.cells:
        try:
            if float(text.replace(",", "")) in amounts:
                out["amount"].append((text, box))
                continue
        except ValueError:
            pass
        if text in comparators:
            out["comparator"].append((text, box))
        elif text in names:
            out["name"].append((text, box))
    return {k: v for k, v in out.items() if v}


def words_under(page: Page, centre: tuple, radius: float) -> list[str]:
    """Printed words the seal's disc touches: what a reader must recover from under the ink."""
    out = []
    for w in page.words:
        nx, ny = min(max(centre[0], w["x0"]), w["x1"]), min(max(centre[1], w["top"]), w["bottom"])
        if np.hypot(nx - centre[0], ny - centre[1]) < radius:
            out.append(w["text"])
    return out


def seal_plan(stem: str, index: int, page: Page, record: dict, unit: str) -> list[dict]:
    """Where this page's seals go (pt) and what they cover; the same in every carrier."""
    rng = D.seeded("corpus-paper", stem, index)
    targets = []
    if page.unit:
        b = page.unit[1]
        targets.append(("unit", ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2), page.unit[0]))
    cells = cell_candidates(page, record)
    if cells and rng.random() < CELL_SEAL_SHARE:
        kind = sorted(cells)[int(rng.integers(len(cells)))]
        text, b = cells[kind][int(rng.integers(len(cells[kind])))]
        targets.append((kind, ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2), text))
    seals = []
    for kind, (cx, cy), text in targets:
        cx, cy = cx + rng.normal(0, 3), cy + rng.normal(0, 2)    # a hand stamp lands a little off
        seals.append({"over": kind, "text": text, "centre_pt": [round(cx, 1), round(cy, 1)],
                      "rotation_deg": round(float(rng.uniform(-15, 15)), 1), "seal_text": unit,
                      "words_under": words_under(page, (cx, cy), D.SEAL_DIAMETER_PT / 2)})
    return seals


def seal_ink(stem: str) -> tuple[str, np.ndarray]:
    """The file's stamp pad: most offices ink red, some blue, a copied seal comes out grey."""
    u = D.seeded("corpus-ink", stem).random()
    for name, ink, share in SEAL_INKS:
        if u < share:
            return name, ink
        u -= share
    return SEAL_INKS[0][0], SEAL_INKS[0][1]


def paper(pdf_path: Path, index: int, dpi: int, seals: list[dict], ink: np.ndarray) -> np.ndarray:
    img = D.render(pdf_path, index, dpi)
    k = dpi / 72
    for s in seals:
        key = ("corpus-seal", pdf_path.stem, index, s["over"])
        mask = D.seal_mask(D.SEAL_DIAMETER_PT * k, s["rotation_deg"], D.seeded(*key), s["seal_text"])
        D.multiply_ink(img, mask, (s["centre_pt"][0] * k, s["centre_pt"][1] * k), ink)
    rng = D.seeded("corpus-tint", pdf_path.stem, index)
    img *= np.array([1.0, rng.uniform(0.975, 0.99), rng.uniform(0.93, 0.965)], np.float32)
    return img


# ====================================================================== scan

def scan_page(carrier: Carrier, profile: Profile, sheet: np.ndarray, key: tuple) -> tuple[Image.Image, dict]:
    rng = D.seeded(profile.name, *key)
    if carrier.photo:
        img, info = D.on_desk(sheet, rng, KEYSTONE)
        image, info = D.sensor(img, profile, rng, {"photo": info})
    else:
        image, info = D.scan(sheet, profile, rng)
    if carrier.fax:
        image = D.binarise(image)
        info["binarised"] = "otsu"
    if carrier.rotate:
        turn = int(rng.integers(1, 4)) * 90            # counter-clockwise, as PIL turns
        image = image.rotate(turn, expand=True)
        info["rotated_deg_ccw"] = turn
    return image, info


def scan_file(name: str, carrier: Carrier, pdf_path: Path, plans: list[list[dict]], ink: np.ndarray,
              out: Path) -> tuple[list[str], list[dict]]:
    """Write one PDF's scan in one carrier; returns the files written and what was drawn per page."""
    stem = pdf_path.stem
    profile = carrier.profile
    if carrier.dpi_range:
        dpi = int(D.seeded(name, stem, "dpi").integers(*carrier.dpi_range, endpoint=True))
        profile = replace(profile, dpi=dpi)
    images, infos = [], []
    for i, seals in enumerate(plans):
        image, info = scan_page(carrier, profile, paper(pdf_path, i, profile.dpi, seals, ink), (stem, i))
        images.append(image)
        infos.append(info)
    quality = int(D.seeded(name, stem, "jpeg").integers(*profile.quality, endpoint=True))
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    if carrier.ext == "pdf":
        D.save_pdf(images, folder / f"{stem}.pdf", profile.dpi, quality, PRODUCER)
        return [f"{name}/{stem}.pdf"], infos
    files = [f"{name}/{stem}.jpg"] if len(images) == 1 else [f"{name}/{stem}_p{i + 1}.jpg" for i in range(len(images))]
    for image, file in zip(images, files):
        image.save(out / file, quality=quality, dpi=(profile.dpi, profile.dpi))
    return files, infos


def write(split_dir: Path, carriers: list[str]) -> dict:
    """Scan every PDF of a generated split into each carrier; truth.json and index.json extended."""
    for name in carriers:
        if name not in CARRIERS:
            raise ValueError(f"unknown scanned carrier {name!r} (one of {', '.join(CARRIERS)})")
    truth_path, index_path = split_dir / "truth.json", split_dir / "index.json"
    doc = json.loads(truth_path.read_text("utf-8"))
    index = json.loads(index_path.read_text("utf-8"))
    scanned = set(carriers)                             # a rerun replaces, never duplicates
    doc["forms"] = [f for f in doc["forms"] if f["source_file"].split("/")[0] not in scanned]
    index = {k: v for k, v in index.items() if k.split("/")[0] not in scanned}
    manifest_path = split_dir / "scans.json"
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else {}
    manifest = {k: v for k, v in manifest.items() if k.split("/")[0] not in scanned}

    by_file: dict[str, list[dict]] = {}
    for form in doc["forms"]:
        if form["source_file"].startswith("pdf/"):
            by_file.setdefault(form["source_file"], []).append(form)
    added, pages_done = [], 0
    for source, forms in sorted(by_file.items()):
        pdf_path = split_dir / source
        pages = read_pages(pdf_path, [f["reporting_unit"] for f in forms])
        starts = form_starts(pages, len(forms))
        owner = [max((k for k, s in enumerate(starts) if s <= i), default=0) for i in range(len(pages))]
        plans = [seal_plan(pdf_path.stem, i, p, forms[owner[i]], forms[owner[i]]["reporting_unit"])
                 for i, p in enumerate(pages)]
        ink_name, ink = seal_ink(pdf_path.stem)
        for name in carriers:
            files, infos = scan_file(name, CARRIERS[name], pdf_path, plans, ink, split_dir)
            pages_done += len(pages)
            for form, start in zip(forms, starts):
                added.append({**form, "source_file": files[start] if len(files) > 1 else files[0]})
            for file in files:
                index[file] = {**{k: v for k, v in index[source].items() if k != "carrier"},
                               "carrier": name, "scan_of": source, "seal_ink": ink_name}
            manifest[files[0] if len(files) == 1 else f"{name}/{pdf_path.stem}_p*.jpg"] = {
                "scan_of": source, "seal_ink": ink_name,
                "pages": [{"seals": s, "scan": info} for s, info in zip(plans, infos)]}
    # digital forms as generated, then every scanned carrier's in file order (a rerun gives the same)
    digital = [f for f in doc["forms"] if f["source_file"].split("/")[0] not in CARRIERS]
    doc["forms"] = digital + sorted([f for f in doc["forms"] if f not in digital] + added,
                                    key=lambda f: f["source_file"])
    truth_path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    index_path.write_text(json.dumps(dict(sorted(index.items())), ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), ensure_ascii=False, indent=1,
                                        default=float) + "\n", encoding="utf-8")
    return {"files": len(by_file) * len(carriers), "pages": pages_done, "forms": len(added)}
