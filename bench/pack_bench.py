"""Benchmark of the pack stage (tokenize + Megatron shards) and of the segmenters behind it.

Segmenters (unless ``--skip-segmenters``): single process, on the text of the first ``--sample-mb`` of the
corpus: MB/s of jieba, of our jieba-equal hybrid (jieba-rs route + jieba's HMM rule) and of plain rjieba,
with the share of documents each segments exactly as jieba does; then SentencePiece encoding alone and the
whole encode (the hybrid's caches of segmented runs emptied before each timing).

Pack (unless ``--skip-pack``): ``python -m corpus_pipeline pack`` as a subprocess (JVM start included) in local[1] and
local[2], median of ``--runs``. Input MB = UTF-8 bytes of the documents' text / 1e6 (from stats.json);
MB/s per core and tokens/s per core divide by N of local[N].

Corpus: the labelled dedup corpus of ``--size-mb`` (real text, bench/work/dedup/, built once).

    .venv/bin/python bench/pack_bench.py --size-mb 100 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_bench import build_corpus, documents_dir  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "work" / "pack"
TOKENIZER = REPO / "models" / "tokenizer"


def sample_texts(documents: Path, megabytes: float) -> list[str]:
    import pyarrow.parquet as pq

    texts, size = [], 0
    for path in sorted(documents.glob("*.parquet")):
        for text in pq.read_table(path, columns=["text"]).column("text").to_pylist():
            texts.append(text)
            size += len(text.encode("utf-8"))
            if size >= megabytes * 1e6:
                return texts
    return texts


def timed(function, texts):
    started = time.perf_counter()
    out = [function(text) for text in texts]
    return time.perf_counter() - started, out


def segmenter_table(texts: list[str]) -> list[str]:
    import rjieba

    from corpus_pipeline.tokenizer.model import load_tokenizer
    from corpus_pipeline.tokenizer.segment import segmenter

    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    for name in ("jieba", "rjieba"):
        segmenter(name)("预热")  # dictionaries loaded before timing
    jieba_seconds, reference = timed(segmenter("jieba"), texts)
    rows = ["| segmenter | MB/s (1 core) | documents segmented as jieba does |", "|---|---|---|"]
    rows.append(f"| jieba 0.42.1 | {megabytes / jieba_seconds:.2f} | (reference) |")
    for label, function in (
        ("hybrid: jieba-rs route + jieba HMM rule (ours, default)", segmenter("rjieba")),
        ("rjieba.cut alone", lambda text: rjieba.cut(text)),
    ):
        seconds, words = timed(function, texts)
        same = sum(a == b for a, b in zip(words, reference))
        rows.append(f"| {label} | {megabytes / seconds:.2f} | {same}/{len(texts)} |")
    tokenizer = load_tokenizer(TOKENIZER)
    model_inputs = [tokenizer.model_input(text) for text in texts]
    del reference, words  # millions of live strings would slow the collector during the next timing
    hybrid = segmenter("rjieba")
    hybrid._hmm_cache.clear()  # timed from cold, as the segmenter row above
    hybrid._mixed_cache.clear()
    started = time.perf_counter()
    tokenizer.processor.encode(model_inputs)
    sp_seconds = time.perf_counter() - started
    seconds, ids = timed(tokenizer.encode, texts)
    tokens = sum(map(len, ids))
    rows += [
        "",
        "| step (1 core) | MB/s | tokens/s |",
        "|---|---|---|",
        f"| SentencePiece encode of the escaped text | {megabytes / sp_seconds:.2f} | {tokens / sp_seconds:,.0f} |",
        f"| whole encode (segment + escape + SentencePiece) | {megabytes / seconds:.2f} | {tokens / seconds:,.0f} |",
        "",
        f"sample: {len(texts)} documents, {megabytes:.2f} MB, {tokens:,} tokens, "
        f"{sum(map(len, texts)) / tokens:.3f} characters per token",
    ]
    return rows


def run_pack(documents: Path, out: Path, master: str) -> tuple[float, dict]:
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "corpus_pipeline",
            "pack",
            "--input",
            str(documents),
            "--output",
            str(out),
            "--master",
            master,
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    return wall, json.loads((out / "stats.json").read_text(encoding="utf-8"))


def pack_table(documents: Path, runs: int, masters: list[str]) -> list[str]:
    rows = [
        "| master | input MB | tokens | shards | runs | median wall s | MB/s per core | tokens/s per core |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for master in masters:
        cores = int(master[master.index("[") + 1 : -1])
        results = [run_pack(documents, WORK / "out", master) for _ in range(runs)]
        wall = statistics.median(seconds for seconds, _ in results)
        stats = results[0][1]
        megabytes = stats["text_bytes"] / 1e6
        rows.append(
            f"| {master} | {megabytes:.1f} | {stats['tokens']:,} | {stats['shards']} | {runs} | {wall:.1f} | "
            f"{megabytes / wall / cores:.2f} | {stats['tokens'] / wall / cores:,.0f} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--size-mb", type=float, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample-mb", type=float, default=5)
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    parser.add_argument("--skip-segmenters", action="store_true")
    parser.add_argument("--skip-pack", action="store_true")
    args = parser.parse_args()
    documents = documents_dir(build_corpus(args.data, args.size_mb, 0))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"corpus: {documents.relative_to(REPO)}"
    )
    if not args.skip_segmenters:
        print("\n".join(segmenter_table(sample_texts(documents, args.sample_mb))), flush=True)
    if not args.skip_pack:
        print("\n".join(["", *pack_table(documents, args.runs, args.masters)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
