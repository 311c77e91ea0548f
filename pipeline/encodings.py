"""What encoding a text input is in: a byte-order mark, else UTF-8, else the page's own
declaration (HTML), else charset-normalizer's best guess where its measure of garbled text stays
under a floor. A guess below the floor is refused, naming the file: text read in the wrong encoding
(Big5 read as GB18030) is all garbage that looks like Chinese, the worst kind of silent error."""

from __future__ import annotations

import codecs
from pathlib import Path

from pipeline.errors import CorruptInput

MAX_CHAOS = 0.2  # charset-normalizer's share of garbled-looking text a reading may have
SNIFF_BYTES = 1 << 20  # the guess is made on the first MiB (a 50 MB dump would take seconds)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_GB = {"gb2312", "gbk", "gb18030", "hz", "cp936"}  # read as their superset
# what a Chinese archive's text can be in (charset-normalizer's names, without _ and -)
_CHINESE = _GB | {"big5", "big5hkscs", "cp950", "utf16", "utf16le", "utf16be", "utf32", "utf32le", "utf32be",
                  "utf8"}
PLAIN_SHARE = 0.97
COMMON_HANZI_SHARE = 0.6  # of a fallback reading's Chinese characters, common ones (real text: ~90%+)  # of a reading's characters, Chinese, CJK punctuation or ASCII


def decode_text(raw: bytes, path: Path, declared: str | None = None) -> str:
    """The text of a file's bytes; CorruptInput when no encoding reads it cleanly enough."""
    for bom, encoding in _BOMS:  # UTF-32 LE starts like UTF-16 LE: the longer mark is tried first
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise CorruptInput(f"{path}: says {encoding} (byte-order mark) but is not ({exc.reason})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return raw[:exc.start].decode("utf-8")  # a file cut mid-character: all but that character
    if declared:
        name = "gb18030" if declared.replace("-", "").lower() in _GB else declared
        try:
            return raw.decode(codecs.lookup(name).name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: guess as for any other file
    import charset_normalizer

    for match in charset_normalizer.from_bytes(raw[:SNIFF_BYTES]):
        name = match.encoding.replace("_", "").replace("-", "").lower()
        encoding = "gb18030" if name in _GB else match.encoding
        if match.chaos > MAX_CHAOS or name not in _CHINESE:
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_chinese(text):
            return text
    try:  # charset-normalizer finds nothing in text dense with signs (① ㎡ ±): the archives' own encoding
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if looks_chinese(text) and mostly_common_hanzi(text):
        return text
    raise CorruptInput(f"{path}: cannot tell the text's encoding (not UTF-8, and no Chinese encoding reads "
                       f"it cleanly); save it as UTF-8")


# what Chinese forms print besides Chinese and ASCII: Latin-1 signs (° ± ·), Greek (μ), punctuation
# and dashes, number forms (Ⅱ), arrows, maths (≥ ≤ ×), circled numbers (①), box drawing, CJK
# symbols and compatibility units (㎡), extension A and compatibility ideographs, full-width forms
_CHINESE_TEXT = ((0x00A0, 0x00FF), (0x0370, 0x03FF), (0x2000, 0x22FF), (0x2460, 0x257F), (0x3000, 0x33FF),
                 (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def looks_chinese(text: str) -> bool:
    """Text a Chinese form could be: its characters are ASCII or of the blocks Chinese text uses;
    anything else (Thai, Cyrillic, Hangul: bytes read in the wrong encoding) is rare."""
    chars = [ord(c) for c in text if not c.isspace()]
    if not chars:
        return False
    plain = sum(1 for c in chars if c < 0x7F or any(lo <= c <= hi for lo, hi in _CHINESE_TEXT))
    return plain / len(chars) >= PLAIN_SHARE


def mostly_common_hanzi(text: str) -> bool:
    """Real Chinese text is written mostly in the 3,755 common characters (GB2312 level 1, lead
    bytes B0–D7); bytes that are not GB18030 still decode as GB18030, into rare ones."""
    hanzi = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not hanzi:
        return False
    common = 0
    for c in hanzi:
        try:
            common += 0xB0 <= c.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            pass
    return common / len(hanzi) >= COMMON_HANZI_SHARE
