"""The reversible text form the SentencePiece model sees (CPM §2.2, made lossless).

CPM joins jieba's words with spaces and maps the text's own spaces and newlines to two dedicated symbols
(U+2582 and U+2583), so the model learns pieces inside words and the word boundaries carry no text. CPM's
mapping loses any of those symbols that the text itself contains; here they, the escape symbol U+2584 and
SentencePiece's whitespace symbol U+2581 are written as U+2584 followed by a digit, so
``unescape(decoded) == text`` for every string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WHITESPACE_SYMBOL = "\u2581"  # SentencePiece's own: a space in its input becomes this
SPACE_SYMBOL = "\u2582"
NEWLINE_SYMBOL = "\u2583"
ESCAPE_SYMBOL = "\u2584"
WORD_BOUNDARY = " "

_ESCAPED = {WHITESPACE_SYMBOL: "1", SPACE_SYMBOL: "2", NEWLINE_SYMBOL: "3", ESCAPE_SYMBOL: "4"}
_ESCAPE_TABLE = str.maketrans(
    {
        " ": SPACE_SYMBOL,
        "\n": NEWLINE_SYMBOL,
        **{symbol: ESCAPE_SYMBOL + digit for symbol, digit in _ESCAPED.items()},
    }
)
_UNESCAPED = {
    WORD_BOUNDARY: "",
    SPACE_SYMBOL: " ",
    NEWLINE_SYMBOL: "\n",
    **{ESCAPE_SYMBOL + digit: symbol for symbol, digit in _ESCAPED.items()},
}
_UNESCAPE_PATTERN = re.compile(f"{ESCAPE_SYMBOL}[1-4]|[{WORD_BOUNDARY}{SPACE_SYMBOL}{NEWLINE_SYMBOL}]")


def escape_word(word: str) -> str:
    """A word with its spaces, newlines and reserved symbols replaced, so it holds no space."""
    return word.translate(_ESCAPE_TABLE)


# Joining with a character the words do not contain and translating once is ~3x faster than escaping word by
# word; the separator becomes the word boundary in the same translation.
_SEPARATORS = tuple(chr(code) for code in range(0xE000, 0xE020))  # private use area
_JOIN_TABLES = {sep: {**_ESCAPE_TABLE, ord(sep): WORD_BOUNDARY} for sep in _SEPARATORS}


def join_words_slow(words: Iterable[str]) -> str:
    """:func:`join_words`, one word at a time (the reference, and the fallback)."""
    return WORD_BOUNDARY.join(word.translate(_ESCAPE_TABLE) for word in words)


def join_words(words: list[str]) -> str:
    """The model's input for a segmented text: escaped words separated by one space each."""
    for separator in _SEPARATORS:
        joined = separator.join(words)
        if joined.count(separator) == max(len(words) - 1, 0):  # the separator occurs in no word
            return joined.translate(_JOIN_TABLES[separator])
    return join_words_slow(words)


def unescape(decoded: str) -> str:
    """The original text from the model's decoded output: boundaries dropped, symbols mapped back.

    A lone escape symbol (possible only when decoding a cut-off token sequence) is kept as it is.
    """
    return _UNESCAPE_PATTERN.sub(lambda match: _UNESCAPED[match.group()], decoded)
