"""Engines by name, as the config names them; each built once per process.

Loading an OCR model costs about a second, so instances are cached per
(kind, name, options, thread cap) and shared by every document a worker converts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from pipeline.errors import ConfigError


# A bulk worker's share of the cores (pipeline/executors.py); 0 lets each runtime take them all.
_threads = 0


def limit_threads(threads: int) -> None:
    """Cap the threads of engines built from now on in this process, and OpenCV's."""
    global _threads
    import cv2

    _threads = threads
    cv2.setNumThreads(threads)


def _rapidocr(**options):
    from pipeline.engines.rapidocr import RapidOcrEngine
    if _threads:
        options.setdefault("threads", _threads)
    return RapidOcrEngine(**options)


def _paddle(**options):
    from pipeline.engines.paddle import PaddleOcrEngine
    return PaddleOcrEngine(**options)


def _recorded(**options):
    from pipeline.engines.recorded import RecordedEngine
    return RecordedEngine(**options)


def _pdfium(**options):
    from pipeline.engines.raster import PdfiumRasterizer
    return PdfiumRasterizer(**options)


OCR_ENGINES: dict[str, Callable] = {"rapidocr": _rapidocr, "paddle": _paddle, "recorded": _recorded}
RASTERIZERS: dict[str, Callable] = {"pdfium": _pdfium}


def factory(kind: str, name: str) -> Callable:
    """An engine's factory: a registered name, or `package.module:attribute` naming one of your own
    (a class or function taking the engine's options, giving an object of pipeline/engines/base.py's
    protocols), the way OCRmyPDF takes plugins."""
    table = {"ocr": OCR_ENGINES, "raster": RASTERIZERS}[kind]
    if name in table:
        return table[name]
    module, _, attribute = name.partition(":")
    if module and attribute:
        import importlib

        try:
            found = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"config: {kind} engine '{name}' cannot be loaded ({exc})") from None
        if callable(found):
            return found
    raise ConfigError(f"config: unknown {kind} engine '{name}' (known: {', '.join(sorted(table))}, "
                      f"or module:factory)")


@lru_cache(maxsize=None)
def _build(kind: str, name: str, frozen_options: tuple, threads: int):
    return factory(kind, name)(**dict(frozen_options))


def ocr_engine(name: str, **options):
    return _build("ocr", name, tuple(sorted(options.items())), _threads)


def rasterizer(name: str, **options):
    return _build("raster", name, tuple(sorted(options.items())), _threads)
