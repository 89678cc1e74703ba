"""Text normalized for duplicate detection: simplified script, no punctuation or whitespace, full width folded.

Two copies of a page that differ only in script (traditional/simplified), punctuation, spacing, full-width
letters or letter case normalize to the same string. :func:`normalize_for_hashing` is the reference for one
text; :func:`normalize_batch` does the same for a list of texts at once with a code-point lookup table and
returns the code points of all texts concatenated (what the MinHash step consumes).
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata

import numpy as np

from corpus_pipeline.rules.simplify import converter

#: Unicode general categories removed before hashing: punctuation, separators (spaces), control/format/unassigned.
DROPPED_CATEGORIES = ("P", "Z", "C")
_DECOMPOSITION_FOLDED = ("<wide>", "<narrow>")


def _fold(char: str) -> str:
    """One character's hashing form: '' when dropped, else its narrow, lower-case form."""
    if unicodedata.category(char)[0] in DROPPED_CATEGORIES:
        return ""
    if unicodedata.decomposition(char).split(" ", 1)[0] in _DECOMPOSITION_FOLDED:
        char = unicodedata.normalize("NFKC", char)
        if len(char) != 1 or unicodedata.category(char)[0] in DROPPED_CATEGORIES:
            return ""
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


_BMP = 0x10000


@functools.lru_cache(maxsize=1)
def fold_table() -> np.ndarray:
    """``table[code point]`` = folded code point or 0 (dropped), for the Basic Multilingual Plane (built once)."""
    return np.array([ord(_fold(chr(code)) or "\0") for code in range(_BMP)], dtype=np.uint32)


@functools.cache
def _fold_astral(code: int) -> int:
    return ord(_fold(chr(code)) or "\0")


def fold_code_points(code_points: np.ndarray) -> np.ndarray:
    """Fold an array of code points (0 = dropped): a table lookup, plus a cached lookup for the rare
    characters beyond the BMP (CJK extensions B-G, emoji)."""
    astral = code_points >= _BMP
    folded = fold_table()[np.where(astral, 0, code_points)]
    if astral.any():
        unique, inverse = np.unique(code_points[astral], return_inverse=True)
        folded[astral] = np.array([_fold_astral(int(code)) for code in unique], dtype=np.uint32)[inverse]
    return folded


@functools.lru_cache(maxsize=4)
def _simplifier(config: str):
    return converter(config)


def normalize_for_hashing(text: str, opencc_config: str = "t2s") -> str:
    """The string duplicates are detected on (reference implementation, one text)."""
    return "".join(_fold(char) for char in _simplifier(opencc_config).convert(text))


def normalize_batch(texts: list[str | None], opencc_config: str = "t2s") -> tuple[np.ndarray, np.ndarray]:
    """Normalize many texts at once: ``(code_points, offsets)``.

    ``code_points`` (uint32) holds every normalized text back to back; text ``i`` is
    ``code_points[offsets[i]:offsets[i + 1]]``. A missing text normalizes to the empty string.
    """
    simplify = _simplifier(opencc_config).convert
    simplified = [simplify(text) if text else "" for text in texts]
    raw = np.frombuffer("".join(simplified).encode("utf-32-le"), dtype=np.uint32)
    folded = fold_code_points(raw)
    keep = folded != 0
    raw_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(text) for text in simplified], out=raw_offsets[1:])
    kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    return folded[keep], kept_before[raw_offsets]


def exact_keys(code_points: np.ndarray, offsets: np.ndarray) -> list[bytes]:
    """A 16-byte digest of each normalized text: equal keys = exact duplicates after normalization."""
    data = code_points.tobytes()
    return [
        hashlib.blake2b(data[4 * start : 4 * end], digest_size=16).digest()
        for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist())
    ]
