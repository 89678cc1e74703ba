"""The one line of tokens fastText sees for a text, in training and in scoring alike.

:func:`fasttext_line` takes the first ``max_chars`` characters of a text (``max_chars <= 0``: all of it),
normalizes them and tokenizes them per ``features``:

``chars`` (the default; see ``bench/RESULTS.md`` for the measurement that chose it)
    every CJK character, punctuation mark or other symbol is a token of its own; a run of Latin letters is one
    lowercased token (full-width letters folded to ASCII); a run of digits is one token with every digit
    written ``0``, so ``13960226828`` becomes ``00000000000`` and only the length of a number is kept (phone
    numbers, QQ numbers and prices look alike whatever their value). Word n-grams (``wordNgrams``) then give
    character bigrams or trigrams. Pure regular-expression and ``str`` work: about 10 MB/s.
``words``
    the same normalization, then jieba segmentation (about 0.7 MB/s; jieba is an optional dependency).

Whitespace of any kind separates tokens and never appears in the line, so the line holds no ``'\\n'``; NUL and
lone surrogates become spaces (fastText splits on NUL; a surrogate cannot be encoded). No token can start with
fastText's ``__label__`` prefix.
"""

from __future__ import annotations

import re

FEATURES = ("chars", "words")

_TABLE: dict[int, str] = {c: "0" for c in range(0x30, 0x3A)}  # ASCII digits
_TABLE.update({c: "0" for c in range(0xFF10, 0xFF1A)})  # full-width digits
_TABLE.update({c: chr(c - 0xFEE0 + 0x20) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ -> a-z
_TABLE.update({c: chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ -> a-z
_TABLE[0] = " "
_TABLE.update({c: " " for c in range(0xD800, 0xE000)})  # lone surrogates
_NORMALIZE = str.maketrans(_TABLE)

_CHAR_TOKENS = re.compile(r"[a-z]+|0+|[^\sa-z0]")


def normalize(text: str, max_chars: int) -> str:
    """The first ``max_chars`` characters (all when ``max_chars <= 0``), digits as ``0``, letters lowercased."""
    if max_chars > 0:
        text = text[:max_chars]
    return text.translate(_NORMALIZE).lower()


def char_tokens(text: str) -> str:
    """Tokens of normalized text, space-separated: letter runs, digit runs, any other character alone."""
    return " ".join(_CHAR_TOKENS.findall(text))


def word_tokens(text: str) -> str:
    """Tokens of normalized text, space-separated, as jieba segments it."""
    line = " ".join(_jieba().lcut(text))
    line = " ".join(line.split())
    return line.replace("__label__", "_ _label__") if "__label__" in line else line


def fasttext_line(text: str, features: str, max_chars: int) -> str:
    """The single line (no ``'\\n'``) fed to fastText for ``text``: see the module docstring."""
    text = normalize(text, max_chars)
    if features == "chars":
        return char_tokens(text)
    if features == "words":
        return word_tokens(text)
    raise ValueError(f"features must be one of {', '.join(FEATURES)}, got {features!r}")


_JIEBA = None


def _jieba():
    """jieba, initialized once and quietly (it logs its dictionary loading otherwise)."""
    global _JIEBA
    if _JIEBA is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _JIEBA = jieba
    return _JIEBA
