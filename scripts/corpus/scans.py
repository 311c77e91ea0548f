"""The corpus's PDF carrier as scans: the same forms, stamped, signed, scanned, faxed, photographed.

`write(split_dir, carriers)` reads a generated split's `pdf/` folder and truth.json and writes one
folder per scanned carrier, each file named after its PDF's stem:

* scan200/<stem>.pdf      image-only PDF, colour, 200 dpi, skewed 0.3-1.6°, JPEG ~70
* scan150grey/<stem>.pdf  image-only PDF, greyscale photocopy, 150 dpi
* fax/<stem>.pdf          image-only PDF, black and white (Otsu threshold after the noise), 200 dpi
* photo/<stem>.jpg        a phone photo of each page on a desk, 200-250 dpi, keystoned up to 10%
                          (any side far), the sheet turned up to 5° on the desk, vignetted, most
                          with a hand's or a curling page's shadow; a file of several pages as
                          <stem>_p1.jpg, <stem>_p2.jpg, ...
* rotated/<stem>.pdf      as scan200 skewed up to 5°, every page turned 90°, 180° or 270°, some
                          with a shadow
* scanmixed/<stem>.pdf    whatever the office scanner was set to: 100-300 dpi and colour or grey
                          drawn per file, skewed up to 5°, JPEG 60-80, some pages with a shadow

Two stages, as scripts/make_scans.py (the pieces are scripts/corpus/degrade.py and ink.py): the
*paper* is stamped and signed once per page -- a seal over the reporting unit's name on every page
that prints it, on about half the pages a second one over a table cell holding an amount, a
comparator or a name, on some a seal over the form's title, in a colour drawn per file (red,
blue, grey); on about half the pages a pen scribble (blue or black, ink.signature_mask) beside the
printed signer or in the bottom margin, at times over the grid's bottom edge, never over a whole
text cell. Then each carrier *scans* it, drawn per carrier, file and page. Where a seal or a
signature lands and what it covers is the same in every carrier. A skew over 2° grows the frame
(degrade.skew), so that nothing printed is cut off: ink and damage hide the truth, never change it.

Truth: truth.json gets a copy of each form per scanned carrier, its `source_file` naming the scanned
file (`scan200/<stem>.pdf`); every form of a photographed file of several pages names the photo of
its first page (`photo/<stem>_p1.jpg`), since a photo's parts are read as one input named by its
first part. index.json gets each scanned file (each part of a photo), and scans.json what was
drawn per file (dpi, colour, JPEG quality) and per page (seals, signatures, the words under them,
the scan's damage: skew, lighting, shadow, desk, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pdfplumber
from PIL import Image

from scripts.corpus import degrade as D
from scripts.corpus import ink as K
from scripts.corpus.degrade import Profile


@dataclass(frozen=True)
class Carrier:
    profile: Profile
    ext: str = "pdf"
    fax: bool = False          # binarised after the noise
    rotate: bool = False       # pages turned a quarter, half or three quarters
    photo: bool = False        # on a desk, keystoned; one JPEG per page
    dpi_range: tuple[int, int] | None = None   # drawn per file (photos have no fixed dpi)
    grey_share: float | None = None            # drawn per file: this share grey, the rest colour
    shadow_share: float = 0.0                  # pages with a shadow (degrade.shadow) over the light
    shadows: tuple[str, ...] = ("curl", "fold")


CARRIERS = {
    "scan200": Carrier(Profile("scan200", 200, False, (0.3, 1.6), 6, (0.5, 1.0), (0.010, 0.020), (40, 120),
                               (65, 75), "scanner", (238, 238, 236))),
    "scan150grey": Carrier(Profile("scan150grey", 150, True, (0.3, 1.6), 6, (0.5, 0.8), (0.015, 0.025),
                                   (150, 300), (60, 70), "scanner", (225, 225, 225))),
    "fax": Carrier(Profile("fax", 200, True, (0.3, 1.6), 5, (0.4, 0.7), (0.02, 0.035), (400, 900),
                           (75, 75), "scanner", (250, 250, 250)), fax=True),
    # a photo has no glass: its angle is how far the sheet lies turned on the desk (on_desk),
    # its offset and fill go unused
    "photo": Carrier(Profile("photo", 225, False, (0.0, 5.0), 0, (0.7, 1.1), (0.012, 0.020), (10, 40),
                             (70, 80), "photo", (0, 0, 0)), ext="jpg", photo=True, dpi_range=(200, 250),
                     shadow_share=0.7, shadows=("hand", "curl")),
    "rotated": Carrier(Profile("rotated", 200, False, (0.3, 5.0), 6, (0.5, 1.0), (0.010, 0.020), (40, 120),
                               (65, 75), "scanner", (238, 238, 236)), rotate=True, shadow_share=0.25),
    # whatever the office scanner was set to: 100-300 dpi, colour or grey, skewed up to 5°
    "scanmixed": Carrier(Profile("scanmixed", 200, False, (0.3, 5.0), 8, (0.5, 1.0), (0.010, 0.025), (40, 200),
                                 (60, 80), "scanner", (238, 238, 236)), dpi_range=(100, 300), grey_share=0.5,
                         shadow_share=0.35),
}
KEYSTONE = (0.03, 0.10)       # the far side of a photo is this much shorter
SEAL_INKS = (("red", D.SEAL_RED, 0.6), ("blue", D.BLUE_INK, 0.25), ("grey", D.SEAL_GREY, 0.15))
CELL_SEAL_SHARE = 0.5         # pages that get a second seal over a table cell
TITLE_SEAL_SHARE = 0.3        # pages printing a title that get a seal over it
SIGN_SHARE = 0.5              # pages signed with a pen scribble
SIGN_EDGE_SHARE = 0.3         # of those below the grid, the share that run over the grid's bottom edge
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
    title: tuple[str, tuple] | None = None    # the form's title and its box, above the grid
    signer: tuple[str, tuple] | None = None   # the handwritten signer's name, above the title
    grid: tuple | None = None                 # the tables' outer box


def _clean(text: str | None) -> str:
    return "".join((text or "").split())


def _find(page, texts: list[str | None], above: float) -> tuple[str, tuple] | None:
    """The first of these texts printed above `above` (pt from the top), with its box."""
    for text in dict.fromkeys(t for t in texts if t):
        hits = [h for h in page.search(text, regex=False) if h["bottom"] <= above]
        if hits:
            return text, (hits[0]["x0"], hits[0]["top"], hits[0]["x1"], hits[0]["bottom"])
    return None


def read_pages(pdf_path: Path, forms: list[dict]) -> list[Page]:
    """Each page's unit line, title, signer, grid and text cells, for the forms the PDF holds."""
    pages = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            tables = page.find_tables()
            grid_top = min((t.bbox[1] for t in tables), default=page.height)
            grid = (min(t.bbox[0] for t in tables), grid_top, max(t.bbox[2] for t in tables),
                    max(t.bbox[3] for t in tables)) if tables else None
            cells = []
            for table in tables:
                for row, texts in zip(table.rows, table.extract()):
                    cells += [(_clean(t), box) for box, t in zip(row.cells, texts) if box and _clean(t)]
            unit = _find(page, [f["reporting_unit"] for f in forms], grid_top)
            title = _find(page, [f.get("title") for f in forms], grid_top)
            signer = _find(page, [f.get("signer") for f in forms], title[1][1] if title else grid_top)
            pages.append(Page(float(page.width), float(page.height), unit, cells, page.extract_words(),
                              title, signer, grid))
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


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(inner: tuple, outer: tuple) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def sign_plan(stem: str, index: int, page: Page) -> list[dict]:
    """Where a pen signature is scribbled on this page (pt), if at all; the same in every carrier.

    Beside the printed signer's name above the title, or under the grid in the bottom margin
    (a 负责人's sign-off), there at times running over the grid's bottom edge into its last
    row -- never over a whole text cell, never over the title, the unit line or the signer.
    """
    rng = D.seeded("corpus-sign", stem, index)
    if rng.random() >= SIGN_SHARE:
        return []
    w, h, stroke = rng.uniform(55, 110), rng.uniform(14, 22), rng.uniform(0.6, 1.3)
    bottom = page.grid[3] if page.grid else max((x["bottom"] for x in page.words), default=page.height / 2)
    left, right = (page.grid[0], page.grid[2]) if page.grid else (40.0, page.width - 40)
    room = page.height - 8 - bottom                       # pt below the grid, a little margin kept
    where = "signer" if page.signer and rng.random() < 0.5 else "bottom"
    if where == "bottom" and (room < h + 10 or rng.random() < SIGN_EDGE_SHARE):
        where = "edge"
    if where == "signer":
        b = page.signer[1]
        x0 = b[2] + rng.uniform(6, 30)
        y0 = (b[1] + b[3]) / 2 - h / 2 + rng.normal(0, 1.5)
    elif where == "bottom":
        x0 = rng.uniform(left, max(left, right - w))
        y0 = bottom + rng.uniform(4, min(room - h, 40))
    else:
        into = rng.uniform(3, 7)                          # its top this far into the last row
        h = min(h, room + into)
        x0 = rng.uniform(left, max(left, right - w))
        y0 = bottom - min(into, 0.35 * h)
    box = (x0, max(2.0, y0), min(x0 + w, page.width - 4), min(y0 + h, page.height - 2))
    keep = [page.title, page.unit, page.signer]
    if h < 8 or any(k and _overlap(box, k[1]) for k in keep) or any(_inside(c[1], box) for c in page.cells):
        return []
    words = [x["text"] for x in page.words if _overlap(box, (x["x0"], x["top"], x["x1"], x["bottom"]))]
    name, _ = K.pen_ink(rng)
    return [{"where": where, "box_pt": [round(v, 1) for v in box], "stroke_pt": round(float(stroke), 2),
             "pen": name, "words_under": words}]


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
    trng = D.seeded("corpus-title-seal", stem, index)    # a stream of its own: the seals above stay put
    if page.title and trng.random() < TITLE_SEAL_SHARE:
        b = page.title[1]
        targets.append(("title", (b[0] + (b[2] - b[0]) * trng.uniform(0.2, 0.8), (b[1] + b[3]) / 2), page.title[0]))
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


def paper(pdf_path: Path, index: int, dpi: int, plan: dict, ink: np.ndarray) -> np.ndarray:
    """The page rendered, stamped and signed as its plan says ({"seals": ..., "signatures": ...})."""
    img = D.render(pdf_path, index, dpi)
    k = dpi / 72
    for s in plan["seals"]:
        key = ("corpus-seal", pdf_path.stem, index, s["over"])
        mask = D.seal_mask(D.SEAL_DIAMETER_PT * k, s["rotation_deg"], D.seeded(*key), s["seal_text"])
        D.multiply_ink(img, mask, (s["centre_pt"][0] * k, s["centre_pt"][1] * k), ink)
    pens = {name: colour for name, colour, _ in K.PEN_INKS}
    for j, s in enumerate(plan["signatures"]):
        x0, y0, x1, y1 = s["box_pt"]
        mask, _ = K.signature_mask((x1 - x0) * k, (y1 - y0) * k, s["stroke_pt"] * k,
                                   D.seeded("corpus-sign-stroke", pdf_path.stem, index, j))
        D.multiply_ink(img, mask, ((x0 + x1) / 2 * k, (y0 + y1) / 2 * k), pens[s["pen"]])
    rng = D.seeded("corpus-tint", pdf_path.stem, index)
    img *= np.array([1.0, rng.uniform(0.975, 0.99), rng.uniform(0.93, 0.965)], np.float32)
    return img


# ====================================================================== scan

def scan_page(carrier: Carrier, profile: Profile, sheet: np.ndarray, key: tuple) -> tuple[Image.Image, dict]:
    rng = D.seeded(profile.name, *key)
    srng = D.seeded(profile.name, *key, "shadow")
    shade = None
    if carrier.shadow_share and srng.random() < carrier.shadow_share:
        shade = (carrier.shadows[int(srng.integers(len(carrier.shadows)))], srng)
    if carrier.photo:
        img, info = D.on_desk(sheet, rng, KEYSTONE, rotation=profile.angle)
        image, info = D.sensor(img, profile, rng, {"photo": info}, shade)
    else:
        image, info = D.scan(sheet, profile, rng, shade)
    if carrier.fax:
        image = D.binarise(image)
        info["binarised"] = "otsu"
    if carrier.rotate:
        turn = int(rng.integers(1, 4)) * 90            # counter-clockwise, as PIL turns
        image = image.rotate(turn, expand=True)
        info["rotated_deg_ccw"] = turn
    return image, info


def scan_file(name: str, carrier: Carrier, pdf_path: Path, plans: list[dict], ink: np.ndarray,
              out: Path) -> tuple[list[str], list[dict], dict]:
    """Write one PDF's scan in one carrier; returns the files written, what was drawn per page
    and per file (dpi, colour, JPEG quality)."""
    stem = pdf_path.stem
    profile = carrier.profile
    if carrier.dpi_range:
        dpi = int(D.seeded(name, stem, "dpi").integers(*carrier.dpi_range, endpoint=True))
        profile = replace(profile, dpi=dpi)
    if carrier.grey_share is not None:
        profile = replace(profile, grey=bool(D.seeded(name, stem, "grey").random() < carrier.grey_share))
    images, infos = [], []
    for i, plan in enumerate(plans):
        image, info = scan_page(carrier, profile, paper(pdf_path, i, profile.dpi, plan, ink), (stem, i))
        images.append(image)
        infos.append(info)
    quality = int(D.seeded(name, stem, "jpeg").integers(*profile.quality, endpoint=True))
    drawn = {"dpi": profile.dpi, "colour": "bw" if carrier.fax else "grey" if profile.grey else "colour",
             "jpeg_quality": None if carrier.fax else quality}
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    if carrier.ext == "pdf":
        D.save_pdf(images, folder / f"{stem}.pdf", profile.dpi, quality, PRODUCER)
        return [f"{name}/{stem}.pdf"], infos, drawn
    files = [f"{name}/{stem}.jpg"] if len(images) == 1 else [f"{name}/{stem}_p{i + 1}.jpg" for i in range(len(images))]
    for image, file in zip(images, files):
        image.save(out / file, quality=quality, dpi=(profile.dpi, profile.dpi))
    return files, infos, drawn


def _scan_job(job: tuple) -> tuple[list[str], list[dict], dict]:
    name, pdf_path, plans, ink, split_dir = job
    return scan_file(name, CARRIERS[name], pdf_path, plans, ink, split_dir)


def _scan_all(jobs: list[tuple]) -> list[tuple[list[str], list[dict], dict]]:
    """Every (PDF, carrier) scan, on every core: each draws from its own seeded streams
    (D.seeded by carrier, file and page), so the bytes do not depend on which process drew them."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(jobs), len(os.sched_getaffinity(0)))
    if workers <= 1:
        return [_scan_job(job) for job in jobs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_scan_job, jobs))


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
    jobs, planned = [], {}
    for source, forms in sorted(by_file.items()):
        pdf_path = split_dir / source
        pages = read_pages(pdf_path, forms)
        starts = form_starts(pages, len(forms))
        owner = [max((k for k, s in enumerate(starts) if s <= i), default=0) for i in range(len(pages))]
        plans = [{"seals": seal_plan(pdf_path.stem, i, p, forms[owner[i]], forms[owner[i]]["reporting_unit"]),
                  "signatures": sign_plan(pdf_path.stem, i, p)} for i, p in enumerate(pages)]
        ink_name, ink = seal_ink(pdf_path.stem)
        planned[source] = (pages, plans, ink_name)
        jobs += [(name, pdf_path, plans, ink, split_dir) for name in carriers]
    scanned_files = iter(_scan_all(jobs))
    for source, forms in sorted(by_file.items()):
        pages, plans, ink_name = planned[source]
        for name in carriers:
            files, infos, drawn = next(scanned_files)
            pages_done += len(pages)
            for form in forms:      # a photo's parts are one input, named by its first part
                added.append({**form, "source_file": files[0]})
            for file in files:
                index[file] = {**{k: v for k, v in index[source].items() if k != "carrier"},
                               "carrier": name, "scan_of": source, "seal_ink": ink_name}
            manifest[files[0] if len(files) == 1 else f"{name}/{pdf_path.stem}_p*.jpg"] = {
                "scan_of": source, "seal_ink": ink_name, **drawn,
                "pages": [{**plan, "scan": info} for plan, info in zip(plans, infos)]}
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
