"""Reading the clean stage's inputs with Spark: one raw-record frame for every file format.

Files are listed and read through Spark's ``binaryFile`` source (any Hadoop file system), parsed per file
in an Arrow-batched ``mapInArrow`` by :func:`corpus_pipeline.ingest.parsers.parse_file`; parquet inputs are
read natively. Each record's locator is its path relative to the input's root (the deepest folder holding
all its files), so ids derived from (source, locator, offset) do not change when a tree moves between
machines or file systems.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple, fields

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline.errors import InputError
from corpus_pipeline.ingest.formats import detect_format
from corpus_pipeline.ingest.parsers import parse_file
from corpus_pipeline.ingest.record import RawRecord
from corpus_pipeline.io import fs
from corpus_pipeline.recipe import InputSpec, Recipe
from corpus_pipeline.schema import spark_schema

RAW_SCHEMA = pa.schema(
    [
        ("id", pa.string()), ("source", pa.string()), ("url", pa.string()), ("title", pa.string()),
        ("text", pa.string()), ("html", pa.string()), ("meta", pa.string()), ("path", pa.string()),
        ("offset", pa.int64()), ("raw_bytes", pa.int64()), ("quarantine", pa.string()),
        ("detail", pa.string()), ("sample", pa.string()),
    ]
)
_RECORD_FIELDS = [f.name for f in fields(RawRecord)]
_MAX_FILE_BYTES = 2**31 - 1  # Spark's binaryFile cannot hold more in one row
_FLUSH_RECORDS, _FLUSH_BYTES = 1000, 64 * 2**20


def common_root(paths: list[str]) -> str:
    """The deepest folder (as a URI prefix) that holds every path."""
    split = [p.split("/")[:-1] for p in paths]
    root = split[0]
    for parts in split[1:]:
        n = 0
        while n < min(len(root), len(parts)) and root[n] == parts[n]:
            n += 1
        root = root[:n]
    return "/".join(root)


def relative_locator(path: str, root: str) -> str:
    return path[len(root) + 1 :] if root and path.startswith(root + "/") else path


def _records_to_batch(records: list[RawRecord], source: str | None, default_source: str) -> pa.RecordBatch:
    columns = list(zip(*(astuple(r) for r in records)))
    data = dict(zip(_RECORD_FIELDS, columns))
    data["source"] = [source or s or default_source for s in data["source"]]
    return pa.RecordBatch.from_pydict({name: list(data[name]) for name in RAW_SCHEMA.names}, schema=RAW_SCHEMA)


def parse_binary_batches(batches: Iterator[pa.RecordBatch], root: str, source: str | None,
                         format_override: str | None, default_source: str,
                         max_document_bytes: int) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: binaryFile rows (path, content) in, raw records out."""
    buffer: list[RawRecord] = []
    buffered = 0
    for batch in batches:
        paths = batch.column("path").to_pylist()
        contents = batch.column("content")
        for i, path in enumerate(paths):
            data = contents[i].as_py() or b""
            fmt = detect_format(path, format_override)
            for record in parse_file(data, relative_locator(path, root), fmt, max_document_bytes=max_document_bytes):
                buffer.append(record)
                buffered += record.raw_bytes
                if len(buffer) >= _FLUSH_RECORDS or buffered >= _FLUSH_BYTES:
                    yield _records_to_batch(buffer, source, default_source)
                    buffer, buffered = [], 0
    if buffer:
        yield _records_to_batch(buffer, source, default_source)


def _list_files(spark: SparkSession, path: str) -> list[tuple[str, int]]:
    files = fs.list_files(spark, path)
    if not files:
        raise InputError(f"input {path} matches no files")
    return files


def _parquet_frame(spark: SparkSession, files: list[str], root: str, spec: InputSpec,
                   default_source: str, max_document_bytes: int) -> DataFrame:
    """Parquet documents in the raw-record shape, with the parsers' document checks done in Spark SQL."""
    frame = spark.read.parquet(*files)
    columns = set(frame.columns)
    if not {"text", "html"} & columns:
        raise InputError(f"{spec.path}: parquet input needs a 'text' or 'html' column, has {sorted(columns)}")
    known = {"id", "source", "url", "title", "text", "html"}
    others = sorted(columns - known)

    def column(name: str):
        return F.col(name).cast("string") if name in columns else F.lit(None).cast("string")

    source = F.lit(spec.source) if spec.source else F.coalesce(column("source"), F.lit(default_source))
    payload = F.coalesce(column("text"), column("html"))
    raw_bytes = F.coalesce(F.octet_length(payload), F.lit(0)).cast("long")
    problem = (
        F.when(raw_bytes > max_document_bytes, F.lit("document_too_large"))
        .when(payload.isNull() | payload.rlike(r"(?U)^\s*\z"), F.lit("missing_text"))
        .when(F.instr(payload, "\u0000") > 0, F.lit("nul_bytes"))
    )
    file_path = F.col("_metadata.file_path")
    locator = F.when(file_path.startswith(root + "/"), F.expr(f"substring(_metadata.file_path, {len(root) + 2})"))
    return frame.select(
        column("id").alias("id"), source.alias("source"), column("url").alias("url"),
        column("title").alias("title"), column("text").alias("text"), column("html").alias("html"),
        (F.to_json(F.struct(*others)) if others else F.lit(None).cast("string")).alias("meta"),
        F.coalesce(locator, file_path).alias("path"), F.col("_metadata.row_index").cast("long").alias("offset"),
        raw_bytes.alias("raw_bytes"), problem.alias("quarantine"), F.lit(None).cast("string").alias("detail"),
        F.lit(None).cast("string").alias("sample"),
    )


def read_raw_records(spark: SparkSession, inputs: list[InputSpec], recipe: Recipe) -> tuple[DataFrame, dict]:
    """All inputs as one raw-record frame (schema :data:`RAW_SCHEMA` plus ``id_given``), and a listing summary.

    Files whose format is unknown, that are empty (Spark's scans would skip them silently) or too large for one
    Spark row become quarantined records (``unknown_format``, ``empty_file``, ``file_too_large``).
    """
    frames, problems, listing = [], [], {"files": 0, "bytes": 0, "estimated_text_bytes": 0}
    default_source = recipe.default_source
    max_bytes = recipe.ingest.max_document_bytes
    for spec in inputs:
        files = _list_files(spark, spec.path)
        root = common_root([p for p, _ in files])
        binary, parquet = [], []
        for path, length in files:
            listing["files"] += 1
            listing["bytes"] += length
            try:
                fmt = detect_format(path, spec.format)
            except ValueError as error:
                problems.append((path, root, spec, length, "unknown_format", str(error)))
                continue
            compressed = path.lower().endswith((".gz", ".bz2", ".zst"))
            listing["estimated_text_bytes"] += length * (4 if compressed else 1)
            if length == 0:
                problems.append((path, root, spec, length, "empty_file", "the file has no bytes"))
            elif fmt == "parquet":
                parquet.append(path)
            elif length > _MAX_FILE_BYTES:
                problems.append((path, root, spec, length, "file_too_large", f"{length} bytes in one file"))
            else:
                binary.append(path)
        if binary:
            raw = spark.read.format("binaryFile").load(binary).select("path", "content")
            frames.append(raw.mapInArrow(
                lambda batches, root=root, spec=spec: parse_binary_batches(
                    batches, root, spec.source, spec.format, default_source, max_bytes),
                spark_schema(RAW_SCHEMA),
            ))
        if parquet:
            frames.append(_parquet_frame(spark, parquet, root, spec, default_source, max_bytes))
    if problems:
        rows = [
            {**{name: None for name in RAW_SCHEMA.names}, "source": spec.source or default_source,
             "path": relative_locator(path, root), "offset": 0, "raw_bytes": length, "quarantine": reason,
             "detail": detail}
            for path, root, spec, length, reason, detail in problems
        ]
        frames.append(spark.createDataFrame(rows, schema=spark_schema(RAW_SCHEMA)))
    records = frames[0]
    for frame in frames[1:]:
        records = records.unionByName(frame)
    derived = F.substring(F.sha2(F.concat_ws("\u0000", "source", "path", F.col("offset").cast("string")), 256), 1, 32)
    records = records.withColumn("id_given", F.col("id").isNotNull()).withColumn("id", F.coalesce("id", derived))
    return records, listing
