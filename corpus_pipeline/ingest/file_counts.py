"""The clean stage's rows checked per input file against counts made while reading (issue 17).

**WARC / WET.** The parser counts every record it finds (:class:`~corpus_pipeline.ingest.warc.WarcCounts`: records
== documents + quarantined + skipped) and the Spark reader writes a file's counts, as JSON, on the file's last
record (``file_counts``). The stage's result rows are counted per file here and must equal the file's documents +
quarantined, and the counts must balance: a record lost anywhere between the parser and the result (a batch not
flushed, a row dropped while cleaning) fails the stage with :class:`~corpus_pipeline.stage.stats.ConservationError`.
A WARC file that gave no record at all (only skipped ones: warcinfo, requests, images...) has nothing to carry its
counts: only such files are parsed a second time, counting only (a file that gave records is read once).

**Parquet.** Each file's footer gives its row count, and the files are read with ``ignoreCorruptFiles``, so a
damaged data page ends that file's read instead of aborting the stage. A file whose rows in the result differ from
its footer's count gets one ``corrupt_parquet`` quarantine record standing for the rows that could not be read (the
rows read are kept).

All of it runs in Spark over the stage's result, persisted first (the writer then writes that cached result, so the
inputs are read once); the driver collects one aggregate row and, only when there are any, the locators of WARC
files that gave no record and up to :data:`EXAMPLES` examples of a failed check.

Rows are matched to files by their locator (``path``). Locators shared by counted files of one kind (two inputs
holding the same relative name) are checked together, summed; a locator shared with a file of another kind (a JSONL
file, a file quarantined whole) cannot be told apart and is not checked (``unchecked_paths`` in the stats).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest.formats import detect_format
from corpus_pipeline.ingest.parsers import WARC_FORMATS, parse_file
from corpus_pipeline.ingest.spark_reader import CountedFile, CountedFiles, derived_id
from corpus_pipeline.ingest.warc import SKIP_KINDS, WarcCounts
from corpus_pipeline.io import fs
from corpus_pipeline.recipe import Recipe
from corpus_pipeline.stage.stats import QUARANTINED, ConservationError

EXAMPLES = 5
_COUNTS_TYPE = T.StructType(
    [
        T.StructField("records", T.LongType()),
        T.StructField("documents", T.LongType()),
        T.StructField("quarantined", T.LongType()),
        T.StructField("skipped", T.MapType(T.StringType(), T.LongType())),
    ]
)
_KEYS_SCHEMA = T.StructType(
    [
        T.StructField("path", T.StringType()),
        T.StructField("source", T.StringType()),
        T.StructField("n_warc", T.LongType()),
        T.StructField("n_parquet", T.LongType()),
        T.StructField("parquet_rows", T.LongType()),
        T.StructField("checked", T.BooleanType()),
    ]
)
_SUMS = ("rows", "carriers", "records", "documents", "quarantined", "skipped", *(f"skipped_{k}" for k in SKIP_KINDS))


def empty_stats() -> dict[str, Any]:
    """The ``ingest`` stats of a stage without WARC, WET or parquet input."""
    return {
        "warc": {"files": 0, **WarcCounts().as_dict()},
        "parquet": {"files": 0, "rows": 0, "damaged_files": 0},
        "unchecked_paths": 0,
    }


def _keys(counted: CountedFiles) -> list[tuple]:
    """One row of :data:`_KEYS_SCHEMA` per locator of a counted file."""
    by_path: dict[str, list[CountedFile]] = defaultdict(list)
    for file in counted.files:
        by_path[file.path].append(file)
    rows = []
    for path, files in by_path.items():
        n_warc = sum(f.fmt in WARC_FORMATS for f in files)
        n_parquet = len(files) - n_warc
        checked = path not in counted.others and (n_warc == 0 or n_parquet == 0)
        rows.append((path, files[0].source, n_warc, n_parquet, sum(f.rows or 0 for f in files), checked))
    return rows


def _per_path(result: DataFrame, keys: DataFrame) -> DataFrame:
    """The result's rows of counted locators summed per locator: ``rows``, ``carriers`` (rows carrying a file's
    counts) and the carried counts (``records``, ``documents``, ``quarantined``, ``skipped`` and per skip kind)."""
    parsed = F.from_json(F.col("file_counts"), _COUNTS_TYPE)
    skipped = F.aggregate(F.map_values(parsed.getField("skipped")), F.lit(0).cast("long"), lambda acc, n: acc + n)
    return (
        result.select("path", "file_counts")
        .join(F.broadcast(keys.select("path")), "path", "left_semi")
        .groupBy("path")
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.count("file_counts").alias("carriers"),
            *[F.sum(parsed.getField(name)).alias(name) for name in ("records", "documents", "quarantined")],
            F.sum(skipped).alias("skipped"),
            *[F.sum(parsed.getField("skipped").getItem(kind)).alias(f"skipped_{kind}") for kind in SKIP_KINDS],
        )
    )


def check_file_counts(
    spark: SparkSession, result: DataFrame, counted: CountedFiles, recipe: Recipe
) -> tuple[DataFrame, dict[str, Any], DataFrame | None]:
    """Checks ``result`` (the clean stage's result frame: one row per record, with ``path`` and ``file_counts``)
    against the counts of the files in ``counted`` (filled by
    :func:`~corpus_pipeline.ingest.spark_reader.read_raw_records`).

    :return: the frame to write (``result``, persisted at ``MEMORY_AND_DISK``, with a ``corrupt_parquet`` record
        added per damaged parquet file), the ``ingest`` stats (``warc``: files, records, documents, quarantined,
        skipped per kind; ``parquet``: files, rows in their footers, damaged files; ``unchecked_paths``) and the
        persisted frame to unpersist once written (None when nothing was persisted)
    :raise ConservationError: a WARC file's rows differ from its counted documents + quarantined, or its counts do
        not balance
    """
    if not counted.files:
        return result, empty_stats(), None
    result = result.persist(StorageLevel.MEMORY_AND_DISK)
    joined = None
    try:
        keys = spark.createDataFrame(_keys(counted), schema=_KEYS_SCHEMA)
        joined = keys.join(_per_path(result, keys), "path", "left").fillna(0, subset=list(_SUMS))
        joined = joined.persist(StorageLevel.MEMORY_AND_DISK)
        complete = (F.col("n_warc") > 0) & (F.col("carriers") == F.col("n_warc"))
        emitted = F.col("documents") + F.col("quarantined")
        unbalanced = complete & (F.col("records") != emitted + F.col("skipped"))
        lost = complete & F.col("checked") & (F.col("rows") != emitted)
        surplus = F.col("carriers") > F.col("n_warc")
        recount = (F.col("n_warc") > 0) & (F.col("carriers") < F.col("n_warc"))
        damaged = F.col("checked") & (F.col("n_parquet") > 0) & (F.col("rows") != F.col("parquet_rows"))
        totals = (
            joined.agg(
                *[
                    F.sum(F.when(complete, F.col(name)).otherwise(0)).alias(name)
                    for name in (
                        "records",
                        "documents",
                        "quarantined",
                        "skipped",
                        *(f"skipped_{k}" for k in SKIP_KINDS),
                    )
                ],
                F.sum("n_warc").alias("warc_files"),
                F.sum("n_parquet").alias("parquet_files"),
                F.sum("parquet_rows").alias("parquet_rows"),
                *[
                    F.count(F.when(condition, True)).alias(name)
                    for name, condition in (
                        ("unbalanced", unbalanced),
                        ("lost", lost),
                        ("surplus", surplus),
                        ("recount", recount),
                        ("damaged", damaged),
                        ("unchecked", ~F.col("checked")),
                    )
                ],
            )
            .first()
            .asDict()
        )
        if totals["unbalanced"] or totals["lost"] or totals["surplus"]:
            raise ConservationError(_failures(joined, unbalanced, lost, surplus, totals))
        warc = WarcCounts(
            totals["records"],
            totals["documents"],
            totals["quarantined"],
            {kind: totals[f"skipped_{kind}"] for kind in SKIP_KINDS if totals[f"skipped_{kind}"]},
        )
        other = totals["skipped"] - warc.skipped_total  # kinds outside SKIP_KINDS (none today)
        if other:
            warc.skipped["other"] = other
        if totals["recount"]:
            warc.add(
                _recounted(spark, joined.where(recount).select("path", "rows", "checked").collect(), counted, recipe)
            )
        written = result
        if totals["damaged"]:
            written = result.unionByName(_corrupt_parquet_records(joined.where(damaged), result.schema))
        stats = {
            "warc": {"files": totals["warc_files"], **warc.as_dict()},
            "parquet": {
                "files": totals["parquet_files"],
                "rows": totals["parquet_rows"],
                "damaged_files": totals["damaged"],
            },
            "unchecked_paths": totals["unchecked"],
        }
        return written, stats, result
    except BaseException:
        result.unpersist()
        raise
    finally:
        if joined is not None:
            joined.unpersist()


def _failures(joined: DataFrame, unbalanced: Column, lost: Column, surplus: Column, totals: dict) -> str:
    """The ConservationError message: how many files failed each check, with examples."""
    parts = []
    for name, condition, what in (
        (
            "lost",
            lost,
            (
                "the stage has {rows} rows for {documents} documents + {quarantined} quarantined records "
                "counted by the parser"
            ),
        ),
        (
            "unbalanced",
            unbalanced,
            (
                "the parser counted {records} records but {documents} documents + "
                "{quarantined} quarantined + {skipped} skipped"
            ),
        ),
        ("surplus", surplus, "{carriers} rows carry counts for {n_warc} files"),
    ):
        if totals[name]:
            examples = [
                f"{row['path']}: " + what.format(**row.asDict())
                for row in joined.where(condition).orderBy("path").limit(EXAMPLES).collect()
            ]
            parts.append(f"{totals[name]} WARC file(s) ({'; '.join(examples)})")
    return "conservation check failed: per-file WARC record counts do not match: " + "; ".join(parts)


def _recounted(spark: SparkSession, rows: list, counted: CountedFiles, recipe: Recipe) -> WarcCounts:
    """The summed counts of the WARC files at the locators of ``rows`` (files that gave fewer count carriers than
    there are files: all of them parsed again, counting only), checked against the rows the stage has for them."""
    paths = {row["path"] for row in rows}
    files = [f for f in counted.files if f.path in paths and f.fmt in WARC_FORMATS]
    by_uri = {f.uri: f for f in files}
    limit = recipe.ingest.max_document_bytes
    uris = list(by_uri)
    read_paths, options = fs.spark_read_paths(uris)
    if len(read_paths) == 1 and read_paths[0] != uris[0]:
        fs.quiet_single_path_probe(spark)
    raw = spark.read.format("binaryFile").options(**options).load(read_paths).select("path", "content")
    found = {
        row["path"]: row["counts"]
        for row in raw.mapInArrow(
            lambda batches: _count_batches(batches, {uri: (f.path, f.fmt) for uri, f in by_uri.items()}, limit),
            "path string, counts string",
        ).collect()
    }
    if set(found) != set(by_uri):
        missing = sorted(set(by_uri) - set(found))[:EXAMPLES]
        raise ConservationError(f"conservation check failed: WARC files could not be counted again: {missing}")
    total = WarcCounts()
    per_path: dict[str, WarcCounts] = defaultdict(WarcCounts)
    for uri, text in found.items():
        counts = WarcCounts(**json.loads(text))
        per_path[by_uri[uri].path].add(counts)
        total.add(counts)
    emitted = {path: counts.documents + counts.quarantined for path, counts in per_path.items()}
    problems = [
        f"{row['path']}: the stage has {row['rows']} rows, the parser counts {emitted[row['path']]} records emitted"
        for row in rows
        if row["checked"] and row["rows"] != emitted[row["path"]]
    ]
    if problems:
        raise ConservationError(
            "conservation check failed: per-file WARC record counts do not match: "
            + "; ".join(sorted(problems)[:EXAMPLES])
        )
    return total


def _count_batches(
    batches: Iterator[pa.RecordBatch], files: dict[str, tuple[str, str]], limit: int
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: binaryFile rows in, ``(path, counts JSON)`` out, one per file (records parsed and dropped)."""
    for batch in batches:
        out: dict[str, list] = {"path": [], "counts": []}
        contents = batch.column("content")
        for i, uri in enumerate(batch.column("path").to_pylist()):
            locator, fmt = files.get(uri, (uri, None))
            counts = WarcCounts()
            data = contents[i].as_py() or b""
            for _ in parse_file(data, locator, fmt or detect_format(uri), max_document_bytes=limit, counts=counts):
                pass
            out["path"].append(uri)
            out["counts"].append(json.dumps(counts.as_dict()))
        yield pa.RecordBatch.from_pydict(out, schema=pa.schema([("path", pa.string()), ("counts", pa.string())]))


def _corrupt_parquet_records(damaged: DataFrame, schema: T.StructType) -> DataFrame:
    """One ``corrupt_parquet`` quarantine row (in the result's ``schema``) per damaged parquet locator; its offset is
    the footer's row count (one past the last row), its id derived from it as for any record without one."""
    rows, expected = F.col("rows"), F.col("parquet_rows")
    files = F.when(F.col("n_parquet") > 1, F.format_string(" (%d files share this path)", F.col("n_parquet")))
    values: dict[str, Column] = {
        "outcome": F.lit(QUARANTINED),
        "reason": F.lit(q.CORRUPT_PARQUET),
        "id": derived_id(F.col("source"), F.col("path"), expected),
        "source": F.col("source"),
        "path": F.col("path"),
        "offset": expected,
        "raw_bytes": F.lit(0),
        "bytes_in": F.lit(0),
        "bytes_out": F.lit(0),
        "detail": F.concat(
            F.format_string(
                "%d of the %d rows its footer counts could be read: a damaged page ended the read of the file",
                rows,
                expected,
            ),
            F.coalesce(files, F.lit("")),
        ),
    }
    return damaged.select(*[values.get(f.name, F.lit(None)).cast(f.dataType).alias(f.name) for f in schema.fields])
