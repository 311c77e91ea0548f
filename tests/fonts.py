"""CJK typefaces for tests that typeset text: the one table lives in scripts/corpus/fonts.py."""

from scripts.corpus.fonts import FONTS, register  # noqa: F401
