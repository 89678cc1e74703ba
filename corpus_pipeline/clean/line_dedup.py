"""The ``line_dedup`` step across documents, in Spark (CCNet's boilerplate removal).

The clean stage runs in two passes when a source has the step. The first pass cleans each document up to
``line_dedup`` and gives the pending ones their distinct line keys and a group (the URL host, the source
without URL, or one group for the run: ``clean.line_dedup.scope``). Here, with no collect to the driver:

1. the (group, line) pairs are counted: a line key's documents in its group (keys are distinct per document);
2. a line in at least ``min_documents`` documents of its group is *frequent*; every document that holds it drops
   it (with ``keep_first``, all but the group's first document in the keep order: higher source priority,
   longer text, smaller id, then source);
3. the drop lists join the documents on (source, id) for the second pass (:func:`~corpus_pipeline.clean.batch.
   resume_batches`), which removes the lines and runs the steps after ``line_dedup``, so a document left too
   short is removed as ``too_short`` by ``min_length``.

Every step is a set operation over keys, so the result is the same for any partitioning. Only aggregates reach
the driver: per-source counts and the most frequent lines (each with one example text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from corpus_pipeline.clean.batch import PENDING
from corpus_pipeline.recipe import LineDedupConfig
from corpus_pipeline.rules.line_dedup import line_keys
from corpus_pipeline.stage.frame import by_source

TOP_LINES = 20  # the most frequent removed lines shown in stats.json and the report


@dataclass(frozen=True)
class LineDedupPlan:
    config: LineDedupConfig
    priorities: dict[str, int]  # every source the recipe names, "default" included
    opencc_config: str


def _keep_order(priorities: dict[str, int]) -> Column:
    """Smaller is kept first: higher priority, longer text, smaller id, then source."""
    return F.struct(
        (-by_source(priorities)).alias("priority"),
        (-F.col("n_chars")).alias("length"),
        F.col("id"),
        F.col("source"),
    )


def document_lines(first: DataFrame, plan: LineDedupPlan) -> DataFrame:
    """(source, id, line_group, line, bytes, order) for every distinct line of every pending document."""
    return (
        first.where(F.col("outcome") == PENDING)
        .select(
            "source",
            "id",
            "line_group",
            _keep_order(plan.priorities).alias("order"),
            F.explode(F.arrays_zip("line_keys", "line_bytes")).alias("pair"),
        )
        .select(
            "source",
            "id",
            "line_group",
            "order",
            F.col("pair.line_keys").alias("line"),
            F.col("pair.line_bytes").alias("bytes"),
        )
    )


def frequent_lines(lines: DataFrame, config: LineDedupConfig) -> DataFrame:
    """(line_group, line, documents, first): the lines in at least ``min_documents`` documents of their group."""
    counts = lines.groupBy("line_group", "line").agg(
        F.count(F.lit(1)).alias("documents"), F.min("order").alias("first")
    )
    return counts.where(F.col("documents") >= config.min_documents)


def dropped_lines(lines: DataFrame, frequent: DataFrame, config: LineDedupConfig) -> DataFrame:
    """(source, id, line, bytes) of every line a document loses."""
    dropped = lines.join(frequent, ["line_group", "line"])
    if config.keep_first:
        dropped = dropped.where(F.col("order") != F.col("first"))
    return dropped.select("source", "id", "line", "bytes")


def drop_lists(dropped: DataFrame) -> DataFrame:
    """(source, id, drop_lines): per document the line keys it loses."""
    return dropped.groupBy("source", "id").agg(F.collect_list("line").alias("drop_lines"))


def per_source(dropped: DataFrame) -> dict[str, dict[str, int]]:
    rows = (
        dropped.groupBy("source")
        .agg(
            F.count(F.lit(1)).alias("line_keys"),
            F.sum("bytes").alias("bytes"),
            F.countDistinct("id").alias("documents"),
        )
        .collect()
    )
    return {
        row["source"]: {"documents": row["documents"], "line_keys": row["line_keys"], "bytes": int(row["bytes"])}
        for row in sorted(rows, key=lambda r: r["source"])
    }


def _example_texts(first: DataFrame, lines: DataFrame, top: list[Any], opencc_config: str) -> dict[tuple, str]:
    """One text for each of the ``top`` (line_group, line) keys: the line as written in its group's first
    document holding it (a handful of documents are read again)."""
    wanted = first.sparkSession.createDataFrame(
        [(row["line_group"], row["line"]) for row in top], "line_group string, line long"
    )
    holders = (
        lines.join(F.broadcast(wanted), ["line_group", "line"])
        .groupBy("line_group", "line")
        .agg(F.min(F.struct("order", "source", "id")).alias("holder"))
        .select("line_group", "line", "holder.source", "holder.id")
    )
    documents = first.select("source", "id", "text").join(F.broadcast(holders), ["source", "id"])
    documents = documents.select("line_group", "line", "text")
    keys = {(row["line_group"], row["line"]) for row in top}

    def find(batches):
        for batch in batches:
            rows = batch.to_pydict()
            out: dict[str, list] = {"line_group": [], "line": [], "example": []}
            for group, key, text in zip(rows["line_group"], rows["line"], rows["text"]):
                lines_of = text.split("\n")
                for line, found in zip(lines_of, line_keys(lines_of, opencc_config)):
                    if found == key and (group, key) in keys:
                        out["line_group"].append(group)
                        out["line"].append(key)
                        out["example"].append(line.strip())
                        break
            yield pa.RecordBatch.from_pydict(out)

    found = documents.mapInArrow(find, "line_group string, line long, example string")
    return {(row["line_group"], row["line"]): row["example"] for row in found.collect()}


def summary(first: DataFrame, lines: DataFrame, frequent: DataFrame, dropped: DataFrame, plan: LineDedupPlan) -> dict:
    """What stats.json records of the step: settings, frequent lines, what each source lost, the top lines."""
    top = frequent.orderBy(F.col("documents").desc(), "line_group", "line").limit(TOP_LINES).collect()
    examples = _example_texts(first, lines, top, plan.opencc_config) if top else {}
    return {
        **plan.config.model_dump(),
        "frequent_lines": frequent.count(),
        "removed": per_source(dropped),
        "top_lines": [
            {
                "group": row["line_group"],
                "documents": row["documents"],
                "text": examples.get((row["line_group"], row["line"]), ""),
            }
            for row in top
        ],
    }
