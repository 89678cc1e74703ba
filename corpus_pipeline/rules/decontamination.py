"""Benchmark decontamination: documents that contain an evaluation benchmark's question are found by n-grams.

Pure code (no Spark): benchmark files are read into :class:`BenchmarkItem` records (:func:`load_benchmark`,
configured by a :class:`BenchmarkSpec`), indexed once into a compact :class:`BenchmarkIndex` (sorted numpy arrays,
saved as ``.npy`` files and memory-mapped by every worker), and a batch of document texts is matched against it at
once (:meth:`BenchmarkIndex.match`).

**n-grams.** Item and document texts are put in the dedup stage's hashing form
(:func:`corpus_pipeline.dedup.normalize.normalize_batch`: OpenCC t2s, punctuation, spaces and control characters
removed, full-width folded, lower case), and every window of ``n`` consecutive code points *inside one text* is
hashed to 64 bits: a polynomial over the code points mod 2**64 (the dedup stage's shingle fingerprint), then
MurmurHash3's 64-bit finalizer (:func:`ngram_hashes`). The hash depends on nothing but the code points, so it is
the same in every process and on every machine (Python's ``hash()`` is salted per process and is never used).

**Views.** A benchmark item is a question (stem) and its options; a copy on the web may print the options with or
without letters, in another order, or leave them out. Each item therefore has four *views*, each a set of n-grams:

``question``  windows of the stem alone (a copy without options);
``segments``  windows inside the stem and inside each option, never across them (options reordered or relettered);
``lettered``  windows of stem + ``A`` + option 1 + ``B`` + option 2 ... (the exam's own layout);
``plain``     windows of stem + option 1 + option 2 ... (options printed without letters).

Short options (under ``n`` characters) only contribute to ``lettered`` and ``plain``, where their windows cross
into the neighbouring text. A benchmark whose options are inside the question text (GAOKAO-Bench) has them split
out at ``A．``/``B.``/``(C)`` markers (:func:`split_options`); a leading question number and score (``1．（6分）``)
is dropped from every stem (:func:`strip_exam_prefix`). The answer and any analysis are never indexed.

**Generic n-grams.** An n-gram found in more than ``max_items_per_ngram`` items (``下列说法正确的是``) names no
item; it is dropped from every view before counting, so it neither counts as evidence nor dilutes a fraction.

**Rule** (:class:`OverlapRule`): view ``v`` of an item matches a document when the document holds at least
``need(v) = max(min_ngrams, ceil(fraction * t_v))`` of the view's ``t_v`` n-grams (``question_fraction`` for the
question view); a view with fewer than ``min_ngrams`` n-grams never matches. The question view only counts for a
stem of at least ``min_question_chars`` characters, so a short generic stem alone (``净出口是指``, a famous quotation
followed by ``出自``) never matches. The three views with options count only when the options add n-grams to the
stem's, and need ``stem_evidence`` of the stem's n-grams and ``option_evidence`` n-grams that are not the stem's
(each at most what the item has): the stem alone is left to the question view, and options alone (four spellings
of ``www.sina.com.cn``, an essay quoted as reading material) never match. An item matches when any of its views
does, and a document is contaminated when any item matches. The reported item is the matching one with the highest
overlap ``m_v / t_v`` (ties: more n-grams, then index order). ``bench/decontamination_bench.py`` chose the default
``n`` and rule by measurement (see ``bench/RESULTS.md``).

Benchmark files are read with the standard library from a local path (a file, a folder or a glob); the recipe
names them, nothing from them is copied into the repository.

**Distribution.** The driver builds the index once (:func:`build_index`; CMMLU + GAOKAO-Bench: 23 MB of arrays,
100,000 items ~125-150 MB, peak build memory ~4x that, independent of the corpus), saves it
(:meth:`BenchmarkIndex.save`) into a local folder and ships the folder zipped with ``SparkContext.addArchive``
(unpacked on each executor); each Python worker opens it with :func:`worker_index` (``SparkFiles.get``): memory-mapped
read-only, so the pages are shared by all the workers of a node through the page cache, plus a per-process bit
table of 128 KB-128 MB. Each Arrow batch's texts go through :meth:`BenchmarkIndex.match_batch`. Nothing grows on
the driver with the corpus. For a set too large to map on every node (tens of GB), the same pure parts serve a
join: workers emit the distinct ``(document, hash)`` pairs of :func:`ngram_hashes` that pass a broadcast bit table,
Spark joins them with a ``(hash, item, views)`` table of the index's pairs, and :func:`count_pairs` and
:meth:`BenchmarkIndex.decide` (given the item ``totals``) run per group of documents.
"""

from __future__ import annotations

import csv
import functools
import glob as globlib
import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from corpus_pipeline.dedup.normalize import normalize_batch
from corpus_pipeline.recipe import RecipeError

__all__ = [
    "DEFAULT_N",
    "REASON",
    "VIEWS",
    "BenchmarkIndex",
    "BenchmarkItem",
    "BenchmarkSpec",
    "DocumentMatches",
    "ItemCounts",
    "Match",
    "OverlapRule",
    "build_index",
    "count_pairs",
    "default_benchmarks",
    "index_fingerprint",
    "item_texts",
    "load_benchmark",
    "load_benchmarks",
    "ngram_hashes",
    "split_options",
    "strip_exam_prefix",
    "worker_index",
]

REASON = "benchmark_overlap"
VIEWS = ("question", "segments", "lettered", "plain")
_QUESTION, _SEGMENTS, _LETTERED, _PLAIN = range(len(VIEWS))
DEFAULT_N = 6  # chosen by bench/decontamination_bench.py tune (bench/RESULTS.md)
FORMATS = ("csv", "json", "jsonl")
INDEX_VERSION = 1
_DISABLED = np.iinfo(np.uint32).max
_EXTENSIONS = {"csv": (".csv",), "json": (".json",), "jsonl": (".jsonl", ".jsonl.gz", ".json.gz")}

_POLY = np.uint64(0x100000001B3)
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


# --- benchmark files ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkSpec:
    """Where a benchmark's items are and which fields hold their question, options and id.

    ``path``: a file, a folder (every file with the format's extension below it) or a glob. ``format``: ``csv``
    (a header row names the fields), ``json`` (one document per file; ``items_path`` is the dotted key of its list
    of items, e.g. ``"example"``, or empty for a top-level list) or ``jsonl`` (one item a line, ``.gz`` allowed).
    ``option_fields``: fields holding one option each, or one field holding a list of options; without them the
    options are split out of the question text at ``A．``/``B.`` markers (``embedded_options``). ``id_field``: the
    item's id inside its file (the row number when empty or absent); the item id is ``<file stem>:<id>``.
    """

    name: str
    path: str
    format: str = "jsonl"
    question_field: str = "question"
    option_fields: tuple[str, ...] = ()
    id_field: str | None = None
    items_path: str | None = None
    embedded_options: bool = True

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise RecipeError(f"benchmark {self.name}: format must be one of {', '.join(FORMATS)}, got {self.format!r}")
        if not self.name or not re.fullmatch(r"[A-Za-z0-9_.-]+", self.name):
            raise RecipeError(f"benchmark name must be letters, digits, '_', '.', '-': {self.name!r}")
        object.__setattr__(self, "option_fields", tuple(self.option_fields))

    def files(self) -> list[Path]:
        """The benchmark's files, sorted; a :class:`RecipeError` when the path matches none."""
        path = Path(self.path)
        if path.is_file():
            found = [path]
        elif path.is_dir():
            found = [p for p in path.rglob("*") if p.is_file() and p.name.endswith(_EXTENSIONS[self.format])]
        else:
            found = [Path(p) for p in globlib.glob(self.path, recursive=True) if Path(p).is_file()]
        if not found:
            raise RecipeError(f"benchmark {self.name}: no {self.format} files match {self.path}")
        return sorted(found)


def default_benchmarks(data_root: str | Path) -> tuple[BenchmarkSpec, ...]:
    """The two default benchmarks under a shared data folder: CMMLU test (67 subject CSVs: ``,Question,A,B,C,D,
    Answer``) and GAOKAO-Bench objective questions (JSON files ``{"keywords", "example": [{"question", "answer",
    "analysis", "index", ...}]}`` whose options are inside the question)."""
    root = Path(data_root) / "benchmarks"
    return (
        BenchmarkSpec(
            "cmmlu", str(root / "cmmlu" / "test" / "*.csv"), "csv", "Question", ("A", "B", "C", "D"), id_field=""
        ),
        BenchmarkSpec(
            "gaokao_bench",
            str(root / "gaokao_bench" / "*.json"),
            "json",
            "question",
            (),
            id_field="index",
            items_path="example",
        ),
    )


@dataclass(frozen=True)
class BenchmarkItem:
    """One benchmark question: its stem and options as printed (options split out when they were embedded)."""

    benchmark: str
    item_id: str
    question: str
    options: tuple[str, ...] = ()
    letters: tuple[str, ...] = field(default=(), compare=False)  # option letters as printed (A, B ...), if known

    @property
    def label(self) -> str:
        """``benchmark/item_id``: the value of the removed document's benchmark column."""
        return f"{self.benchmark}/{self.item_id}"


_PREFIX = re.compile(
    r"^\s*(?:\d{1,3}\s*[．.、:：]\s*)?"
    r"(?:[（(]\s*(?:本小题)?(?:满分)?\s*\d+(?:\.\d+)?\s*分\s*[)）])?\s*"
)
_OPTION_MARK = re.compile(r"(?:[（(]\s*([A-G])\s*[)）]|(?<![A-Za-z0-9_])([A-G])\s?[．.、:：](?!\d))")


def strip_exam_prefix(question: str) -> str:
    """The question without a leading number and score (``1．（ 6分）下列…`` -> ``下列…``)."""
    return _PREFIX.sub("", question, count=1)


def split_options(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``(stem, options, letters)`` of a question whose options are printed inside it.

    Option markers are ``A．``/``A.``/``A、``/``A：`` (not after a Latin letter or digit, not before a digit) and
    ``(A)``/``（A）``; only markers that continue the sequence A, B, C ... (or restart it at A, for a passage with
    several questions) count. Text between markers is an option; a later question's stem stays in the option before
    it. Without an ``A`` marker the whole text is the stem.
    """
    marks: list[tuple[int, int, str]] = []
    expected = "A"
    for match in _OPTION_MARK.finditer(text):
        letter = match.group(1) or match.group(2)
        if marks and not text[marks[-1][1] : match.start()].strip():
            # an empty option (``选项（A、B、C和D）中``): these letters are not markers
            while marks and marks[-1][2] != "A":
                marks.pop()
            if marks:
                marks.pop()
            expected = "A"
        if letter == expected or letter == "A":
            marks.append((match.start(), match.end(), letter))
            expected = chr(ord(letter) + 1)
    if not marks:
        return text.strip(), (), ()
    stem = text[: marks[0][0]].strip()
    options, letters = [], []
    for i, (_, end, letter) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        option = text[end:stop].strip()
        if option:
            options.append(option)
            letters.append(letter)
    return stem, tuple(options), tuple(letters)


def _dig(document, items_path: str | None, origin: str):
    node = document
    for key in (items_path or "").split("."):
        if not key:
            continue
        if not isinstance(node, dict) or key not in node:
            raise RecipeError(f"{origin}: no key {key!r} on the way to the items ({items_path})")
        node = node[key]
    if not isinstance(node, list):
        raise RecipeError(f"{origin}: the items ({items_path or 'top level'}) are not a list")
    return node


def _rows(spec: BenchmarkSpec, path: Path) -> Iterable[dict]:
    if spec.format == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.DictReader(handle)
        return
    if path.name.endswith(".gz"):
        import gzip

        text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    else:
        text = path.read_text(encoding="utf-8-sig")
    if spec.format == "json":
        yield from _dig(json.loads(text), spec.items_path, f"benchmark {spec.name}: {path}")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise RecipeError(f"benchmark {spec.name}: {path} line {number} is not JSON: {error.msg}") from None


def _text(value) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def load_benchmark(spec: BenchmarkSpec) -> list[BenchmarkItem]:
    """Every item of one benchmark, in file and row order (rows without question text are skipped)."""
    items = []
    for path in spec.files():
        file_stem = path.name.split(".")[0]
        for number, row in enumerate(_rows(spec, path)):
            if not isinstance(row, dict):
                raise RecipeError(f"benchmark {spec.name}: {path} item {number} is not an object")
            if spec.question_field not in row:
                raise RecipeError(f"benchmark {spec.name}: {path} has no question field {spec.question_field!r}")
            question = _text(row[spec.question_field]).strip()
            if not question:
                continue
            raw_id = _text(row.get(spec.id_field)).strip() if spec.id_field is not None else ""
            item_id = f"{file_stem}:{raw_id or number}"
            if spec.option_fields:
                options: list[str] = []
                for name in spec.option_fields:
                    value = row.get(name)
                    options.extend(_text(v) for v in value) if isinstance(value, list) else options.append(_text(value))
                options = [o.strip() for o in options if o and o.strip()]
                letters = tuple(chr(ord("A") + i) for i in range(len(options)))
                items.append(BenchmarkItem(spec.name, item_id, strip_exam_prefix(question), tuple(options), letters))
            elif spec.embedded_options:
                question_stem, options, letters = split_options(question)
                items.append(BenchmarkItem(spec.name, item_id, strip_exam_prefix(question_stem), options, letters))
            else:
                items.append(BenchmarkItem(spec.name, item_id, strip_exam_prefix(question)))
    return items


def load_benchmarks(specs: Sequence[BenchmarkSpec]) -> list[BenchmarkItem]:
    """The items of several benchmarks, in order; two benchmarks may not share a name."""
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise RecipeError(f"benchmark names must be unique: {', '.join(names)}")
    return [item for spec in specs for item in load_benchmark(spec)]


# --- n-gram hashes --------------------------------------------------------------------------------------------


def _mix(values: np.ndarray) -> np.ndarray:
    shift, m1, m2 = _FMIX
    values = values ^ (values >> shift)
    values *= m1
    values ^= values >> shift
    values *= m2
    values ^= values >> shift
    return values


def ngram_hashes(code_points: np.ndarray, offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every window of ``n`` code points inside each text, and the text each window is in.

    ``(code_points, offsets)`` as :func:`normalize_batch` returns them; a text shorter than ``n`` has no window.
    The hash of a window ``c_0 .. c_{n-1}`` is fmix64(sum c_i * P**(n-1-i) mod 2**64), P = 0x100000001B3.
    """
    total = len(code_points)
    lengths = np.diff(offsets)
    if total < n or n < 1:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    windows = total - n + 1
    points = code_points.astype(np.uint64)
    with np.errstate(over="ignore"):
        value = points[:windows].copy()
        for k in range(1, n):
            value *= _POLY
            value += points[k : k + windows]
        doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)[:windows]
        valid = np.arange(n - 1, n - 1 + windows, dtype=np.int64) < offsets[1:][doc]
        return _mix(value[valid]), doc[valid]


def _text_hashes(texts: Sequence[str], n: int, opencc_config: str) -> list[np.ndarray]:
    code_points, offsets = normalize_batch(list(texts), opencc_config)
    hashes, doc = ngram_hashes(code_points, offsets, n)
    bounds = np.searchsorted(doc, np.arange(len(texts) + 1))
    return [hashes[bounds[i] : bounds[i + 1]] for i in range(len(texts))]


# --- the rule ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlapRule:
    """When a view of an item matches a document (see the module docstring).

    A view with ``t`` n-grams needs ``max(min_ngrams, ceil(fraction * t))`` of them in the document
    (``question_fraction`` for the question view); the question view only counts for a stem of at least
    ``min_question_chars`` normalized characters (``t_question >= min_question_chars - n + 1``); the views with
    options need ``stem_evidence`` of the stem's n-grams and ``option_evidence`` n-grams that are not the stem's
    (each capped at what the item has), and count only when the options add n-grams to the stem's."""

    fraction: float = 0.6
    question_fraction: float = 0.7
    min_question_chars: int = 10
    min_ngrams: int = 3
    stem_evidence: int = 0
    option_evidence: int = 2

    def __post_init__(self) -> None:
        if not (0 < self.fraction <= 1 and 0 < self.question_fraction <= 1):
            raise RecipeError("benchmark overlap fractions must be in (0, 1]")
        if self.min_ngrams < 1 or self.min_question_chars < 1 or self.option_evidence < 1 or self.stem_evidence < 0:
            raise RecipeError(
                "benchmark overlap: min_ngrams, min_question_chars and option_evidence must be >= 1, stem_evidence >= 0"
            )

    def need(self, totals: np.ndarray, n: int) -> np.ndarray:
        """``(items, views)`` uint32: n-grams a view needs to match, :data:`_DISABLED` where it cannot match."""
        totals = np.asarray(totals, dtype=np.int64)
        fractions = np.array([self.question_fraction] + [self.fraction] * (len(VIEWS) - 1))
        need = np.maximum(self.min_ngrams, np.ceil(totals * fractions - 1e-9)).astype(np.int64)
        enabled = totals >= self.min_ngrams
        enabled[:, _QUESTION] &= totals[:, _QUESTION] >= max(self.min_question_chars - n + 1, 1)
        enabled[:, _SEGMENTS:] &= totals[:, _SEGMENTS:] > totals[:, _QUESTION : _QUESTION + 1]
        return np.where(enabled, need, _DISABLED).astype(np.uint32)

    def evidence(self, counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
        """``(rows, views)`` bool: rows whose stem and option n-grams found satisfy the evidence rules (the
        question view always does)."""
        counts = np.asarray(counts, dtype=np.int64)
        totals = np.asarray(totals, dtype=np.int64)
        ok = np.ones(counts.shape, dtype=bool)
        stem_found, stem_total = counts[:, _QUESTION : _QUESTION + 1], totals[:, _QUESTION : _QUESTION + 1]
        ok[:, _SEGMENTS:] = stem_found >= np.minimum(self.stem_evidence, stem_total)
        ok[:, _SEGMENTS:] &= counts[:, _SEGMENTS:] - stem_found >= np.minimum(
            self.option_evidence, totals[:, _SEGMENTS:] - stem_total
        )
        return ok


# --- the index --------------------------------------------------------------------------------------------------


class Match(NamedTuple):
    """The best-matching benchmark item of a contaminated document."""

    benchmark: str
    item_id: str
    overlap: float  # share of the matching view's n-grams found in the document
    ngrams: int  # how many of them
    view: str  # question | segments | lettered | plain

    @property
    def label(self) -> str:
        return f"{self.benchmark}/{self.item_id}"


@dataclass(frozen=True)
class DocumentMatches:
    """Per document of a batch: ``item`` (index of the best matching item, -1 when none), its ``overlap``,
    matched ``ngrams`` and ``view`` (index into :data:`VIEWS`, -1 when none)."""

    item: np.ndarray
    overlap: np.ndarray
    ngrams: np.ndarray
    view: np.ndarray

    @property
    def contaminated(self) -> np.ndarray:
        return self.item >= 0


@dataclass(frozen=True)
class ItemCounts:
    """Sparse per-(document, item) counts of matched n-grams per view: rows ``doc``, ``item``, ``counts``
    (``(rows, views)``); only pairs with at least one matched n-gram appear, sorted by document then item."""

    doc: np.ndarray
    item: np.ndarray
    counts: np.ndarray


def count_pairs(doc: np.ndarray, item: np.ndarray, views: np.ndarray) -> ItemCounts:
    """Sparse counts from matched (document, item, view bits) rows, one row per distinct n-gram of a document and
    item (what the in-memory lookup produces, or a Spark join of document n-grams with the index's pairs)."""
    doc = np.asarray(doc, dtype=np.int64)
    item = np.asarray(item, dtype=np.int64)
    views = np.asarray(views, dtype=np.uint8)
    if len(doc) == 0:
        return ItemCounts(np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, len(VIEWS)), np.int64))
    width = np.int64(item.max() + 1)
    keys, inverse = np.unique(doc * width + item, return_inverse=True)
    counts = np.empty((len(keys), len(VIEWS)), dtype=np.int64)
    for v in range(len(VIEWS)):
        counts[:, v] = np.bincount(inverse, weights=(views >> v) & 1, minlength=len(keys))
    return ItemCounts(keys // width, keys % width, counts)


class BenchmarkIndex:
    """Benchmark n-grams in sorted arrays: ``hashes`` (unique uint64, sorted), ``starts`` (CSR offsets into the
    (hash, item) pairs), ``pair_items`` (uint32), ``pair_views`` (uint8 bit mask of :data:`VIEWS`), ``totals``
    (``(items, views)`` uint32: the n-grams of each view after generic ones were dropped), plus the items'
    ``(benchmark, item_id)`` names and the build parameters. Read-only; :meth:`save` / :meth:`load` (memory-mapped)
    ship it to workers as files. About 13 bytes per (n-gram, item) pair + 8 per distinct n-gram."""

    ARRAYS = ("hashes", "starts", "pair_items", "pair_views", "totals")

    def __init__(
        self,
        hashes: np.ndarray,
        starts: np.ndarray,
        pair_items: np.ndarray,
        pair_views: np.ndarray,
        totals: np.ndarray,
        names: Sequence[tuple[str, str]],
        meta: dict,
        rule: OverlapRule | None = None,
    ):
        self.hashes, self.starts, self.pair_items, self.pair_views, self.totals = (
            hashes,
            starts,
            pair_items,
            pair_views,
            totals,
        )
        self.names = [tuple(name) for name in names]
        self.meta = dict(meta)
        self.n = int(meta["n"])
        self.opencc_config = meta.get("opencc_config", "t2s")
        self.set_rule(rule or OverlapRule(**meta.get("rule", {})))

    def set_rule(self, rule: OverlapRule) -> None:
        """Use ``rule`` from now on (the thresholds are recomputed from ``totals``; the arrays stay)."""
        self.rule = rule
        self.need = rule.need(self.totals, self.n)

    # sizes and persistence -------------------------------------------------------------------------------------

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays (what a worker maps), without the item names."""
        return int(sum(getattr(self, name).nbytes for name in self.ARRAYS))

    def __len__(self) -> int:
        return len(self.names)

    def save(self, folder: str | Path) -> Path:
        """Write the index into ``folder`` (``<array>.npy`` + ``index.json``); returns the folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in self.ARRAYS:
            np.save(folder / f"{name}.npy", np.ascontiguousarray(getattr(self, name)), allow_pickle=False)
        meta = {**self.meta, "rule": asdict(self.rule), "names": [list(name) for name in self.names]}
        (folder / "index.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, mmap: bool = True, rule: OverlapRule | None = None) -> BenchmarkIndex:
        """Read an index written by :meth:`save`; ``mmap`` maps the arrays read-only instead of reading them."""
        folder = Path(folder)
        meta = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        if meta.get("version") != INDEX_VERSION:
            raise RecipeError(f"benchmark index {folder}: version {meta.get('version')}, expected {INDEX_VERSION}")
        arrays = [
            np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None, allow_pickle=False) for name in cls.ARRAYS
        ]
        names = meta.pop("names")
        return cls(*arrays, names=names, meta=meta, rule=rule)

    def summary(self) -> dict:
        """Counts for stats and reports: items per benchmark, distinct n-grams, pairs, bytes, items that can match."""
        per_benchmark: dict[str, int] = {}
        for benchmark, _ in self.names:
            per_benchmark[benchmark] = per_benchmark.get(benchmark, 0) + 1
        matchable = (self.need != _DISABLED).any(axis=1)
        return {
            "n": self.n,
            "items": len(self.names),
            "items_per_benchmark": per_benchmark,
            "ngrams": len(self.hashes),
            "pairs": len(self.pair_items),
            "bytes": self.nbytes,
            "unmatchable_items": int((~matchable).sum()),
            "generic_ngrams_dropped": int(self.meta.get("generic_ngrams_dropped", 0)),
        }

    # matching ---------------------------------------------------------------------------------------------------

    @functools.cached_property
    def _filter(self) -> tuple[np.ndarray, np.uint64]:
        """A bit table over the top bits of the n-gram hashes (about 16 bits per distinct n-gram, 128 KB to
        128 MB), built once per process: most document windows are rejected by one cached load instead of a binary
        search of :attr:`hashes`."""
        bits = int(min(30, max(20, math.ceil(math.log2(max(len(self.hashes), 1) * 16)))))
        shift = np.uint64(64 - bits)
        table = np.zeros(1 << (bits - 3), dtype=np.uint8)
        slots = np.asarray(self.hashes) >> shift
        np.bitwise_or.at(table, slots >> np.uint64(3), np.left_shift(1, slots & np.uint64(7)).astype(np.uint8))
        return table, shift

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Index into :attr:`hashes` of each query hash, -1 where it is not a benchmark n-gram."""
        found = np.full(len(hashes), -1, dtype=np.int64)
        if len(self.hashes) == 0 or len(hashes) == 0:
            return found
        table, shift = self._filter
        slots = hashes >> shift
        maybe = np.flatnonzero((table[slots >> np.uint64(3)] >> (slots & np.uint64(7)).astype(np.uint8)) & 1)
        candidates = hashes[maybe]
        position = np.searchsorted(self.hashes, candidates)
        np.minimum(position, len(self.hashes) - 1, out=position)
        hit = self.hashes[position] == candidates
        found[maybe[hit]] = position[hit]
        return found

    def counts_normalized(self, code_points: np.ndarray, offsets: np.ndarray) -> ItemCounts:
        """Per (document, item) matched n-grams per view, for texts already in hashing form."""
        hashes, doc = ngram_hashes(code_points, offsets, self.n)
        found = self.lookup(hashes)
        hit = found >= 0
        doc, found = doc[hit], found[hit]
        if len(found) == 0:
            return count_pairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.uint8))
        # each distinct n-gram counts once per document
        key = np.unique(doc * np.int64(len(self.hashes)) + found)
        doc, found = key // len(self.hashes), key % len(self.hashes)
        first = self.starts[found].astype(np.int64)
        lengths = self.starts[found + 1].astype(np.int64) - first
        pair = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        return count_pairs(np.repeat(doc, lengths), self.pair_items[pair], self.pair_views[pair])

    def counts(self, texts: Sequence[str | None]) -> ItemCounts:
        """Per (document, item) matched n-grams per view for a batch of raw texts."""
        code_points, offsets = normalize_batch(list(texts), self.opencc_config)
        return self.counts_normalized(code_points, offsets)

    def decide(self, counts: ItemCounts, documents: int, rule: OverlapRule | None = None) -> DocumentMatches:
        """Apply ``rule`` (default the index's) to sparse counts: the best matching item per document."""
        rule = self.rule if rule is None else rule
        need = self.need if rule is self.rule else rule.need(self.totals, self.n)
        item_out = np.full(documents, -1, dtype=np.int64)
        overlap_out = np.zeros(documents, dtype=np.float64)
        ngrams_out = np.zeros(documents, dtype=np.int64)
        view_out = np.full(documents, -1, dtype=np.int64)
        if len(counts.doc):
            item_totals = self.totals[counts.item]
            matched = (counts.counts >= need[counts.item]) & rule.evidence(counts.counts, item_totals)
            totals = np.maximum(item_totals.astype(np.int64), 1)
            overlap = counts.counts / totals
            # per row: the matching view with the highest overlap, then the most n-grams
            score = np.where(matched, overlap * 2.0**24 + np.minimum(counts.counts, 2**24 - 1), -1.0)
            best_view = score.argmax(axis=1)
            rows = np.arange(len(counts.doc))
            best = np.where(matched[rows, best_view], overlap[rows, best_view], -1.0)
            ngrams = counts.counts[rows, best_view]
            keep = best >= 0
            if keep.any():
                r = rows[keep]
                order = np.lexsort((counts.item[r], -ngrams[r], -best[r], counts.doc[r]))
                r = r[order]
                first = np.ones(len(r), dtype=bool)
                first[1:] = counts.doc[r][1:] != counts.doc[r][:-1]
                r = r[first]
                docs = counts.doc[r]
                item_out[docs] = counts.item[r]
                overlap_out[docs] = best[r]
                ngrams_out[docs] = ngrams[r]
                view_out[docs] = best_view[r]
        return DocumentMatches(item_out, overlap_out, ngrams_out, view_out)

    def match_batch(self, texts: Sequence[str | None]) -> DocumentMatches:
        """The best matching item of each text (vectorized over the batch)."""
        return self.decide(self.counts(texts), len(texts))

    def match(self, texts: Sequence[str | None]) -> list[Match | None]:
        """Per text: the :class:`Match` that contaminates it, or None."""
        result = self.match_batch(texts)
        out: list[Match | None] = []
        for item, overlap, ngrams, view in zip(
            result.item.tolist(), result.overlap.tolist(), result.ngrams.tolist(), result.view.tolist()
        ):
            if item < 0:
                out.append(None)
            else:
                benchmark, item_id = self.names[item]
                out.append(Match(benchmark, item_id, round(overlap, 4), ngrams, VIEWS[view]))
        return out


def item_texts(item: BenchmarkItem) -> list[tuple[str, int]]:
    """The texts whose windows make the views of ``item``, each with the bit mask of the views it belongs to
    (every text is hashed on its own, so no window crosses two texts): the stem (question and segments), each
    option (segments), stem + lettered options (lettered), stem + options (plain)."""
    stem, options = item.question, list(item.options)
    letters = list(item.letters) or [chr(ord("A") + i) for i in range(len(options))]
    q, seg, lettered, plain = (1 << v for v in range(len(VIEWS)))
    return (
        [(stem, q | seg)]
        + [(option, seg) for option in options]
        + [
            (stem + "".join(f"{letter}{option}" for letter, option in zip(letters, options)), lettered),
            (stem + "".join(options), plain),
        ]
    )


def _merge_pairs(hashes: np.ndarray, items: np.ndarray, views: np.ndarray) -> tuple[np.ndarray, ...]:
    """One row per distinct (hash, item), sorted by hash then item, with the OR of its view bits."""
    order = np.lexsort((items, hashes))
    hashes, items, views = hashes[order], items[order], views[order]
    new = np.ones(len(hashes), dtype=bool)
    new[1:] = (hashes[1:] != hashes[:-1]) | (items[1:] != items[:-1])
    merged = np.zeros(int(new.sum()), dtype=np.uint8)
    np.bitwise_or.at(merged, np.cumsum(new) - 1, views)
    return hashes[new], items[new], merged


def build_index(
    items: Sequence[BenchmarkItem],
    n: int = DEFAULT_N,
    rule: OverlapRule | None = None,
    max_items_per_ngram: int = 20,
    opencc_config: str = "t2s",
    batch_items: int = 4096,
) -> BenchmarkIndex:
    """Index ``items`` (see the module docstring), ``batch_items`` at a time (vectorized per batch)."""
    if n < 2:
        raise RecipeError(f"benchmark n-gram size must be >= 2, got {n}")
    names = [(item.benchmark, item.item_id) for item in items]
    if len(set(names)) != len(names):
        seen: set[tuple[str, str]] = set()
        dup = next(name for name in names if name in seen or seen.add(name))
        raise RecipeError(f"benchmark item ids must be unique: {dup[0]}/{dup[1]} appears twice")
    parts = []
    for start in range(0, len(items), batch_items):
        texts, owner, masks = [], [], []
        for offset, item in enumerate(items[start : start + batch_items]):
            for text, mask in item_texts(item):
                texts.append(text)
                owner.append(start + offset)
                masks.append(mask)
        code_points, offsets = normalize_batch(texts, opencc_config)
        hashes, text = ngram_hashes(code_points, offsets, n)
        parts.append(
            _merge_pairs(hashes, np.asarray(owner, dtype=np.uint32)[text], np.asarray(masks, dtype=np.uint8)[text])
        )
    if parts:
        pair_hash, pair_item, views = (np.concatenate([part[k] for part in parts]) for k in range(3))
        del parts
        order = np.lexsort((pair_item, pair_hash))  # items never span two batches: rows are already distinct
        pair_hash, pair_item, views = pair_hash[order], pair_item[order], views[order]
    else:
        pair_hash, pair_item, views = np.empty(0, np.uint64), np.empty(0, np.uint32), np.empty(0, np.uint8)
    # generic n-grams (in too many items) are dropped
    hashes, per_hash = np.unique(pair_hash, return_counts=True)
    generic = per_hash > max_items_per_ngram
    keep_pair = ~np.repeat(generic, per_hash)
    pair_item, views = pair_item[keep_pair], views[keep_pair]
    hashes, per_hash = hashes[~generic], per_hash[~generic]
    starts = np.zeros(len(hashes) + 1, dtype=np.int64)
    np.cumsum(per_hash, out=starts[1:])
    totals = np.zeros((len(items), len(VIEWS)), dtype=np.uint32)
    for v in range(len(VIEWS)):
        totals[:, v] = np.bincount(pair_item[(views >> v) & 1 == 1], minlength=len(items))
    meta = {
        "version": INDEX_VERSION,
        "n": n,
        "opencc_config": opencc_config,
        "max_items_per_ngram": max_items_per_ngram,
        "generic_ngrams_dropped": int(generic.sum()),
        "hash": "fmix64(poly 0x100000001B3 mod 2**64) over normalize_batch code points",
    }
    return BenchmarkIndex(
        hashes,
        starts.astype(np.uint32) if starts[-1] < 2**32 else starts,
        pair_item.astype(np.uint32),
        views,
        totals,
        names,
        meta,
        rule,
    )


@functools.lru_cache(maxsize=4)
def _open(folder: str, stamp: tuple) -> BenchmarkIndex:
    return BenchmarkIndex.load(folder, mmap=True)


def worker_index(folder: str | Path) -> BenchmarkIndex:
    """The index saved in ``folder``, memory-mapped once per process and reused by every later batch (a changed
    file in the folder opens it again). Pages are shared through the OS page cache by every process of a node."""
    path = Path(folder)
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(path.iterdir()))
    return _open(str(path.resolve()), stamp)


def index_fingerprint(folder: str | Path) -> str:
    """SHA-256 over an index folder's files (for a stage fingerprint)."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).iterdir()):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
