"""Cell text: wrapped lines joined, widths and punctuation normalised; labels compared; numbers read.

Neutral ground: OCR (stages/ocr*, reread) and repair both read text through
these helpers, and neither imports the other.

A plain extraction leaves a line break — or a space — wherever a narrow cell
wrapped its text (`调处矛盾纠纷成功 率`, `度量 单位`). Chinese has no spaces
between words, so whitespace touching a CJK character is always an artefact;
between Latin words and numbers it is real and kept (`Level 2`, `2 000`).
"""

from __future__ import annotations

from functools import lru_cache
import re
import unicodedata

# Full-width forms of ASCII letters and digits are read as their ASCII twins;
# punctuation is decided by context below.
_FULLWIDTH_ALNUM = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH_ALNUM.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH_ALNUM.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})
_FULLWIDTH_ALNUM.update({"\u3000": " ", "．": ".", "％": "%", "﹪": "%"})

# Half-width punctuation that becomes full-width next to Chinese text.
_TO_FULLWIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}

# `1. 着力…`: the space after a list number is typography, not a wrap
_ENUMERATOR = re.compile(r"^\d{1,3}[.)]$")

_ENUMERATED = re.compile(r"^(\d{1,3})\.\s*(?=[\u4e00-\u9fff])")

_CJK_PUNCT = set("，。、；：？！（）《》〈〉【】「」『』“”‘’…—～·")


def is_cjk(ch: str) -> bool:
    """A Han character, a CJK symbol or a full-width punctuation mark."""
    if not ch:
        return False
    code = ord(ch)
    return (0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF
            or 0x3000 <= code <= 0x303F or ch in _CJK_PUNCT)


def has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def join_wrapped(text: str) -> str:
    """Join the pieces of wrapped text; keep one space only between two Latin/digit pieces."""
    pieces = text.split()
    if not pieces:
        return ""
    out = pieces[0]
    for piece in pieces[1:]:
        left, right = out[-1], piece[0]
        keep_space = (left.isascii() and right.isascii() and left.isalnum() and right.isalnum()) \
            or (bool(_ENUMERATOR.match(out)) and not right.isdigit())  # `97.` + `7` is a wrapped number
        out += (" " if keep_space else "") + piece
    return out


def _fullwidth_punct(text: str) -> str:
    """Half-width , ; : ? ! ( ) touching Chinese text become full-width.

    A comma between digits (1,600) or a colon in a time (8:30) stays ASCII.
    Parentheses convert as a pair when either side of the pair is Chinese.
    """
    chars = list(text)
    n = len(chars)
    for i, ch in enumerate(chars):
        if ch not in _TO_FULLWIDTH or ch in "()":
            continue
        prev = chars[i - 1] if i > 0 else ""
        nxt = chars[i + 1] if i + 1 < n else ""
        if is_cjk(prev) or (is_cjk(nxt) and not (prev.isdigit() and nxt.isdigit())):
            chars[i] = _TO_FULLWIDTH[ch]
    text = "".join(chars)
    text = re.sub(r"\(([^()]*)\)", _paren_pair, text)
    # a pair of mixed widths (OCR reads `(二）`): one width, by the same rule
    return re.sub(r"\(([^()（）]*)）|（([^()（）]*)\)", _mixed_pair, text)


def _paren_pair(match: re.Match) -> str:
    inner = match.group(1)
    start, end = match.start(), match.end()
    whole = match.string
    before = whole[start - 1] if start > 0 else ""
    after = whole[end] if end < len(whole) else ""
    if has_cjk(inner) or is_cjk(before) or is_cjk(after):
        return f"（{inner}）"
    return match.group(0)


def _mixed_pair(match: re.Match) -> str:
    inner = match.group(1) if match.group(1) is not None else match.group(2)
    whole, start, end = match.string, match.start(), match.end()
    before = whole[start - 1] if start > 0 else ""
    after = whole[end] if end < len(whole) else ""
    if has_cjk(inner) or is_cjk(before) or is_cjk(after):
        return f"（{inner}）"
    return f"({inner})"


@lru_cache(maxsize=16384)  # a form's labels are compared tens of thousands of times (repair, forms)
def clean_text(text: str | None) -> str:
    """The one normalisation every cell and line goes through."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = "".join(_FULLWIDTH_ALNUM.get(ch, ch) for ch in text)
    text = join_wrapped(text)
    # `1.着力` and `1. 着力` are the same list number: one spelling, whatever read it
    text = _ENUMERATED.sub(r"\1. ", text)
    text = _fullwidth_punct(text)
    # a space may survive next to punctuation that only became full-width above
    text = re.sub(r"\s*([，。、；：？！（）])\s*", r"\1", text)
    return text.strip()


_ONE_BRACKET_WIDTH = str.maketrans("()", "（）")


@lru_cache(maxsize=16384)
def label_key(text: str | None) -> str:
    """How labels are compared: cleaned, without spaces, colons or dots (a speck read as `·`), and
    brackets of one width (a lone bracket, or a mixed pair clean_text left half-width)."""
    return re.sub(r"[\s：:·・.．]", "", clean_text(text)).translate(_ONE_BRACKET_WIDTH)


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_number(text: str | None) -> float | int | None:
    """`1,600` → 1600, `19.2` → 19.2, `0.00` → 0; anything else → None."""
    if not text:
        return None
    t = text.strip()
    if not _NUMBER.match(t):
        return None
    t = t.replace(",", "")
    value = float(t)
    if "." not in t and abs(value) < 2**53:
        return int(t)
    return value
