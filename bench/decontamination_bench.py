"""Benchmark decontamination and domain blocklists (issue 21): choice of n and rule, accuracy, memory, speed.

Subcommands (all read ../shared/data; nothing is written outside ``bench/work/decontamination/``):

``tune``     half ``a`` of the labelled set (:mod:`corpus_eval.decontamination_eval`): for every n-gram size in
             ``--ns``, index all benchmark items, count per (document, item, view) once, then score a grid of
             :class:`OverlapRule` settings. Among the settings (n and rule) that remove at most ``--max-fp`` (0.05%)
             of half a's clean documents, those whose recall is within ``--tolerance`` (0.003) of the best are
             candidates, and the strictest of them is chosen (larger n, then a longer stem for the question view,
             more stem/option evidence, higher fractions): half a holds ~5,700 clean documents, a corpus holds
             millions, so among near-equal settings the one least likely to remove text the set lacks wins.
             Writes ``tune.json``.
``report``   half ``b`` with the setting of ``tune.json`` (or ``--n``/the module defaults): clean documents removed
             per source, spliced documents removed per variant and benchmark, removals per benchmark, every false
             positive with its item.
``memory``   index sizes for the real benchmarks and for 100,000 synthetic items (real item shapes, text drawn from
             the clean corpora), build time and peak memory (tracemalloc), a Python ``set`` of the same hashes.
``speed``    matching throughput on half b's clean documents (MB of UTF-8 per CPU second), normalization apart.
``domains``  list sizes, skipped and allowlisted entries, false positives on the hosts of the GNE and
             extraction-gold pages (canonical/og:url, and every linked host) and on popular Chinese sites, lookup speed.

    .venv/bin/python bench/decontamination_bench.py tune [--ns 5,6,7,8,10] [--seed 0] [--per-benchmark 500]
    .venv/bin/python bench/decontamination_bench.py report | memory | speed | domains
"""

from __future__ import annotations

import argparse
import collections
import gc
import hashlib
import itertools
import json
import pickle
import random
import re
import sys
import time
import tracemalloc
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus_eval.decontamination_eval import (
    CLEAN_SOURCES,
    VARIANTS,
    build_eval_set,
    load_clean,
)
from corpus_pipeline.dedup.normalize import normalize_batch
from corpus_pipeline.rules import decontamination as D
from corpus_pipeline.rules import domains as B

WORK = REPO / "bench" / "work" / "decontamination"
BLOCKLISTS = {
    "ut1_gambling": REPO / "rules" / "blocklists" / "ut1_gambling_domains.txt",
    "v2fly_porn": REPO / "rules" / "blocklists" / "v2fly_porn_domains.txt",
    "houbb_spam": REPO / "rules" / "blocklists" / "houbb_spam_urls.txt",
}
ALLOWLIST = REPO / "rules" / "blocklists" / "allowlist.txt"
GRID = {
    "fraction": (0.4, 0.5, 0.6, 0.7),
    "question_fraction": (0.5, 0.6, 0.7, 0.8),
    "min_question_chars": (10, 12, 15, 18, 20, 25, 30),
    "min_ngrams": (2, 3, 5),
    "stem_evidence": (0, 1, 2),
    "option_evidence": (1, 2),
}
BATCH = 500


def _code_version() -> str:
    paths = [
        REPO / "corpus_eval" / "decontamination_eval.py",
        REPO / "corpus_pipeline" / "rules" / "decontamination.py",
        REPO / "corpus_pipeline" / "dedup" / "normalize.py",
    ]
    return hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()[:12]


def eval_set(data: Path, half: str, seed: int, per_benchmark: int):
    """``(docs, code_points, offsets)`` of one half, normalized once (cached per code version)."""
    WORK.mkdir(parents=True, exist_ok=True)
    cache = WORK / f"eval_{half}_{seed}_{per_benchmark}_{_code_version()}.pkl"
    if cache.is_file():
        return pickle.loads(cache.read_bytes())
    docs = build_eval_set(data, half, seed, per_benchmark)
    points, lengths = [], []
    for start in range(0, len(docs), BATCH):
        cp, offsets = normalize_batch([doc.text for doc in docs[start : start + BATCH]])
        points.append(cp)
        lengths.append(np.diff(offsets))
    offsets = np.concatenate([[0], np.cumsum(np.concatenate(lengths))]).astype(np.int64)
    result = (docs, np.concatenate(points), offsets)
    cache.write_bytes(pickle.dumps(result, protocol=5))
    return result


def batched_counts(index: D.BenchmarkIndex, code_points: np.ndarray, offsets: np.ndarray) -> D.ItemCounts:
    parts = []
    for start in range(0, len(offsets) - 1, BATCH):
        end = min(start + BATCH, len(offsets) - 1)
        first, last = offsets[start], offsets[end]
        counts = index.counts_normalized(code_points[first:last], offsets[start : end + 1] - first)
        parts.append((counts.doc + start, counts.item, counts.counts))
    return D.ItemCounts(*(np.concatenate([p[k] for p in parts]) for k in range(3)))


def _rules():
    for values in itertools.product(*GRID.values()):
        yield D.OverlapRule(**dict(zip(GRID, values)))


def _strictness(n: int, rule: D.OverlapRule) -> tuple:
    """Larger is stricter (less likely to remove a clean document the set does not hold)."""
    return (
        n,
        rule.min_question_chars,
        rule.stem_evidence,
        rule.option_evidence,
        rule.fraction,
        rule.question_fraction,
        rule.min_ngrams,
    )


def tune(args) -> None:
    docs, cp, offsets = eval_set(args.data, "a", args.seed, args.per_benchmark)
    clean = np.array([doc.label == "clean" for doc in docs])
    items = D.load_benchmarks(D.default_benchmarks(args.data))
    max_fp = int(args.max_fp * clean.sum())
    print(
        f"half a: {clean.sum()} clean, {(~clean).sum()} spliced documents; at most {max_fp} clean removed "
        f"({args.max_fp:.2%}); {len(list(_rules()))} rules per n; tolerance {args.tolerance}"
    )
    per_n, pool = [], []
    for n in args.ns:
        t0 = time.process_time()
        index = D.build_index(items, n)
        counts = batched_counts(index, cp, offsets)
        t1 = time.process_time()
        rows = []
        for rule in _rules():
            removed = index.decide(counts, len(docs), rule).contaminated
            rows.append((int((removed & clean).sum()), float((removed & ~clean).sum() / (~clean).sum()), n, rule))
        ok = [row for row in rows if row[0] <= max_fp]
        top = max(ok, key=lambda row: (row[1], -row[0]))
        zero = max((row for row in rows if row[0] == 0), key=lambda row: row[1], default=None)
        loose = max(rows, key=lambda row: (row[1], -row[0]))
        print(
            f"n={n}: counted in {t1 - t0:.1f} s CPU, grid {time.process_time() - t1:.1f} s; best with fp<={max_fp}: "
            f"recall {top[1]:.4f} fp {top[0]} {top[3]}; fp=0: recall {zero[1] if zero else 0:.4f}; "
            f"highest recall {loose[1]:.4f} at fp {loose[0]}",
            flush=True,
        )
        per_n.append(
            {
                "n": n,
                "fp": top[0],
                "recall": top[1],
                "rule": asdict(top[3]),
                "recall_fp0": zero[1] if zero else None,
                "max_recall": loose[1],
                "max_recall_fp": loose[0],
            }
        )
        pool += ok
    best = max(row[1] for row in pool)
    near = [row for row in pool if row[1] >= best - args.tolerance]
    fp, recall, n, rule = max(near, key=lambda row: _strictness(row[2], row[3]))
    chosen = {"n": n, "fp": fp, "recall": recall, "rule": asdict(rule)}
    print(
        f"best recall {best:.4f}; {len(near)} settings within {args.tolerance}; the strictest: n={n} {rule} "
        f"(half a: recall {recall:.4f}, fp {fp})"
    )
    (WORK / "tune.json").write_text(
        json.dumps(
            {
                "chosen": chosen,
                "per_n": per_n,
                "max_fp": max_fp,
                "tolerance": args.tolerance,
                "clean": int(clean.sum()),
                "spliced": int((~clean).sum()),
            },
            indent=1,
        )
    )


def _setting(args) -> tuple[int, D.OverlapRule]:
    path = WORK / "tune.json"
    if args.n:
        n, rule = args.n, D.OverlapRule()
    elif path.is_file() and not args.defaults:
        chosen = json.loads(path.read_text())["chosen"]
        n, rule = chosen["n"], D.OverlapRule(**chosen["rule"])
    else:
        n, rule = D.DEFAULT_N, D.OverlapRule()
    return n, replace(rule, **json.loads(args.rule)) if args.rule else rule


def report(args) -> None:
    n, rule = _setting(args)
    docs, cp, offsets = eval_set(args.data, "b", args.seed, args.per_benchmark)
    items = D.load_benchmarks(D.default_benchmarks(args.data))
    index = D.build_index(items, n, rule)
    result = index.decide(batched_counts(index, cp, offsets), len(docs))
    removed = result.contaminated
    print(f"half b, n={n}, {rule}")
    print("\n| clean source | documents | removed | rate |\n|---|---:|---:|---:|")
    totals = collections.Counter()
    for source in CLEAN_SOURCES:
        sel = [i for i, d in enumerate(docs) if d.label == "clean" and d.source == source]
        k = int(removed[sel].sum())
        totals["docs"] += len(sel)
        totals["removed"] += k
        print(f"| {source} | {len(sel)} | {k} | {k / max(len(sel), 1):.2%} |")
    share = totals["removed"] / totals["docs"]
    print(f"| **all** | **{totals['docs']}** | **{totals['removed']}** | **{share:.3%}** |")
    spliced = [i for i, d in enumerate(docs) if d.label == "spliced"]
    benchmarks = sorted({docs[i].benchmark for i in spliced})
    print("\n| variant | " + " | ".join(benchmarks) + " | all |\n|---|" + "---:|" * (len(benchmarks) + 1))
    for variant in VARIANTS + ("all",):
        cells = []
        for benchmark in benchmarks + ["all"]:
            sel = [
                i
                for i in spliced
                if (variant == "all" or docs[i].variant == variant)
                and (benchmark == "all" or docs[i].benchmark == benchmark)
            ]
            k = int(removed[sel].sum())
            cells.append(f"{k / len(sel):.3f} ({k}/{len(sel)})" if sel else "–")
        print(f"| {variant} | " + " | ".join(cells) + " |")
    para = collections.Counter((docs[i].detail, bool(removed[i])) for i in spliced if docs[i].variant == "paraphrase")
    print(f"\nparaphrase by kind (kind, removed): {dict(para)}")
    same = sum(1 for i in spliced if removed[i] and index.names[result.item[i]] == (docs[i].benchmark, docs[i].item_id))
    print(f"removed spliced documents attributed to the spliced item: {same}/{int(removed[spliced].sum())}")
    per_benchmark = collections.Counter(index.names[result.item[i]][0] for i in np.flatnonzero(removed))
    views = collections.Counter(D.VIEWS[result.view[i]] for i in np.flatnonzero(removed))
    print(f"documents removed per benchmark (all of half b): {dict(per_benchmark)}; by view: {dict(views)}")
    by_id = {item.label: item for item in items}
    for i in np.flatnonzero(removed & np.array([d.label == "clean" for d in docs])):
        benchmark, item_id = index.names[result.item[i]]
        item = by_id[f"{benchmark}/{item_id}"]
        print(
            f"FP {docs[i].id}: {benchmark}/{item_id} view {D.VIEWS[result.view[i]]} overlap {result.overlap[i]:.2f} "
            f"({result.ngrams[i]} n-grams) | {item.question[:60]!r} {[o[:20] for o in item.options]}"
        )
    if args.misses:
        for i in spliced:
            if not removed[i]:
                item = by_id[docs[i].item_label]
                print(
                    f"MISS {docs[i].variant} {docs[i].item_label} | {item.question[:60]!r} "
                    f"{[o[:15] for o in item.options]}"
                )


def _synthetic_items(data: Path, count: int, seed: int = 0) -> list[D.BenchmarkItem]:
    """``count`` items shaped like real ones (question and option lengths of a random real item), with text
    windows drawn from half a of the clean corpora (novels, CLUE, zh-wiki, trec06c ham); speeds are measured on
    half b, so the documents matched do not contain the items' own text."""
    rng = random.Random(seed)
    real = D.load_benchmarks(D.default_benchmarks(data))
    pool = "\n".join(doc.text for doc in load_clean(data, "a", ("novels", "clue", "zhwiki", "trec06c_ham")))

    def window(length: int) -> str:
        start = rng.randrange(len(pool) - length - 1)
        return pool[start : start + length]

    items = []
    for k in range(count):
        shape = rng.choice(real)
        items.append(
            D.BenchmarkItem(
                "synthetic",
                f"s:{k}",
                window(max(len(shape.question), 4)),
                tuple(window(max(len(o), 1)) for o in shape.options),
                shape.letters,
            )
        )
    return items


def _measure_build(items, n) -> tuple[D.BenchmarkIndex, float, int]:
    gc.collect()
    tracemalloc.start()
    t0 = time.process_time()
    index = D.build_index(items, n)
    seconds = time.process_time() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return index, seconds, peak


def memory(args) -> None:
    n, rule = _setting(args)
    real = D.load_benchmarks(D.default_benchmarks(args.data))
    docs, _, _ = eval_set(args.data, "b", args.seed, args.per_benchmark)
    clean = [i for i, d in enumerate(docs) if d.label == "clean"]
    texts = [docs[i].text for i in clean]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"n={n}; matching speed over half b's clean documents ({mb:.1f} MB)")
    print(
        "\n| index | items | distinct n-grams | (n-gram, item) pairs | arrays MB | on disk MB | build CPU s | "
        "build peak MB | match MB/CPU s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for name, items in (
        ("CMMLU + GAOKAO-Bench", real),
        ("100k synthetic", _synthetic_items(args.data, 100_000)),
        ("real + 100k synthetic", real + _synthetic_items(args.data, 100_000, seed=1)),
    ):
        index, seconds, peak = _measure_build(items, n)
        index.set_rule(rule)
        folder = index.save(WORK / f"index_{len(items)}")
        disk = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        mapped = D.BenchmarkIndex.load(folder, mmap=True, rule=rule)
        speed = _speed(mapped, texts, runs=2)[0]
        print(
            f"| {name} | {len(items):,} | {len(index.hashes):,} | {len(index.pair_items):,} | "
            f"{index.nbytes / 1e6:.1f} | {disk:.1f} | {seconds:.1f} | {peak / 1e6:.0f} | {mb / speed:.2f} |"
        )
    # a Python set of the same hashes, for comparison
    index = D.build_index(real, n)
    gc.collect()
    tracemalloc.start()
    as_set = set(index.hashes.tolist())
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(
        f"\nPython set of the real index's {len(as_set):,} n-gram hashes: {size / 1e6:.0f} MB "
        f"(numpy sorted uint64: {index.hashes.nbytes / 1e6:.1f} MB)"
    )


def _speed(index: D.BenchmarkIndex, texts: list[str], runs: int = 3) -> tuple[float, float]:
    """Best CPU seconds of (full matching, normalization alone) over ``texts`` in batches of :data:`BATCH`."""
    full, norm = [], []
    for _ in range(runs):
        t0 = time.process_time()
        for start in range(0, len(texts), BATCH):
            index.match_batch(texts[start : start + BATCH])
        full.append(time.process_time() - t0)
        t0 = time.process_time()
        for start in range(0, len(texts), BATCH):
            normalize_batch(texts[start : start + BATCH])
        norm.append(time.process_time() - t0)
    return min(full), min(norm)


def speed(args) -> None:
    n, rule = _setting(args)
    index = D.build_index(D.load_benchmarks(D.default_benchmarks(args.data)), n, rule)
    texts = [doc.text for doc in load_clean(args.data, "b")] * args.repeat
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    t0, w0 = time.process_time(), time.perf_counter()
    full, norm = _speed(index, texts, args.runs)
    print(
        f"n={n}: {len(texts):,} documents, {mb:.1f} MB UTF-8, batches of {BATCH}, best of {args.runs}: "
        f"matching {mb / full:.2f} MB per CPU second ({full:.2f} s), of which normalization "
        f"{norm:.2f} s ({mb / norm:.2f} MB/s alone); n-grams + lookup + decision {mb / max(full - norm, 1e-9):.2f} "
        f"MB/s; wall/CPU over the whole run {(time.perf_counter() - w0) / (time.process_time() - t0):.2f}"
    )


_LINK = re.compile(rb"""(?:href|src|content)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", re.IGNORECASE)
_CANONICAL = re.compile(
    rb"<link[^>]*rel=[\"']canonical[\"'][^>]*href=[\"']([^\"']+)"
    rb"|<meta[^>]*og:url[\"'][^>]*content=[\"']([^\"']+)",
    re.IGNORECASE,
)
POPULAR = (
    "sina.com.cn news.sina.com.cn 163.com news.163.com qq.com news.qq.com people.com.cn xinhuanet.com news.cn gov.cn "
    "www.gov.cn baidu.com baike.baidu.com zhihu.com zhuanlan.zhihu.com sohu.com ifeng.com 126.com taobao.com "
    "tmall.com jd.com douban.com bilibili.com toutiao.com thepaper.cn guancha.cn weixin.qq.com mp.weixin.qq.com "
    "360.cn so.com sogou.com youku.com iqiyi.com cctv.com chinadaily.com.cn cnr.cn huanqiu.com caixin.com "
    "eastmoney.com 21cn.com tianya.cn csdn.net cnblogs.com jianshu.com hao123.com 4399.com 17173.com gamersky.com "
    "weibo.com tieba.baidu.com zhidao.baidu.com wenku.baidu.com blog.sina.com.cn blog.163.com qzone.qq.com "
    "stats.gov.cn moe.gov.cn pku.edu.cn tsinghua.edu.cn cas.cn zh.wikipedia.org wikipedia.org github.com github.io "
    "blogspot.com wordpress.com tumblr.com google.com youtube.com twitter.com facebook.com amazon.com apple.com "
    "microsoft.com bing.com yahoo.com t.cn url.cn bit.ly 3322.org 8866.org co.cc cz.cc"
).split()


def domains(args) -> None:
    t0 = time.process_time()
    lists = B.load_blocklists(BLOCKLISTS, ALLOWLIST if ALLOWLIST.is_file() else None)
    load = time.process_time() - t0
    raw = {
        name: sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))
        for name, path in BLOCKLISTS.items()
    }
    print(f"loaded in {load:.2f} s CPU; pickled {len(pickle.dumps(lists)) / 1e6:.2f} MB")
    print("\n| list | lines | hosts | skipped | removed by allowlist |\n|---|---:|---:|---:|---:|")
    for name, hosts in lists.lists:
        print(
            f"| {name} | {raw[name]:,} | {len(hosts):,} | {len(lists.skipped[name])} "
            f"({', '.join(lists.skipped[name])[:120]}) | {len(lists.removed_by_allowlist[name])} "
            f"({', '.join(lists.removed_by_allowlist[name])}) |"
        )
    pages, links = {}, collections.Counter()
    files = sorted((args.data / "web_html" / "gne").glob("*.html")) + sorted(
        (args.data / "web_html" / "extraction_gold").glob("*.html")
    )
    for path in files:
        data = path.read_bytes()
        if match := _CANONICAL.search(data):
            pages[path.name] = (match.group(1) or match.group(2)).decode("utf-8", "replace")
        for url in _LINK.findall(data):
            if host := B.url_host(url.decode("utf-8", "replace")):
                links[host] += 1
    blocked_pages = {k: B.blocked_by(v, lists) for k, v in pages.items() if B.blocked_by(v, lists)}
    blocked_links = {h: B.blocked_by(h, lists) for h in links if B.blocked_by(h, lists)}
    blocked_popular = {h: B.blocked_by(h, lists) for h in POPULAR if B.blocked_by(h, lists)}
    print(
        f"\n{len(files)} GNE + extraction-gold pages; {len(pages)} state their URL (canonical/og:url): "
        f"{len(set(B.url_host(u) for u in pages.values()))} hosts, blocked: {blocked_pages or 'none'}"
    )
    print(f"hosts linked from those pages: {len(links):,}, blocked: {blocked_links or 'none'}")
    print(f"popular sites and hosting parents checked: {len(POPULAR)}, blocked: {blocked_popular or 'none'}")
    # lookup speed: real link hosts as URLs with paths, plus listed hosts with subdomains (blocked)
    rng = random.Random(0)
    listed = [h for _, hosts in lists.lists for h in sorted(hosts)]
    urls = [f"https://{h}/news/2024/{rng.randrange(10**6)}.html" for h in links] + [
        f"http://m.{h}/p?id={rng.randrange(10**6)}" for h in rng.sample(listed, 2000)
    ]
    urls = (urls * (200_000 // len(urls) + 1))[:200_000]
    best = min(_time(lambda: [B.blocked_by(u, lists) for u in urls]) for _ in range(3))
    batch = min(_time(lambda: B.blocked_batch(urls, lists)) for _ in range(3))
    print(
        f"\nlookup: {len(urls):,} URLs ({len(set(urls)):,} distinct), "
        f"blocked_by {len(urls) / best / 1e3:.0f}k URLs per "
        f"CPU second; blocked_batch (hosts cached within the call) {len(urls) / batch / 1e3:.0f}k/s"
    )


def _time(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("tune", "report", "memory", "speed", "domains"))
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-benchmark", type=int, default=500)
    parser.add_argument("--ns", type=lambda s: [int(x) for x in s.split(",")], default=[5, 6, 7, 8, 10])
    parser.add_argument("--max-fp", type=float, default=0.0005, help="share of clean documents (tune)")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.003,
        help="tune: the strictest setting whose half-a recall is within this of the best",
    )
    parser.add_argument("--n", type=int, help="n-gram size with the module's default rule (report/memory/speed)")
    parser.add_argument("--defaults", action="store_true", help="the module's defaults, not tune.json")
    parser.add_argument("--rule", help='JSON of OverlapRule fields to override, e.g. {"min_question_chars": 15}')
    parser.add_argument("--misses", action="store_true", help="report: list the spliced documents kept")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    {"tune": tune, "report": report, "memory": memory, "speed": speed, "domains": domains}[args.command](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
