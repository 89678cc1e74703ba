"""Character normalization: control/format/private-use removal, full-width folding, special symbols, whitespace."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_OFFSET = 0xFF01, 0xFF5E, 0xFEE0


def _char_class(ranges: list[tuple[int, int]]) -> str:
    parts = []
    for low, high in sorted(ranges):
        parts.append(re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}")
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def _invisible_ranges() -> tuple[tuple[int, int], ...]:
    """Control (except tab and newline), format (zero-width, bidi marks, BOM), surrogate and private-use code points."""
    ranges: list[tuple[int, int]] = []
    start = None
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        drop = unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in "\t\n"
        if drop and start is None:
            start = cp
        elif not drop and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, sys.maxunicode))
    return tuple(ranges)


class Normalizer:
    """Compiled normalization tables for one set of rule data."""

    def __init__(self, special_symbols: tuple[tuple[int, int], ...], fullwidth_keep: tuple[str, ...]):
        keep = {ord(ch) for ch in fullwidth_keep}
        table = {cp: cp - _FULLWIDTH_OFFSET for cp in range(_FULLWIDTH_FIRST, _FULLWIDTH_LAST + 1) if cp not in keep}
        table[0x3000] = ord(" ")
        for cp in range(0x2000, 0x200B):  # en/em and other fixed-width spaces
            table[cp] = ord(" ")
        table[0x00A0] = table[0x202F] = table[0x205F] = ord(" ")
        self._fold_table = table
        invisible = list(_invisible_ranges())
        self._invisible = re.compile(_char_class(invisible) + "+")
        # One scan finds runs of characters to delete or fold; most text has none.
        self._odd = re.compile(_char_class(invisible + [(cp, cp) for cp in table]) + "+")
        self._symbols = re.compile(_char_class(list(special_symbols)) + "+") if special_symbols else None

    def normalize_chars(self, text: str) -> str:
        """Line breaks to ``\\n``, invisible characters removed, full-width ASCII and odd spaces folded."""
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return self._odd.sub(self._fix_run, text)

    def _fix_run(self, match: re.Match) -> str:
        return self._invisible.sub("", match.group()).translate(self._fold_table)

    def remove_special_symbols(self, text: str) -> str:
        return self._symbols.sub("", text) if self._symbols else text


_SPACES = re.compile(r"[ \t]+")
_LINE_EDGES = re.compile(r" ?\n[ \n]*")


def collapse_whitespace(text: str) -> str:
    """Runs of spaces and tabs become one space; lines are stripped; empty lines are dropped."""
    return _LINE_EDGES.sub("\n", _SPACES.sub(" ", text)).strip(" \n")
