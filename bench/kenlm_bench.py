"""Per-document KenLM perplexity throughput, one process on one core: MB/s of UTF-8 text (median of runs).

Scores the four classic novels from ``../shared/data`` cut into ~2,000-character documents with the shipped
model, the way the quality stage's workers do (``corpus_pipeline.perplexity.model.perplexities``), and reports the
normalization + tokenization share separately (``lm_lines`` alone).

    .venv/bin/python bench/kenlm_bench.py [--shared ../shared/data] [--runs 5]
    .venv/bin/python bench/kenlm_bench.py --mail 1000   # median perplexity of trec06c normal vs spam mail instead
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def documents(shared: Path, chars: int = 2000) -> list[str]:
    docs = []
    for path in sorted((shared / "reference" / "novels").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        docs.extend(text[i : i + chars] for i in range(0, len(text), chars))
    return docs


def mail_perplexities(spec, shared: Path, count: int) -> dict:
    import gzip
    import random

    import numpy as np

    from corpus_pipeline.perplexity.model import perplexities

    out = {}
    for name in ("ham", "spam"):
        with gzip.open(shared / "spam" / f"trec06c_{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for line in handle]
        random.Random(0).shuffle(texts)
        values = [v for v in perplexities(spec, texts[:count]) if v is not None]
        out[name] = {"documents": len(values), "quartiles": np.percentile(values, [25, 50, 75]).round(1).tolist()}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--mail",
        type=int,
        metavar="N",
        help="instead: perplexity quartiles of N trec06c normal and N spam e-mails (seeded draw)",
    )
    args = parser.parse_args()
    from corpus_pipeline.perplexity.model import load_lm_spec, perplexities
    from corpus_pipeline.perplexity.text import lm_lines
    from corpus_pipeline.recipe import load_recipe

    recipe = load_recipe()
    spec = load_lm_spec(recipe.models_path(recipe.perplexity.model))
    if args.mail:
        print(json.dumps(mail_perplexities(spec, args.shared, args.mail), indent=2))
        return 0
    docs = documents(args.shared)
    size_mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    score_s, tokenize_s = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        perplexities(spec, docs)
        score_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        for doc in docs:
            for _line in lm_lines(doc):
                pass
        tokenize_s.append(time.perf_counter() - started)
    result = {
        "documents": len(docs),
        "mb": round(size_mb, 2),
        "runs": args.runs,
        "score_median_s": round(statistics.median(score_s), 3),
        "score_mb_per_s": round(size_mb / statistics.median(score_s), 2),
        "lm_lines_mb_per_s": round(size_mb / statistics.median(tokenize_s), 2),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
