"""The corpus's scanned carriers (scripts/corpus/scans.py): written, deterministic, paired with truth.

These test the generator, not the pipeline: no OCR runs. A photo's page must really be keystoned
(found in the image, not taken from the manifest) and a rotated scan's pages really turned.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
cv2 = pytest.importorskip("cv2")
pdfium = pytest.importorskip("pypdfium2")
from pypdfium2 import raw as pdfium_raw  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from scripts.corpus import corpus, degrade, scans  # noqa: E402
from scripts.corpus.fonts import FONTS  # noqa: E402

if not all(Path(p).exists() for p, _ in FONTS.values()) or not Path(degrade.BOLD_FONT).exists():
    pytest.skip("CJK fonts missing (`make fonts`)", allow_module_level=True)

COUNT = 2   # two project forms: enough for every carrier, small enough to stay fast


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    out = tmp_path_factory.mktemp("scans") / "dev"
    corpus.generate("dev", out, COUNT, ["pdf"], ["project"])
    scans.write(out, list(scans.CARRIERS))
    return out


def _forms(split_dir: Path) -> list[dict]:
    return json.loads((split_dir / "truth.json").read_text("utf-8"))["forms"]


def _stems(split_dir: Path) -> list[str]:
    return sorted(p.stem for p in (split_dir / "pdf").glob("*.pdf"))


def _page_images(path: Path, scale: float = 1.0) -> list[Image.Image]:
    return [page.render(scale=scale).to_pil() for page in pdfium.PdfDocument(str(path))]


def test_every_scanned_carrier_is_written(split):
    stems = _stems(split)
    assert len(stems) == COUNT
    for name, carrier in scans.CARRIERS.items():
        for stem in stems:
            if carrier.photo:
                assert list((split / name).glob(f"{stem}*.jpg")), (name, stem)
            else:
                pdf = split / name / f"{stem}.pdf"
                assert len(pdfium.PdfDocument(str(pdf))) == len(pdfium.PdfDocument(str(split / "pdf" / f"{stem}.pdf")))
                assert not pdfium.PdfDocument(str(pdf))[0].get_textpage().get_text_range().strip(), "image-only"


def test_fax_is_black_and_white_and_grey_scan_is_grey(split):
    stem = _stems(split)[0]
    for page in pdfium.PdfDocument(str(split / "fax" / f"{stem}.pdf")):
        (image,) = page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE])
        assert image.get_metadata().bits_per_pixel == 1 and image.get_filters() == ["CCITTFaxDecode"]
        assert image.get_px_size()[0] == round(page.get_width() / 72 * 200)
    grey = np.asarray(_page_images(split / "scan150grey" / f"{stem}.pdf")[0].convert("RGB")).astype(int)
    assert np.abs(grey[..., 0] - grey[..., 2]).max() <= 2


def test_same_arguments_same_bytes(split, tmp_path):
    again = tmp_path / "dev"
    corpus.generate("dev", again, COUNT, ["pdf"], ["project"])
    scans.write(again, ["scan200", "photo"])
    stem = _stems(split)[0]
    pairs = [f"scan200/{stem}.pdf"] + [str(p.relative_to(split)) for p in (split / "photo").glob(f"{stem}*.jpg")]
    for file in pairs:
        assert (split / file).read_bytes() == (again / file).read_bytes(), file


def test_truth_pairs_with_the_scanned_files(split):
    forms = _forms(split)
    digital = [f for f in forms if f["source_file"].startswith("pdf/")]
    for name in scans.CARRIERS:
        mine = [f for f in forms if f["source_file"].startswith(f"{name}/")]
        assert len(mine) == len(digital), name
        for form in mine:
            assert (split / form["source_file"]).is_file(), form["source_file"]
        strip = lambda f: {k: v for k, v in f.items() if k != "source_file"}  # noqa: E731
        assert sorted(map(json.dumps, map(strip, mine))) == sorted(map(json.dumps, map(strip, digital)))
    index = json.loads((split / "index.json").read_text("utf-8"))
    on_disk = {str(p.relative_to(split)) for name in scans.CARRIERS for p in (split / name).iterdir()}
    assert on_disk <= set(index)


def test_a_rerun_replaces_the_truth_copies(split, tmp_path):
    copy = tmp_path / "dev"
    shutil.copytree(split, copy)
    scans.write(copy, ["fax"])
    assert _forms(copy) == _forms(split)


def _page_corners(image: Image.Image) -> np.ndarray:
    """The sheet's four corners found in a photo: the largest bright region, as a polygon."""
    grey = cv2.GaussianBlur(np.asarray(image.convert("L")), (0, 0), 3)
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    sheet = max(contours, key=cv2.contourArea)
    quad = cv2.approxPolyDP(sheet, 0.02 * cv2.arcLength(sheet, True), True)
    assert len(quad) == 4, "the sheet is a quadrilateral on the desk"
    return quad[:, 0, :].astype(float)


def test_photo_page_is_in_perspective_on_a_desk(split):
    for photo in sorted((split / "photo").glob("*.jpg")):
        image = Image.open(photo)
        quad = _page_corners(image)
        sides = [np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)]
        unequal = max(1 - min(sides[0], sides[2]) / max(sides[0], sides[2]),
                      1 - min(sides[1], sides[3]) / max(sides[1], sides[3]))
        assert unequal > 0.015, f"{photo.name}: opposite sides {sides} -- a rectangle, no keystone"
        xs, ys = quad[:, 0], quad[:, 1]
        assert xs.min() > 10 and ys.min() > 10 and xs.max() < image.width - 10 and ys.max() < image.height - 10, \
            "desk all round the sheet"
        border = np.asarray(image.convert("L"))[:5].mean()
        assert border < 140, "the desk is darker than paper"


def _small(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    a = np.asarray(image.convert("L").resize(size, Image.BILINEAR), np.float32)
    return (a - a.mean()) / (a.std() + 1e-6)


def test_rotated_pages_are_turned(split):
    manifest = json.loads((split / "scans.json").read_text("utf-8"))
    turns = set()
    for stem in _stems(split):
        upright = _page_images(split / "scan200" / f"{stem}.pdf", 0.3)
        turned = _page_images(split / "rotated" / f"{stem}.pdf", 0.3)
        drawn = [p["scan"]["rotated_deg_ccw"] for p in manifest[f"rotated/{stem}.pdf"]["pages"]]
        for page, (a, b) in enumerate(zip(upright, turned)):
            size = (a.width // 2, a.height // 2)
            match = {k: float((_small(b.rotate(-k, expand=True), size) * _small(a, size)).mean())
                     for k in (0, 90, 180, 270)}
            best = max(match, key=match.get)
            assert best == drawn[page] != 0, (stem, page, match)
            turns.add(best)
    assert turns


def test_a_multipage_photo_is_named_by_its_first_part(split):
    for form in _forms(split):
        if form["source_file"].startswith("photo/"):
            stem = Path(form["source_file"]).stem
            parts = sorted((split / "photo").glob(f"{stem.removesuffix('_p1')}*.jpg"))
            assert form["source_file"] == f"photo/{parts[0].name}"
            assert len(parts) == 1 or stem.endswith("_p1"), form["source_file"]


def test_scanmixed_draws_dpi_and_colour_per_file(split):
    manifest = json.loads((split / "scans.json").read_text("utf-8"))
    low, high = scans.CARRIERS["scanmixed"].dpi_range
    assert (low, high) == (100, 300)
    for stem in _stems(split):
        entry = manifest[f"scanmixed/{stem}.pdf"]
        assert low <= entry["dpi"] <= high and entry["colour"] in ("colour", "grey")
        page = pdfium.PdfDocument(str(split / "scanmixed" / f"{stem}.pdf"))[0]
        (image,) = page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE])
        assert abs(image.get_px_size()[0] - page.get_width() / 72 * entry["dpi"]) <= 2
        assert all(abs(p["scan"]["skew_deg"]) <= 5 for p in entry["pages"])
    for name in ("scanmixed", "rotated"):
        assert scans.CARRIERS[name].profile.angle == (0.3, 5.0)


def test_photos_lie_turned_on_the_desk(split):
    manifest = json.loads((split / "scans.json").read_text("utf-8"))
    turns = [p["scan"]["photo"]["rotation_deg"] for k, v in manifest.items() if k.startswith("photo/")
             for p in v["pages"]]
    assert turns and all(abs(t) <= 5 for t in turns)


def test_signatures_and_title_seals_hide_but_never_cover_a_whole_cell(split):
    """Planned over many stems on the split's real pages: every placement appears, none breaks the rules."""
    pdf = sorted((split / "pdf").glob("*.pdf"))[0]
    forms = [f for f in _forms(split) if f["source_file"] == f"pdf/{pdf.name}"]
    pages = scans.read_pages(pdf, forms)
    assert pages[0].title and pages[0].grid
    wheres, titles = set(), 0
    for i in range(60):
        for index, page in enumerate(pages):
            for sig in scans.sign_plan(f"stem{i}", index, page):
                wheres.add(sig["where"])
                box = sig["box_pt"]
                assert not any(scans._inside(c[1], box) for c in page.cells), sig
                assert not any(k and scans._overlap(box, k[1]) for k in (page.title, page.unit, page.signer)), sig
                assert sig["pen"] in ("blue", "black")
            seals = scans.seal_plan(f"stem{i}", index, page, forms[0], forms[0]["reporting_unit"])
            titles += sum(s["over"] == "title" for s in seals)
    assert {"bottom", "edge", "signer"} <= wheres
    assert titles > 0


def test_a_signature_is_pen_ink_strokes():
    from scripts.corpus import ink

    mask, info = ink.signature_mask(250, 55, 3.0, degrade.seeded("test-sign"))
    assert mask.max() > 0.6 and 0.02 < (mask > 0.3).mean() < 0.4
    again, _ = ink.signature_mask(250, 55, 3.0, degrade.seeded("test-sign"))
    assert np.array_equal(mask, again)


def test_a_steep_skew_grows_the_frame_and_a_shadow_darkens():
    page = np.ones((400, 300, 3), np.float32)
    page[5:15, 5:15] = 0                                  # print in the corner
    out = degrade.skew(page, 5.0, (0.0, 0.0), (238, 238, 236))
    assert out.shape[0] > 400 and out.shape[1] > 300
    assert (out < 0.5).sum() >= 0.8 * (page < 0.5).sum(), "nothing printed is cut off"
    assert degrade.skew(page, 1.5, (0.0, 0.0), (238, 238, 236)).shape == page.shape
    for kind in degrade.SHADOWS:
        field, info = degrade.shadow((400, 300), kind, degrade.seeded("test-shadow", kind))
        assert field.max() <= 1.0 and field.min() < 0.85 and info["kind"] == kind
