"""Reading the rule files in ``rules/`` into plain, picklable data (compiled later, once per worker)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from corpus_pipeline.recipe import Recipe, RecipeError

_RANGE = re.compile(r"^U\+([0-9A-Fa-f]{4,6})\.\.U\+([0-9A-Fa-f]{4,6})$")
_CODEPOINT = re.compile(r"^U\+([0-9A-Fa-f]{4,6})$")


def read_list(path: Path) -> tuple[str, ...]:
    """Entries of a rule list: one a line, blank lines and lines starting with '#' skipped.

    Lines are taken as written except for the line break, so a lone '|' or a pattern with spaces survives.
    """
    if not path.is_file():
        raise RecipeError(f"rule file not found: {path}")
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        entries.append(line.rstrip("\r"))
    return tuple(entries)


def read_codepoints(path: Path) -> tuple[tuple[int, int], ...]:
    """Inclusive code point ranges from a list of single characters, ``U+XXXX`` and ``U+XXXX..U+YYYY``."""
    ranges = []
    for entry in read_list(path):
        entry = entry.split("#", 1)[0].strip() if entry.startswith("U+") else entry.strip()
        if match := _RANGE.match(entry):
            low, high = int(match[1], 16), int(match[2], 16)
        elif match := _CODEPOINT.match(entry):
            low = high = int(match[1], 16)
        elif len(entry) == 1:
            low = high = ord(entry)
        else:
            raise RecipeError(f"{path}: cannot read code point entry {entry!r}")
        if low > high:
            raise RecipeError(f"{path}: empty range {entry!r}")
        ranges.append((low, high))
    return tuple(ranges)


def compile_patterns(path: Path) -> tuple[str, ...]:
    """Regular-expression list; each pattern is compiled here so a bad one is reported by file and text."""
    patterns = read_list(path)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise RecipeError(f"{path}: bad pattern {pattern!r}: {error}") from None
    return patterns


@dataclass(frozen=True)
class CleanRuleData:
    """Everything the clean stage reads from ``rules/``, as plain data that travels to executors."""

    special_symbols: tuple[tuple[int, int], ...]
    fullwidth_keep: tuple[str, ...]
    navigation_words: tuple[str, ...]
    navigation_patterns: tuple[str, ...]
    navigation_pattern_triggers: tuple[str, ...]
    navigation_separators: tuple[str, ...]
    ad_keywords: tuple[str, ...]
    ad_contact_patterns: tuple[str, ...]
    sentence_end: tuple[str, ...]

    def sha256(self) -> str:
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


def load_clean_rules(recipe: Recipe) -> CleanRuleData:
    clean = recipe.clean
    return CleanRuleData(
        special_symbols=read_codepoints(recipe.rules_path(clean.normalize.special_symbols_file)),
        fullwidth_keep=read_list(recipe.rules_path(clean.normalize.fullwidth_keep_file)),
        navigation_words=read_list(recipe.rules_path(clean.navigation.words_file)),
        navigation_patterns=compile_patterns(recipe.rules_path(clean.navigation.patterns_file)),
        navigation_pattern_triggers=read_list(recipe.rules_path(clean.navigation.pattern_triggers_file)),
        navigation_separators=read_list(recipe.rules_path(clean.navigation.separators_file)),
        ad_keywords=read_list(recipe.rules_path(clean.ads.keywords_file)),
        ad_contact_patterns=compile_patterns(recipe.rules_path(clean.ads.contact_patterns_file)),
        sentence_end=read_list(recipe.rules_path(clean.filters.sentence_end_file)),
    )
