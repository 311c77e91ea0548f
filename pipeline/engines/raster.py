"""Rasterisers: a page of a PDF or an image file as pixels at a given dpi."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class PdfiumRasterizer:
    """PDFium through pypdfium2: fast, and renders embedded CJK fonts faithfully."""

    name = "pdfium"

    def __init__(self, password: str | None = None):
        self.password = password

    def page_count(self, path: Path) -> int:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path), password=self.password)
        try:
            return len(pdf)
        finally:
            pdf.close()

    def render(self, path: Path, index: int, dpi: float) -> np.ndarray:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path), password=self.password)
        try:
            page = pdf[index]
            bitmap = page.render(scale=dpi / 72.0)
            return np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])  # PDFium renders BGR, OpenCV's order
        finally:
            pdf.close()
