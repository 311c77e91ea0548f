"""A form in several files is one input: `<stem>_p<N>` / `<stem>-page<N>` files, or a `<name>.pages/` folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import Document
from pipeline.stages import pages
from pipeline.stages.parts import group
from tests.conftest import SAMPLES

pdfium = pytest.importorskip("pypdfium2")

DEPARTMENT = SAMPLES / "justice_department_2026.pdf"  # one form over two pages
IMAGES, PDFS = [".png", ".jpg", ".jpeg", ".tif", ".tiff"], [".pdf"]


def names(inputs) -> list[list[str]]:
    return [[p.name for p in i.files] for i in inputs]


def test_numbered_parts_join_in_number_order():
    d = Path("in")
    files = sorted(d / f"form_p{n}.jpg" for n in range(1, 12)) + [d / "other.jpg"]
    [joined, other] = group(files, IMAGES, PDFS)
    assert [p.name for p in joined.parts] == [f"form_p{n}.jpg" for n in range(1, 12)]  # p10 after p9
    assert joined.file.name == "form_p1.jpg" and joined.stem == "form" and not joined.missing
    assert other.parts == () and other.file.name == "other.jpg"


@pytest.mark.parametrize("pattern", ["{}_p{}", "{}-p{}", "{}_page{}", "{}-PAGE{}", "{}_P{}"])
def test_the_documented_spellings(pattern):
    files = [Path(pattern.format("a", n) + ".png") for n in (1, 2)]
    assert names(group(files, IMAGES, PDFS)) == [[f.name for f in files]]


def test_unrelated_files_are_not_joined():
    files = [Path(n) for n in ("a_p1.jpg", "b_p2.jpg", "c_p1.pdf", "c_p2.jpg",  # other stem; other family
                               "x/d_p1.pdf", "y/d_p2.pdf",                         # other folder
                               "e_p1.jpg", "e_p1.png",                             # one page twice
                               "f_p1.jpg", "notes.txt", "g_p1.txt", "g_p2.txt",    # a lone p1; not pages
                               "help.pdf", "step1.pdf", "step2.pdf", "map_q1.jpg", "map_q2.jpg")]
    grouped = group(files, IMAGES, PDFS)
    joined = [i for i in grouped if i.parts]
    assert [[p.name for p in i.parts] for i in joined] == [["b_p2.jpg"], ["c_p2.jpg"], ["d_p2.pdf"]]
    assert all(i.missing == ("p1",) for i in joined)  # a p2 alone: its p1 missing
    assert sum(len(i.files) for i in grouped) == len(files)


def test_a_gap_joins_what_is_there_and_names_the_missing_part():
    [joined] = group([Path("s_p1.pdf"), Path("s_p3.pdf"), Path("s_p4.pdf")], IMAGES, PDFS)
    assert names([joined]) == [["s_p1.pdf", "s_p3.pdf", "s_p4.pdf"]] and joined.missing == ("p2",)


def test_a_pages_folder_is_one_input_in_name_order():
    folder = Path("in/申报表.pages")
    files = [folder / n for n in ("scan10.jpg", "scan2.jpg", "scan1.png", "annex.pdf")]
    [joined] = group(files, IMAGES, PDFS)
    assert [p.name for p in joined.parts] == ["annex.pdf", "scan1.png", "scan2.jpg", "scan10.jpg"]
    assert joined.stem == "申报表" and joined.file == folder / "annex.pdf"


def test_pages_of_image_parts_are_numbered_through(tmp_path, settings):
    from PIL import Image

    paths = []
    for n, frames in ((1, 2), (2, 1)):
        images = [Image.fromarray(np.full((40, 30, 3), 255, np.uint8)) for _ in range(frames)]
        path = tmp_path / f"photo_p{n}.tif"
        images[0].save(path, save_all=True, append_images=images[1:])
        paths.append(path)
    doc = Document(path=paths[0], kind="image", parts=paths)
    works = list(pages.read(doc, settings))
    assert [(w.page.number, w.path.name, w.index) for w in works] == [
        (1, "photo_p1.tif", 0), (2, "photo_p1.tif", 1), (3, "photo_p2.tif", 0)]


def split(source: Path, folder: Path, name: str) -> list[Path]:
    """Each page of a PDF as a file of its own, named by `name` (a format with the 1-based page)."""
    folder.mkdir(parents=True, exist_ok=True)
    pdf, out = pdfium.PdfDocument(str(source)), []
    for i in range(len(pdf)):
        new = pdfium.PdfDocument.new()
        new.import_pages(pdf, [i])
        new.save(str(folder / name.format(i + 1)))
        out.append(folder / name.format(i + 1))
    return out


def run(*args: str) -> tuple[int, dict[str, dict], Path]:
    out = Path(args[-1])
    code = CliRunner().invoke(app, ["run", *args[:-1], "--out", str(out), "--workers", "1"]).exit_code
    entries = {Path(e["file"]).name: e for e in json.loads((out / "manifest.json").read_text("utf-8"))["inputs"]}
    return code, entries, out


def records(out: Path) -> list[dict]:
    return [json.loads(f.read_text("utf-8")) for f in sorted(out.glob("*/*.json")) if f.parent.name != ".state"]


def test_p1_p2_files_are_one_form_as_the_whole_pdf_is(tmp_path):
    split(DEPARTMENT, tmp_path / "in", "dept_p{}.pdf")
    code, entries, out = run(str(tmp_path / "in"), str(tmp_path / "out"))
    _, _, whole = run(str(DEPARTMENT), str(tmp_path / "whole"))
    assert code == 0 and list(entries) == ["dept_p1.pdf"]
    entry = entries["dept_p1.pdf"]
    assert entry["status"] == "ok" and entry["forms"] == 1 and entry["pages"] == 2
    assert [Path(p).name for p in entry["parts"]] == ["dept_p1.pdf", "dept_p2.pdf"]
    [joined], [expected] = records(out), records(whole)
    assert joined["source"]["file"] == "dept_p1.pdf" and joined["source"]["pages"] == [1, 2]
    strip = {"source", "form_id"}  # form_id: the input's identity, as source is
    assert {k: v for k, v in joined.items() if k not in strip} == {k: v for k, v in expected.items() if k not in strip}
    code, again, _ = run(str(tmp_path / "in"), str(tmp_path / "out"))  # resumed: the parts are the same
    assert code == 0 and again["dept_p1.pdf"]["status"] == "ok"


def test_a_missing_part_is_partial(tmp_path):
    [first, _] = split(DEPARTMENT, tmp_path / "in", "dept_p{}.pdf")
    first.rename(tmp_path / "in" / "dept_p3.pdf")  # p2, p3: p1 missing
    code, entries, out = run(str(tmp_path / "in"), str(tmp_path / "out"))
    assert code == 3 and list(entries) == ["dept_p2.pdf"]
    entry = entries["dept_p2.pdf"]
    assert entry["status"] == "partial"
    assert any("part(s) p1 of" in e and "missing" in e for e in entry["errors"])


def test_a_pages_folder_converts_as_one_form(tmp_path):
    split(DEPARTMENT, tmp_path / "in" / "司法局.pages", "{}.pdf")
    code, entries, out = run(str(tmp_path / "in"), str(tmp_path / "out"))
    assert code == 0 and list(entries) == ["1.pdf"]
    [record] = records(out)
    assert record["source"]["file"] == "1.pdf" and len(record["indicators"]) == 14
    assert (out / "司法局").is_dir()
