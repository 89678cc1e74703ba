"""Precision and recall of the dedup stage under different LSH weights and verification modes.

Runs ``corpus-pipeline dedup`` (local[1]) on the labelled corpus of ``--size-mb`` (built and scored like
bench/dedup_bench.py: exact Jaccard >= 0.8 of 5-shingle sets) once per setting and prints a markdown table:
bands x rows, candidate and verified edges, removed, precision, recall, wall seconds.

    PYSPARK_PYTHON=.venv/bin/python SPARK_LOCAL_IP=127.0.0.1 .venv/bin/python bench/dedup_settings.py [--size-mb 25]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_bench import REPO, WORK, build_corpus, documents_dir, ground_truth, removed_of_ours, scores, spark_env  # noqa: E402

SETTINGS = {  # name: dedup section overrides
    "datasketch weights 0.5/0.5, verify signature": {
        "false_positive_weight": 0.5,
        "false_negative_weight": 0.5,
        "verify": "signature",
    },
    "datasketch weights 0.5/0.5, verify exact": {"false_positive_weight": 0.5, "false_negative_weight": 0.5},
    "weights 0.05/0.95, verify signature": {"verify": "signature"},
    "weights 0.05/0.95, verify exact (default)": {},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=25)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    corpus = build_corpus(args.data, args.size_mb, 0)
    expected = ground_truth(corpus)["expected"]
    default = yaml.safe_load((REPO / "rules" / "recipes" / "default.yaml").read_text(encoding="utf-8"))
    print(f"corpus {corpus.relative_to(REPO)}: {len(expected)} documents to remove (exact truth)\n")
    print("| setting | bands x rows | candidate edges | verified edges | removed | precision | recall | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, overrides in SETTINGS.items():
        recipe = {
            **default,
            "dedup": {**default["dedup"], **overrides},
            "rules_dir": str(REPO / "rules"),
            "models_dir": str(REPO / "models"),
        }
        work = WORK / "settings"
        work.mkdir(parents=True, exist_ok=True)
        (work / "recipe.yaml").write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
        out = work / "out"
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "corpus_pipeline",
                "dedup",
                "--input",
                str(documents_dir(corpus)),
                "--output",
                str(out),
                "--recipe",
                str(work / "recipe.yaml"),
                "--master",
                "local[1]",
            ],
            check=True,
            cwd=REPO,
            env=spark_env(),
            capture_output=True,
        )
        wall = time.perf_counter() - started
        stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))["dedup"]
        removed = {row["id"]: row["duplicate_of"] for row in removed_of_ours(out)["removed"]}
        result = scores(removed, expected)
        print(
            f"| {name} | {stats['bands']} x {stats['rows']} | {stats['candidate_edges']} | "
            f"{stats['verified_edges']} | {len(removed)} | {result['precision']:.4f} | "
            f"{result['recall']:.4f} | {wall:.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
