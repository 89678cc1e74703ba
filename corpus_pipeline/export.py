"""``corpus-pipeline export``: a stage output's documents as shards the community's tools load.

A lab reads training text with 🤗 ``datasets`` (``load_dataset("json" | "parquet", data_files=...)``), Dolma's
tools or plain pandas; our stage outputs are parquet with ``meta`` as a JSON string and every stage's columns.
Export writes the documents of one part (``kept/`` by default, or ``removed/``) as gzip-compressed JSON Lines or
parquet shards of about ``shard_mb`` megabytes of text each, ``meta`` as a nested object (a struct whose fields
are inferred from all the documents' ``meta``, in Spark), ordered by (source, id), in one of two layouts:

* ``columns``: every column of the stage output as it is (``meta`` nested);
* ``dolma``: ``{id, text, source, added, metadata}`` (Dolma's document format), ``added`` the export's UTC time,
  ``metadata`` every other column (``meta`` nested inside).

The shards are ``part-NNNNN-*.json.gz`` or ``*.parquet`` with Spark's ``_SUCCESS``; ``export.json`` beside them
records what was exported. Everything runs in Spark: nothing is collected but counts.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from corpus_pipeline.io.documents import read_documents

FORMATS = ("jsonl", "parquet")
LAYOUTS = ("columns", "dolma")
PARTS = ("kept", "removed")
DOLMA_FIELDS = ("id", "text", "source")


@dataclass(frozen=True)
class ExportOptions:
    part: Literal["kept", "removed"] = "kept"
    format: Literal["jsonl", "parquet"] = "jsonl"
    layout: Literal["columns", "dolma"] = "columns"
    shard_mb: float = 256.0

    def __post_init__(self) -> None:
        if self.part not in PARTS or self.format not in FORMATS or self.layout not in LAYOUTS:
            raise InputError(f"export: part, format or layout unknown in {self}")
        if not self.shard_mb > 0:
            raise InputError(f"export: --shard-mb must be positive, got {self.shard_mb}")


def _documents_path(spark: SparkSession, path: str, part: str) -> str:
    """A stage output's ``part`` folder, or ``path`` itself when it holds the parquet documents."""
    candidate = fs.join(path, part)
    return candidate if fs.exists(spark, candidate) else path


def with_meta_struct(frame: DataFrame) -> DataFrame:
    """``meta`` (a JSON object as a string) parsed into a struct whose schema Spark infers from every document's
    ``meta``; a frame whose documents have no meta fields keeps ``meta`` as null."""
    strings = frame.where(F.col("meta").isNotNull()).select("meta")
    schema = frame.sparkSession.read.json(strings.rdd.map(lambda row: row[0])).schema
    if not schema.fields or "_corrupt_record" in schema.fieldNames():
        if "_corrupt_record" in schema.fieldNames():
            raise InputError("export: some documents' meta is not a JSON object")
        return frame.withColumn("meta", F.lit(None).cast("struct<>"))
    return frame.withColumn("meta", F.from_json("meta", schema))


def shaped(frame: DataFrame, layout: str, added: str) -> DataFrame:
    if layout == "columns":
        return frame
    rest = [name for name in frame.columns if name not in DOLMA_FIELDS]
    return frame.select(
        *DOLMA_FIELDS, F.lit(added).alias("added"), F.struct(*[F.col(name) for name in rest]).alias("metadata")
    )


def export_documents(
    spark: SparkSession, path: str, output: str, options: ExportOptions, overwrite: bool = False
) -> dict[str, Any]:
    """Write the documents of ``path`` (a stage output, or parquet documents) under ``output`` (which must not
    exist unless ``overwrite``); returns what ``export.json`` records."""
    if fs.exists(spark, output) and not overwrite:
        raise InputError(f"export: {output} exists; choose another --output or pass --overwrite")
    source = _documents_path(spark, path, options.part)
    documents = read_documents(spark, [source])
    totals = documents.agg(
        F.count(F.lit(1)).alias("documents"), F.sum(F.octet_length("text")).alias("text_bytes")
    ).first()
    count, text_bytes = totals["documents"], int(totals["text_bytes"] or 0)
    shards = max(1, math.ceil(text_bytes / (options.shard_mb * 1e6)))
    added = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    frame = shaped(with_meta_struct(documents), options.layout, added)
    ordered = frame.repartitionByRange(shards, "source", "id").sortWithinPartitions("source", "id")
    writer = ordered.write.mode("overwrite" if overwrite else "errorifexists")
    if options.format == "jsonl":
        writer.option("compression", "gzip").option("ignoreNullFields", "false").json(output)
    else:
        writer.parquet(output)
    record = {
        "input": source,
        "part": options.part,
        "format": options.format,
        "layout": options.layout,
        "documents": count,
        "text_bytes": text_bytes,
        "shards": shards,
        "shard_mb": options.shard_mb,
        "added": added if options.layout == "dolma" else None,
        "files": "*.json.gz" if options.format == "jsonl" else "*.parquet",
    }
    fs.write_text(spark, fs.join(output, "export.json"), json.dumps(record, indent=2) + "\n")
    return record
