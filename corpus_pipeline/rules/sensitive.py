"""Sensitive-word filter (PanGu-α §3.1.1): drop documents with more than ``max_hits`` lexicon hits.

Lexicons are word lists, one word a line; a word's category is its file's stem. Text and words are matched
in their :func:`match_text` form (NFKC, case-folded), so full-width and upper-case spellings hit too.
Hits are leftmost-longest and non-overlapping: scanning left to right, the longest word that starts at a
position is taken and the scan goes on after it.
"""

from __future__ import annotations

import glob
import hashlib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from corpus_pipeline.errors import InputError
from corpus_pipeline.recipe import Recipe, SensitiveConfig
from corpus_pipeline.rules.matching import leftmost_longest

REASON = "sensitive_words"
_GLOB_CHARS = frozenset("*?[")


def match_text(text: str) -> str:
    """The form of a text (and of a lexicon word) that is matched: NFKC, then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def resolve_lexicon_files(recipe: Recipe) -> list[Path]:
    """The files named by ``recipe.filter.sensitive.lexicons``, relative to the rules folder.

    A file stands for itself, a folder for its ``*.txt`` files, a glob for the files it matches. A name
    that matches no file raises :class:`InputError`. The result is sorted and free of duplicates.
    """
    files: set[Path] = set()
    for name in recipe.filter.sensitive.lexicons:
        path = recipe.rules_path(name)
        if path.is_file():
            found = [path]
        elif path.is_dir():
            found = [p for p in path.glob("*.txt") if p.is_file()]
        elif _GLOB_CHARS & set(name):
            found = [Path(p) for p in glob.glob(str(path)) if Path(p).is_file()]
        else:
            raise InputError(f"sensitive-word lexicon not found: {path}")
        if not found:
            raise InputError(f"sensitive-word lexicon {path} matches no file")
        files.update(p.resolve() for p in found)
    return sorted(files)


@dataclass(frozen=True)
class Lexicon:
    """Loaded word lists as plain, picklable data (shipped to Spark workers).

    ``entries`` pairs each normalized word with its sorted categories, ``files`` names the files read and
    ``sha256`` hashes every file's category and bytes: the lexicon's version.
    """

    entries: tuple[tuple[str, tuple[str, ...]], ...]
    files: tuple[str, ...]
    sha256: str

    def __hash__(self) -> int:  # the content hash stands for the entries; cheaper than hashing them all
        return hash(self.sha256)


def _read_words(path: Path) -> tuple[bytes, list[str]]:
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read sensitive-word lexicon {path}: {error}") from None
    words = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and (word := match_text(line).strip()):
            words.append(word)
    return data, words


def load_lexicon(paths: list[Path]) -> Lexicon:
    """Read word lists (UTF-8, BOM optional; blank lines and ``#`` comments skipped) into a :class:`Lexicon`."""
    categories: dict[str, set[str]] = {}
    versions = []
    for path in paths:
        data, words = _read_words(path)
        versions.append((path.stem, data))
        for word in words:
            categories.setdefault(word, set()).add(path.stem)
    digest = hashlib.sha256()
    for category, data in sorted(versions):
        name = category.encode("utf-8")
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)) + data)
    return Lexicon(
        entries=tuple((word, tuple(sorted(cats))) for word, cats in sorted(categories.items())),
        files=tuple(path.name for path in paths),
        sha256=digest.hexdigest(),
    )


def load_sensitive_lexicon(recipe: Recipe) -> Lexicon:
    """The lexicon the recipe names."""
    return load_lexicon(resolve_lexicon_files(recipe))


class SensitiveMatcher:
    """A lexicon compiled into an Aho-Corasick automaton."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.categories = dict(lexicon.entries)
        self._automaton = ahocorasick.Automaton()
        for word in self.categories:
            self._automaton.add_word(word, len(word))
        if self.categories:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest, non-overlapping matches as ``(start, end, word)``; offsets index ``match_text(text)``."""
        if not self.categories:
            return []
        text = match_text(text)
        return [(start, end, text[start:end]) for start, end in leftmost_longest(self._automaton, text)]


@lru_cache(maxsize=8)
def compiled_matcher(lexicon: Lexicon) -> SensitiveMatcher:
    """One matcher per lexicon and process: Spark workers call this for every batch."""
    return SensitiveMatcher(lexicon)


@dataclass(frozen=True)
class SensitiveHits:
    """A document's hits: every match (``total``) and distinct words, overall and per matched category.

    A word in several categories counts once overall and once in each of its categories.
    """

    total: int
    distinct: int
    categories: tuple[str, ...]
    per_category_total: tuple[tuple[str, int], ...]
    per_category_distinct: tuple[tuple[str, int], ...]


def count_hits(text: str, matcher: SensitiveMatcher) -> SensitiveHits:
    words = Counter(word for _, _, word in matcher.find(text))
    total: Counter[str] = Counter()
    distinct: Counter[str] = Counter()
    for word, count in words.items():
        for category in matcher.categories[word]:
            total[category] += count
            distinct[category] += 1
    return SensitiveHits(
        total=sum(words.values()),
        distinct=len(words),
        categories=tuple(sorted(total)),
        per_category_total=tuple(sorted(total.items())),
        per_category_distinct=tuple(sorted(distinct.items())),
    )


def hits_used(hits: SensitiveHits, config: SensitiveConfig) -> int:
    """The count the config filters on: every match or distinct words."""
    return hits.total if config.count == "total" else hits.distinct


def sensitive_reason(hits: SensitiveHits, config: SensitiveConfig) -> str | None:
    """``"sensitive_words"`` when the hits exceed ``max_hits`` or a category's limit, else None."""
    if hits_used(hits, config) > config.max_hits:
        return REASON
    per_category = dict(hits.per_category_total if config.count == "total" else hits.per_category_distinct)
    if any(per_category.get(category, 0) > limit for category, limit in config.category_limits.items()):
        return REASON
    return None
