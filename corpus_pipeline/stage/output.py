"""What every stage writes: ``kept/``, ``removed/`` (with ``reason``), ``quarantine/`` and ``stats.json``.

A stage hands over one *result* frame with a row per input record and the columns ``outcome``
(``kept``/``removed``/``quarantined``), ``reason``, ``source``, ``bytes_in`` and ``bytes_out`` next to the
document columns. The writer splits it, counts documents and bytes per outcome, reason and source, reads
the written outputs back and fails loudly unless input = kept + removed + quarantined. The folder it writes
is the stage's staging folder; :mod:`corpus_pipeline.stage.commit` moves it into place and adds ``_SUCCESS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline.io import fs
from corpus_pipeline.schema import QUARANTINE_SCHEMA, spark_schema
from corpus_pipeline.stage.stats import (
    KEPT,
    OUTCOMES,
    QUARANTINED,
    REMOVED,
    StageStats,
    check_conservation,
    count_outcomes,
    write_stats,
)

OUTPUT_DIRS = {KEPT: "kept", REMOVED: "removed", QUARANTINED: "quarantine"}


def _quarantine_columns(result: DataFrame) -> list:
    """The quarantine columns; a stage whose input is documents has no path/offset/... and writes them null."""
    columns = []
    for field in spark_schema(QUARANTINE_SCHEMA).fields:
        if field.name in result.columns:
            columns.append(F.col(field.name).cast(field.dataType))
        else:
            columns.append(F.lit(None).cast(field.dataType).alias(field.name))
    return columns


def write_stage_output(
    spark: SparkSession,
    result: DataFrame,
    output: str,
    stage: str,
    kept_columns: list[str],
    extra_stats: dict[str, Any] | None = None,
    removed_columns: tuple[str, ...] = (),
    storage: StorageLevel = StorageLevel.MEMORY_AND_DISK,
    detail_counts: Callable[[DataFrame], dict[str, Any]] | None = None,
) -> StageStats:
    """Write a stage's result frame under ``output`` and return its stats (also in ``output/stats.json``).

    ``removed/`` has the kept columns, ``reason`` and the stage's ``removed_columns`` (e.g. ``duplicate_of``).
    The result is persisted at ``storage`` while it is counted and written (``DISK_ONLY`` keeps executor
    memory flat whatever the input size). ``detail_counts`` aggregates the persisted result into more
    ``stats.json`` entries (a step's counts per source); it must collect aggregates only, never rows.
    """
    started = time.time()
    result = result.persist(storage)
    try:
        rows = (
            result.groupBy("outcome", "reason", "source")
            .agg(
                F.count(F.lit(1)).alias("documents"),
                F.sum("bytes_in").alias("bytes_in"),
                F.sum("bytes_out").alias("bytes_out"),
            )
            .collect()
        )
        stats = count_outcomes(stage, (row.asDict() for row in rows))
        frames = {
            KEPT: result.where(F.col("outcome") == KEPT).select(*kept_columns),
            REMOVED: result.where(F.col("outcome") == REMOVED).select(*kept_columns, "reason", *removed_columns),
            QUARANTINED: result.where(F.col("outcome") == QUARANTINED).select(*_quarantine_columns(result)),
        }
        for outcome, frame in frames.items():
            frame.write.mode("overwrite").parquet(fs.join(output, OUTPUT_DIRS[outcome]))
        written = {o: spark.read.parquet(fs.join(output, OUTPUT_DIRS[o])).count() for o in OUTCOMES}
        check_conservation(stats, written)
        stats.details = {**(extra_stats or {}), **(detail_counts(result) if detail_counts else {})}
        stats.seconds = round(time.time() - started, 3)
        write_stats(spark, output, stats)
        return stats
    finally:
        result.unpersist()
