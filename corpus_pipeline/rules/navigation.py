"""Navigation-bar lines: menus, breadcrumbs, share bars, pagination and footers left in the text."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

import ahocorasick

from corpus_pipeline.recipe import NavigationConfig, RecipeError

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EDGE_PUNCTUATION = " :：|>»›·•[]【】()（）<>《》-—_/\\"
_WORD, _TRIGGER = 1, 2


class NavigationRules:
    """Compiled navigation rules: menu words and pattern triggers (one Aho-Corasick automaton), chrome
    patterns, separator characters.

    A line (stripped) is navigation when it is no longer than ``2 * max_line_chars`` and matches a chrome
    pattern, or when it is no longer than ``max_line_chars`` and: is a single menu word; has at least
    ``min_separators`` separators making up ``min_separator_ratio`` of it; is ``min_menu_tokens`` or more
    space-separated tokens of at most ``max_menu_token_chars`` characters, each Chinese or a number; or has
    ``min_menu_words`` distinct menu words covering ``min_menu_word_coverage`` of its non-space characters.
    Menu words and triggers match case-insensitively.
    """

    def __init__(
        self,
        words: tuple[str, ...],
        patterns: tuple[str, ...],
        triggers: tuple[str, ...],
        separators: tuple[str, ...],
        config: NavigationConfig,
    ):
        self.config = config
        self.words = frozenset(word.lower() for word in words)
        triggers = frozenset(trigger.lower() for trigger in triggers)
        for pattern in patterns:
            if not any(trigger in pattern.lower() for trigger in triggers):
                raise RecipeError(f"navigation pattern {pattern!r} holds none of the pattern triggers")
        self._automaton = ahocorasick.Automaton()
        for key in sorted(self.words | triggers):
            kind = (_WORD if key in self.words else 0) | (_TRIGGER if key in triggers else 0)
            self._automaton.add_word(key, (len(key), kind))
        if len(self._automaton):
            self._automaton.make_automaton()
        self._pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
        self._separators = re.compile("[" + "".join(re.escape(s) for s in separators) + "]") if separators else None
        token = rf"\S{{1,{config.max_menu_token_chars}}}"
        self._short_tokens = re.compile(
            rf"^[ \t]*{token}(?:[ \t]+{token}){{{config.min_menu_tokens - 1},}}[ \t]*$", re.M
        )

    def navigation_lines(self, lines: list[str]) -> list[bool]:
        """For each line, whether it is navigation.

        Whole-text scans (Aho-Corasick, separators, runs of short tokens) find the few lines that could be
        navigation; only those are checked one by one.
        """
        text = "\n".join(lines)
        lowered = text.lower()
        ends = list(accumulate(len(line) + 1 for line in lines))
        found: dict[int, list[tuple[int, int, str]]] = {}
        triggered: set[int] = set()
        if len(self._automaton) and len(lowered) == len(text):  # lower() kept every offset
            for end, (length, kind) in self._automaton.iter(lowered):
                start = end - length + 1
                index = bisect_right(ends, start)
                if kind & _TRIGGER:
                    triggered.add(index)
                if kind & _WORD:
                    found.setdefault(index, []).append((start, end + 1, lowered[start : end + 1]))
        candidates = set(found) | triggered
        if self._separators is not None:
            candidates.update(bisect_right(ends, m.start()) for m in self._separators.finditer(text))
        candidates.update(bisect_right(ends, m.start()) for m in self._short_tokens.finditer(text))
        flags = [False] * len(lines)
        for index in candidates:
            flags[index] = self._is_navigation(lines[index].strip(), index in triggered, found.get(index, ()))
        return flags

    def _is_navigation(self, line: str, triggered: bool, matches) -> bool:
        cfg = self.config
        n = len(line)
        if n == 0 or n > 2 * cfg.max_line_chars:
            return False
        if triggered and self._pattern is not None and self._pattern.search(line):
            return True
        return n <= cfg.max_line_chars and self._short_line_is_menu(line, matches)

    def _short_line_is_menu(self, line: str, matches) -> bool:
        """The checks for lines of at most max_line_chars; ``matches`` are its menu words (may be empty)."""
        cfg = self.config
        if matches and line.strip(_EDGE_PUNCTUATION).lower() in self.words:
            return True
        if self._separators is not None:
            seps = len(self._separators.findall(line))
            if seps >= cfg.min_separators and seps / len(line) >= cfg.min_separator_ratio:
                return True
        if line.count(" ") + 1 >= cfg.min_menu_tokens:
            tokens = line.split()
            if len(tokens) >= cfg.min_menu_tokens and all(
                len(t) <= cfg.max_menu_token_chars and (t.isdigit() or _HAN.search(t)) for t in tokens
            ):
                return True
        if len({word for _, _, word in matches}) < cfg.min_menu_words:
            return False
        covered, reach = 0, -1
        for start, end, _ in sorted(matches):
            if end > reach:
                covered += end - max(start, reach)
                reach = end
        return covered >= cfg.min_menu_word_coverage * (len(line) - line.count(" "))

    def is_navigation_line(self, line: str) -> bool:
        return self.navigation_lines([line])[0]


def strip_navigation(text: str, rules: NavigationRules) -> tuple[str, int]:
    """The text without its navigation lines, and how many lines were removed."""
    lines = text.split("\n")
    flags = rules.navigation_lines(lines)
    kept = [line for line, navigation in zip(lines, flags) if not navigation]
    return "\n".join(kept), len(lines) - len(kept)
