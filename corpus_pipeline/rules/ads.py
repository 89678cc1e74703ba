"""Advertisement rules: ad documents are dropped (``ad_keywords``), isolated ad lines are removed.

An *ad line* is a line no longer than ``line_max_chars`` with ``line_min_keywords`` keyword hits, or one
keyword and one contact (phone, QQ, WeChat id, URL; contacts count only in lines with a keyword). A document is an ad when its ad lines hold at least
``doc_ad_char_fraction`` of its characters, or when the hits in its other lines (ads woven into long
paragraphs) reach ``doc_min_hits`` at ``doc_min_hits_per_kchar`` per thousand of their characters.
Otherwise its ad lines are removed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

import ahocorasick

from corpus_pipeline.recipe import AdConfig
from corpus_pipeline.rules.matching import leftmost_longest


class AdRules:
    """Compiled ad keywords (Aho-Corasick) and contact patterns (phone, QQ, WeChat, URL)."""

    def __init__(self, keywords: tuple[str, ...], contact_patterns: tuple[str, ...], config: AdConfig):
        self.config = config
        self._automaton = ahocorasick.Automaton()
        for word in sorted({k.lower() for k in keywords}):
            self._automaton.add_word(word, len(word))
        if len(self._automaton):
            self._automaton.make_automaton()
        self._contacts = [re.compile(p) for p in contact_patterns]

    def line_hits(self, lines: list[str]) -> tuple[list[int], list[int]]:
        """Keyword and contact hits per line. Keyword matches within a line do not overlap; contacts are only
        counted in lines that hold a keyword (a phone number alone is not an ad)."""
        text = "\n".join(lines).lower()
        keywords, contacts = [0] * len(lines), [0] * len(lines)
        if not len(self._automaton):
            return keywords, contacts
        starts = [0, *accumulate(len(line) + 1 for line in lines[:-1])]
        for start, _ in leftmost_longest(self._automaton, text):
            keywords[bisect_right(starts, start) - 1] += 1
        for index, count in enumerate(keywords):
            if count:
                contacts[index] = sum(len(pattern.findall(lines[index])) for pattern in self._contacts)
        return keywords, contacts


@dataclass(frozen=True)
class AdVerdict:
    reason: str | None  # "ad_keywords" when the whole document is an ad
    text: str  # the text without its isolated ad lines
    ad_lines: int  # isolated ad lines removed


def apply_ad_rules(text: str, rules: AdRules) -> AdVerdict:
    cfg = rules.config
    lines = text.split("\n")
    keywords, contacts = rules.line_hits(lines)
    is_ad = [
        len(line) <= cfg.line_max_chars and (k >= cfg.line_min_keywords or (k >= 1 and c >= 1))
        for line, k, c in zip(lines, keywords, contacts)
    ]
    total_chars = sum(len(line) for line in lines) or 1
    ad_chars = sum(len(line) for line, ad in zip(lines, is_ad) if ad)
    rest_hits = sum(k + c for k, c, ad in zip(keywords, contacts, is_ad) if not ad)
    rest_chars = total_chars - ad_chars or 1
    if ad_chars / total_chars >= cfg.doc_ad_char_fraction or (
        rest_hits >= cfg.doc_min_hits and rest_hits * 1000 / rest_chars >= cfg.doc_min_hits_per_kchar
    ):
        return AdVerdict("ad_keywords", text, 0)
    kept = [line for line, ad in zip(lines, is_ad) if not ad]
    return AdVerdict(None, "\n".join(kept), len(lines) - len(kept))
