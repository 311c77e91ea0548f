"""A field's picture, cut from its source file through the geometry its record keeps.

A bbox is PDF points on the upright page. For a scanned page, `source.geometry[i].transform.matrix`
maps the original image's pixels onto the upright page's pixels at the page's working dpi, so one
perspective warp of the original by (shift to the crop) · matrix gives the crop upright and
deskewed, however the file was turned or photographed. A digital page is rendered at RENDER_DPI.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

RENDER_DPI = 150.0  # a digital page's crops; a scan's are at its working dpi
MARGIN_PT = 4.0  # around a field, so its borders show


def page_image(path: Path, geometry: dict, password: str | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """(the original page as BGR pixels, matrix original px → upright px, the upright page's dpi)."""
    from pipeline.engines.raster import PdfiumRasterizer

    index = (geometry.get("file_page") or geometry["page"]) - 1
    transform = geometry.get("transform") if geometry.get("scanned") else None
    if path.suffix.lower() == ".pdf":
        dpi = float(transform["original_dpi"]) if transform else RENDER_DPI
        image = PdfiumRasterizer(password).render(path, index, dpi)
    else:
        image = _image_frame(path, index)
    if transform:
        return image, np.asarray(transform["matrix"], np.float64), float(geometry["dpi"])
    return image, np.eye(3), RENDER_DPI


def _image_frame(path: Path, index: int) -> np.ndarray:
    from PIL import Image, ImageSequence

    from pipeline.stages.scan import to_rgb

    with Image.open(path) as image:
        for i, frame in enumerate(ImageSequence.Iterator(image)):
            if i == index:
                return np.ascontiguousarray(to_rgb(frame)[:, :, ::-1])
    raise ValueError(f"{path}: no page {index + 1}")


def crop(image: np.ndarray, matrix: np.ndarray, dpi: float, bbox_pt, margin_pt: float = MARGIN_PT) -> np.ndarray:
    """The upright picture of bbox_pt (x0, top, x1, bottom in points), from the original image."""
    import cv2

    scale = dpi / 72.0
    x0, y0 = (bbox_pt[0] - margin_pt) * scale, (bbox_pt[1] - margin_pt) * scale
    x1, y1 = (bbox_pt[2] + margin_pt) * scale, (bbox_pt[3] + margin_pt) * scale
    width, height = max(1, round(x1 - x0)), max(1, round(y1 - y0))
    shift = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    return cv2.warpPerspective(image, shift @ matrix, (width, height), flags=cv2.INTER_AREA,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))


def field_and_row(image: np.ndarray, matrix: np.ndarray, dpi: float, bbox_pt, page_width_pt: float | None):
    """The field, and the band of the page across it (its row, for context)."""
    field = crop(image, matrix, dpi, bbox_pt)
    width = page_width_pt or bbox_pt[2] + 72.0
    row = crop(image, matrix, dpi, (0.0, bbox_pt[1], width, bbox_pt[3]), margin_pt=MARGIN_PT * 2)
    return field, row
