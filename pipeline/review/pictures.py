"""The review page's pictures: each card's field and row cut upright from the source file, and a
preview of each page a card is on (the page view draws the field's box over it).

The source is found where the run read it (the manifest's path, relative to the folder the run was
started in) or by name in a `--source` folder, and is taken only when its sha256 is the record's:
a picture of another file's page would mislead a reviewer more than no picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline import crops
from pipeline.stages.ingest import file_sha256

PICTURE_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
PREVIEW_WIDTH = 1000  # px of a page preview
MAX_CROP_SIDE = 2400  # px: a field crop is scaled down to this (a whole-column flag)


class Sources:
    """Finds the files a run read: by the manifest's path, else by name under --source folders."""

    def __init__(self, folders: list[Path]):
        self.folders = folders
        self._sha: dict[Path, str] = {}
        self._index: dict[str, list[Path]] | None = None

    def find(self, typed: list[str], name: str, sha256: str | None) -> Path | None:
        """The file named `name` among the input's files as typed, else in the folders; with sha256,
        only a file with those bytes (a whole input's; a part of one is taken by name)."""
        candidates = [Path(t) for t in typed if Path(t).name == name]
        candidates += self._by_name().get(name, [])
        for path in candidates:
            try:
                if not path.is_file():
                    continue
                if sha256 is None or self._digest(path) == sha256:
                    return path
            except OSError:
                continue
        return None

    def _digest(self, path: Path) -> str:
        if path not in self._sha:
            self._sha[path] = file_sha256(path)
        return self._sha[path]

    def _by_name(self) -> dict[str, list[Path]]:
        if self._index is None:
            self._index = {}
            for folder in self.folders:
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        self._index.setdefault(path.name, []).append(path)
        return self._index


def _write(path: Path, image: np.ndarray, quality: int | None = None) -> None:
    import cv2

    if image.ndim == 3 and int(np.abs(image.astype(np.int16) - image[:, :, :1]).max()) < 12:
        image = image[:, :, 0]  # a grey page: one channel, a third of the bytes
    path.parent.mkdir(parents=True, exist_ok=True)
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if quality else [cv2.IMWRITE_PNG_COMPRESSION, 6]
    ok, data = cv2.imencode(path.suffix, image, params)
    if not ok:
        raise OSError(f"{path}: cannot encode the picture")
    path.write_bytes(data.tobytes())


def _bounded(image: np.ndarray, side: int) -> np.ndarray:
    import cv2

    height, width = image.shape[:2]
    scale = min(1.0, side / max(height, width))
    if scale >= 1.0:
        return image
    return cv2.resize(image, (max(1, round(width * scale)), max(1, round(height * scale))),
                      interpolation=cv2.INTER_AREA)


def form_pictures(cards: list[dict], record: dict, files: dict[str, Path], folder: Path, prefix: str) -> None:
    """Write the pictures of one form's cards under `folder` and name them on the cards (paths
    relative to the review page, under `prefix`). `files`: the geometry's file name → the file."""
    geometry = {g["page"]: g for g in (record.get("source") or {}).get("geometry", [])}
    form_pages = (record.get("source") or {}).get("pages") or []
    wanted: dict[int, list[dict]] = {}
    for card in cards:
        page = card["page"] or (form_pages[0] if form_pages else None)
        if page in geometry:
            wanted.setdefault(page, []).append(card)
    for page, page_cards in sorted(wanted.items()):
        g = geometry[page]
        path = files.get(g.get("file") or "")
        if path is None or path.suffix.lower() not in PICTURE_SUFFIXES or not g.get("width"):
            continue
        image, matrix, dpi = crops.page_image(path, g)
        width, height = float(g["width"]), float(g["height"])
        upright = crops.crop(image, matrix, dpi, (0.0, 0.0, width, height), margin_pt=0.0)
        preview = f"{prefix}/page-{page}.jpg"
        _write(folder / preview, _bounded(upright, PREVIEW_WIDTH), quality=80)
        for n, card in enumerate(page_cards):
            card["preview"], card["page_size"] = preview, [width, height]
            card["page"] = page
            if not card["bbox"]:
                continue
            field, row = crops.field_and_row(image, matrix, dpi, card["bbox"], width)
            stem = f"{prefix}/p{page}-{n:03d}"
            _write(folder / f"{stem}-field.png", _bounded(field, MAX_CROP_SIDE))
            _write(folder / f"{stem}-row.jpg", _bounded(row, MAX_CROP_SIDE), quality=85)
            card["crop"], card["row_crop"] = f"{stem}-field.png", f"{stem}-row.jpg"
