"""Throughput of PII masking alone (``corpus_pipeline.rules.pii.mask_pii``), single process, one core.

Builds ~``--size-mb`` MB (UTF-8 bytes) of realistic documents from ../shared/data in memory (CLUE web text, the four
novels in ~4,000-character chapters, trec06c ham and spam e-mails, zh-wiki paragraphs, Telegram spam; repeated in
that mix until the size is reached), then times ``mask_pii`` over every document ``--runs`` times and prints the
median MB/s by wall time and by the process's CPU time (the per-core figure on a shared machine), with the matches
per type of one pass.

    .venv/bin/python bench/pii_bench.py [--size-mb 50] [--runs 3] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus_pipeline.rules.pii import DEFAULT_CONFIG, PII_TYPES, compile_pii, mask_pii  # noqa: E402

SOURCES = (
    "web_text/cluecorpussmall_sample.jsonl.gz",
    "spam/trec06c_ham.jsonl.gz",
    "spam/trec06c_spam.jsonl.gz",
    "reference/zhwiki_cmrc2018_trial.jsonl.gz",
    "spam/tg_spam_train.jsonl.gz",
)


def base_documents(data: Path) -> list[str]:
    """One copy of every source document (novels cut into chapters of ~4,000 characters)."""
    docs = []
    for name in SOURCES:
        with gzip.open(data / name, "rt", encoding="utf-8") as f:
            docs.extend(json.loads(line)["text"] for line in f)
    for novel in sorted((data / "reference" / "novels").glob("*.txt")):
        text = novel.read_text(encoding="utf-8")
        docs.extend(text[i : i + 4000] for i in range(0, len(text), 4000))
    return docs


def corpus(data: Path, size_mb: float) -> tuple[list[str], int]:
    base = base_documents(data)
    docs, size, target = [], 0, int(size_mb * 1_000_000)
    while size < target:
        for doc in base:
            docs.append(doc)
            size += len(doc.encode("utf-8"))
            if size >= target:
                break
    return docs, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--size-mb", type=float, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    docs, size = corpus(Path(args.data), args.size_mb)
    compile_pii(DEFAULT_CONFIG)  # compiled once, as a worker does
    counts: Counter = Counter()
    for doc in docs:
        counts.update(mask_pii(doc)[1])
    wall, cpu = [], []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        for doc in docs:
            mask_pii(doc)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(
        f"python {platform.python_version()}, {platform.machine()}; {len(docs)} documents, {size / 1e6:.1f} MB; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"runs, wall (s): {', '.join(f'{t:.2f}' for t in wall)}; CPU (s): {', '.join(f'{t:.2f}' for t in cpu)}")
    print(
        f"median: {size / 1e6 / statistics.median(wall):.1f} MB/s wall, "
        f"{size / 1e6 / statistics.median(cpu):.1f} MB/s per core (CPU time of this process)"
    )
    print("matches per pass: " + ", ".join(f"{kind} {counts[kind]}" for kind in PII_TYPES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
