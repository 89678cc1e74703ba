"""Navigation-bar lines: menus, breadcrumbs, share bars, pagination and footers left in the text."""

from __future__ import annotations

import re

import ahocorasick

from corpus_pipeline.recipe import NavigationConfig

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EDGE_PUNCTUATION = " :：|>»›·•[]【】()（）<>《》-—_/\\"


class NavigationRules:
    """Compiled navigation rules: menu words (Aho-Corasick), chrome patterns, separator characters.

    A line (stripped) is navigation when it is no longer than ``2 * max_line_chars`` and matches a chrome
    pattern, or when it is no longer than ``max_line_chars`` and: is a single menu word; has at least
    ``min_separators`` separators making up ``min_separator_ratio`` of it; is ``min_menu_tokens`` or more
    space-separated tokens of at most ``max_menu_token_chars`` characters, each Chinese or a number; or has
    ``min_menu_words`` distinct menu words covering ``min_menu_word_coverage`` of its non-space characters.
    """

    def __init__(self, words: tuple[str, ...], patterns: tuple[str, ...], separators: tuple[str, ...],
                 config: NavigationConfig):
        self.config = config
        self.words = frozenset(words)
        self._automaton = ahocorasick.Automaton()
        for word in sorted(self.words):
            self._automaton.add_word(word, len(word))
        self._automaton.make_automaton()
        self._pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        self._separators = re.compile("[" + "".join(re.escape(s) for s in separators) + "]") if separators else None

    def menu_word_coverage(self, line: str) -> tuple[int, int]:
        """(distinct menu words, characters they cover) in ``line``; overlapping matches are not double counted."""
        covered = [False] * len(line)
        distinct = set()
        for end, length in self._automaton.iter(line):
            distinct.add(line[end - length + 1 : end + 1])
            for i in range(end - length + 1, end + 1):
                covered[i] = True
        return len(distinct), sum(covered)

    def is_navigation_line(self, line: str) -> bool:
        cfg = self.config
        line = line.strip()
        n = len(line)
        if n == 0 or n > 2 * cfg.max_line_chars:
            return False
        if self._pattern is not None and self._pattern.search(line):
            return True
        if n > cfg.max_line_chars:
            return False
        if line.strip(_EDGE_PUNCTUATION) in self.words:
            return True
        if self._separators is not None:
            seps = len(self._separators.findall(line))
            if seps >= cfg.min_separators and seps / n >= cfg.min_separator_ratio:
                return True
        tokens = line.split()
        if len(tokens) >= cfg.min_menu_tokens and all(
            len(t) <= cfg.max_menu_token_chars and (t.isdigit() or _HAN.search(t)) for t in tokens
        ):
            return True
        distinct, covered = self.menu_word_coverage(line)
        letters = n - line.count(" ")
        return distinct >= cfg.min_menu_words and covered >= cfg.min_menu_word_coverage * letters


def strip_navigation(text: str, rules: NavigationRules) -> tuple[str, int]:
    """The text without its navigation lines, and how many lines were removed."""
    kept, removed = [], 0
    for line in text.split("\n"):
        if rules.is_navigation_line(line):
            removed += 1
        else:
            kept.append(line)
    return "\n".join(kept), removed
