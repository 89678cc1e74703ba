"""Leftmost-longest, non-overlapping matching over a pyahocorasick automaton.

pyahocorasick 2.3.1's ``iter_long`` is meant to give exactly this but misses matches (with the words
{"accc", "c"}, ``"dac"`` yields nothing: a shorter word inside a failed longer candidate at the end of the
text is lost), so the spans are derived from the complete ``iter`` output instead.
"""

from __future__ import annotations

import ahocorasick


def leftmost_longest(automaton: ahocorasick.Automaton, text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans: scanning left to right, the longest word starting at each position not
    inside an earlier match. The automaton's values must be the words' lengths."""
    longest: dict[int, int] = {}
    for end, length in automaton.iter(text):
        start = end - length + 1
        if length > longest.get(start, 0):
            longest[start] = length
    spans, cursor = [], 0
    for start in sorted(longest):
        if start >= cursor:
            cursor = start + longest[start]
            spans.append((start, cursor))
    return spans
