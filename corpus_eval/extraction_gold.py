"""Main-text extraction scored against gold text: page loaders, character F1, author and date accuracy.

Page sets (read from ``../shared/data/web_html``, never copied into the repository):

* ``extraction_gold``: 69 real Chinese pages with hand-copied main text (``<id>.cleaned.txt``), author and
  date (Chinese-Web-Content-Extraction-Dataset, MIT). Its gold text is "the whole content area ... without
  the header/dates/authors", so headlines and bylines above the body are not in it.
* ``gne``: 62 real news pages (GeneralNewsExtractor's test pages, GPL-3.0) without hand-made gold; their
  reference is derived from each page's own structure by :func:`gne_reference`: the text of the page's article
  container (the element holding most of the page's long paragraphs, see :func:`body_paragraphs`), without
  link-dominated runs, hidden elements and comment/related/legal sections. It was written independently of
  the extractor (a lexbor DOM walk, not resiliparse's text extraction) and is a proxy: it has no headline or
  byline above the container, and keeps editor lines and captions inside it, as the hand-made gold does.

**Which pages count.** A page whose gold (or reference) text the clean chain itself would remove (too short,
or mostly not Chinese) is not a page that should be kept; the acceptance figures are over the other pages
(:func:`should_be_kept`), and figures over all pages are reported beside them.

**Character F1.** Both texts are put in one canonical form (:func:`canonical`: Unicode NFKC, lower case,
every white-space character removed), then compared as *bags of characters*: the multiset intersection of
the two character counts is the true-positive count, precision = tp / len(prediction), recall =
tp / len(gold), F1 their harmonic mean. This is the bag-of-tokens precision/recall of the content-extraction
benchmarks (Moz's Dragnet/readability comparison; the gold set's own ``evaluation.py`` uses bags of 4-token
shingles of ``\\w+`` tokens, which in Chinese are whole clauses) with characters as tokens, which is what a
token is in Chinese without a segmenter; white space is dropped because gold files are hand-wrapped.
``n > 1`` gives bags of character n-grams (shingles) instead, which also punish text in the wrong order;
the bench reports n=1 and n=4. Per page: an empty prediction has
precision 0 (unless the gold is empty as well), so a page wrongly removed counts as P = R = F1 = 0.
Set figures are plain means over pages of per-page P, R and F1.

**Author and date.** Gold ``UNKNOWN`` (or an empty or malformed value) means "the page does not state it";
those pages are scored separately (a prediction there is a false positive). An author matches when the
sets of names (split at white space, ``、``, ``,``, ``，``, ``/``) are equal after NFKC. A date matches at
day level when :func:`iso_date` of both agrees on the year, month and day the gold states (gold ``2005-5``
accepts any day of May 2005), and at minute level when it also agrees on the hour and minute the gold
states (seconds and UTC offsets ignored).
"""

from __future__ import annotations

import hashlib
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PRF",
    "GoldPage",
    "author_matches",
    "body_paragraphs",
    "canonical",
    "char_prf",
    "date_matches",
    "gne_reference",
    "held_out",
    "iso_date",
    "load_extraction_gold",
    "load_gne",
    "mean_prf",
    "score_pages",
    "should_be_kept",
    "squeeze",
]

UNKNOWN = frozenset({"", "unknown", "unknwon", "none", "null"})
_WHITESPACE = re.compile(r"\s+")
_NAME_SEPARATORS = re.compile(r"[\s、,，/;；]+")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})(?:\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?)?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_YEAR = re.compile(r"^\s*((?:19|20)\d\d)\s*年?\s*$")


@dataclass(frozen=True)
class GoldPage:
    """One page of a gold set: decoded HTML, gold main text, and author/date (None: the page states none)."""

    name: str
    html: str
    text: str
    author: str | None
    date: str | None
    size: int  # bytes of HTML


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def canonical(text: str) -> str:
    """NFKC, lower case, no white space: the form in which extracted and gold text are compared."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text).lower())


def _grams(text: str, n: int) -> Counter:
    if n == 1:
        return Counter(text)
    return Counter(text[i : i + n] for i in range(max(1, len(text) - n + 1))) if text else Counter()


def char_prf(predicted: str, gold: str, n: int = 1) -> PRF:
    """Character (n-gram) bag precision, recall and F1 of ``predicted`` against ``gold`` (see the module doc)."""
    pred, true = _grams(canonical(predicted), n), _grams(canonical(gold), n)
    n_pred, n_true = sum(pred.values()), sum(true.values())
    if n_pred == 0 and n_true == 0:
        return PRF(1.0, 1.0, 1.0)
    tp = sum((pred & true).values())
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return PRF(precision, recall, f1)


def mean_prf(scores: Iterable[PRF]) -> PRF:
    """Means over pages of per-page precision, recall and F1."""
    scores = list(scores)
    if not scores:
        raise ValueError("no pages to average")
    return PRF(*(statistics.fmean(getattr(s, f) for s in scores) for f in ("precision", "recall", "f1")))


def held_out(name: str, seed: int = 20) -> bool:
    """Whether a page is in the held-out half of a seeded hash split (the same on every machine and run)."""
    return hashlib.sha256(f"{seed}:{name}".encode()).digest()[0] % 2 == 1


def _known(value: str | None) -> str | None:
    if value is None:
        return None
    value = unicodedata.normalize("NFKC", value).strip()
    return None if value.lower() in UNKNOWN else value


def iso_date(value: str | None) -> str | None:
    """A stated date in ISO 8601, as precise as the text: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or
    ``YYYY-MM-DDTHH:MM[:SS]``; None when ``value`` holds no plausible date."""
    value = _known(value)
    if value is None:
        return None
    if match := _YEAR.match(value):
        return match[1]
    match = _DATE.search(value)
    if not match:
        return None
    year, month = int(match["y"]), int(match["m"])
    if not 1 <= month <= 12:
        return None
    out = f"{year:04d}-{month:02d}"
    if match["d"] is None:
        return out
    day = int(match["d"])
    if not 1 <= day <= 31:
        return out
    out += f"-{day:02d}"
    if match["H"] is None or int(match["H"]) > 23 or int(match["M"]) > 59:
        return out
    out += f"T{int(match['H']):02d}:{int(match['M']):02d}"
    if match["S"] is not None and int(match["S"]) <= 59:
        out += f":{int(match['S']):02d}"
    return out


def date_matches(predicted: str | None, gold: str | None, level: str = "day") -> bool:
    """Whether ``predicted`` agrees with ``gold`` on every field gold states down to ``level`` (``"day"``: year,
    month, day; ``"minute"``: also hour and minute; seconds and UTC offsets are ignored). Both None: True."""
    true, pred = iso_date(gold), iso_date(predicted)
    if true is None or pred is None:
        return true is None and pred is None
    width = {"day": 10, "minute": 16}[level]
    true, pred = true[:width], pred[:width]
    return pred[: len(true)] == true


def _names(value: str) -> frozenset[str]:
    return frozenset(name for name in _NAME_SEPARATORS.split(unicodedata.normalize("NFKC", value).lower()) if name)


def author_matches(predicted: str | None, gold: str | None) -> bool:
    """Whether the predicted author names are the gold's (both None: True)."""
    true, pred = _known(gold), _known(predicted)
    if true is None or pred is None:
        return true is None and pred is None
    return _names(pred) == _names(true)


def _decode(data: bytes) -> str:
    from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset

    decoded = decode_bytes(data, html_declared_charset(data[:4096]))
    if decoded is not None:
        return decoded[0]
    # not strictly decodable (the pipeline quarantines such a file as ``undecodable``): the codec with the
    # fewest replacement characters, so that extraction can still be scored
    texts = (data.decode(codec, "replace") for codec in ("utf-8", "gb18030", "big5"))
    return min(texts, key=lambda text: text.count("\ufffd"))


def _read_field(path: Path) -> str | None:
    return _known(path.read_text(encoding="utf-8", errors="replace")) if path.is_file() else None


def load_extraction_gold(folder: Path) -> list[GoldPage]:
    """The gold pages in ``folder`` (``<id>.html`` with ``.cleaned.txt``, ``.author.txt``, ``.date.txt``), by name."""
    pages = []
    for path in sorted(folder.glob("*.html")):
        gold = path.with_name(path.stem + ".cleaned.txt")
        if not gold.is_file():
            continue
        data = path.read_bytes()
        date = _read_field(path.with_name(path.stem + ".date.txt"))
        pages.append(
            GoldPage(
                name=path.stem,
                html=_decode(data),
                text=gold.read_text(encoding="utf-8", errors="replace"),
                author=_read_field(path.with_name(path.stem + ".author.txt")),
                date=date if iso_date(date) else None,
                size=len(data),
            )
        )
    return pages


def should_be_kept(page: GoldPage, keeps: Callable[[str], bool]) -> bool:
    """Whether the page's own gold text passes ``keeps`` (the clean chain's document filters)."""
    return keeps(page.text)


def score_pages(
    pages: Iterable[GoldPage],
    kept_text: Callable[[GoldPage], str],
    gold_text: Callable[[str], str] = lambda text: text,
    n: int = 1,
) -> dict[str, PRF]:
    """Per-page character P/R/F1 of ``kept_text(page)`` against ``gold_text(page.text)``."""
    return {page.name: char_prf(kept_text(page), gold_text(page.text), n) for page in pages}


# ---------------------------------------------------------------------------------------------------------
# The page-structure judge (reference for pages without hand-made gold)

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SENTENCE_END = re.compile(r"[。！？；!?]")
INVISIBLE = re.compile(r"[\s\u3000\xa0\u200b-\u200d\u2060\ufeff\ue000-\uf8ff]+")  # + icon-font glyphs
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre section "
    "summary table tbody td tfoot th thead tr ul br img caption".split()
)
SKIP_TAGS = frozenset(
    "head script style noscript template textarea select option iframe svg math object button".split()
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# class/id of sections that are not article body: user comments, related/recommended lists, legal notices
NOT_BODY_SECTION = re.compile(
    r"comment|cmt|reply|pinglun|related|relate-|recommend|tuijian|xiangguan|statement|disclaimer|copyright|shengming",
    re.I,
)
LEVELS = 3  # how far above a run's block the article container may sit


def squeeze(text: str) -> str:
    """``text`` without white space and invisible characters (icon-font glyphs included)."""
    return INVISIBLE.sub("", text)


@dataclass
class Run:
    text: str  # whitespace-free
    link_chars: int
    chain: tuple[tuple[int, int], ...]  # (depth, id) of the run's block element and ancestors, nearest first


def text_runs(html: str) -> list[Run]:
    """Split the lexbor DOM into whitespace-free text runs at block elements and ``<br>``."""
    from resiliparse.parse.html import HTMLTree, NodeType

    tree = HTMLTree.parse(html)
    runs: list[Run] = []
    parts: list[str] = []
    link_chars = 0
    elems: list[tuple[int, int]] = []  # (depth, id) of open elements
    blocks: list[int] = []  # positions in ``elems`` of open block elements
    next_id = 0

    def flush() -> None:
        nonlocal parts, link_chars
        text = squeeze("".join(parts))
        if text and blocks:
            pos = blocks[-1]
            runs.append(Run(text, link_chars, tuple(reversed(elems[max(0, pos - LEVELS) : pos + 1]))))
        parts, link_chars = [], 0

    in_link = 0
    stack: list = [(tree.document, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            name = node.local_name
            if name in BLOCK_TAGS:
                flush()
                blocks.pop()
            if name == "a":
                in_link -= 1
            elems.pop()
            continue
        kind = node.node_type
        if kind == NodeType.TEXT:
            value = node.node_value or ""
            parts.append(value)
            if in_link:
                link_chars += len(squeeze(value))
            continue
        if kind not in (NodeType.ELEMENT, NodeType.DOCUMENT):
            continue
        if kind == NodeType.ELEMENT:
            name = node.local_name
            if (
                name in SKIP_TAGS
                or node.hasattr("hidden")
                or HIDDEN_STYLE.search(node.getattr("style") or "")
                or NOT_BODY_SECTION.search(f"{node.getattr('class') or ''} {node.getattr('id') or ''}")
            ):
                continue
            elems.append((len(elems), next_id))
            next_id += 1
            if name in BLOCK_TAGS:
                flush()
                blocks.append(len(elems) - 1)
            if name == "a":
                in_link += 1
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.child_nodes)))
    flush()
    return runs


def is_long_paragraph(run: Run) -> bool:
    """>= 30 CJK characters, sentence punctuation, less than half link text."""
    cjk = len(CJK.findall(run.text))
    return cjk >= 30 and bool(SENTENCE_END.search(run.text)) and run.link_chars * 2 < len(run.text)


def _container(runs: list[Run]) -> tuple[int, int] | None:
    """The element with the most long-paragraph characters within ``LEVELS`` levels above the runs' own
    blocks (the deepest one holding >= 70 % of that maximum wins); None if the page has no long paragraph."""
    score: dict[tuple[int, int], int] = {}
    for run in runs:
        if is_long_paragraph(run):
            for elem in run.chain:
                score[elem] = score.get(elem, 0) + len(run.text)
    if not score:
        return None
    best = max(score.values())
    return max((elem for elem, value in score.items() if value * 10 >= best * 7), key=lambda e: (e[0], score[e]))


def body_paragraphs(html: str) -> list[str]:
    """The long paragraphs of the page's densest article container (whitespace-free)."""
    runs = text_runs(html)
    container = _container(runs)
    return [run.text for run in runs if container in run.chain and is_long_paragraph(run)] if container else []


def gne_reference(html: str) -> str:
    """The page-derived reference main text: every run of the article container except link-dominated ones
    (at least half link text), one a line; "" when the page has no long paragraph."""
    runs = text_runs(html)
    container = _container(runs)
    if container is None:
        return ""
    return "\n".join(run.text for run in runs if container in run.chain and run.link_chars * 2 < len(run.text))


def load_gne(folder: Path) -> list[GoldPage]:
    """The GNE pages in ``folder`` with :func:`gne_reference` as their gold text (no author or date), by name."""
    pages = []
    for path in sorted(folder.glob("*.html")):
        data = path.read_bytes()
        html = _decode(data)
        pages.append(
            GoldPage(name=path.stem, html=html, text=gne_reference(html), author=None, date=None, size=len(data))
        )
    return pages
