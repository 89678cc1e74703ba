"""The pack stage: documents in reading order -> tokens -> Megatron ``.bin``/``.idx`` shards + ``manifest.json``.

Documents are range-partitioned and sorted by (source, input path, parquet file, row), so the shards come
out the same for any partitioning of the input. Each Spark task encodes its partition with the tokenizer
(loaded once per worker), appends ``<eod>`` after every document and writes one shard pair per source it
holds, under a temporary name that is renamed when complete. The driver only collects each shard's counts
and sha256, checks that every input document was packed, and writes ``manifest.json`` and ``stats.json``;
the whole output is committed by rename, ``_SUCCESS`` last (:mod:`corpus_pipeline.stage.commit`). Pack
removes nothing, so it writes no ``kept/``/``removed/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import SparkSession

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from corpus_pipeline.io.documents import input_bytes, read_documents
from corpus_pipeline.pack.indexed import IndexedDatasetWriter, token_dtype
from corpus_pipeline.pack.manifest import MANIFEST_FILE, build_manifest
from corpus_pipeline.recipe import PackConfig, Recipe
from corpus_pipeline.schema import spark_schema
from corpus_pipeline.stage.base import Stage
from corpus_pipeline.stage.frame import run_stats
from corpus_pipeline.stage.stats import (
    KEPT,
    QUARANTINED,
    REMOVED,
    StageStats,
    check_conservation,
    empty_counts,
    write_stats,
)
from corpus_pipeline.tokenizer.model import TokenizerSpec, distribute, load_tokenizer_spec, worker_tokenizer

SHARDS_DIR = "shards"
TEMP_MARK = ".tmp-"
ORDER = ("source", "input_index", "input_file", "input_row")
SHARD_SCHEMA = pa.schema(
    [
        ("partition", pa.int32()),
        ("source", pa.string()),
        ("prefix", pa.string()),
        ("documents", pa.int64()),
        ("tokens", pa.int64()),
        ("text_bytes", pa.int64()),
        ("dtype", pa.string()),
        ("bin_sha256", pa.string()),
        ("idx_sha256", pa.string()),
        ("bin_bytes", pa.int64()),
        ("idx_bytes", pa.int64()),
    ]
)


@dataclass(frozen=True)
class PackPlan:
    """What the workers need: the tokenizer's spec, the token dtype and the stage settings (picklable)."""

    tokenizer: TokenizerSpec
    dtype: str
    config: PackConfig


def pack_plan(recipe: Recipe, options: Mapping[str, Any] | None = None) -> PackPlan:
    """Check the tokenizer (``--tokenizer`` or the recipe's) before Spark starts."""
    options = options or {}
    tokenizer = options.get("tokenizer") or recipe.models_path(recipe.pack.tokenizer)
    spec = load_tokenizer_spec(tokenizer, options.get("eod_token") or recipe.pack.eod_token)
    return PackPlan(tokenizer=spec, dtype=token_dtype(spec.vocab_size).name, config=recipe.pack)


def shard_name(partition: int, source: str) -> str:
    """``00007-news``: the partition, then the source (made file-name safe, with a hash if that changed it)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", source)[:64]
    if safe != source:
        safe += "-" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:8]
    return f"{partition:05d}-{safe}"


class _ShardSet:
    """The open shard of one partition: one writer at a time, since rows arrive grouped by source."""

    def __init__(self, shards_dir: Path, partition: int, attempt: int, dtype: np.dtype, eod_id: int) -> None:
        self.shards_dir, self.partition, self.dtype, self.eod = shards_dir, partition, dtype, eod_id
        self.suffix = f"{TEMP_MARK}{attempt}"
        self.source: str | None = None
        self.writer: IndexedDatasetWriter | None = None
        self.text_bytes = 0

    def start(self, source: str) -> None:
        self.source, self.text_bytes = source, 0
        name = shard_name(self.partition, source)
        self.writer = IndexedDatasetWriter(self.shards_dir / name, self.dtype, self.suffix)

    def add(self, tokens: list[int], text_bytes: int) -> None:
        tokens.append(self.eod)
        self.writer.add_document(tokens)
        self.text_bytes += text_bytes

    def finish(self) -> pa.RecordBatch:
        counts = self.writer.finish()
        self.writer = None
        row = {
            "partition": self.partition,
            "source": self.source,
            "prefix": f"{SHARDS_DIR}/{shard_name(self.partition, self.source)}",
            "text_bytes": self.text_bytes,
            **counts,
        }
        return pa.RecordBatch.from_pylist([row], schema=SHARD_SCHEMA)

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()


def pack_partition(plan: PackPlan, shards_dir: str):
    """The mapInArrow function: encode a sorted partition, write its shards, yield one row per shard."""

    def run(batches):
        from pyspark import TaskContext

        context = TaskContext.get()
        partition, attempt = (context.partitionId(), context.attemptNumber()) if context else (0, 0)
        tokenizer = worker_tokenizer(plan.tokenizer)
        shards = _ShardSet(Path(shards_dir), partition, attempt, np.dtype(plan.dtype), tokenizer.eod_id)
        try:
            for batch in batches:
                sources = batch.column("source").to_pylist()
                texts = [text or "" for text in batch.column("text").to_pylist()]
                sizes = pc.fill_null(pc.binary_length(batch.column("text")), 0).to_pylist()  # UTF-8 bytes
                for source, size, tokens in zip(sources, sizes, tokenizer.encode_batch(texts)):
                    if source != shards.source:
                        if shards.writer is not None:
                            yield shards.finish()
                        shards.start(source)
                    shards.add(tokens, size)
            if shards.writer is not None:
                yield shards.finish()
        except BaseException:
            shards.abort()
            raise

    return run


def local_output(spark: SparkSession, output: str) -> Path:
    """The output as a local path: shards are written by the executors' Python, so it must be a POSIX path."""
    given = urlparse(output)
    qualified = given if given.scheme else urlparse(fs.qualify(spark, output))  # default FS, e.g. HDFS on YARN
    if qualified.scheme not in ("", "file"):
        raise InputError(
            f"{output}: pack writes its shards from the executors' Python processes and needs a local "
            f"or shared (NFS, Lustre) path, not {qualified.scheme}://"
        )
    return Path(qualified.path)


def pack_stats(shards: list[dict], documents_in: int, manifest: dict, details: dict) -> StageStats:
    """Pack's stats: every document is kept (packed) or the conservation check fails; bytes are text bytes."""
    sources = {}
    for name, entry in manifest["sources"].items():
        counts = empty_counts()
        counts["documents"].update({"in": entry["documents"], KEPT: entry["documents"]})
        counts["bytes"].update({"in": entry["text_bytes"], KEPT: entry["text_bytes"]})
        sources[name] = counts
    packed = sum(shard["documents"] for shard in shards)
    text_bytes = sum(shard["text_bytes"] for shard in shards)
    totals = empty_counts()
    totals["documents"].update({"in": documents_in, KEPT: packed})
    totals["bytes"].update({"in": text_bytes, KEPT: text_bytes})
    stats = StageStats(
        stage="pack",
        documents=totals["documents"],
        bytes=totals["bytes"],
        removed={},
        quarantined={},
        sources=sources,
        details=details,
    )
    return check_conservation(stats, {KEPT: packed, REMOVED: 0, QUARANTINED: 0})


def write_pack(spark: SparkSession, inputs: list[str], output: str, recipe: Recipe, plan: PackPlan) -> StageStats:
    started = time.time()
    out_dir = local_output(spark, output)
    shards_dir = out_dir / SHARDS_DIR
    shards_dir.mkdir(parents=True)
    distribute(spark, plan.tokenizer)
    documents = read_documents(spark, inputs, with_position=True).select("text", *ORDER)
    documents_in = documents.count()
    partitions = plan.config.partitions or max(
        spark.sparkContext.defaultParallelism, math.ceil(input_bytes(spark, inputs) / plan.config.bytes_per_shard)
    )
    ordered = documents.repartitionByRange(partitions, *ORDER).sortWithinPartitions(*ORDER)
    written = ordered.mapInArrow(pack_partition(plan, str(shards_dir)), spark_schema(SHARD_SCHEMA))
    shards = [row.asDict() for row in written.collect()]
    shards.sort(key=lambda shard: (shard["partition"], shard["source"]))
    for leftover in shards_dir.glob(f"*{TEMP_MARK}*"):  # from task attempts that failed
        leftover.unlink()
    epochs = {name: entry.epochs for name, entry in plan.config.mixture.items()}
    manifest = build_manifest(shards, {**plan.tokenizer.stats(), "dtype": plan.dtype}, recipe.sha256(), epochs)
    seconds = round(time.time() - started, 3)
    stats = pack_stats(
        shards,
        documents_in,
        manifest,
        {
            **run_stats(spark, recipe, inputs),
            "tokens": manifest["tokens"],
            "text_bytes": sum(shard["text_bytes"] for shard in shards),
            "shards": len(shards),
            "partitions": partitions,
            "mixture": manifest["sources"],
            "tokenizer": manifest["tokenizer"],
            "tokens_per_second": round(manifest["tokens"] / seconds, 1) if seconds else None,
        },
    )
    stats.seconds = seconds
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_stats(spark, output, stats)
    return stats


class PackStage(Stage):
    name = "pack"
    help = "tokenize documents into Megatron .bin/.idx shards with a manifest"
    writes_documents = False
    plan = staticmethod(pack_plan)
    write = staticmethod(write_pack)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--tokenizer",
            metavar="PATH",
            help="our tokenizer directory (tokenizer.model + card.json), a Hugging Face tokenizer.json or a "
            "SentencePiece .model; default: the recipe's pack.tokenizer",
        )
        parser.add_argument(
            "--eod-token",
            metavar="TOKEN",
            help="the token that ends each document (default: <eod> for ours, else the tokenizer's end of sequence)",
        )

    def check_output(self, spark: SparkSession, output: str) -> None:
        local_output(spark, output)  # a non-local output fails before any work

    def resources(self, plan: PackPlan) -> dict[str, str | None]:
        return {"tokenizer": plan.tokenizer.sha256}

    def summarize(self, stats: StageStats) -> dict[str, Any]:
        return {
            "documents": stats.documents["in"],
            "tokens": stats.details["tokens"],
            "shards": stats.details["shards"],
            "seconds": stats.seconds,
        }

    def describe(self, output: str, stats: StageStats) -> list[str]:
        return [
            f"pack: {stats.documents['in']} documents, {stats.details['tokens']} tokens in "
            f"{stats.details['shards']} shards ({stats.seconds} s); manifest: {output}/manifest.json"
        ]


STAGE = PackStage()
