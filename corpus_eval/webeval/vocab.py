"""The junk vocabulary injected into documents, each word tagged with the source it came from.

Categories (:data:`CATEGORIES`) and where their words come from:

* ``gambling_brand``: ``eval_brands`` (hand list) + brands *mined* from real gambling spam messages of
  ``tg_spam_train`` / ``tg_spam_eval``: a jieba word that jieba's dictionary does not know (frequency < 50, so not a
  common word) followed by a brand suffix (体育 国际 娱乐 娱乐城 集团 彩票 棋牌 官网 电竞), e.g. ``开云体育``;
* ``gambling_term``: ``eval_phrases`` (casino words, SEO phrases) + ``houbb_ads`` entries that look like gambling
  + words mined from the gambling messages of tg spam (see :func:`mine_words`);
* ``lottery_game``: ``eval_phrases``;
* ``porn_term``: ``houbb_porn``, ``sensitive_porn`` (Chinese entries of 2-8 characters) + words mined from the porn
  messages of tg spam;
* ``ad_term``: ``houbb_ads`` (the rest), ``sensitive_ads`` + words mined from all tg spam messages (against tg ham)
  and from ``trec06c_spam`` (against trec06c ham);
* ``seo_modifier``: ``eval_phrases``;
* ``gambling_domain`` (``ut1_gambling_domains``), ``porn_domain`` (``v2fly_porn_domains``), ``spam_url``
  (``houbb_spam_urls``);
* ``contact_line``, ``kv_line``, ``ad_line``: lines cut from real ``trec06c_spam`` e-mails (contact details,
  ``key：value`` spec/offer lines, short ad lines).

Mining uses only the messages of the requested half, and every word (hand-written or mined) is itself kept only in
the half its own key hashes to, so a brand or domain used in half-a training documents never appears in half-b
evaluation documents (unless it also occurs inside a real spam message of half b).
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from . import eval_lists as L
from .sources import Shared, half, normalize_key

MINE_EMAILS = 2000  # ad words are mined from the first this many spam and ham e-mails of the half
CATEGORIES = (
    "gambling_brand",
    "gambling_term",
    "lottery_game",
    "porn_term",
    "ad_term",
    "seo_modifier",
    "gambling_domain",
    "porn_domain",
    "spam_url",
    "contact_line",
    "kv_line",
    "ad_line",
)
BRAND_SUFFIXES = frozenset({"体育", "国际", "娱乐", "娱乐城", "集团", "彩票", "棋牌", "官网", "电竞"})
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")
_BRAND_HEAD = re.compile(r"[\u4e00-\u9fff]{2,4}|[A-Za-z]{2,4}")
_CJK_TERM = re.compile(r"^(?=.*[\u4e00-\u9fff])[^\s]{2,8}$")
_CONTACT_LINE = re.compile(r"(电话|手机|联系|QQ|qq|地址|传真|邮箱|E-?mail|热线|咨询)")
_KV_LINE = re.compile(r"^[\u4e00-\u9fffA-Za-z ]{1,8}[：:]\s*\S.{0,40}$")


@dataclass(frozen=True)
class Term:
    """One injectable word or line and the source it came from."""

    text: str
    source: str
    category: str


@lru_cache(maxsize=1)
def _jieba_freq() -> dict[str, int]:
    from corpus_pipeline.tokenizer.segment import _jieba

    return _jieba().dt.FREQ


@lru_cache(maxsize=200_000)
def _words(text: str) -> tuple[str, ...]:
    """jieba words of a text (NFKC first for short texts: messages carry full-width and styled letters)."""
    import rjieba

    return tuple(rjieba.cut(unicodedata.normalize("NFKC", text) if len(text) <= 300 else text))


def mine_brands(messages: Iterable[str], min_count: int = 1) -> list[str]:
    """Gambling brands in real spam messages: a word unknown to jieba's dictionary (frequency < 50) that starts a
    word (not glued to a single Han character before it) followed by a brand suffix."""
    freq, counts = _jieba_freq(), Counter()
    for message in messages:
        words = _words(message)
        for i in range(1, len(words)):
            head = words[i - 1]
            before = words[i - 2] if i >= 2 else ""
            glued = len(before) == 1 and "\u4e00" <= before <= "\u9fff"  # 免|费看|真人: not a word start
            if (
                words[i] in BRAND_SUFFIXES
                and _BRAND_HEAD.fullmatch(head)
                and freq.get(head, 0) < 50
                and head not in BRAND_SUFFIXES
                and not glued
            ):
                counts[head + words[i]] += 1
    return sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))


def mine_words(spam: Iterable[str], ham: Iterable[str], top: int = 200, min_count: int = 3) -> list[str]:
    """Han words (2-6 characters) most typical of ``spam`` against ``ham``: smoothed log-odds of the share of
    messages holding the word, at least ``min_count`` spam messages."""

    def doc_freq(texts: Iterable[str]) -> tuple[Counter, int]:
        counts, n = Counter(), 0
        for text in texts:
            n += 1
            counts.update({w for w in _words(text) if _HAN_WORD.fullmatch(w)})
        return counts, n

    s, ns = doc_freq(spam)
    h, nh = doc_freq(ham)
    if not ns or not nh:
        return []
    score = {w: math.log((c + 0.5) / ns) - math.log((h.get(w, 0) + 0.5) / nh) for w, c in s.items() if c >= min_count}
    return sorted((w for w in score if score[w] > 1.0), key=lambda w: (-score[w], w))[:top]


def _email_lines(emails: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"contact_line": [], "kv_line": [], "ad_line": []}
    for email in emails:
        for line in email.splitlines():
            line = line.strip()
            if not 6 <= len(line) <= 60 or not re.search("[\u4e00-\u9fff]", line):
                continue
            if _CONTACT_LINE.search(line) and re.search(r"\d{5,}|@|www|http", line):
                out["contact_line"].append(line)
            elif _KV_LINE.match(line):
                out["kv_line"].append(line)
            elif 8 <= len(line) <= 40:
                out["ad_line"].append(line)
    return {key: list(dict.fromkeys(lines)) for key, lines in out.items()}


_CACHE: dict[tuple[str, tuple[str, ...], str | None], Vocabulary] = {}


def vocabulary(shared: Shared, sources: Iterable[str], which_half: str | None = "b") -> Vocabulary:
    """:class:`Vocabulary`, cached per process (it depends only on the data, the sources and the half)."""
    key = (str(shared.root), tuple(sorted(set(sources))), which_half)
    if key not in _CACHE:
        reader = Shared(shared.root)  # records exactly the files this vocabulary reads
        vocab = Vocabulary(reader, key[1], which_half)
        vocab.inputs = dict(reader.inputs)
        _CACHE[key] = vocab
    shared.inputs.update(_CACHE[key].inputs)
    return _CACHE[key]


class Vocabulary:
    """The injectable words of the allowed sources, in one half (or both when ``which_half`` is None)."""

    def __init__(self, shared: Shared, sources: Iterable[str], which_half: str | None = "b"):
        self.sources = tuple(dict.fromkeys(sources))
        self.half = which_half
        self.inputs: dict[str, str] = {}  # shared files read (set by :func:`vocabulary`)
        self.terms: dict[str, list[Term]] = {c: [] for c in CATEGORIES}
        self._build(shared)
        for category, terms in self.terms.items():
            seen: dict[tuple[str, str], Term] = {}
            for term in terms:
                if which_half is None or half(normalize_key(term.text)) == which_half:
                    seen.setdefault((term.text, term.source), term)
            self.terms[category] = list(seen.values())

    def _add(self, category: str, source: str, words: Iterable[str]) -> None:
        self.terms[category].extend(Term(w, source, category) for w in words if w)

    def _build(self, shared: Shared) -> None:
        allowed, h = set(self.sources), self.half
        if "eval_brands" in allowed:
            self._add("gambling_brand", "eval_brands", L.EVAL_BRANDS)
        if "eval_phrases" in allowed:
            self._add("gambling_term", "eval_phrases", L.CASINO_WORDS + L.GAMBLING_PHRASES)
            self._add("lottery_game", "eval_phrases", L.LOTTERY_GAMES)
            self._add("seo_modifier", "eval_phrases", L.SEO_MODIFIERS)
        for source in ("houbb_ads",):
            if source in allowed:
                words = [i.text for i in shared.items(source) if _CJK_TERM.match(i.text)]
                self._add("gambling_term", source, [w for w in words if L.GAMBLING_SEEDS.search(w)])
                self._add("ad_term", source, [w for w in words if not L.GAMBLING_SEEDS.search(w)])
        if "sensitive_ads" in allowed:
            words = [i.text for i in shared.items("sensitive_ads") if _CJK_TERM.match(i.text)]
            self._add("ad_term", "sensitive_ads", words)
        for source in ("houbb_porn", "sensitive_porn"):
            if source in allowed:
                self._add("porn_term", source, [i.text for i in shared.items(source) if _CJK_TERM.match(i.text)])
        for source, category in (
            ("ut1_gambling_domains", "gambling_domain"),
            ("v2fly_porn_domains", "porn_domain"),
            ("houbb_spam_urls", "spam_url"),
        ):
            if source in allowed:
                self._add(category, source, [i.text for i in shared.items(source) if "." in i.text])
        tg = [s for s in ("tg_spam_train", "tg_spam_eval") if s in allowed]
        if tg:
            ham = [i.text for i in shared.items("tg_ham", h)]
            for source in tg:
                messages = shared.items(source, h)
                by_cat = {c: [i.text for i in messages if c in i.tags] for c in ("gambling", "porn")}
                self._add("gambling_brand", source, mine_brands(by_cat["gambling"]))
                self._add("gambling_term", source, mine_words(by_cat["gambling"], ham, top=150))
                self._add("porn_term", source, mine_words(by_cat["porn"], ham, top=150))
                self._add("ad_term", source, mine_words([i.text for i in messages], ham, top=200))
        if "trec06c_spam" in allowed:
            spam = [i.text for i in shared.items("trec06c_spam", h)]
            ham = [i.text for i in shared.items("trec06c_ham", h)]
            mined = mine_words(spam[:MINE_EMAILS], ham[:MINE_EMAILS], top=200, min_count=5)
            self._add("ad_term", "trec06c_spam", mined)
            for category, lines in _email_lines(spam).items():
                self._add(category, "trec06c_spam", lines)

    def has(self, category: str) -> bool:
        return bool(self.terms[category])

    def pick(self, rng: random.Random, category: str) -> Term:
        """One term of ``category`` (sources weighted equally, then uniform within the source)."""
        terms = self.terms[category]
        if not terms:
            raise LookupError(f"no {category} words in sources {self.sources}")
        by_source = self._by_source(category)
        source = rng.choice(sorted(by_source))
        return rng.choice(by_source[source])

    def picks(self, rng: random.Random, category: str, k: int) -> list[Term]:
        """``k`` terms, distinct where the category has enough."""
        out: list[Term] = []
        for _ in range(k * 4):
            term = self.pick(rng, category)
            if term not in out or len(out) >= len(self.terms[category]):
                out.append(term)
            if len(out) == k:
                break
        return out

    def _by_source(self, category: str) -> dict[str, list[Term]]:
        cache = self.__dict__.setdefault("_cache", {})
        if category not in cache:
            groups: dict[str, list[Term]] = {}
            for term in self.terms[category]:
                groups.setdefault(term.source, []).append(term)
            cache[category] = groups
        return cache[category]

    def counts(self) -> dict[str, dict[str, int]]:
        """Words per category and source (for the manifest)."""
        return {c: {s: len(t) for s, t in sorted(self._by_source(c).items())} for c in CATEGORIES if self.terms[c]}
