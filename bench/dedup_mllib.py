"""Baseline: near-duplicate removal with Spark MLlib's MinHashLSH, for comparison with the dedup stage.

Same documents, same normalization and the same shingles as the stage, so precision and recall compare fairly:

1. the documents that take part in dedup, with source priority, quality score and length
   (:func:`corpus_pipeline.dedup.stage.keyed_documents`, default recipe);
2. text normalized with :func:`corpus_pipeline.dedup.normalize.normalize_batch` (Arrow batches);
3. character 5-grams with Spark ML: ``split(normalized, '')`` (code points) then ``NGram(n=5)``; a non-empty
   text shorter than 5 characters is one shingle, the whole text; a text that normalizes to '' is skipped;
4. ``HashingTF(binary=True, numFeatures=2**20)`` then ``MinHashLSH(numHashTables=5)``. MLlib's MinHashLSH
   gives each hash table one min-hash and ORs the tables (no AND/banding): a pair of Jaccard similarity ``s``
   is a candidate with probability ``1 - (1 - s)**T`` (``T=5``: 0.9997 at s=0.8), and
   ``approxSimilarityJoin(df, df, 0.2)`` keeps candidates whose exact Jaccard distance of the hashed
   shingle sets is at most 0.2 (similarity >= 0.8);
5. self pairs and mirrored pairs dropped; the pairs are collected and connected components found on the driver
   (union-find: it is a baseline), one document kept per component by the stage's keep order: source priority
   (recipe), quality score (missing lowest), length, then smallest id and source.

Writes JSON: the removed documents (id, source, duplicate_of), pair count, documents, and seconds (session
start, Spark work up to the collected pairs, components on the driver).

    PYSPARK_PYTHON=.venv/bin/python SPARK_LOCAL_IP=127.0.0.1 \\
      .venv/bin/python bench/dedup_mllib.py --input DOCS_DIR --output mllib.json [--master local[2]]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_datasketch import components_removed, write_result  # noqa: E402

NUM_FEATURES = 2**20
NUM_HASH_TABLES = 5


def normalized_batches(batches: Iterator, opencc_config: str) -> Iterator:
    """Replace ``text`` with ``normalized`` (the stage's normalization) in each Arrow batch."""
    import numpy as np
    import pyarrow as pa

    from corpus_pipeline.dedup.normalize import normalize_batch

    for batch in batches:
        texts = batch.column("text").to_pylist()
        code_points, offsets = normalize_batch(texts, opencc_config)
        joined = code_points.astype(np.uint32).tobytes().decode("utf-32-le")
        bounds = offsets.tolist()
        normalized = pa.array([joined[bounds[i] : bounds[i + 1]] for i in range(len(texts))], pa.string())
        columns = [batch.column(name) for name in batch.schema.names if name != "text"]
        names = [name for name in batch.schema.names if name != "text"]
        yield pa.RecordBatch.from_arrays(columns + [normalized], names + ["normalized"])


def run(
    spark,
    inputs: list[str],
    recipe_path: str | None,
    ngram: int,
    num_features: int,
    num_hash_tables: int,
    threshold: float,
    seed: int,
) -> dict:
    from pyspark import StorageLevel
    from pyspark.ml.feature import HashingTF, MinHashLSH, NGram
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    from corpus_pipeline.dedup.stage import dedup_plan, keyed_documents
    from corpus_pipeline.io.documents import read_documents
    from corpus_pipeline.recipe import load_recipe

    plan = dedup_plan(load_recipe(recipe_path))
    keyed = keyed_documents(read_documents(spark, inputs), plan)
    schema = StructType(
        [field for field in keyed.schema.fields if field.name != "text"] + [StructField("normalized", StringType())]
    )
    opencc = plan.params.opencc_config
    normalized = (
        keyed.mapInArrow(lambda batches: normalized_batches(batches, opencc), schema)
        .where(F.length("normalized") > 0)
        .withColumn("uid", F.monotonically_increasing_id())
        .withColumn("chars", F.split("normalized", ""))
    )
    grams = NGram(n=ngram, inputCol="chars", outputCol="ngrams").transform(normalized)
    grams = grams.withColumn(
        "shingles", F.when(F.size("chars") < ngram, F.array("normalized")).otherwise(F.col("ngrams"))
    )
    hashed = (
        HashingTF(inputCol="shingles", outputCol="features", numFeatures=num_features, binary=True)
        .transform(grams)
        .select("uid", "id", "source", "priority", "quality", "length", "features")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    documents = hashed.count()
    lsh = MinHashLSH(inputCol="features", outputCol="hashes", numHashTables=num_hash_tables, seed=seed)
    model = lsh.fit(hashed)
    vectors = hashed.select("uid", "features")
    joined = model.approxSimilarityJoin(vectors, vectors, 1.0 - threshold, distCol="distance")
    pairs = (
        joined.select(F.col("datasetA.uid").alias("a"), F.col("datasetB.uid").alias("b"))
        .where(F.col("a") < F.col("b"))
        .distinct()
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    pair_rows = pairs.collect()
    involved = pairs.select(F.col("a").alias("uid")).union(pairs.select(F.col("b").alias("uid"))).distinct()
    meta_rows = hashed.join(involved, "uid").select("uid", "id", "source", "priority", "quality", "length").collect()
    pairs.unpersist()
    hashed.unpersist()
    return {
        "documents": documents,
        "pairs": [(row["a"], row["b"]) for row in pair_rows],
        "meta": {
            row["uid"]: (row["id"], row["source"], row["priority"], row["quality"], row["length"]) for row in meta_rows
        },
        "deduplicated_sources": sorted(name for name, on in plan.deduplicated.items() if on),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", nargs="+", required=True, help="documents parquet (dirs/files) or stage outputs")
    parser.add_argument("--output", required=True, help="JSON file written")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--recipe", default=None, help="recipe for source priorities (default: the shipped one)")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--num-features", type=int, default=NUM_FEATURES)
    parser.add_argument("--num-hash-tables", type=int, default=NUM_HASH_TABLES)
    parser.add_argument("--threshold", type=float, default=0.8, help="Jaccard similarity of duplicates")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from corpus_pipeline.cli import _conf
    from corpus_pipeline.session import build_session

    started = time.perf_counter()
    spark = build_session("bench.dedup_mllib", args.master, _conf(args.conf))
    session_s = time.perf_counter() - started
    try:
        found = run(
            spark,
            args.input,
            args.recipe,
            args.ngram,
            args.num_features,
            args.num_hash_tables,
            args.threshold,
            args.seed,
        )
    finally:
        spark_s = time.perf_counter() - started - session_s
        spark.stop()
    components_started = time.perf_counter()
    removed = components_removed(found["pairs"], found["meta"])
    components_s = time.perf_counter() - components_started
    result = {
        "contender": "mllib",
        "master": args.master,
        "input": args.input,
        "params": {
            "ngram": args.ngram,
            "num_features": args.num_features,
            "num_hash_tables": args.num_hash_tables,
            "threshold": args.threshold,
            "seed": args.seed,
            "binary": True,
            "deduplicated_sources": found["deduplicated_sources"],
        },
        "documents": found["documents"],
        "pair_count": len(found["pairs"]),
        "removed_count": len(removed),
        "seconds": {
            "session": round(session_s, 3),
            "spark": round(spark_s, 3),
            "components": round(components_s, 3),
            "total": round(time.perf_counter() - started, 3),
        },
        "removed": removed,
    }
    write_result(args.output, result)
    print(
        f"mllib: {result['documents']} documents, {result['pair_count']} pairs, {len(removed)} removed "
        f"(spark {spark_s:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
