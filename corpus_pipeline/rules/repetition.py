"""Chinese-aware repetition and quality heuristics (issue 19), after Gopher (Rae et al. 2021, Table A1), C4 and
FineWeb, with characters in place of space-separated words.

:func:`repetition_stats` measures a document once (numpy over character n-gram hashes, no per-n-gram Python
loop); each rule then compares the measures with its own frozen config and has its own stable reason:

* ``repetitive_lines``: duplicate lines or paragraphs (share of elements and of characters). As in Gopher and
  datatrove, a duplicate is every copy after the first; lines are split at ``\\n``, paragraphs at blank lines.
* ``repetitive_ngrams``: the most frequent character 2/3/4-gram covers too many characters (count x n over
  the characters counted, overlapping occurrences included), or repeated character 5..10-grams cover too many:
  the union of the characters of every occurrence of an n-gram after its first. N-grams run over the letters,
  digits and Han characters of the text (punctuation, symbols and white space skipped).
* ``few_sentence_endings``: too few lines end in sentence punctuation (closing quotes and brackets skipped).
* ``short_lines``: too many lines with fewer than ``short_chars`` content characters.
* ``symbol_ratio``: non-ASCII symbols (Unicode S*), emoji or hashtags (``#word``, ``#话题#``) per content
  character.
* ``title_stuffing``: copies of the whole title, or the title's words (jieba, two or more characters), cover too
  much of the body.

*Content characters* are the characters that are neither white space nor punctuation (Unicode Z*/P*).
Rules about lines need ``min_lines`` non-empty lines, so text flattened into one line is judged by the others.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import numpy as np

TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
REASONS = (
    "repetitive_lines",
    "repetitive_ngrams",
    "few_sentence_endings",
    "short_lines",
    "symbol_ratio",
    "title_stuffing",
)

_OTHER, _HAN, _SPACE, _PUNCT, _SYMBOL, _EMOJI = range(6)
_BMP_EMOJI = (
    (0x2600, 0x27BF),
    (0x2B00, 0x2BFF),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x2190, 0x21FF),
    (0x2300, 0x23FF),
    (0x25A0, 0x25FF),
)
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_SENTENCE_END = frozenset("。！？!?…；;.．｡")
_CLOSERS = "”’\"'」』）)】》〉］]"
_SENTENCE_PUNCT = "。！？；，!?;"
_PUNCT_LUT = np.zeros(0x10000, dtype=bool)
_PUNCT_LUT[[ord(ch) for ch in _SENTENCE_PUNCT]] = True
_END_LUT = np.zeros(0x10000, dtype=bool)
_END_LUT[[ord(ch) for ch in _SENTENCE_END]] = True
_CLOSER_LUT = np.zeros(0x10000, dtype=bool)
_CLOSER_LUT[[ord(ch) for ch in _CLOSERS]] = True
_TRAILING_NOTE = re.compile(r"[（(][^（()）]{1,20}[）)]$")  # "。（记者 张三）", "。(图)"
_HASHTAG = re.compile(r"#[^#\s]{1,30}#|(?<![\w#&])#[^\W\d_][\w]{0,30}")
_ENTITY = re.compile(r"&#?\w{1,8};")  # HTML entities left in text are not hashtags
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u3000]*\n")
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_SALT = np.uint64(0x94D049BB133111EB)
_SHIFT32 = np.uint64(32)


@lru_cache(maxsize=1)
def _bmp_classes() -> np.ndarray:
    """Per BMP code point: other, Han, white space, punctuation, symbol or emoji."""
    classes = np.full(0x10000, _OTHER, dtype=np.uint8)
    for cp in range(0x10000):
        ch = chr(cp)
        category = unicodedata.category(ch)
        if ch.isspace() or category[0] in "ZC":
            classes[cp] = _SPACE
        elif category[0] == "P":
            classes[cp] = _PUNCT
        elif category[0] == "S":
            classes[cp] = _SYMBOL
    for low, high in _BMP_EMOJI:
        classes[low : high + 1][classes[low : high + 1] == _SYMBOL] = _EMOJI
    for low, high in _HAN_RANGES:
        classes[low : high + 1] = _HAN
    classes[ord("#")] = _SYMBOL
    return classes


def _classes(codepoints: np.ndarray) -> np.ndarray:
    classes = _bmp_classes()[np.minimum(codepoints, 0xFFFF)]
    astral = codepoints > 0xFFFF
    if astral.any():
        cps = codepoints[astral]
        classes[astral] = np.where(
            (cps >= 0x1F000) & (cps <= 0x1FAFF), _EMOJI, np.where((cps >= 0x20000) & (cps <= 0x323AF), _HAN, _OTHER)
        )
    return classes


# ---- statistics ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepetitionStats:
    """One document's repetition and quality measures (fractions in [0, 1] unless said otherwise)."""

    chars: int  # content characters
    lines: int  # non-empty lines
    paragraphs: int  # non-empty paragraphs (blocks between blank lines)
    dup_line_frac: float  # duplicate lines / lines
    dup_line_char_frac: float  # characters in duplicate lines / characters in lines
    dup_para_frac: float
    dup_para_char_frac: float
    top_ngram_share: tuple[tuple[int, float], ...]  # (n, share of content characters in the top n-gram)
    dup_ngram_frac: tuple[tuple[int, float], ...]  # (n, share of content characters in repeated n-grams)
    sentence_end_frac: float  # lines ending in sentence punctuation / lines
    sentence_end_char_frac: float  # content characters in lines ending in sentence punctuation / content characters
    punct_line_char_frac: float  # content characters in lines holding any of 。！？；， / content characters
    short_line_frac: float  # lines with fewer than short_chars content characters / lines
    short_line_char_frac: float  # content characters in those lines / content characters
    symbol_ratio: float  # non-ASCII symbol and emoji characters / content characters
    emoji_ratio: float
    hashtag_ratio: float  # hashtags per content character
    title_terms: int  # distinct title words looked up in the body
    title_term_share: float  # body content characters covered by title words (summed, capped at 1)
    title_repeats: int  # copies of the whole title (white space removed) in the body
    title_chars: int  # characters of the title, white space removed
    title_repeat_share: float  # title_repeats x title_chars / content characters of the body
    short_chars: int = field(default=0, repr=False)  # the short-line bound the stats were taken with

    def top_share(self, n: int) -> float:
        return dict(self.top_ngram_share).get(n, 0.0)

    def dup_frac(self, n: int) -> float:
        return dict(self.dup_ngram_frac).get(n, 0.0)

    def columns(self) -> dict[str, float]:
        """Flat ``name -> value`` view (for audits and the evaluation bench)."""
        out = {k: v for k, v in self.__dict__.items() if isinstance(v, (int, float)) and k != "short_chars"}
        out.update({f"top_{n}gram_share": v for n, v in self.top_ngram_share})
        out.update({f"dup_{n}gram_frac": v for n, v in self.dup_ngram_frac})
        return out


def _duplicates(elements: list[str]) -> tuple[int, int, int]:
    """(elements, duplicate elements, characters in duplicates): copies after the first are duplicates."""
    counts = Counter(elements)
    dup = sum(c - 1 for c in counts.values())
    return len(elements), dup, sum((c - 1) * len(e) for e, c in counts.items())


_Stats = tuple[tuple[tuple[int, float], ...], tuple[tuple[int, float], ...]]


def _mixed(salted: np.ndarray) -> np.ndarray:
    """A salted n-gram hash with its bits mixed (multiply, xor-shift), so that its high bits depend on all."""
    mixed = salted * _MULTIPLIER
    mixed ^= mixed >> _SHIFT32
    return mixed


def _ngram_stats(codes: np.ndarray) -> _Stats:
    """:func:`_ngram_stats_batch` of one document."""
    return _ngram_stats_batch([codes])[0]


def _ngram_stats_batch(documents: list[np.ndarray]) -> list[_Stats]:
    """Per document: top n-gram shares (n in TOP_NGRAM_SIZES) and repeated n-gram fractions (n in
    DUP_NGRAM_SIZES) of a code point array; all documents are hashed and sorted together, so numpy's per-call
    cost is paid once per batch rather than once per document.

    The documents are concatenated with a separator value of their own after each (so an n-gram that crosses
    into the next document is unique and never counts). N-grams are 64-bit polynomial hashes of code points
    (each first multiplied by a large odd constant), mixed so that the high bits depend on every code point.
    For the top n-gram the document index and the high 32 bits are sorted together and the longest run per
    document counted. For repeated n-grams the hash is salted with the document index and each position gets a
    key: the hash's high bits with the position in the low ``bits`` bits, so a sort brings equal n-grams of one
    document together, earliest first; neighbours count as the same n-gram only when their full 64-bit hashes
    agree too (the high bits alone would merge distinct n-grams of a large batch now and then). An n-gram can only
    repeat where the (n-1)-gram at the same position is in a repeated group, so sizes after the first sort only
    the positions still in such groups.
    """
    count_docs = len(documents)
    lengths = np.array([d.size for d in documents], dtype=np.int64)
    tops = np.zeros((count_docs, len(TOP_NGRAM_SIZES)))
    dups = np.zeros((count_docs, len(DUP_NGRAM_SIZES)))
    if not lengths.sum():
        return [(tuple(zip(TOP_NGRAM_SIZES, [0.0] * 3)), tuple(zip(DUP_NGRAM_SIZES, [0.0] * 6)))] * count_docs
    separators = (np.arange(count_docs, dtype=np.uint64) + np.uint64(0x110000)).reshape(-1, 1)
    parts = [a for pair in zip(documents, separators) for a in pair]
    codes = np.concatenate(parts).astype(np.uint64)
    total = codes.size
    doc_of = np.repeat(np.arange(count_docs, dtype=np.int64), lengths + 1)
    doc_high = doc_of.astype(np.uint64) << _SHIFT32
    salt = doc_of.astype(np.uint64) * _SALT
    spread = codes * _MIX
    hashes = spread
    bits = np.uint64(max(1, total.bit_length()))
    low = (np.uint64(1) << bits) - np.uint64(1)
    high = ~low
    positions = np.arange(total, dtype=np.uint64)
    safe_lengths = np.maximum(lengths, 1)
    members: np.ndarray | None = None  # positions (ascending) in repeated groups at the previous size
    for n in range(2, DUP_NGRAM_SIZES[-1] + 1):
        hashes = hashes[:-1] * _MULTIPLIER + spread[n - 1 :]
        count = hashes.size
        if not count:
            break
        if n in TOP_NGRAM_SIZES:
            mixed = hashes * _MIX
            keys = np.sort(doc_high[:count] | (mixed >> _SHIFT32))
            starts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
            starts = np.concatenate(([0], starts))
            runs = np.diff(starts, append=keys.size)
            run_docs = (keys[starts] >> _SHIFT32).astype(np.int64)
            first = np.searchsorted(run_docs, np.arange(count_docs))
            present = first < run_docs.size
            best = np.zeros(count_docs, dtype=np.int64)
            if present.any():
                best[present] = np.maximum.reduceat(runs, first[present])
            best[lengths < n] = 0  # only the n-gram across the separator
            tops[:, TOP_NGRAM_SIZES.index(n)] = np.minimum(1.0, best * n / safe_lengths)
            continue
        if n not in DUP_NGRAM_SIZES:
            continue
        if members is None:
            candidates = positions[:count]
            mixed = _mixed(hashes + salt[:count])
        else:
            candidates = members[members < count]
            if candidates.size < 2:
                break  # no repeated n-gram at this size, so none at larger ones
            index = candidates.astype(np.intp)
            mixed = _mixed(hashes[index] + salt[index])
        keys = np.sort((mixed & high) | candidates)
        ordered = (keys & low).astype(np.intp)
        full = _mixed(hashes[ordered] + salt[ordered])  # the whole 64-bit hash, in key order
        # the same n-gram as the key before: equal high bits and equal full hash (the high bits kept in a key
        # alone would merge distinct n-grams of a large batch now and then)
        later = np.flatnonzero(((keys[1:] ^ keys[:-1]) <= low) & (full[1:] == full[:-1])) + 1
        if not later.size:
            break
        in_group = np.zeros(keys.size, dtype=bool)
        in_group[later] = True
        in_group[later - 1] = True
        members = np.sort(keys[in_group] & low)
        starts = np.sort((keys[later] & low).astype(np.int64))
        covered = np.append(np.minimum(np.diff(starts), n), n)  # union of [start, start + n) per document
        dups[:, DUP_NGRAM_SIZES.index(n)] = (
            np.bincount(doc_of[starts], weights=covered, minlength=count_docs) / safe_lengths
        )
    return [
        (tuple(zip(TOP_NGRAM_SIZES, map(float, tops[i]))), tuple(zip(DUP_NGRAM_SIZES, map(float, dups[i]))))
        for i in range(count_docs)
    ]


@lru_cache(maxsize=1)
def _segment():
    import rjieba

    rjieba.cut("")  # loads the dictionary once
    return rjieba.cut  # jieba's dictionary route: enough for the words of a title


def _title_words(title: str) -> list[str]:
    words = set()
    for word in _segment()(title):
        word = word.strip()
        if len(word) >= 2 and not all(unicodedata.category(ch)[0] in "PZS" for ch in word):
            words.add(word)
    return sorted(words, key=len, reverse=True)


def repetition_stats(text: str, title: str | None = None, short_chars: int = 10) -> RepetitionStats:
    """Measure ``text`` (and its ``title``, for title stuffing); ``short_chars`` is the short-line bound."""
    return repetition_stats_batch([text], [title], short_chars)[0]


def repetition_stats_batch(
    texts: list[str], titles: list[str | None] | None = None, short_chars: int = 10
) -> list[RepetitionStats]:
    """:func:`repetition_stats` of many documents at once (an Arrow batch): the same figures, computed faster
    because the n-gram statistics of the whole batch share their numpy calls."""
    texts = [t or "" for t in texts]
    titles = list(titles) if titles is not None else [None] * len(texts)
    points = [np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32) for t in texts]
    sizes = [p.size for p in points]
    every = np.concatenate(points) if points else np.zeros(0, dtype=np.uint32)
    all_classes = _classes(every)
    bounds = np.concatenate(([0], np.cumsum(sizes))).tolist()
    keep = all_classes <= _HAN  # letters, digits and Han: n-grams skip punctuation, symbol runs and space
    ngrams = _ngram_stats_batch([every[a:b][keep[a:b]] for a, b in pairwise(bounds)])
    return [
        _document_stats(
            texts[i],
            titles[i],
            every[bounds[i] : bounds[i + 1]],
            all_classes[bounds[i] : bounds[i + 1]],
            ngrams[i],
            short_chars,
        )
        for i in range(len(texts))
    ]


def _document_stats(
    text: str, title: str | None, codepoints: np.ndarray, classes: np.ndarray, ngrams: _Stats, short_chars: int
) -> RepetitionStats:
    top, dup = ngrams
    content = (classes != _SPACE) & (classes != _PUNCT)
    n_content = int(np.count_nonzero(content))
    symbols = int(np.count_nonzero(((classes == _SYMBOL) & (codepoints > 0x7F)) | (classes == _EMOJI)))
    emoji = int(np.count_nonzero(classes == _EMOJI))

    raw_lines = text.split("\n")
    if "\n\n" in text or "\n " in text or "\n\t" in text or "\n\u3000" in text:
        paragraphs = [p for p in (p.strip() for p in _PARAGRAPH_BREAK.split(text)) if p]
    else:
        paragraphs = [text.strip()] if text.strip() else []
    n_paras, dup_paras, dup_para_chars = _duplicates(paragraphs)
    para_chars = sum(len(p) for p in paragraphs)

    # per-line counts from the class array; lines are split on "\n" only
    breaks = np.flatnonzero(codepoints == 10)
    line_starts = np.concatenate(([0], breaks + 1))
    line_ends = np.append(breaks, codepoints.size)
    cum = np.concatenate(([0], np.cumsum(content)))
    per_line = cum[line_ends] - cum[line_starts]
    cum_visible = np.concatenate(([0], np.cumsum(classes != _SPACE)))
    visible = (cum_visible[line_ends] - cum_visible[line_starts]) > 0
    n_lines_all = int(np.count_nonzero(visible))
    short_mask = visible & (per_line < short_chars)
    short = int(np.count_nonzero(short_mask))
    short_chars_total = int(per_line[short_mask].sum())
    punct_positions = np.flatnonzero(_PUNCT_LUT[np.minimum(codepoints, 0xFFFF)])
    punct_lines = np.unique(np.searchsorted(breaks, punct_positions))
    punct_chars = int(per_line[punct_lines].sum()) if punct_lines.size else 0
    # sentence endings: the last visible character of each line, looked up; lines ending in a closing quote or
    # bracket ("。”", "。（记者 张三）") are judged one by one
    visible_lines = np.flatnonzero(visible)
    shown = np.flatnonzero(classes != _SPACE)
    last = shown[np.searchsorted(shown, line_ends[visible_lines]) - 1] if visible_lines.size else visible_lines
    last_points = np.minimum(codepoints[last], 0xFFFF)
    ending = _END_LUT[last_points]
    for k in np.flatnonzero(_CLOSER_LUT[last_points]).tolist():
        line = raw_lines[visible_lines[k]].strip()
        line = (_TRAILING_NOTE.sub("", line) if line[-1] in "）)" else line).rstrip(_CLOSERS) or line
        ending[k] = line[-1] in _SENTENCE_END
    ends = int(np.count_nonzero(ending))
    end_chars = int(per_line[visible_lines[ending]].sum())
    content_lines = [raw_lines[i].strip() for i in visible_lines[per_line[visible_lines] > 0].tolist()]
    # duplicate lines among lines with content (a quoted forum post's ": " lines are not text)
    n_lines, dup_lines, dup_line_chars = _duplicates(content_lines)
    line_chars = sum(len(line) for line in content_lines)
    hashtags = len(_HASHTAG.findall(_ENTITY.sub("", text) if "&" in text else text)) if "#" in text else 0

    terms, share, repeats, title_chars = 0, 0.0, 0, 0
    if title and n_content:
        head = unicodedata.normalize("NFKC", title).casefold().strip()
        body = text.casefold()
        words = _title_words(head)
        terms = len(words)
        covered = sum(body.count(w) * sum(1 for ch in w if not ch.isspace()) for w in words)
        share = min(1.0, covered / n_content)
        compact = "".join(head.split())
        title_chars = len(compact)
        repeats = body.count(compact) if compact else 0

    def frac(a: int, b: int) -> float:
        return a / b if b else 0.0

    return RepetitionStats(
        chars=n_content,
        lines=n_lines_all,
        paragraphs=n_paras,
        dup_line_frac=frac(dup_lines, n_lines),
        dup_line_char_frac=frac(dup_line_chars, line_chars),
        dup_para_frac=frac(dup_paras, n_paras),
        dup_para_char_frac=frac(dup_para_chars, para_chars),
        top_ngram_share=top,
        dup_ngram_frac=dup,
        sentence_end_frac=frac(ends, n_lines_all),
        sentence_end_char_frac=frac(end_chars, n_content),
        punct_line_char_frac=frac(punct_chars, n_content),
        short_line_frac=frac(short, n_lines_all),
        short_line_char_frac=frac(short_chars_total, n_content),
        symbol_ratio=frac(symbols, n_content),
        emoji_ratio=frac(emoji, n_content),
        hashtag_ratio=frac(hashtags, n_content),
        title_terms=terms,
        title_term_share=share,
        title_repeats=repeats,
        title_chars=title_chars,
        title_repeat_share=frac(repeats * title_chars, n_content),
        short_chars=short_chars,
    )


# ---- rules -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepetitiveLinesConfig:
    """Duplicate line/paragraph limits (Gopher's 0.30 / 0.20, the line share raised to 0.35: a GNE page of half a
    reaches 0.297 with its repeated "新闻"/"跟贴" list furniture); needs ``min_elements`` lines (paragraphs)."""

    max_dup_line_frac: float = 0.35
    max_dup_line_char_frac: float = 0.20
    max_dup_para_frac: float = 0.30
    max_dup_para_char_frac: float = 0.20
    min_elements: int = 5


@dataclass(frozen=True)
class RepetitiveNgramsConfig:
    """Top character n-gram share limits (n = 2, 3, 4) and repeated n-gram fraction limits (n = 5..10).

    Chinese characters repeat far more than English words: good half-a documents reach a repeated 5-gram fraction
    of 0.55 (an encyclopedia paragraph naming its subject in every sentence), so the limits sit above the good
    maxima, not at Gopher's 0.15..0.10."""

    max_top_share: tuple[tuple[int, float], ...] = ((2, 0.30), (3, 0.30), (4, 0.30))
    max_dup_frac: tuple[tuple[int, float], ...] = ((5, 0.60), (6, 0.55), (7, 0.50), (8, 0.48), (9, 0.46), (10, 0.45))
    min_chars: int = 200


@dataclass(frozen=True)
class SentenceEndingsConfig:
    """Remove a document of at least ``min_lines`` lines when less than ``min_end_char_frac`` of its content
    characters are in lines ending in sentence punctuation and less than ``min_punct_char_frac`` in lines holding
    any sentence punctuation or comma: lists of headlines, keywords or product names. (Forum chat without
    final punctuation still has commas; hard-wrapped prose has sentence punctuation inside its lines.)"""

    min_end_char_frac: float = 0.02
    min_punct_char_frac: float = 0.03
    min_lines: int = 10


@dataclass(frozen=True)
class ShortLinesConfig:
    """Remove a document of at least ``min_lines`` lines when lines with fewer than ``short_chars`` content
    characters hold more than ``max_char_frac`` of its content characters (FineWeb counts lines; characters keep
    a news page with a few short caption and menu lines). Chat logs of good half-a documents reach 0.83, so only
    pages made almost wholly of fragments (menus, tag clouds, spec tables) are removed."""

    max_char_frac: float = 0.90
    short_chars: int = 10
    min_lines: int = 10


@dataclass(frozen=True)
class SymbolRatioConfig:
    """Limits on non-ASCII symbols (Unicode S*: ★♥→, emoji included), emoji and hashtags (``#话题#``, ``#tag``)
    per content character. ASCII symbols (~ ^ | + = in "1500~2000" or a BBS underline) do not count."""

    max_symbol_ratio: float = 0.15
    max_emoji_ratio: float = 0.05
    max_hashtag_ratio: float = 0.02
    min_chars: int = 50


@dataclass(frozen=True)
class TitleStuffingConfig:
    """Remove a document of at least ``min_chars`` content characters when copies of a title of at least
    ``min_title_chars`` characters cover more than ``max_repeat_share`` of the body, or the title's words cover
    more than ``max_term_share`` of it. (An encyclopedia entry repeats its subject's name: up to 0.15 of the body
    for a seven-character company name in half a.)"""

    max_repeat_share: float = 0.25
    max_term_share: float = 0.40
    min_title_chars: int = 4
    min_chars: int = 200


@dataclass(frozen=True)
class RepetitionConfig:
    """Every rule's config; ``rules`` names the rules applied, in order (a reason each)."""

    rules: tuple[str, ...] = REASONS
    repetitive_lines: RepetitiveLinesConfig = RepetitiveLinesConfig()
    repetitive_ngrams: RepetitiveNgramsConfig = RepetitiveNgramsConfig()
    few_sentence_endings: SentenceEndingsConfig = SentenceEndingsConfig()
    short_lines: ShortLinesConfig = ShortLinesConfig()
    symbol_ratio: SymbolRatioConfig = SymbolRatioConfig()
    title_stuffing: TitleStuffingConfig = TitleStuffingConfig()


def is_repetitive_lines(stats: RepetitionStats, cfg: RepetitiveLinesConfig) -> bool:
    lines = stats.lines >= cfg.min_elements and (
        stats.dup_line_frac > cfg.max_dup_line_frac or stats.dup_line_char_frac > cfg.max_dup_line_char_frac
    )
    paras = stats.paragraphs >= cfg.min_elements and (
        stats.dup_para_frac > cfg.max_dup_para_frac or stats.dup_para_char_frac > cfg.max_dup_para_char_frac
    )
    return lines or paras


def is_repetitive_ngrams(stats: RepetitionStats, cfg: RepetitiveNgramsConfig) -> bool:
    if stats.chars < cfg.min_chars:
        return False
    return any(stats.top_share(n) > limit for n, limit in cfg.max_top_share) or any(
        stats.dup_frac(n) > limit for n, limit in cfg.max_dup_frac
    )


def has_few_sentence_endings(stats: RepetitionStats, cfg: SentenceEndingsConfig) -> bool:
    return (
        stats.lines >= cfg.min_lines
        and stats.sentence_end_char_frac < cfg.min_end_char_frac
        and stats.punct_line_char_frac < cfg.min_punct_char_frac
    )


def has_short_lines(stats: RepetitionStats, cfg: ShortLinesConfig) -> bool:
    if stats.short_chars and stats.short_chars != cfg.short_chars:
        raise ValueError(f"stats were taken with short_chars={stats.short_chars}, the rule wants {cfg.short_chars}")
    return stats.lines >= cfg.min_lines and stats.short_line_char_frac > cfg.max_char_frac


def has_symbol_ratio(stats: RepetitionStats, cfg: SymbolRatioConfig) -> bool:
    return stats.chars >= cfg.min_chars and (
        stats.symbol_ratio > cfg.max_symbol_ratio
        or stats.emoji_ratio > cfg.max_emoji_ratio
        or stats.hashtag_ratio > cfg.max_hashtag_ratio
    )


def is_title_stuffing(stats: RepetitionStats, cfg: TitleStuffingConfig) -> bool:
    if stats.chars < cfg.min_chars:
        return False
    repeated = stats.title_chars >= cfg.min_title_chars and stats.title_repeat_share > cfg.max_repeat_share
    return repeated or stats.title_term_share > cfg.max_term_share


RULES = {
    "repetitive_lines": is_repetitive_lines,
    "repetitive_ngrams": is_repetitive_ngrams,
    "few_sentence_endings": has_few_sentence_endings,
    "short_lines": has_short_lines,
    "symbol_ratio": has_symbol_ratio,
    "title_stuffing": is_title_stuffing,
}


def repetition_reasons(stats: RepetitionStats, config: RepetitionConfig | None = None) -> tuple[str, ...]:
    """Every rule of ``config.rules`` the document fails, in rule order."""
    config = config or RepetitionConfig()
    return tuple(name for name in config.rules if RULES[name](stats, getattr(config, name)))


def repetition_reason(stats: RepetitionStats, config: RepetitionConfig | None = None) -> str | None:
    """The first rule of ``config.rules`` the document fails, or None."""
    config = config or RepetitionConfig()
    for name in config.rules:
        if RULES[name](stats, getattr(config, name)):
            return name
    return None


def stats_for(text: str, title: str | None, config: RepetitionConfig | None = None) -> RepetitionStats:
    """:func:`repetition_stats` with the short-line bound of ``config``."""
    config = config or RepetitionConfig()
    return repetition_stats(text, title, config.short_lines.short_chars)


def stats_for_batch(
    texts: list[str], titles: list[str | None] | None, config: RepetitionConfig | None = None
) -> list[RepetitionStats]:
    """:func:`repetition_stats_batch` with the short-line bound of ``config``."""
    config = config or RepetitionConfig()
    return repetition_stats_batch(texts, titles, config.short_lines.short_chars)
