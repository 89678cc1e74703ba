"""The dedup stage as a Spark job: exact, then fuzzy MinHash-LSH deduplication across all sources.

Each step is a DataFrame -> DataFrame function:

1. :func:`keyed_documents` - the documents of sources whose steps include ``dedup``, with their source
   priority, quality score (null when absent) and length; :func:`with_signatures` replaces the text by the
   exact key (digest of the normalized text), the MinHash signature and the LSH band keys (Arrow batches).
2. :func:`ranked` - a ``rank`` following the keep order: higher source priority, higher quality score, longer
   text, smaller id (then source and exact key). The smallest rank of a group is the document kept.
3. :func:`exact_representatives` - the best document of each exact-duplicate group.
4. :func:`candidate_edges` - per LSH bucket a star from every representative to the bucket's smallest rank.
5. :func:`verified` - candidate pairs at least ``threshold`` similar: exact Jaccard of the two texts' shingle
   sets (default), or the MinHash estimate from the full signatures.
6. :func:`~corpus_pipeline.dedup.components.connected_components` over the verified edges, in Spark.
7. :func:`decisions` - every document not kept names the kept one of its cluster (``duplicate_of``) and is
   ``exact_duplicate`` (same normalized text as the kept one) or ``near_duplicate``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from corpus_pipeline.dedup.batch import SIGNATURE_FIELDS, MinHashParams, signatures_of, verified_edges
from corpus_pipeline.dedup.components import checkpointer, connected_components
from corpus_pipeline.dedup.lsh import false_negative_probability, false_positive_probability, optimal_bands
from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from corpus_pipeline.io.documents import input_bytes, read_documents
from corpus_pipeline.recipe import DedupConfig, Recipe
from corpus_pipeline.schema import spark_schema
from corpus_pipeline.stage.base import Stage
from corpus_pipeline.stage.frame import by_source, run_stats
from corpus_pipeline.stage.output import write_stage_output
from corpus_pipeline.stage.stats import StageStats

EXACT, NEAR = "exact_duplicate", "near_duplicate"
STORAGE = StorageLevel.DISK_ONLY  # intermediate frames on local disk: executor memory does not grow with input
BROADCAST_DECISIONS = 500_000  # removed documents up to which their decisions are broadcast to the join
CLUSTER_SIZE_BINS = ((2, 2), (3, 3), (4, 4), (5, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, 1000))


@dataclass(frozen=True)
class DedupPlan:
    config: DedupConfig
    params: MinHashParams
    priorities: dict[str, int]  # every source the recipe names, "default" included
    deduplicated: dict[str, bool]  # whether the source's steps include dedup

    def describe(self) -> dict[str, Any]:
        bands, rows, threshold = self.params.bands, self.params.rows, self.config.threshold
        return {
            "ngram": self.params.ngram,
            "num_perm": self.params.num_perm,
            "seed": self.params.seed,
            "scheme": "affine32",
            "threshold": threshold,
            "bands": bands,
            "rows": rows,
            "false_positive_probability": round(false_positive_probability(threshold, bands, rows), 6),
            "false_negative_probability": round(false_negative_probability(threshold, bands, rows), 6),
            "verify": self.config.verify,
            "opencc_config": self.params.opencc_config,
            "source_priorities": self.priorities,
        }


def dedup_plan(recipe: Recipe, options: Mapping[str, Any] | None = None) -> DedupPlan:
    """The MinHash parameters (bands and rows chosen for the threshold) and each source's priority."""
    config = recipe.dedup
    if config.bands is None:
        bands, rows = optimal_bands(
            config.threshold, config.num_perm, config.false_positive_weight, config.false_negative_weight
        )
    else:
        bands, rows = config.bands, config.rows
    params = MinHashParams.create(
        ngram=config.ngram,
        num_perm=config.num_perm,
        seed=config.seed,
        bands=bands,
        rows=rows,
        opencc_config=config.opencc_config,
    )
    return DedupPlan(
        config=config,
        params=params,
        priorities={name: source.priority for name, source in recipe.sources.items()},
        deduplicated={name: "dedup" in recipe.steps_for(name) for name in recipe.sources},
    )


def keyed_documents(documents: DataFrame, plan: DedupPlan) -> DataFrame:
    """id, source, priority, quality, length and text of the documents that take part in dedup."""
    quality = F.col("quality_score") if "quality_score" in documents.columns else F.lit(None)
    return documents.where(by_source(plan.deduplicated)).select(
        "id",
        "source",
        by_source(plan.priorities).cast("int").alias("priority"),
        quality.cast("double").alias("quality"),
        F.length("text").cast("long").alias("length"),
        "text",
    )


def with_signatures(keyed: DataFrame, params: MinHashParams) -> DataFrame:
    """Replace ``text`` with ``exact_key``, ``shingles``, ``signature`` and ``band_keys`` (Arrow batches)."""
    import pyarrow as pa

    fields = [field for field in keyed.schema.fields if field.name != "text"]
    added = spark_schema(pa.schema([pa.field(name, kind) for name, kind in SIGNATURE_FIELDS]))
    output = keyed.schema.__class__(fields + list(added.fields))
    return keyed.mapInArrow(lambda batches: signatures_of(batches, params), output)


def ranked(signed: DataFrame) -> DataFrame:
    """Add ``rank``: increasing along the keep order (the values depend on partitioning, the order does not)."""
    order = [
        F.col("priority").desc(),
        F.col("quality").desc_nulls_last(),
        F.col("length").desc(),
        F.col("id").asc(),
        F.col("source").asc(),
        F.col("exact_key").asc(),
    ]
    return signed.orderBy(*order).withColumn("rank", F.monotonically_increasing_id())


def exact_representatives(frame: DataFrame) -> DataFrame:
    """Add ``exact_rep``: the smallest rank with the same normalized text."""
    return frame.withColumn("exact_rep", F.min("rank").over(Window.partitionBy("exact_key")))


def candidate_edges(representatives: DataFrame) -> DataFrame:
    """``(src, dst)``: each document sharing an LSH bucket with smaller ranks, linked to the smallest one."""
    buckets = representatives.where(F.col("shingles") > 0).select(
        "rank", F.posexplode("band_keys").alias("band", "bucket")
    )
    smallest = F.min("rank").over(Window.partitionBy("band", "bucket"))
    return (
        buckets.withColumn("dst", smallest)
        .where(F.col("rank") != F.col("dst"))
        .select(F.col("rank").alias("src"), "dst")
        .distinct()
    )


def _endpoint_texts(edges: DataFrame, frame: DataFrame, documents: DataFrame, broadcast: bool) -> DataFrame:
    """``(rank, text)`` of the documents on an edge (only those are read with their text)."""
    nodes = edges.select(F.col("src").alias("rank")).unionByName(edges.select(F.col("dst").alias("rank"))).distinct()
    keys = frame.select("rank", "source", "id").join(nodes, "rank")
    keys = F.broadcast(keys) if broadcast else keys
    return documents.select("source", "id", "text").join(keys, ["source", "id"]).select("rank", "text")


def verified(
    edges: DataFrame, frame: DataFrame, documents: DataFrame, plan: DedupPlan, broadcast: bool = True
) -> DataFrame:
    """The candidate edges whose endpoints are at least ``threshold`` similar (``verify: exact | signature``)."""
    exact = plan.config.verify == "exact"
    column = "text" if exact else "signature"
    ends = (
        _endpoint_texts(edges, frame, documents, broadcast)
        if exact
        else frame.where(F.col("rank") == F.col("exact_rep")).select("rank", "signature")
    )
    pairs = (
        edges.join(ends.select(F.col("rank").alias("src"), F.col(column).alias(f"src_{column}")), "src")
        .join(ends.select(F.col("rank").alias("dst"), F.col(column).alias(f"dst_{column}")), "dst")
        .select("src", "dst", f"src_{column}", f"dst_{column}")
    )
    threshold, params = plan.config.threshold, plan.params
    return pairs.mapInArrow(
        lambda batches: verified_edges(batches, threshold, params, exact), "src long, dst long, similarity double"
    )


def decisions(frame: DataFrame, labels: DataFrame) -> DataFrame:
    """Per document: ``cluster`` (the kept document's rank) and, for those not kept, reason and duplicate_of."""
    clustered = frame.join(labels.withColumnRenamed("node", "exact_rep"), "exact_rep", "left").withColumn(
        "cluster", F.coalesce("component", "exact_rep")
    )
    keepers = frame.select(
        F.col("rank").alias("cluster"), F.col("id").alias("duplicate_of"), F.col("exact_key").alias("kept_key")
    )
    return clustered.join(keepers, "cluster").select(
        "id",
        "source",
        "cluster",
        "rank",
        F.when(F.col("rank") == F.col("cluster"), F.lit(None))
        .when(F.col("exact_key") == F.col("kept_key"), F.lit(EXACT))
        .otherwise(F.lit(NEAR))
        .alias("reason"),
        F.when(F.col("rank") != F.col("cluster"), F.col("duplicate_of")).alias("duplicate_of"),
    )


def cluster_size_histogram(decided: DataFrame) -> dict[str, int]:
    """Clusters of two or more documents by size bin (a small aggregate: bins, not documents, reach the driver)."""
    sizes = decided.groupBy("cluster").agg(F.count(F.lit(1)).alias("size")).where(F.col("size") > 1)
    bin_of = F.lit(">1000")
    for low, high in reversed(CLUSTER_SIZE_BINS):
        label = str(low) if low == high else f"{low}-{high}"
        bin_of = F.when(F.col("size").between(low, high), F.lit(label)).otherwise(bin_of)
    rows = sizes.groupBy(bin_of.alias("bin")).agg(F.count(F.lit(1)).alias("clusters")).collect()
    counts = {row["bin"]: row["clusters"] for row in rows}
    labels = [str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in CLUSTER_SIZE_BINS] + [">1000"]
    return {label: counts[label] for label in labels if label in counts}


def _check_unique_ids(documents: DataFrame) -> None:
    repeated = (
        documents.groupBy("source", "id")
        .agg(F.count(F.lit(1)).alias("n"))
        .where(F.col("n") > 1)
        .orderBy("source", "id")
        .limit(3)
        .collect()
    )
    if repeated:
        examples = ", ".join(f"({row['source']}, {row['id']}) x{row['n']}" for row in repeated)
        raise InputError(f"dedup input repeats (source, id) pairs, e.g. {examples}; ids must be unique per source")


def _per_source(decided: DataFrame) -> dict[str, dict[str, int]]:
    rows = decided.where(F.col("reason").isNotNull()).groupBy("reason", "source").count().collect()
    counts: dict[str, dict[str, int]] = {EXACT: {}, NEAR: {}}
    for row in sorted(rows, key=lambda r: (r["reason"], r["source"])):
        counts[row["reason"]][row["source"]] = row["count"]
    return counts


def write_dedup(spark: SparkSession, inputs: list[str], output: str, recipe: Recipe, plan: DedupPlan) -> StageStats:
    documents = read_documents(spark, inputs)
    partitions = plan.config.partitions or max(
        2 * spark.sparkContext.defaultParallelism,
        math.ceil(input_bytes(spark, inputs) / plan.config.bytes_per_partition),
    )
    checkpoint_dir = plan.config.checkpoint_dir or fs.join(output, "_checkpoints")
    cached: list[DataFrame] = []

    def cache(frame: DataFrame) -> DataFrame:
        cached.append(frame.persist(STORAGE))
        return cached[-1]

    previous_partitions = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    try:
        _check_unique_ids(documents)
        frame = cache(exact_representatives(ranked(with_signatures(keyed_documents(documents, plan), plan.params))))
        representatives = frame.where(F.col("rank") == F.col("exact_rep"))
        candidates = cache(candidate_edges(representatives))
        candidate_count = candidates.count()
        if plan.config.verify != "off":
            candidates = verified(candidates, frame, documents, plan, candidate_count <= BROADCAST_DECISIONS)
        edges = cache(candidates.select("src", "dst"))
        labels, rounds = connected_components(edges, checkpointer(checkpoint_dir), plan.config.max_rounds)
        decided = cache(decisions(frame, labels))
        summary = {
            **plan.describe(),
            "shuffle_partitions": partitions,
            "documents": frame.count(),
            "exact_groups": representatives.count(),
            "candidate_edges": candidate_count,
            "verified_edges": edges.count(),
            "components_rounds": rounds,
            "removed": _per_source(decided),
            "cluster_sizes": cluster_size_histogram(decided),
        }
        removed = decided.where(F.col("reason").isNotNull()).select("id", "source", "reason", "duplicate_of")
        if sum(n for counts in summary["removed"].values() for n in counts.values()) <= BROADCAST_DECISIONS:
            removed = F.broadcast(removed)  # the documents need not be shuffled for the join
        passed = [name for name in documents.columns if name not in ("reason", "duplicate_of")]
        result = (
            documents.select(*passed)
            .join(removed, ["source", "id"], "left")
            .withColumn("outcome", F.when(F.col("reason").isNull(), F.lit("kept")).otherwise(F.lit("removed")))
            .withColumn("bytes_in", F.coalesce(F.octet_length("text"), F.lit(0)).cast("long"))
            .withColumn("bytes_out", F.col("bytes_in"))
        )
        stats = write_stage_output(
            spark,
            result,
            output,
            "dedup",
            passed,
            {**run_stats(spark, recipe, inputs), "dedup": summary},
            removed_columns=("duplicate_of",),
            storage=STORAGE,
        )
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", previous_partitions)
        for cached_frame in cached:
            cached_frame.unpersist()
    if plan.config.checkpoint_dir is None:
        fs.delete(spark, checkpoint_dir)
    return stats


class DedupStage(Stage):
    name = "dedup"
    help = "exact and MinHash-LSH near-duplicate removal across all sources"
    plan = staticmethod(dedup_plan)
    write = staticmethod(write_dedup)


STAGE = DedupStage()
