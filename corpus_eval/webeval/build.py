"""The builder: a plan of kinds, carrier pools per source and half, and the writer of the evaluation set.

:func:`build_documents` returns records; :func:`write_eval_set` writes ``documents.jsonl.gz``, ``labels.jsonl``
and ``manifest.json``; ``python -m corpus_eval.webeval --shared ../shared/data --out DIR [--seed 0] [--n 4400]
[--half b]`` does the latter. See the package docstring for the record fields and the halves.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import eval_lists as L
from . import good, junk
from .good import Doc
from .sources import CARRIERS, HALVES, INJECTED, Item, Shared, normalize_key, unit_hash
from .vocab import vocabulary

VERSION = 1
DEFAULT_N = 4400
DEFAULT_SEED = 0
PIPELINE_SOURCE = "web"
INTENSITY_WEIGHTS = (("light", 0.3), ("medium", 0.4), ("heavy", 0.3))
_ARTICLES = {"people_daily": 3, "clue": 2, "gne": 1, "extraction_gold": 1, "zhwiki": 1, "trec06c_ham": 1}


@dataclass(frozen=True)
class KindPlan:
    """One kind: its share of the set and the carrier sources it draws from (with weights)."""

    kind: str
    weight: float
    carriers: tuple[tuple[str, float], ...]


def _plan(kind: str, weight: float, **carriers: float) -> KindPlan:
    return KindPlan(kind, weight, tuple(carriers.items()))


#: The kinds in build order (hard negatives first, so that they go to good documents).
PLAN = (
    _plan("good:news_about_gambling", 1.5, clue=1, people_daily=1, gne=1, extraction_gold=1, trec06c_ham=1, zhwiki=1),
    _plan("good:news", 10, people_daily=6, gne=2, extraction_gold=2),
    _plan("good:government", 2, people_daily=3, extraction_gold=1),
    _plan("good:encyclopedia", 3, zhwiki=1),
    _plan("good:novel", 8, novels=1),
    _plan("good:web_text", 6, clue=1),
    _plan("good:qa", 4.5, clue=1),
    _plan("good:comments", 2.5, clue=1),
    _plan("good:review", 8, reviews=1),
    _plan("good:forum", 8, trec06c_ham=1),
    _plan("good:chat", 4, tg_ham=1),
    _plan("good:short", 2.5, clue=1, reviews=1),
    _plan("junk:casino_splice", 7, novels=1, **_ARTICLES),
    _plan("junk:brand_replace", 5, **_ARTICLES),
    _plan("junk:spun", 7, novels=0.5, **_ARTICLES),
    _plan("junk:keyword_list", 4.5, thucnews=1),
    _plan("junk:link_farm", 3.5, thucnews=1),
    _plan("junk:porn_lure", 5, novels=1, clue=1, trec06c_ham=1),
    _plan("junk:lottery_ad", 4.5, novels=0.5, clue=1, trec06c_ham=1),
    _plan("junk:contact_block", 3.5, clue=1, trec06c_ham=1),
    _plan("junk:spec_fragment", 3),
    _plan("junk:chat_spam", 6, tg_spam_train=3, tg_spam_eval=1),
    _plan("junk:email_spam", 6.5, trec06c_spam=1),
)
KINDS = tuple(p.kind for p in PLAN)
GOOD_KINDS = tuple(k for k in KINDS if k.startswith("good:"))
JUNK_KINDS = tuple(k for k in KINDS if k.startswith("junk:"))

#: Share of a carrier source's items reserved for good documents (the rest carry junk); by a stable hash of the key.
GOOD_SHARE = {
    "gne": 0.5,
    "extraction_gold": 0.55,
    "zhwiki": 0.75,
    "people_daily": 0.55,
    "clue": 0.65,
    "novels": 0.6,
    "trec06c_ham": 0.6,
    "reviews": 1.0,
    "tg_ham": 1.0,
}
_MESSAGE_SOURCES = ("tg_spam_train", "tg_spam_eval")


def _long(i: Item) -> bool:
    return len(i.text) >= 150 and "gambling_mention" not in i.tags


FILTERS: dict[str, Callable[[Item], bool]] = {
    "any": lambda i: True,
    "long": _long,
    "news": lambda i: _long(i) and "government" not in i.tags,
    "government": lambda i: _long(i) and "government" in i.tags,
    "web_text": lambda i: _long(i) and "question" not in i.tags,
    "question": lambda i: _long(i) and "question" in i.tags,
    "gambling": lambda i: len(i.text) >= 100 and "gambling_mention" in i.tags,
    "short": lambda i: 20 <= len(i.text) < 150 and "gambling_mention" not in i.tags,
    "piece": lambda i: 4 <= len(i.text) < 150,
    "email": lambda i: len(i.text) >= 60,
    "org": lambda i: _long(i) and junk._ORG_SUFFIX.search(i.text) is not None,
    "msg": lambda i: len(normalize_key(i.text)) >= 4,
    "msg_porn": lambda i: "porn" in i.tags,
    "msg_gambling": lambda i: "gambling" in i.tags,
}


def role(item: Item) -> str:
    """``good`` or ``junk``: which kind of document may use this item as its carrier."""
    if "gambling_mention" in item.tags or "government" in item.tags:
        return "good"
    share = GOOD_SHARE.get(item.source)
    if share is None:
        return "junk"
    return "good" if unit_hash("webeval/role/v1", item.key or normalize_key(item.text)) < share else "junk"


class Pools:
    """Carrier items of one half, each used at most once per build (by id and by content)."""

    def __init__(self, shared: Shared, which_half: str | None, seed: int, sources: Iterable[str]):
        self.shared, self.half, self.seed = shared, which_half, seed
        self.allowed = set(sources)
        self._items: dict[str, list[Item]] = {}
        self._cursor: dict[tuple[str, str, str], int] = {}
        self.used: set[str] = set()
        self.used_text: set[str] = set()

    def items(self, source: str) -> list[Item]:
        if source not in self._items:
            items = list(self.shared.items(source, self.half))
            if source in ("reviews", "tg_ham", "thucnews"):  # keep neighbours together (review pages, threads)
                start = random.Random(f"{self.seed}:rotate:{source}").randrange(max(1, len(items)))
                items = items[start:] + items[:start]
            else:
                random.Random(f"{self.seed}:shuffle:{source}").shuffle(items)
            self._items[source] = items
        return self._items[source]

    def take(self, source: str, want_role: str | None, name: str) -> Item | None:
        """The next unused item of ``source`` passing filter ``name`` (and of role ``want_role``), or None."""
        if source not in self.allowed:
            return None
        items, keep = self.items(source), FILTERS[name]
        key = (source, want_role or "", name)
        pos = self._cursor.get(key, 0)
        while pos < len(items):
            item = items[pos]
            pos += 1
            if item.id in self.used or (want_role and role(item) != want_role) or not keep(item):
                continue
            text_key = hashlib.sha256(normalize_key(item.text).encode()).hexdigest()
            if text_key in self.used_text:
                continue
            self._cursor[key] = pos
            self.used.add(item.id)
            self.used_text.add(text_key)
            return item
        self._cursor[key] = pos
        return None

    def untake(self, source: str, want_role: str | None, name: str, item: Item) -> None:
        """Give back the item the last :meth:`take` with these arguments returned."""
        self.used.discard(item.id)
        self.used_text.discard(hashlib.sha256(normalize_key(item.text).encode()).hexdigest())
        self._cursor[(source, want_role or "", name)] -= 1


def _weighted(rng: random.Random, options: list[tuple[str, float]]) -> str | None:
    options = [(name, w) for name, w in options if w > 0]
    if not options:
        return None
    total = sum(w for _, w in options)
    x = rng.random() * total
    for name, w in options:
        x -= w
        if x < 0:
            return name
    return options[-1][0]


def _intensity(rng: random.Random) -> str:
    return _weighted(rng, list(INTENSITY_WEIGHTS))


def neutral_url(rng: random.Random) -> str:
    """A made-up URL on an ordinary-looking host (the same generator for good and junk documents)."""
    words = L.HOST_WORDS
    host = rng.choice(("www.", "news.", "bbs.", "m.", "blog.", "", "www.")) + rng.choice(words)
    if rng.random() < 0.6:
        host += rng.choice(words)
    if rng.random() < 0.3:
        host += str(rng.randint(1, 999))
    host += rng.choice(L.TLDS)
    n = rng.randint(1000, 9999999)
    path = rng.choice(
        (
            f"/{rng.randint(2005, 2024)}/{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}/{n}.html",
            f"/article/{n}.html",
            f"/thread-{n}-1-1.html",
            f"/p/{n}",
            f"/{rng.choice(words)}/{n}.shtml",
            f"/?p={n}",
            f"/a/{n}_{rng.randint(100, 999999)}",
            f"/news/{n}.htm",
        )
    )
    return rng.choice(("http://", "https://")) + host + path


class _Build:
    """One build: pools, vocabulary, allowed sources, per-kind generation."""

    def __init__(
        self,
        shared: Shared,
        carriers: Iterable[str] | None,
        injected: Iterable[str] | None,
        which_half: str | None,
        seed: int,
    ):
        self.shared, self.half, self.seed = shared, which_half, seed
        self.carriers = tuple(carriers) if carriers is not None else CARRIERS
        self.injected = tuple(injected) if injected is not None else INJECTED
        for name in self.carriers:
            if name not in CARRIERS:
                raise ValueError(f"unknown carrier source {name!r} (known: {', '.join(CARRIERS)})")
        for name in self.injected:
            if name not in INJECTED:
                raise ValueError(f"unknown injected source {name!r} (known: {', '.join(INJECTED)})")
        pool_sources = [s for s in self.carriers if s != "eval_phrases"]
        pool_sources += [s for s in _MESSAGE_SOURCES if s in self.injected and s not in pool_sources]
        self.pools = Pools(shared, which_half, seed, pool_sources)
        self.vocab = vocabulary(shared, self.injected, which_half)

    def allowed(self, doc: Doc) -> bool:
        return doc.carrier in self.carriers and all(s in self.injected for s in doc.injected_from)

    # -- carriers --------------------------------------------------------------------------------------------

    def _carrier(
        self, rng: random.Random, plan: KindPlan, want_role: str, name: str, filters: dict[str, str] | None = None
    ) -> Item | None:
        options = [(s, w) for s, w in plan.carriers if s in self.pools.allowed]
        while options:
            source = _weighted(rng, options)
            item = self.pools.take(source, want_role, (filters or {}).get(source, name))
            if item is not None:
                return item
            options = [(s, w) for s, w in options if s != source]
        return None

    def _run(self, source: str, name: str, min_chars: int, max_chars: int, max_items: int) -> list[Item]:
        items, size = [], 0
        while size < min_chars and len(items) < max_items:
            item = self.pools.take(source, None, name)
            if item is None:
                break
            if items and size + len(item.text) > max_chars:
                self.pools.untake(source, None, name, item)  # it opens the next group
                break
            items.append(item)
            size += len(item.text) + 1
        return items

    def _messages(self, rng: random.Random, name: str, k: int) -> list[Item]:
        sources = [s for s in _MESSAGE_SOURCES if s in self.pools.allowed and s in self.injected]
        out = []
        for _ in range(k):
            if not sources:
                break
            source = _weighted(rng, [(s, 3 if s == "tg_spam_train" else 1) for s in sources])
            item = self.pools.take(source, None, name)
            if item is None:
                sources.remove(source)
                continue
            out.append(item)
        return out

    # -- one document of a kind ------------------------------------------------------------------------------

    def make(self, plan: KindPlan, rng: random.Random) -> Doc | None:
        kind = plan.kind
        inj = junk.Injector(rng, self.vocab)
        if kind.startswith("good:"):
            doc = self._good(plan, rng)
        else:
            doc = self._junk(plan, rng, inj)
        if doc is None:
            return None
        self._url(rng, doc, inj)
        return doc

    def _good(self, plan: KindPlan, rng: random.Random) -> Doc | None:
        kind = plan.kind
        simple = {
            "good:news_about_gambling": "gambling",
            "good:news": "news",
            "good:government": "government",
            "good:encyclopedia": "long",
            "good:web_text": "web_text",
            "good:qa": "question",
            "good:forum": "email",
        }
        if kind in simple:
            name = simple[kind]
            item = self._carrier(rng, plan, "good", name)
            if item is None:
                return None
            doc = good.single(item, kind)
            doc.hard_negative = doc.hard_negative or kind == "good:news_about_gambling"
            return doc
        if kind == "good:novel":
            item = self._carrier(rng, plan, "good", "any")
            return good.novel_excerpt(rng, item) if item else None
        if kind == "good:short":
            item = self._carrier(rng, plan, "good", "short")
            return good.single(item, kind) if item else None
        if kind == "good:comments":
            items = self._run("clue", "piece", rng.randint(150, 600), 1000, 15)
            return good.group(items, kind) if items and sum(len(i.text) for i in items) >= 100 else None
        if kind == "good:review":
            items = self._run("reviews", "piece", rng.randint(150, 1200), 2000, 25)
            return good.group(items, kind) if items and sum(len(i.text) for i in items) >= 100 else None
        if kind == "good:chat":
            items = self._run("tg_ham", "msg", rng.randint(150, 500), 800, 80)
            return good.chat(rng, items) if len(items) >= 3 else None
        raise ValueError(kind)

    def _junk(self, plan: KindPlan, rng: random.Random, inj: junk.Injector) -> Doc | None:
        kind = plan.kind
        intensity = _intensity(rng)
        if kind in ("junk:casino_splice", "junk:spun", "junk:brand_replace"):
            item = self._carrier(
                rng, plan, "junk", "org" if kind == "junk:brand_replace" else "long", {"novels": "any"}
            )
            if item is None:
                return None
            if kind == "junk:casino_splice":
                return junk.casino_splice(rng, inj, item, intensity)
            if kind == "junk:spun":
                return junk.spun(rng, inj, item, intensity)
            return junk.brand_replace(rng, inj, item)
        if kind == "junk:keyword_list":
            n = junk._intensity_pick(intensity, rng.randint(8, 15), rng.randint(15, 30), rng.randint(30, 60))
            heads = [h for h in (self.pools.take("thucnews", None, "any") for _ in range(n)) if h]
            return junk.keyword_list(rng, inj, heads, intensity)
        if kind == "junk:link_farm":
            n = rng.randint(0, 12)
            anchors = [h for h in (self.pools.take("thucnews", None, "any") for _ in range(n)) if h]
            return junk.link_farm(rng, inj, anchors, intensity)
        if kind in ("junk:porn_lure", "junk:lottery_ad", "junk:contact_block"):
            carrier = self._carrier(rng, plan, "junk", "long", {"novels": "any"}) if intensity == "light" else None
            if kind == "junk:contact_block":
                return junk.contact_block(rng, inj, intensity, carrier)
            name = "msg_porn" if kind == "junk:porn_lure" else "msg_gambling"
            messages = [] if intensity == "light" else self._messages(rng, name, rng.randint(0, 6))
            fn = junk.porn_lure if kind == "junk:porn_lure" else junk.lottery_ad
            return fn(rng, inj, intensity, messages, carrier)
        if kind == "junk:spec_fragment":
            return junk.spec_fragment(rng, inj, intensity)
        if kind == "junk:chat_spam":
            if rng.random() < 0.12:
                messages = self._messages(rng, "msg", rng.randint(1, 2))
                if not messages or not 20 <= sum(len(m.text) for m in messages) < 150:
                    return None
                return junk.chat_spam(rng, inj, messages, "short")
            target = junk._intensity_pick(
                intensity, rng.randint(150, 300), rng.randint(300, 600), rng.randint(600, 1200)
            )
            messages, size = [], 0
            while size < target and len(messages) < 60:
                more = self._messages(rng, "msg", 1)
                if not more:
                    break
                messages += more
                size += len(more[0].text) + 8
            enough = len(messages) >= 2 and sum(len(m.text) for m in messages) >= 120
            return junk.chat_spam(rng, inj, messages, intensity) if enough else None
        if kind == "junk:email_spam":
            item = self._carrier(rng, plan, "junk", "email")
            return junk.email_spam(inj, item) if item else None
        raise ValueError(kind)

    def _url(self, rng: random.Random, doc: Doc, inj: junk.Injector) -> None:
        if doc.url:
            return
        roll = rng.random()
        if doc.label == "good":
            doc.url = neutral_url(rng) if roll < 0.7 else None
            return
        listed = {
            "porn_lure": "porn_domain",
            "casino_splice": "gambling_domain",
            "lottery_ad": "gambling_domain",
            "brand_replace": "gambling_domain",
            "link_farm": "spam_url",
        }.get(doc.kind.split(":", 1)[1])
        if roll < 0.5:
            doc.url = neutral_url(rng)
        elif roll < 0.75 and listed and self.vocab.has(listed):
            before = list(inj.surfaces)
            url = inj.url(listed)
            inj.surfaces[:] = before
            doc.url = url if url.startswith("http") else "http://" + url
            doc.injected_from = sorted(set(doc.injected_from) | set(inj.sources))
        else:
            doc.url = None


def _targets(n: int, kinds: Iterable[str]) -> dict[str, int]:
    plans = [p for p in PLAN if p.kind in set(kinds)]
    total = sum(p.weight for p in plans)
    return {p.kind: max(1, round(n * p.weight / total)) for p in plans}


def _record(doc: Doc, which_half: str | None) -> dict:
    truth = {
        "label": doc.label,
        "kind": doc.kind,
        "carrier": doc.carrier,
        "carrier_ids": doc.carrier_ids,
        "injected_from": doc.injected_from,
        "sources": sorted({doc.carrier, *doc.injected_from}),
        "half": which_half or "both",
        "intensity": doc.intensity,
        "hard_negative": doc.hard_negative,
        "disguise": doc.disguise,
        "injected": doc.injected[:40],
        "n_chars": len(doc.text),
        **doc.extra,
    }
    digest = hashlib.sha256(f"{doc.kind}\0{doc.title}\0{doc.text}".encode()).hexdigest()[:20]
    return {
        "id": f"wev-{which_half or 'ab'}-{digest}",
        "source": PIPELINE_SOURCE,
        "title": doc.title,
        "url": doc.url,
        "text": doc.text,
        "truth": truth,
    }


def build_documents(
    shared: str | Path | Shared,
    *,
    carriers: Iterable[str] | None = None,
    injected: Iterable[str] | None = None,
    half: str | None = "b",
    seed: int = DEFAULT_SEED,
    n: int = DEFAULT_N,
    kinds: Iterable[str] | None = None,
) -> list[dict]:
    """About ``n`` labelled documents from half ``half`` (``"a"``, ``"b"`` or None for both) of the shared sources.

    Only carriers in ``carriers`` and injected material from ``injected`` are used (None: all of
    :data:`~corpus_eval.webeval.sources.CARRIERS` / :data:`~corpus_eval.webeval.sources.INJECTED`); a kind whose
    sources are all excluded is skipped, and a kind whose pool runs dry yields fewer documents. The result is a
    list of records ``{id, source, title, url, text, truth}`` in a seeded random order, the same for the same
    arguments (and shared data)."""
    return _build_records(shared, carriers, injected, half, seed, n, kinds)[0]


def _build_records(shared, carriers, injected, half, seed, n, kinds) -> tuple[list[dict], _Build]:
    if half is not None and half not in HALVES:
        raise ValueError(f"half must be 'a', 'b' or None, not {half!r}")
    shared = shared if isinstance(shared, Shared) else Shared(shared)
    build = _Build(shared, carriers, injected, half, seed)
    targets = _targets(n, kinds if kinds is not None else KINDS)
    docs: list[Doc] = []
    seen: set[str] = set()
    for plan in PLAN:
        if plan.kind not in targets:
            continue
        rng = random.Random(f"webeval:{seed}:{half}:{plan.kind}")
        made, misses = 0, 0
        while made < targets[plan.kind] and misses < 40 + targets[plan.kind]:
            doc = build.make(plan, rng)
            if doc is None or not build.allowed(doc) or len(doc.text) < 20 or doc.text in seen:
                misses += 1
                continue
            seen.add(doc.text)
            docs.append(doc)
            made += 1
    records = [_record(doc, half) for doc in docs]
    random.Random(f"webeval:{seed}:{half}:order").shuffle(records)
    return records, build


# --- writing -------------------------------------------------------------------------------------------------


def _jsonl(records: Iterable[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode("utf-8")


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as fh:
        fh.write(data)
    return buffer.getvalue()


def _counts(records: list[dict], key: Callable[[dict], Iterable[str]]) -> dict[str, int]:
    counter = Counter(value for r in records for value in key(r["truth"]))
    return dict(sorted(counter.items()))


def summarize(records: list[dict]) -> dict:
    """Counts per label, kind, carrier, injected source, intensity; lengths."""
    lengths = sorted(len(r["text"]) for r in records)
    by_kind_label = Counter((r["truth"]["label"], r["truth"]["carrier"]) for r in records)
    return {
        "documents": len(records),
        "label": _counts(records, lambda t: [t["label"]]),
        "kind": _counts(records, lambda t: [t["kind"]]),
        "carrier": _counts(records, lambda t: [t["carrier"]]),
        "injected_from": _counts(records, lambda t: t["injected_from"]),
        "intensity": _counts(records, lambda t: [t["intensity"] or "none"]),
        "hard_negative": _counts(records, lambda t: ["yes" if t["hard_negative"] else "no"]),
        "disguise": _counts(records, lambda t: t["disguise"]),
        "carrier_by_label": {f"{label}:{carrier}": c for (label, carrier), c in sorted(by_kind_label.items())},
        "length": {
            "min": lengths[0] if lengths else 0,
            "median": statistics.median(lengths) if lengths else 0,
            "p90": lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0,
            "max": lengths[-1] if lengths else 0,
            "under_150": sum(1 for x in lengths if x < 150),
            "over_5000": sum(1 for x in lengths if x > 5000),
        },
    }


def write_eval_set(
    shared: str | Path,
    out: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    n: int = DEFAULT_N,
    half: str | None = "b",
    carriers: Iterable[str] | None = None,
    injected: Iterable[str] | None = None,
) -> dict:
    """Build the set and write ``documents.jsonl.gz`` (records with ``truth``, which the pipeline's JSONL reader
    puts into ``meta``), ``labels.jsonl`` (``{id, **truth}``) and ``manifest.json``; returns the manifest."""
    started = time.perf_counter()
    shared_obj = Shared(shared)
    records, build = _build_records(shared_obj, carriers, injected, half, seed, n, None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    documents = _gzip(_jsonl(records))
    labels = _jsonl({"id": r["id"], **r["truth"]} for r in records)
    (out / "documents.jsonl.gz").write_bytes(documents)
    (out / "labels.jsonl").write_bytes(labels)
    manifest = {
        "version": VERSION,
        "seed": seed,
        "n_requested": n,
        "half": half,
        "carriers": list(carriers) if carriers is not None else list(CARRIERS),
        "injected": list(injected) if injected is not None else list(INJECTED),
        "pipeline_source": PIPELINE_SOURCE,
        "files": {
            "documents.jsonl.gz": hashlib.sha256(documents).hexdigest(),
            "labels.jsonl": hashlib.sha256(labels).hexdigest(),
        },
        "counts": summarize(records),
        "vocabulary": build.vocab.counts(),
        "inputs": dict(sorted(shared_obj.inputs.items())),
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m corpus_eval.webeval",
        description="Build the labelled real-web evaluation set (issue 19, item 4).",
    )
    parser.add_argument("--shared", required=True, help="the shared data folder (../shared/data)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"documents to aim for (default {DEFAULT_N})")
    parser.add_argument("--half", choices=("a", "b", "both"), default="b", help="which half of every source (b)")
    parser.add_argument("--carriers", nargs="*", help="only these carrier sources")
    parser.add_argument("--injected", nargs="*", help="only these injected sources")
    args = parser.parse_args(argv)
    try:
        manifest = write_eval_set(
            args.shared,
            args.out,
            seed=args.seed,
            n=args.n,
            half=None if args.half == "both" else args.half,
            carriers=args.carriers,
            injected=args.injected,
        )
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts = manifest["counts"]
    print(f"{counts['documents']} documents ({counts['label']}) in {args.out} in {manifest['seconds']} s")
    for kind, count in counts["kind"].items():
        print(f"  {kind:28s} {count}")
    return 0
