"""What every stage writes: ``kept/``, ``removed/`` (with ``reason``), ``quarantine/`` and ``stats.json``.

A stage hands over one *result* frame with a row per input record and the columns ``outcome``
(``kept``/``removed``/``quarantined``), ``reason``, ``source``, ``bytes_in`` and ``bytes_out`` next to the
document columns. The writer splits it, counts documents and bytes per outcome, reason and source, reads
the written outputs back and fails loudly unless input = kept + removed + quarantined. The folder it writes
is the stage's staging folder; :mod:`corpus_pipeline.stage_commit` moves it into place and adds ``_SUCCESS``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline.io import fs
from corpus_pipeline.schema import QUARANTINE_SCHEMA, spark_schema

KEPT, REMOVED, QUARANTINED = "kept", "removed", "quarantined"
OUTCOMES = (KEPT, REMOVED, QUARANTINED)
OUTPUT_DIRS = {KEPT: "kept", REMOVED: "removed", QUARANTINED: "quarantine"}


class ConservationError(RuntimeError):
    """The written outputs do not account for every input record."""


def _empty_counts() -> dict[str, dict[str, int]]:
    return {"documents": {"in": 0, **{o: 0 for o in OUTCOMES}}, "bytes": {"in": 0, **{o: 0 for o in OUTCOMES}},
            "removed": {}, "quarantined": {}}


def summarize(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Stats from (outcome, reason, source, documents, bytes_in, bytes_out) aggregates.

    ``bytes.in`` counts input bytes of every record; ``bytes.kept``/``removed`` count the UTF-8 bytes of the
    text a stage wrote (after cleaning), ``bytes.quarantined`` the raw bytes of unreadable records.
    """
    total = _empty_counts()
    sources: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["source"] or "", r["outcome"], r["reason"] or "")):
        outcome, reason = row["outcome"], row["reason"]
        if outcome not in OUTCOMES:
            raise ConservationError(f"unknown outcome {outcome!r}")
        docs, bytes_in, bytes_out = int(row["documents"]), int(row["bytes_in"] or 0), int(row["bytes_out"] or 0)
        written = bytes_in if outcome == QUARANTINED else bytes_out
        for counts in (total, sources.setdefault(row["source"] or "", _empty_counts())):
            counts["documents"]["in"] += docs
            counts["documents"][outcome] += docs
            counts["bytes"]["in"] += bytes_in
            counts["bytes"][outcome] += written
            if outcome != KEPT:
                per_reason = counts[outcome].setdefault(reason or "unknown", {"documents": 0, "bytes": 0})
                per_reason["documents"] += docs
                per_reason["bytes"] += written
    return {**total, "sources": sources}


def check_conservation(stats: dict[str, Any], written: dict[str, int]) -> dict[str, Any]:
    """Compare the stage's own counts with the rows found in the written outputs; raise on any gap."""
    docs = stats["documents"]
    problems = []
    if docs["in"] != sum(docs[o] for o in OUTCOMES):
        problems.append(f"in={docs['in']} but kept+removed+quarantined={sum(docs[o] for o in OUTCOMES)}")
    for outcome in OUTCOMES:
        if written[outcome] != docs[outcome]:
            problems.append(f"{OUTPUT_DIRS[outcome]}/ holds {written[outcome]} rows, expected {docs[outcome]}")
    if problems:
        raise ConservationError("conservation check failed: " + "; ".join(problems))
    return {"in": docs["in"], "written": sum(written.values()), "ok": True}


def _quarantine_columns(result: DataFrame) -> list:
    """The quarantine columns; a stage whose input is documents has no path/offset/... and writes them null."""
    columns = []
    for field in spark_schema(QUARANTINE_SCHEMA).fields:
        if field.name in result.columns:
            columns.append(F.col(field.name).cast(field.dataType))
        else:
            columns.append(F.lit(None).cast(field.dataType).alias(field.name))
    return columns


def write_stage_output(spark: SparkSession, result: DataFrame, output: str, stage: str,
                       kept_columns: list[str], extra_stats: dict[str, Any] | None = None,
                       removed_columns: tuple[str, ...] = (),
                       storage: StorageLevel = StorageLevel.MEMORY_AND_DISK) -> dict[str, Any]:
    """Write a stage's result frame under ``output`` and return its stats (also in ``output/stats.json``).

    ``removed/`` has the kept columns, ``reason`` and the stage's ``removed_columns`` (e.g. ``duplicate_of``).
    The result is persisted at ``storage`` while it is counted and written (``DISK_ONLY`` keeps executor
    memory flat whatever the input size).
    """
    started = time.time()
    result = result.persist(storage)
    try:
        rows = (
            result.groupBy("outcome", "reason", "source")
            .agg(F.count(F.lit(1)).alias("documents"), F.sum("bytes_in").alias("bytes_in"),
                 F.sum("bytes_out").alias("bytes_out"))
            .collect()
        )
        stats = summarize(row.asDict() for row in rows)
        frames = {
            KEPT: result.where(F.col("outcome") == KEPT).select(*kept_columns),
            REMOVED: result.where(F.col("outcome") == REMOVED).select(*kept_columns, "reason", *removed_columns),
            QUARANTINED: result.where(F.col("outcome") == QUARANTINED).select(*_quarantine_columns(result)),
        }
        for outcome, frame in frames.items():
            frame.write.mode("overwrite").parquet(fs.join(output, OUTPUT_DIRS[outcome]))
        written = {o: spark.read.parquet(fs.join(output, OUTPUT_DIRS[o])).count() for o in OUTCOMES}
        stats = {"stage": stage, **stats, "conservation": check_conservation(stats, written), **(extra_stats or {})}
        stats["seconds"] = round(time.time() - started, 3)
        fs.write_text(spark, fs.join(output, "stats.json"), json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
        return stats
    finally:
        result.unpersist()
