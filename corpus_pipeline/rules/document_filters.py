"""Document-level filters: Chinese-character ratio, length and title-only documents."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np

_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))


@lru_cache(maxsize=1)
def _bmp_classes() -> np.ndarray:
    """Per BMP code point: 0 = counts as a character, 1 = Han, 2 = ignored (whitespace or punctuation)."""
    classes = np.zeros(0x10000, dtype=np.uint8)
    for cp in range(0x10000):
        category = unicodedata.category(chr(cp))
        if category[0] in "PZ" or chr(cp).isspace():
            classes[cp] = 2
    for low, high in _HAN_RANGES:
        if high < 0x10000:
            classes[low : high + 1] = 1
    return classes


def char_stats(text: str) -> tuple[int, int]:
    """(Han characters, characters that count) in ``text``: whitespace and punctuation do not count."""
    if not text:
        return 0, 0
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    classes = _bmp_classes()
    bmp = codepoints < 0x10000
    bmp_classes = classes[codepoints[bmp]]
    han = int(np.count_nonzero(bmp_classes == 1))
    counted = int(np.count_nonzero(bmp_classes != 2))
    if not bmp.all():
        astral = codepoints[~bmp]
        counted += astral.size
        han += int(np.count_nonzero((astral >= 0x20000) & (astral <= 0x323AF)))
    return han, counted


def cjk_ratio(text: str) -> float:
    """Share of Han characters among the characters that are neither whitespace nor punctuation."""
    han, counted = char_stats(text)
    return han / counted if counted else 0.0


def count_chars(text: str) -> int:
    """Characters that are not whitespace."""
    return len(text) - sum(text.count(ch) for ch in " \n\t")


def is_title_only(text: str, title: str | None, title_max_chars: int, sentence_end: frozenset[str]) -> bool:
    """True when the text is only its title, or only title-like lines (short, no sentence-final punctuation)."""
    body = text.strip()
    if not body:
        return False
    if title and body == title.strip():
        return True
    for line in body.split("\n"):
        line = line.strip()
        if len(line) > title_max_chars or line[-1] in sentence_end or any(ch in line for ch in "。！？"):
            return False
    return True


def cjk_ratio_reason(han: int, counted: int, min_cjk_ratio: float) -> str | None:
    """``low_cjk_ratio`` when Han characters are less than ``min_cjk_ratio`` of the counted characters."""
    return "low_cjk_ratio" if counted and han / counted < min_cjk_ratio else None


def no_counted_chars_reason(counted: int) -> str | None:
    """``low_cjk_ratio`` for a text with no countable character (checked after the length filter)."""
    return "low_cjk_ratio" if not counted else None


def min_length_reason(n_chars: int, min_chars: int) -> str | None:
    """``too_short`` when the text has fewer than ``min_chars`` non-space characters."""
    return "too_short" if n_chars < min_chars else None


def title_only_reason(text: str, title: str | None, title_max_chars: int, sentence_end: frozenset[str]) -> str | None:
    """``title_only`` when the text is only its title or title-like lines (:func:`is_title_only`)."""
    return "title_only" if is_title_only(text, title, title_max_chars, sentence_end) else None
