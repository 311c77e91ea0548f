"""Office files (docx, xlsx) are zips whose entries carry the time of writing: rewritten here
with a fixed timestamp and order, so the same arguments give byte-identical files."""

from __future__ import annotations

import io
import re
import zipfile

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def normalise(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":   # openpyxl stamps the time of saving
                blob = _MODIFIED.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", blob)
            dst.writestr(fixed, blob)
    return out.getvalue()
