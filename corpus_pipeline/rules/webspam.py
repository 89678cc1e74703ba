"""Web-spam rules: gambling/lottery, porn and SEO spam pages, judged from category lexicons (issue 19).

**Lexicons** live in one folder (``rules/webspam/``), one file per category and tier, named
``<category>-<tier>.txt``:

* ``strong`` words good pages almost never use (promotions, betting-site brands with a site suffix);
* ``medium`` words spam repeats but news and literature also use (game names, bare casino brands);
* ``weak`` words common in good text (彩票, 体育, 娱乐); ``context`` euphemisms that are ordinary words elsewhere
  (菠菜 "spinach" for 博彩). Weak and context hits count only in a document whose strong and medium hits reach
  :attr:`WebSpamConfig.gate`, so a spinach recipe or a sports-lottery report is never scored on them alone;
* ``counter`` words of crime reports, health and business news: a document with
  :attr:`WebSpamConfig.counter_min_distinct` distinct counter words has its hits damped (strong ones less);
* ``brands`` and ``suffixes``: every brand followed by every suffix is a strong word (澳门新葡京 + 官网): with
  leftmost-longest matching the bare brand (itself in the medium or weak list) would hide a separate entry
  for a suffix word;
* ``variants``: ``canonical<TAB>variant ...`` lines; each strong/medium entry holding the canonical spelling is
  also added with every variant in its place (results of three or more characters only);
* ``patterns``: ``tier<TAB>stems<TAB>regular expression`` lines for shapes a word list cannot hold (a
  Latin-lettered brand before 体育/棋牌, a host name holding "casino" or "porn"); ``stems`` is a comma-separated
  list of literals one of which must occur in the text before the expression is tried (a cheap guard). A
  pattern match replaces the weaker word matches it contains and is dropped when it only partly overlaps one.

Every entry is also added in traditional script (OpenCC ``s2t``), and entries and text are compared in their
:func:`spam_normalize` form, which undoes the usual disguises: NFKC (full-width letters, mathematical
alphanumerics, circled digits), case folding, Cyrillic and Greek look-alike letters mapped to Latin, combining
marks and zero-width characters removed, and separators inserted between Han characters (``澳 门·新*葡-京``)
removed. An entry that starts or ends with an ASCII letter or digit only matches at an ASCII word boundary
(``ag`` does not match inside ``page``). Matching is leftmost-longest over one Aho-Corasick automaton
(:func:`corpus_pipeline.rules.matching.leftmost_longest`).

**Scoring** (per category, :func:`score_category`) adds points for: hit density (weighted hits per 1,000
characters of body), any strong hit (per category: a strong gambling word alone earns much, a strong porn or
SEO word less), distinct strong/medium words beyond the first, weighted hits in the title, a title mostly
made of category words, weighted hits in the first line and the last lines (keyword blocks), and prose lines
(long, with sentence punctuation) that carry a strong or medium hit (brands spliced into normal sentences). A
category whose points reach its threshold is the document's reason; the highest ratio of points to threshold
wins. ``webspam_score`` is that ratio (1.0 = at the threshold).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick
import numpy as np

from corpus_pipeline.errors import InputError
from corpus_pipeline.rules.matching import leftmost_longest

CATEGORIES = ("gambling", "porn", "seo_spam")
SCORED_TIERS = ("strong", "medium", "weak", "context")
TIERS = (*SCORED_TIERS, "counter")
_FILE_NAME = re.compile(
    r"^([a-z][a-z0-9_]*)-(strong|medium|weak|context|counter|variants|patterns|brands|suffixes)\.txt$"
)
_MIN_VARIANT_CHARS = 3
_TIER_RANK = {"weak": 0, "context": 1, "medium": 2, "strong": 3}

# ---- normalization ---------------------------------------------------------------------------------------------

# Cyrillic and Greek letters that look like Latin ones (lower case: the text is case-folded first).
_HOMOGLYPHS = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "һ": "h",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "ɡ": "g",
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ϲ": "c",
    "з": "3",
    "ʙ": "b",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ʟ": "l",
    "ɴ": "n",
    "ʀ": "r",
    "ᴀ": "a",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ᴊ": "j",
    "ᴋ": "k",
    "ᴍ": "m",
    "ᴏ": "o",
    "ᴘ": "p",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ᴢ": "z",
}
_DROPPED_RANGES = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),  # combining marks
    (0x200B, 0x200F),
    (0x2060, 0x2064),
    (0xFEFF, 0xFEFF),
    (0x00AD, 0x00AD),
    (0x180E, 0x180E),  # invisible
)


def _translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(k): v for k, v in _HOMOGLYPHS.items()}
    for low, high in _DROPPED_RANGES:
        table.update({cp: None for cp in range(low, high + 1)})
    return table


_TABLE = _translation_table()
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Decorative separators between two Han characters (at most three in a row); never a line break, never
# Chinese sentence punctuation, so "体育、彩票" stays two words.
_SEPARATED = re.compile(f"(?<=[{_HAN}])[ \\t\u3000·•・‧∙⋅丶*☆★✩✦✧○●◆◇■□♡♥❤~^_\\-+=|/\\\\.'`\"]{{1,3}}(?=[{_HAN}])")
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@lru_cache(maxsize=1)
def _nfkc_chars() -> frozenset[str]:
    """Characters whose NFKC form differs, except Chinese full-width punctuation (，。！？：；（）...): lexicon
    words hold no punctuation, so text whose only such characters are these is matched without NFKC."""
    skip = set("，！？：；（）［］｛｝～　﹏") | {chr(cp) for cp in range(0x3000, 0x3040)}
    return frozenset(
        ch
        for ch in map(chr, range(0x80, 0x30000))
        if not 0xD800 <= ord(ch) <= 0xDFFF and ch not in skip and unicodedata.normalize("NFKC", ch) != ch
    )


def spam_normalize(text: str) -> str:
    """The form text and lexicon entries are matched in: NFKC, case-folded, look-alike letters mapped to Latin,
    combining marks and zero-width characters dropped, separators between Han characters removed.
    Line breaks are kept, so lines of the result are the lines of the input. (NFKC is skipped when the only
    characters it would change are Chinese full-width punctuation, which no lexicon word holds.)"""
    if not text.isascii() and not _nfkc_chars().isdisjoint(text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if _TRANSLATED.search(text):  # most text has no look-alike letter, combining mark or zero-width character
        text = text.translate(_TABLE)
    return _SEPARATED.sub("", text)


# ---- lexicon ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebSpamLexicon:
    """Loaded lexicon files as plain, picklable data (shipped to Spark workers).

    ``entries`` holds ``(normalized word, category, tier)`` for every scored and counter word, variants and
    traditional-script spellings included; ``files`` names the files read and ``sha256`` hashes their names and
    bytes: the lexicon's version.
    """

    entries: tuple[tuple[str, str, str], ...]
    files: tuple[str, ...]
    sha256: str
    patterns: tuple[tuple[str, str, str, str], ...] = ()  # (category, tier, stems, regular expression)

    def __hash__(self) -> int:
        return hash(self.sha256)

    def size(self, category: str | None = None, tier: str | None = None) -> int:
        """Number of entries, optionally of one category and/or tier."""
        return sum(1 for _, c, t in self.entries if category in (None, c) and tier in (None, t))


def _read_lines(path: Path) -> tuple[bytes, list[str]]:
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read web-spam lexicon {path}: {error}") from None
    return data, [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _traditional(word: str) -> str:
    from corpus_pipeline.rules.simplify import converter

    return converter("s2t").convert(word)


def load_webspam_lexicon(folder: Path) -> WebSpamLexicon:
    """Read every ``<category>-<tier>.txt`` file of ``folder`` into a :class:`WebSpamLexicon`.

    A folder without lexicon files, or a ``.txt`` file whose name does not follow the pattern, raises
    :class:`InputError`; a file must start with ``#`` comment lines (its source and licence).
    """
    if not folder.is_dir():
        raise InputError(f"web-spam lexicon folder not found: {folder}")
    paths = sorted(folder.glob("*.txt"))
    if not paths:
        raise InputError(f"web-spam lexicon folder {folder} holds no .txt file")
    words: dict[tuple[str, str], set[str]] = {}
    variants: dict[str, list[tuple[str, list[str]]]] = {}
    patterns: list[tuple[str, str, str, str]] = []
    digest = hashlib.sha256()
    for path in paths:
        match = _FILE_NAME.match(path.name)
        if not match:
            raise InputError(f"web-spam lexicon file {path} is not named <category>-<tier>.txt")
        data, lines = _read_lines(path)
        if not data.decode("utf-8-sig").lstrip().startswith("#"):
            raise InputError(
                f"web-spam lexicon file {path} must start with comment lines naming its source and licence"
            )
        digest.update(b"%d:%s%d:" % (len(path.name), path.name.encode(), len(data)) + data)
        category, tier = match[1], match[2]
        if tier == "patterns":
            for line in lines:
                parts = line.split("\t")
                if len(parts) != 3 or parts[0] not in SCORED_TIERS or not parts[1].strip() or not parts[2].strip():
                    raise InputError(f"{path}: pattern line {line!r} is not '<tier><TAB><stems><TAB><expression>'")
                try:
                    re.compile(parts[2].strip())
                except re.error as error:
                    raise InputError(f"{path}: bad pattern {parts[2]!r}: {error}") from None
                stems = ",".join(spam_normalize(stem.strip()) for stem in parts[1].split(",") if stem.strip())
                patterns.append((category, parts[0], stems, parts[2].strip()))
        elif tier == "variants":
            for line in lines:
                canonical, _, rest = line.partition("\t")
                if not rest.strip():
                    raise InputError(f"{path}: variant line {line!r} is not 'canonical<TAB>variant ...'")
                variants.setdefault(category, []).append(
                    (spam_normalize(canonical.strip()), [spam_normalize(v) for v in rest.split()])
                )
        else:
            words.setdefault((category, tier), set()).update(w for w in (spam_normalize(line) for line in lines) if w)
    for category in {c for c, _ in words}:
        brands, suffixes = words.pop((category, "brands"), set()), words.pop((category, "suffixes"), set())
        if brands and suffixes:
            words.setdefault((category, "strong"), set()).update(b + s for b in brands for s in suffixes)
    for (category, tier), entries in words.items():
        if tier in ("strong", "medium"):
            for canonical, spellings in variants.get(category, []):
                for word in list(entries):
                    if canonical in word:
                        entries.update(
                            v for s in spellings if len(v := word.replace(canonical, s)) >= _MIN_VARIANT_CHARS
                        )
        entries.update(t for w in list(entries) if (t := spam_normalize(_traditional(w))) != w)
    strongest: dict[tuple[str, str], str] = {}  # a word listed in several tiers of one category keeps the strongest
    counters: set[tuple[str, str]] = set()
    for (category, tier), entries in words.items():
        for word in entries:
            if tier == "counter":
                counters.add((word, category))
            elif _TIER_RANK[tier] > _TIER_RANK.get(strongest.get((word, category), ""), -1):
                strongest[(word, category)] = tier
    ordered = sorted([(w, c, t) for (w, c), t in strongest.items()] + [(w, c, "counter") for w, c in counters])
    return WebSpamLexicon(
        entries=tuple(ordered), files=tuple(p.name for p in paths), sha256=digest.hexdigest(), patterns=tuple(patterns)
    )


# ---- config ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebSpamConfig:
    """Weights and thresholds of the web-spam score; the defaults were chosen on calibration half a
    (``bench/webspam_rules_eval.py``)."""

    tier_weights: tuple[tuple[str, float], ...] = (("strong", 1.0), ("medium", 0.5), ("weak", 0.15), ("context", 0.75))
    gate: float = 1.0  # strong + medium weight a document needs before its weak and context hits count
    counter_min_distinct: int = 3  # distinct counter words (of the category) that damp its hits
    counter_damp: float = 0.3  # factor on damped medium, weak and context hits
    counter_damp_strong: float = 0.5  # factor on strong hits of a countered document
    min_density_chars: int = 500  # density denominator floor: a 50-character text counts as 500
    max_hits_per_word: int = 5  # matches of one word beyond this add nothing to the density
    density_cap: float = 12.0  # hits per 1,000 characters beyond this add nothing
    points_density: float = 0.35  # points per weighted hit per 1,000 characters
    points_distinct: float = 0.5  # points per distinct strong/medium word beyond the first (capped at 6)
    points_title: float = 1.0  # points per weighted title hit (capped at 3)
    points_title_cover: float = 1.0  # points when category words cover title_cover of the title
    title_cover: float = 0.5
    points_edge: float = 0.5  # points per weighted hit in the first line and the last edge_lines lines (capped at 4)
    edge_lines: int = 2
    min_lines_for_edges: int = 5
    points_spliced: float = 0.4  # points per prose line with a strong/medium hit (capped at 5)
    points_strong: tuple[tuple[str, float], ...] = (("gambling", 2.0), ("porn", 1.0), ("seo_spam", 0.5))
    # points for having any strong hit at all (not when countered): strong gambling words are never seen in good
    # text of the calibration half, strong porn and SEO words now and then (a forum post, a classic novel)
    prose_min_chars: int = 40
    thresholds: tuple[tuple[str, float], ...] = (("gambling", 2.5), ("porn", 3.5), ("seo_spam", 2.0))

    def threshold(self, category: str) -> float:
        return dict(self.thresholds).get(category, float("inf"))


# ---- matching --------------------------------------------------------------------------------------------------


class WebSpamRules:
    """A lexicon compiled into Aho-Corasick automata, with its config: build once per worker
    (:func:`compiled_webspam_rules`)."""

    def __init__(self, lexicon: WebSpamLexicon, config: WebSpamConfig | None = None):
        self.lexicon = lexicon
        self.config = config or WebSpamConfig()
        self.categories = tuple(
            sorted({c for _, c, t in lexicon.entries if t != "counter"} | {c for c, _, _, _ in lexicon.patterns})
        )
        self._patterns = [
            (category, tier, tuple(stems.split(",")), re.compile(pattern))
            for category, tier, stems, pattern in lexicon.patterns
        ]
        scored: dict[str, list[tuple[str, str]]] = {}
        counters: dict[str, list[str]] = {}
        for word, category, tier in lexicon.entries:
            if tier == "counter":
                counters.setdefault(word, []).append(category)
            else:
                scored.setdefault(word, []).append((category, tier))
        self.tags = {word: tuple(tags) for word, tags in scored.items()}
        self.counter_tags = {word: tuple(cats) for word, cats in counters.items()}
        self._automaton = _automaton(self.tags)
        # strong and medium words only: a document without any is not scored, so most good text needs no more
        core = {w: t for w, t in self.tags.items() if any(x in ("strong", "medium") for _, x in t)}
        self._core = _automaton(core)
        # a bit table of the hashed first two and three code points of every core word: text none of whose
        # 2- and 3-grams is in the table holds no core word, and numpy finds that out faster than the automaton
        slots = np.array(
            sorted({_head_slot(_gram_key(w[:3] if len(w) >= 3 else w), len(w) >= 3) for w in core if len(w) >= 2}),
            dtype=np.int64,
        )
        self._head_bits = np.zeros(1 << (_HEAD_BITS - 3), dtype=np.uint8)
        np.bitwise_or.at(self._head_bits, slots >> 3, (1 << (slots & 7)).astype(np.uint8))
        self._core_short = any(len(w) < 2 for w in core)
        self._counters = _automaton(self.counter_tags)
        self._weights = dict(self.config.tier_weights)

    def find(self, normalized: str) -> list[tuple[int, int, str]]:
        """Scored word matches ``(start, end, word)`` in text already in :func:`spam_normalize` form."""
        return _find(self._automaton, normalized)

    def has_core(self, normalized: str) -> bool:
        """Whether the text holds a strong or medium word or pattern match (a cheap first pass)."""
        if self._may_hold_core(normalized) and _find(self._core, normalized):
            return True
        return any(
            tier in ("strong", "medium") and any(stem in normalized for stem in stems) and pattern.search(normalized)
            for _, tier, stems, pattern in self._patterns
        )

    def _may_hold_core(self, normalized: str) -> bool:
        """False only when no core word can occur in the text (no 2- or 3-gram hits the head table)."""
        if self._core_short or len(normalized) < 2:
            return True
        points = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        pairs = (points[:-1] << _SHIFT21) | points[1:]
        slots = [((pairs * _HEAD_MIX) >> _HEAD_SHIFT).astype(np.int64)]
        if points.size >= 3:
            triples = (pairs[:-1] << _SHIFT21) | points[2:]
            slots.append(((triples * _HEAD_MIX3) >> _HEAD_SHIFT).astype(np.int64))
        for slot in slots:
            if np.any((self._head_bits[slot >> 3] >> (slot & 7).astype(np.uint8)) & 1):
                return True
        return False

    def matches(self, normalized: str) -> list[tuple[int, str, str, str]]:
        """Word and pattern matches ``(start, text, category, tier)`` in normalized text, by start. A pattern
        match replaces the word matches it contains (``jz体育`` over ``体育``) and is left out when it only
        partly overlaps one."""
        found = [
            (start, word, category, tier)
            for start, end, word in self.find(normalized)
            for category, tier in self.tags[word]
        ]
        if not self._patterns:
            return found
        replaced: set[int] = set()
        spans = sorted({(start, start + len(word)) for start, word, _, _ in found})
        rank = {}
        for start, word, _, tier in found:
            rank[start] = max(rank.get(start, 0), _TIER_RANK[tier])
        extra = []
        for category, tier, stems, pattern in self._patterns:
            if not any(stem in normalized for stem in stems):
                continue
            for match in pattern.finditer(normalized):
                start, end = match.span()
                if end == start:
                    continue
                i = bisect_right(spans, (start, -1))
                if i and spans[i - 1][1] > start:
                    continue  # a word match starts before and runs into this one
                inside = []
                while i < len(spans) and spans[i][0] < end:
                    inside.append(spans[i])
                    i += 1
                if any(e > end or rank[s] > _TIER_RANK[tier] for s, e in inside):
                    continue  # partly overlapping, or holding a word of a stronger tier
                replaced.update(s for s, _ in inside)
                extra.append((start, match.group(), category, tier))
        return sorted([m for m in found if m[0] not in replaced] + extra)

    def counter_words(self, normalized: str) -> dict[str, set[str]]:
        """Distinct counter words per category in normalized text."""
        out: dict[str, set[str]] = {}
        for _, _, word in _find(self._counters, normalized):
            for category in self.counter_tags[word]:
                out.setdefault(category, set()).add(word)
        return out


_HEAD_BITS = 27  # 2**27-bit table (16 MB): about one text in fifty passes the test without holding a core word
_HEAD_SHIFT = np.uint64(64 - _HEAD_BITS)
_HEAD_MIX = np.uint64(0x9E3779B97F4A7C15)
_HEAD_MIX3 = np.uint64(0xC2B2AE3D27D4EB4F)
_SHIFT21 = np.uint64(21)


def _gram_key(gram: str) -> int:
    """Two or three code points (21 bits each) packed into one integer, as :meth:`WebSpamRules._may_hold_core`
    packs the text's."""
    key = 0
    for ch in gram:
        key = (key << 21) | ord(ch)
    return key


def _head_slot(key: int, three: bool) -> int:
    """The bit of the head table a packed 2-gram or 3-gram maps to (the same arithmetic as numpy's, mod 2**64)."""
    return ((key * int(_HEAD_MIX3 if three else _HEAD_MIX)) % (1 << 64)) >> int(_HEAD_SHIFT)


def _automaton(words) -> ahocorasick.Automaton | None:
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


def _find(automaton: ahocorasick.Automaton | None, text: str) -> list[tuple[int, int, str]]:
    if automaton is None or not text:
        return []
    found = []
    for start, end in leftmost_longest(automaton, text):
        word = text[start:end]
        if word[0] in _ASCII_WORD and start and text[start - 1] in _ASCII_WORD:
            continue
        if word[-1] in _ASCII_WORD and end < len(text) and text[end] in _ASCII_WORD:
            continue
        found.append((start, end, word))
    return found


@lru_cache(maxsize=4)
def compiled_webspam_rules(lexicon: WebSpamLexicon, config: WebSpamConfig | None = None) -> WebSpamRules:
    """One compiled rule set per lexicon, config and process: Spark workers call this for every batch."""
    return WebSpamRules(lexicon, config)


# ---- scoring ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryScore:
    """One category's evidence in one document and the points it earns."""

    category: str
    points: float
    hits: int  # strong and medium matches, title and body
    distinct: int  # distinct strong and medium words, title and body
    weighted: float  # weighted body hits (weak and context only past the gate, damped when countered)
    density: float  # weighted body hits per 1,000 characters (denominator floored at min_density_chars)
    title_weighted: float
    title_cover: float
    edge_weighted: float
    spliced_lines: int
    countered: bool


@dataclass(frozen=True)
class WebSpamVerdict:
    """A document's web-spam verdict: ``reason`` is the category removed for (None: kept); ``score`` is the
    highest points-to-threshold ratio over categories and ``category`` the category that has it (None when no
    category has a hit)."""

    reason: str | None
    category: str | None
    score: float
    categories: tuple[CategoryScore, ...] = field(default=())

    def scores(self) -> dict[str, float]:
        """Columns for the stage: ``webspam_score`` and ``webspam_category`` plus points per category."""
        out: dict[str, float] = {"webspam_score": round(self.score, 4)}
        out.update({f"webspam_{c.category}": round(c.points, 4) for c in self.categories})
        return out


_SENTENCE_PUNCT = frozenset("。！？!?；;…")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def score_category(
    category: str,
    title_matches: list[tuple[str, str]],
    body_matches: list[tuple[int, str, str]],
    body: str,
    title: str,
    rules: WebSpamRules,
    line_starts: list[int],
    counters: dict[str, set[str]],
) -> CategoryScore:
    """Points of one category from its title matches ``(word, tier)`` and body matches ``(start, word, tier)``
    (``body`` and ``title`` in :func:`spam_normalize` form); ``counters`` holds the body's distinct counter words
    per category."""
    cfg = rules.config
    weights = rules._weights
    core = [t for _, t in title_matches if t in ("strong", "medium")] + [
        t for _, _, t in body_matches if t in ("strong", "medium")
    ]
    gate_open = sum(weights[t] for t in core) >= cfg.gate
    countered = len(counters.get(category, ())) >= cfg.counter_min_distinct
    strong = any(t == "strong" for _, t in title_matches) or any(t == "strong" for _, _, t in body_matches)

    def weight(tier: str) -> float:
        if tier in ("weak", "context") and not gate_open:
            return 0.0
        w = weights[tier]
        if countered:
            return w * (cfg.counter_damp_strong if tier == "strong" else cfg.counter_damp)
        return w

    body_weights = [(start, word, tier, weight(tier)) for start, word, tier in body_matches]
    seen: Counter[str] = Counter()
    weighted = 0.0
    for _, word, _, w in body_weights:
        seen[word] += 1
        if seen[word] <= cfg.max_hits_per_word:
            weighted += w
    n_chars = len(body) - body.count("\n") - body.count(" ")
    density = min(cfg.density_cap, 1000.0 * weighted / max(n_chars, cfg.min_density_chars))
    title_weighted = sum(weight(t) for _, t in title_matches)
    title_chars = len(title.replace(" ", ""))
    title_cover = (sum(len(w) for w, t in title_matches) / title_chars) if title_chars and title_weighted else 0.0
    distinct = len(
        {w for w, t in title_matches if t in ("strong", "medium")}
        | {w for _, w, t in body_matches if t in ("strong", "medium")}
    )
    edge_weighted = 0.0
    spliced = 0
    n_lines = len(line_starts)
    if body_weights:
        line_of = [bisect_right(line_starts, start) - 1 for start, *_ in body_weights]
        if n_lines >= cfg.min_lines_for_edges:
            edges = {0, *range(n_lines - cfg.edge_lines, n_lines)}
            edge_weighted = sum(w for (_, _, _, w), line in zip(body_weights, line_of) if line in edges)
        core_lines = {line for (_, _, t, w), line in zip(body_weights, line_of) if t in ("strong", "medium") and w}
        for line in core_lines:
            end = line_starts[line + 1] - 1 if line + 1 < n_lines else len(body)
            text = body[line_starts[line] : end]
            if len(text) >= cfg.prose_min_chars and any(ch in _SENTENCE_PUNCT for ch in text):
                spliced += 1
    points = (
        cfg.points_density * density
        + cfg.points_distinct * min(max(distinct - 1, 0), 6)
        + cfg.points_title * min(title_weighted, 3.0)
        + (cfg.points_title_cover if title_cover >= cfg.title_cover else 0.0)
        + cfg.points_edge * min(edge_weighted, 4.0)
        + cfg.points_spliced * min(spliced, 5)
        + (dict(cfg.points_strong).get(category, 0.0) if strong and not countered else 0.0)
    )
    return CategoryScore(
        category,
        round(points, 6),
        len(core),
        distinct,
        round(weighted, 6),
        round(density, 6),
        round(title_weighted, 6),
        round(title_cover, 6),
        round(edge_weighted, 6),
        spliced,
        countered,
    )


def webspam_verdict(title: str | None, text: str, rules: WebSpamRules) -> WebSpamVerdict:
    """Score every category of ``rules`` on a document; the reason is the category with the highest
    points-to-threshold ratio when that ratio is at least 1."""
    body = spam_normalize(text or "")
    head = spam_normalize(title or "").replace("\n", " ")
    if not rules.has_core(body) and not (head and rules.has_core(head)):
        return WebSpamVerdict(None, None, 0.0, ())  # weak and context words alone earn no points
    title_found = rules.matches(head) if head else []
    body_found = rules.matches(body)
    if not title_found and not body_found:
        return WebSpamVerdict(None, None, 0.0, ())
    per_title: dict[str, list[tuple[str, str]]] = {}
    per_body: dict[str, list[tuple[int, str, str]]] = {}
    for _, word, category, tier in title_found:
        per_title.setdefault(category, []).append((word, tier))
    for start, word, category, tier in body_found:
        per_body.setdefault(category, []).append((start, word, tier))
    line_starts = _line_starts(body)
    core = any(m[3] in ("strong", "medium") for m in title_found) or any(
        m[3] in ("strong", "medium") for m in body_found
    )
    counters = rules.counter_words(body) if core else {}
    scores = tuple(
        score_category(c, per_title.get(c, []), per_body.get(c, []), body, head, rules, line_starts, counters)
        for c in sorted(set(per_title) | set(per_body))
    )
    best = max(scores, key=lambda s: (s.points / rules.config.threshold(s.category), s.category))
    ratio = best.points / rules.config.threshold(best.category)
    return WebSpamVerdict(
        best.category if ratio >= 1.0 else None, best.category if best.points else None, ratio, scores
    )


def hit_counts(text: str, rules: WebSpamRules) -> Counter[tuple[str, str]]:
    """Word and pattern matches per ``(category, tier)`` in ``text`` (for audits and tests)."""
    return Counter((category, tier) for _, _, category, tier in rules.matches(spam_normalize(text)))
