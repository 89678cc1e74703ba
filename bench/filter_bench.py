"""Whole-process benchmark of the filter and quality stages on the ~100 MB text corpus of the clean benchmark.

The corpus (bench/work/text/corpus.jsonl, built by bench/clean_bench.py's ``build``) is written as parquet
documents (8 files, source ``web`` so every step runs: sensitive words, spam, quality), then
`python -m corpus_pipeline filter` and `... quality` each run as a subprocess (JVM start-up included) in
local[1] and local[2], N runs each. MB = UTF-8 bytes of document text entering the stage.

    .venv/bin/python bench/filter_bench.py [--size-mb 100] [--runs 3] [--data ../shared/data] [--recipe FILE]

The default recipe runs the quality classifier and the KenLM perplexity step on ``web``;
``--recipe bench/recipes/no_perplexity.yaml`` measures the stages without the perplexity step.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clean_bench import REPO, WORK, build, run_stage  # noqa: E402

from corpus_pipeline.schema import DOCUMENT_SCHEMA  # noqa: E402


def documents(corpus: Path, out: Path, files: int = 8) -> float:
    """Write the JSONL corpus as parquet documents; returns MB of text."""
    rows = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.parquet"):
        old.unlink()
    per_file = -(-len(rows) // files)
    for k in range(files):
        part = rows[k * per_file : (k + 1) * per_file]
        table = pa.table(
            {
                "id": [r["id"] for r in part],
                "source": ["web"] * len(part),
                "url": [None] * len(part),
                "title": [None] * len(part),
                "text": [r["text"] for r in part],
                "meta": [None] * len(part),
            },
            schema=DOCUMENT_SCHEMA,
        )
        pq.write_table(table, out / f"part-{k:02d}.parquet")
    return sum(len(r["text"].encode("utf-8")) for r in rows) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--size-mb", type=float, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    parser.add_argument("--recipe", help="recipe for both stages (default: the shipped default)")
    args = parser.parse_args()
    extra = ("--recipe", args.recipe) if args.recipe else ()
    corpus = build(Path(args.data), args.size_mb)["text"]
    docs = WORK / "filter" / "documents"
    documents(corpus, docs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| stage | master | input MB | runs | median wall s | MB/s | MB/s per core | kept | removed (reasons) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for master in args.masters:
        cores = int(master[master.index("[") + 1 : -1])
        total = 0.0
        source = docs
        for stage in ("filter", "quality"):
            out = WORK / "filter" / stage
            times = [run_stage(stage, str(source), out, master, extra) for _ in range(args.runs)]
            wall = statistics.median(times)
            total += wall
            stats = json.loads((out / "stats.json").read_text())
            megabytes = stats["bytes"]["in"] / 1e6
            reasons = ", ".join(f"{k} {v['documents']}" for k, v in sorted(stats["removed"].items()))
            print(
                f"| {stage} | {master} | {megabytes:.1f} | {args.runs} | {wall:.1f} | {megabytes / wall:.2f} | "
                f"{megabytes / wall / cores:.2f} | {stats['documents']['kept']} | {reasons} |",
                flush=True,
            )
            if stage == "filter":
                first_mb = megabytes
            source = out
        print(
            f"| filter + quality | {master} | {first_mb:.1f} | {args.runs} | {total:.1f} | {first_mb / total:.2f} | "
            f"{first_mb / total / cores:.2f} | | |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
