"""CJK typefaces the tests, the sample generators and the corpus typeset with.

Debian font packages the Makefile installs (`make fonts`). Fonts are embedded in every PDF made
with them, so PDFium draws the glyphs whatever fonts the machine has; a non-embedded CID font
(reportlab's STSong-Light) is drawn only where some CJK system font happens to be installed.
"""

from __future__ import annotations

from pathlib import Path

# name -> (file, subfont index in a .ttc)
FONTS = {
    "ZenHei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "MicroHei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    "UMing": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "UKai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    "SungtiGB": ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
    "KaitiGB": ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", 0),
    "DroidFallback": ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    "WenKai": ("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", 0),
    "FangSong": ("/usr/share/fonts/truetype/cwtex/cwfs.ttf", 0),
}

# the style of each face, for the corpus's index (Song/Ming, Hei, Kai, Fangsong)
STYLE = {
    "ZenHei": "hei", "MicroHei": "hei", "DroidFallback": "hei", "UMing": "ming",
    "SungtiGB": "song", "UKai": "kai", "KaitiGB": "kai", "WenKai": "kai", "FangSong": "fangsong",
}

# drawn where a face lacks a glyph (cwTeX Fangsong is a traditional-Chinese face; Droid lacks ≥ ≤)
FALLBACK = "ZenHei"


def register(name: str = "ZenHei") -> str:
    """Register one of FONTS with reportlab (embedded TrueType); returns the name to setFont with."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if name in pdfmetrics.getRegisteredFontNames():
        return name
    path, index = FONTS[name]
    if not Path(path).exists():
        raise FileNotFoundError(f"font {path} missing: `make fonts` installs the CJK font packages")
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    return name
