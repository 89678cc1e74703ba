"""Reading the clean stage's inputs with Spark: one raw-record frame for every file format.

Files are listed (:func:`corpus_pipeline.io.fs.list_input`) and read through Spark's ``binaryFile`` source (any
Hadoop file system), parsed per file in an Arrow-batched ``mapInArrow`` by
:func:`corpus_pipeline.ingest.parsers.parse_file`; parquet inputs are read natively. Each record's locator is
its path relative to the input's root (the deepest folder holding all its files), so ids derived from (source,
locator, offset) do not change when a tree moves between machines or file systems.

Parquet files are read in groups: the driver reads every file's footer (in threads: one or two small reads per
file, no data), groups the files by schema, merges schemas whose shared columns have the same types, and reads
each group natively with its merged schema; each group is cast to the raw-record columns (ids of any atomic type
become strings), so groups whose types differ are unioned safely. A file whose footer cannot be read is
quarantined whole (``unreadable_parquet``), as is one whose columns cannot be documents (``incompatible_schema``:
no ``text``/``html`` column, a ``text`` that is not a string, a type Spark cannot read).

The last record of every WARC / WET file carries the file's :class:`~corpus_pipeline.ingest.warc.WarcCounts` as
JSON in the ``file_counts`` column. When the caller passes a :class:`CountedFiles` (the clean stage does), it is
filled with the WARC / WET and parquet files read (with each parquet file's row count from its footer), and parquet
files are read with ``ignoreCorruptFiles`` (a damaged data page ends that file's read instead of the stage):
:func:`~corpus_pipeline.ingest.file_counts.check_file_counts` then checks the stage's rows per file against those
counts and quarantines what a damaged parquet file did not give.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, field, fields
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from corpus_pipeline.errors import InputError
from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest.formats import detect_format
from corpus_pipeline.ingest.parsers import WARC_FORMATS, encodable, parse_file
from corpus_pipeline.ingest.record import RawRecord
from corpus_pipeline.ingest.warc import WarcCounts
from corpus_pipeline.io import fs
from corpus_pipeline.recipe import InputSpec, Recipe
from corpus_pipeline.schema import spark_schema

RAW_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("html", pa.string()),
        ("meta", pa.string()),
        ("path", pa.string()),
        ("offset", pa.int64()),
        ("raw_bytes", pa.int64()),
        ("quarantine", pa.string()),
        ("detail", pa.string()),
        ("sample", pa.string()),
        ("file_counts", pa.string()),  # on the last record of a WARC / WET file: its WarcCounts as JSON
    ]
)
_RECORD_FIELDS = [f.name for f in fields(RawRecord)]
_MAX_FILE_BYTES = 2**31 - 1  # Spark's binaryFile cannot hold more in one row
_FLUSH_RECORDS, _FLUSH_BYTES = 1000, 64 * 2**20
_FOOTER_THREADS = 16
_SPARK_ROW_METADATA = "org.apache.spark.sql.parquet.row.metadata"  # the Spark schema Spark writers store
_BLOCK_ROWS = re.compile(r"BlockMetaData\{(\d+),")
_KEY_COLUMNS = ("id", "source", "url", "title")
_PAYLOAD_COLUMNS = ("text", "html")


@dataclass(frozen=True)
class CountedFile:
    """An input file whose rows the stage checks against a count: a WARC / WET file (its parser's
    :class:`WarcCounts`) or a parquet file (``rows``: the row count in its footer)."""

    uri: str
    path: str  # the locator written into its records
    source: str  # the source its records get (a parquet file's rows may name their own; this is the fallback)
    fmt: str  # "warc", "wet" or "parquet"
    rows: int | None = None


@dataclass
class CountedFiles:
    """The files :func:`read_raw_records` lists for :func:`~corpus_pipeline.ingest.file_counts.check_file_counts`.

    ``files`` are the counted files; ``others`` the locators of every other file listed (parsed formats, files
    quarantined whole): a locator two inputs share with a file of another kind cannot be checked (its rows cannot
    be told apart).
    """

    files: list[CountedFile] = field(default_factory=list)
    others: set[str] = field(default_factory=set)


def derived_id(source: Column, path: Column, offset: Column) -> Column:
    """The id of a record whose input gives none: the first 32 hex digits of SHA-256 over (source, path, offset)."""
    return F.substring(F.sha2(F.concat_ws("\u0000", source, path, offset.cast("string")), 256), 1, 32)


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


def _records_to_batch(
    records: list[RawRecord], source: str | None, default_source: str, file_counts: list[str | None] | None = None
) -> pa.RecordBatch:
    """The raw-record batch of ``records`` (``file_counts``: the column's values, one per record; default null).

    A record whose strings UTF-8 cannot encode (a lone surrogate from a JSON escape) fails the whole batch; only
    then is every record checked, and such records quarantined (``invalid_unicode``), so the check costs nothing
    on batches without one."""
    try:
        return _build_batch(records, source, default_source, file_counts)
    except (UnicodeEncodeError, pa.ArrowException):
        return _build_batch([encodable(record) for record in records], source, default_source, file_counts)


def _build_batch(
    records: list[RawRecord], source: str | None, default_source: str, file_counts: list[str | None] | None
) -> pa.RecordBatch:
    columns = list(zip(*(astuple(r) for r in records)))
    data = dict(zip(_RECORD_FIELDS, columns))
    data["source"] = [source or s or default_source for s in data["source"]]
    data["file_counts"] = file_counts if file_counts is not None else [None] * len(records)
    return pa.RecordBatch.from_pydict({name: list(data[name]) for name in RAW_SCHEMA.names}, schema=RAW_SCHEMA)


def parse_binary_batches(
    batches: Iterator[pa.RecordBatch],
    root: str,
    source: str | None,
    format_override: str | None,
    default_source: str,
    max_document_bytes: int,
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: binaryFile rows (path, content) in, raw records out.

    The last record of each WARC / WET file carries the file's :class:`WarcCounts` as JSON in ``file_counts`` (a
    batch is flushed before a record is added, never after, so that record is still buffered when the file ends).
    A WARC file that gives no record (only skipped ones) carries nothing:
    :func:`~corpus_pipeline.ingest.file_counts.check_file_counts` counts such files again."""
    buffer: list[RawRecord] = []
    carried: list[str | None] = []
    buffered = 0
    for batch in batches:
        paths = batch.column("path").to_pylist()
        contents = batch.column("content")
        for i, path in enumerate(paths):
            data = contents[i].as_py() or b""
            fmt = detect_format(path, format_override)
            counts = WarcCounts() if fmt in WARC_FORMATS else None
            emitted = 0
            for record in parse_file(
                data, relative_locator(path, root), fmt, max_document_bytes=max_document_bytes, counts=counts
            ):
                if len(buffer) >= _FLUSH_RECORDS or buffered >= _FLUSH_BYTES:
                    yield _records_to_batch(buffer, source, default_source, carried)
                    buffer, carried, buffered = [], [], 0
                buffer.append(record)
                carried.append(None)
                buffered += record.raw_bytes
                emitted += 1
            if counts is not None and emitted:
                carried[-1] = json.dumps(counts.as_dict(), sort_keys=True)
    if buffer:
        yield _records_to_batch(buffer, source, default_source, carried)


class _FooterReader:
    """Reads parquet footers (the schema and the row count) on the driver through Hadoop's file system.

    The JVM classes are looked up once: a py4j class lookup costs as much as the footer read of a small local
    file. ``converted`` caches schema conversions by parquet message type (each distinct schema once).
    """

    def __init__(self, spark: SparkSession, uris: list[str]):
        jvm = spark.sparkContext._jvm
        self.conf = spark.sparkContext._jsc.hadoopConfiguration()
        if fs.spark_read_paths(uris)[1]:  # local names with ':': read without the checksum layer
            self.conf = jvm.org.apache.hadoop.conf.Configuration(self.conf)
            for key, value in fs.RAW_LOCAL_OPTIONS.items():
                self.conf.set(key, value)
        self.path = jvm.org.apache.hadoop.fs.Path
        self.reader = jvm.org.apache.parquet.hadoop.ParquetFileReader
        self.no_filter = jvm.org.apache.parquet.format.converter.ParquetMetadataConverter.NO_FILTER
        self.converter = jvm.org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter(
            spark._jsparkSession.sessionState().conf()
        )
        self.converted: dict[str, str] = {}

    def __call__(self, uri: str) -> tuple[str, str, int] | str:
        """The Spark schema of one parquet file, as Spark's parquet source derives it (the schema Spark writers
        store, else the parquet message type converted), and its row count: ``("schema", JSON, rows)``, or
        ``("unsupported", why, rows)`` when Spark cannot read a type (nanosecond timestamps...); a plain string
        says why the footer cannot be read."""
        try:
            footer = self.reader.readFooter(self.conf, self.path(uri), self.no_filter)
            meta, rows = footer.getFileMetaData(), _row_count(footer.getBlocks())
            stored = meta.getKeyValueMetaData().get(_SPARK_ROW_METADATA)
            if stored:
                return "schema", str(stored), rows
            message = meta.getSchema()
            key = str(message)
            if key not in self.converted:
                try:
                    self.converted[key] = "schema:" + str(self.converter.convert(message).json())
                except fs.JVM_ERRORS as error:
                    self.converted[key] = "unsupported:" + fs.java_message(error)
            kind, _, text = self.converted[key].partition(":")
            return kind, text, rows
        except fs.JVM_ERRORS as error:
            return fs.java_message(error)


def _row_count(blocks) -> int:
    """The rows of a footer's row groups (a Java list of ``BlockMetaData``), read from the list's text in one JVM
    call (``[BlockMetaData{ROWS, BYTES ...}, ...]``); row group by row group (a call each) if that text is not
    understood."""
    found = _BLOCK_ROWS.findall(str(blocks.toString()))
    if len(found) == int(blocks.size()):
        return sum(map(int, found))
    return sum(int(block.getRowCount()) for block in blocks)


def _footers(spark: SparkSession, uris: list[str]) -> list[tuple[str, str, int] | str]:
    """The schema and row count (or why there are none) of every parquet file, read on the driver in threads: one
    small read per file (two on object stores), no data."""
    read = _FooterReader(spark, uris)
    if len(uris) == 1:
        return [read(uris[0])]
    with ThreadPoolExecutor(min(_FOOTER_THREADS, len(uris))) as pool:
        return list(pool.map(read, uris))


def _schema_problem(schema: T.StructType) -> str | None:
    """Why files of ``schema`` cannot be read as documents, or None."""
    payload = [f for f in schema.fields if f.name in _PAYLOAD_COLUMNS]
    if not payload:
        return f"no 'text' or 'html' column (columns: {', '.join(schema.names)})"
    for f in payload:
        if not isinstance(f.dataType, (T.StringType, T.BinaryType)):
            return f"column '{f.name}' is {f.dataType.simpleString()}, not a string"
    return None


def _merge_groups(schemas: list[T.StructType]) -> list[tuple[T.StructType, list[int]]]:
    """``schemas`` gathered into groups whose shared columns have the same names and types (a column missing from
    a file reads as null), each with its merged schema and the indexes of its members."""
    groups: list[tuple[dict[str, T.StructField], list[int]]] = []
    for index, schema in enumerate(schemas):
        for columns, members in groups:
            clash = any(
                (found := columns.get(f.name.lower())) is not None
                and (found.name != f.name or found.dataType != f.dataType)
                for f in schema.fields
            )
            if not clash:
                for f in schema.fields:
                    columns.setdefault(f.name.lower(), T.StructField(f.name, f.dataType, True))
                members.append(index)
                break
        else:
            groups.append(({f.name.lower(): T.StructField(f.name, f.dataType, True) for f in schema.fields}, [index]))
    return [(T.StructType(list(columns.values())), members) for columns, members in groups]


def _quoted(name: str) -> Column:
    """A top-level column by its exact name (dots, spaces and backticks in it are not syntax)."""
    return F.col("`" + name.replace("`", "``") + "`")


def _as_string(name: str, schema: T.StructType) -> Column:
    """A key column (id, source, url, title) as a string: atomic types cast, NaN and ±Infinity null, complex
    types as JSON (as the JSONL reader does)."""
    if name not in schema.names:
        return F.lit(None).cast("string")
    column, kind = _quoted(name), schema[name].dataType
    if isinstance(kind, T.StringType):
        return column
    if isinstance(kind, (T.FloatType, T.DoubleType)):
        finite = ~(F.isnan(column) | column.isin(float("inf"), float("-inf")))
        return F.when(finite, column.cast("string"))
    if isinstance(kind, (T.StructType, T.ArrayType, T.MapType)):
        return F.to_json(column)
    return column.cast("string")


def _valid_utf8(column: Column) -> Column:
    return F.coalesce(F.is_valid_utf8(column), F.lit(True))


def _documents(
    frame: DataFrame, schema: T.StructType, root: str, spec: InputSpec, default_source: str, max_document_bytes: int
) -> DataFrame:
    """One group of parquet files in the raw-record shape, with the parsers' document checks done in Spark SQL.

    Strings that are not valid UTF-8 (parquet writers need not check) are quarantined as ``invalid_unicode`` and
    written with U+FFFD in place of the bad bytes (only for those rows), so no worker ever decodes them.
    """
    blank = r"(?U)^\s*\z"
    strings = {name: _as_string(name, schema) for name in _KEY_COLUMNS}
    for name in ("id", "source"):  # blank ids and sources are absent ones
        strings[name] = F.when(~strings[name].rlike(blank), strings[name])
    for name in _PAYLOAD_COLUMNS:
        strings[name] = _quoted(name).cast("string") if name in schema.names else F.lit(None).cast("string")
    others = [name for name in schema.names if name not in (*_KEY_COLUMNS, *_PAYLOAD_COLUMNS)]
    strings["meta"] = F.to_json(F.struct(*[_quoted(n) for n in others])) if others else F.lit(None).cast("string")
    detail = F.coalesce(
        *[
            F.when(
                ~_valid_utf8(column), F.lit(f"{'a meta column' if name == 'meta' else repr(name)} is not valid UTF-8")
            )
            for name, column in strings.items()
        ]
    )
    strings = {
        name: F.when(_valid_utf8(column), column).otherwise(F.make_valid_utf8(column))
        for name, column in strings.items()
    }
    source = F.lit(spec.source) if spec.source else F.coalesce(strings["source"], F.lit(default_source))
    payload = F.coalesce(strings["text"], strings["html"])
    raw_bytes = F.coalesce(F.octet_length(payload), F.lit(0)).cast("long")
    problem = (
        F.when(detail.isNotNull(), F.lit(q.INVALID_UNICODE))
        .when(raw_bytes > max_document_bytes, F.lit(q.DOCUMENT_TOO_LARGE))
        .when(payload.isNull() | payload.rlike(blank), F.lit(q.MISSING_TEXT))
        .when(F.instr(payload, "\u0000") > 0, F.lit(q.NUL_BYTES))
    )
    metadata = frame.metadataColumn("_metadata")
    # _metadata.file_path is a URI (a space is %20); the listing's paths, and the root, are not encoded
    file_path = F.url_decode(F.replace(metadata.getField("file_path"), F.lit("+"), F.lit("%2B")))
    locator = F.when(file_path.startswith(root + "/"), F.substring(file_path, len(root) + 2, 1 << 30))
    return frame.select(
        strings["id"].alias("id"),
        source.alias("source"),
        strings["url"].alias("url"),
        strings["title"].alias("title"),
        strings["text"].alias("text"),
        strings["html"].alias("html"),
        strings["meta"].alias("meta"),
        F.coalesce(locator, file_path).alias("path"),
        metadata.getField("row_index").cast("long").alias("offset"),
        raw_bytes.alias("raw_bytes"),
        problem.alias("quarantine"),
        detail.alias("detail"),
        F.lit(None).cast("string").alias("sample"),
        F.lit(None).cast("string").alias("file_counts"),
    )


def _parquet_frames(
    spark: SparkSession,
    files: list[tuple[str, int]],
    root: str,
    spec: InputSpec,
    default_source: str,
    max_document_bytes: int,
    counted: CountedFiles | None = None,
) -> tuple[list[DataFrame], list[tuple]]:
    """The documents of ``spec``'s parquet files (one frame per schema group) and the files quarantined whole,
    as ``(path, length, reason, detail)``. With ``counted``, the files read are added to it with their footers'
    row counts and read with ``ignoreCorruptFiles`` (the caller checks the rows read against those counts)."""
    uris = [uri for uri, _ in files]
    lengths = dict(files)
    problems: list[tuple] = []
    by_key: dict[tuple[str, str], list[str]] = {}
    rows: dict[str, int] = {}
    for uri, footer in zip(uris, _footers(spark, uris)):
        if isinstance(footer, str):
            problems.append((uri, lengths[uri], q.UNREADABLE_PARQUET, f"cannot read the parquet footer: {footer}"))
        else:
            by_key.setdefault(footer[:2], []).append(uri)
            rows[uri] = footer[2]
    schemas, members = [], []
    for (kind, text), group in by_key.items():
        if kind == "unsupported":
            problem = f"Spark cannot read this schema: {text}"
        else:
            try:
                schema = T.StructType.fromJson(json.loads(text))
                problem = _schema_problem(schema)
            except (ValueError, KeyError, TypeError) as error:
                problem = f"cannot read the Spark schema stored in the footer: {error}"
        if problem is not None:
            problems += [(uri, lengths[uri], q.INCOMPATIBLE_SCHEMA, problem) for uri in group]
        else:
            schemas.append(schema)
            members.append(group)
    if (
        not schemas
        and problems
        and all(p[2] == q.INCOMPATIBLE_SCHEMA and p[3].startswith("no 'text'") for p in problems)
    ):
        raise InputError(f"{spec.path}: parquet input needs a 'text' or 'html' column, {problems[0][3]}")
    frames = []
    for merged, indexes in _merge_groups(schemas):
        group = [uri for index in indexes for uri in members[index]]
        paths, options = fs.spark_read_paths(group)
        if len(paths) == 1 and paths[0] != group[0]:
            fs.quiet_single_path_probe(spark)
        if counted is not None:  # a damaged data page ends its file's read; the rows missing are counted after
            options = {**options, "ignoreCorruptFiles": "true"}
        try:
            frame = spark.read.schema(merged).options(**options).parquet(*paths)
            frames.append(_documents(frame, merged, root, spec, default_source, max_document_bytes))
        except Exception as error:  # noqa: BLE001 - an analysis error (ambiguous column names, ...)
            detail = f"Spark cannot read these columns as documents: {fs.java_message(error)}"
            problems += [(uri, lengths[uri], q.INCOMPATIBLE_SCHEMA, detail) for uri in group]
            continue
        if counted is not None:
            counted.files += [
                CountedFile(uri, relative_locator(uri, root), spec.source or default_source, "parquet", rows[uri])
                for uri in group
            ]
    return frames, problems


def read_raw_records(
    spark: SparkSession, inputs: list[InputSpec], recipe: Recipe, counted: CountedFiles | None = None
) -> tuple[DataFrame, dict]:
    """All inputs as one raw-record frame (schema :data:`RAW_SCHEMA` plus ``id_given``), and a listing summary.

    ``counted``, if given, is filled with the WARC / WET and parquet files read (see :class:`CountedFiles`); the
    caller must then pass the stage's result to :func:`~corpus_pipeline.ingest.file_counts.check_file_counts`,
    which accounts for the rows of damaged parquet files (read with ``ignoreCorruptFiles``).

    Files whose format is unknown, that are empty (Spark's scans would skip them silently), too large for one
    Spark row, or that cannot be read (a broken symbolic link, no permission, a path Spark cannot take) become
    quarantined records (``unknown_format``, ``empty_file``, ``file_too_large``, ``unreadable_file``), as do
    parquet files that cannot be read as documents (``unreadable_parquet``, ``incompatible_schema``). Stage
    outputs of ours inside an input folder are skipped (``listing.skipped_outputs``).
    """
    frames, problems = [], []
    listing: dict[str, Any] = {"files": 0, "bytes": 0, "estimated_text_bytes": 0, "skipped_outputs": []}
    default_source = recipe.default_source
    max_bytes = recipe.ingest.max_document_bytes
    for spec in inputs:
        found = fs.list_input(spark, spec.path)
        if not found.files and not found.problems:
            raise InputError(f"input {spec.path} matches no files")
        listing["skipped_outputs"] += found.skipped
        root = common_root([entry[0] for entry in [*found.files, *found.problems]])
        first_problem = len(problems)
        problems += [(path, root, spec, length, reason, detail) for path, length, reason, detail in found.problems]
        listing["files"] += len(found.problems)
        listing["bytes"] += sum(entry[1] for entry in found.problems)
        binary, parquet = [], []
        for path, length, _ in found.files:
            listing["files"] += 1
            listing["bytes"] += length
            try:
                fmt = detect_format(path, spec.format)
            except ValueError as error:
                problems.append((path, root, spec, length, q.UNKNOWN_FORMAT, str(error)))
                continue
            compressed = path.lower().endswith((".gz", ".bz2", ".zst"))
            listing["estimated_text_bytes"] += length * (4 if compressed else 1)
            unreadable = fs.unreadable_by_spark(path)
            if unreadable is not None:
                problems.append((path, root, spec, length, q.UNREADABLE_FILE, unreadable))
            elif length == 0:
                problems.append((path, root, spec, length, q.EMPTY_FILE, "the file has no bytes"))
            elif fmt == "parquet":
                parquet.append((path, length))
            elif length > _MAX_FILE_BYTES:
                problems.append((path, root, spec, length, q.FILE_TOO_LARGE, f"{length} bytes in one file"))
            else:
                binary.append(path)
                if counted is None:
                    continue
                if fmt in WARC_FORMATS:
                    counted.files.append(
                        CountedFile(path, relative_locator(path, root), spec.source or default_source, fmt)
                    )
                else:
                    counted.others.add(relative_locator(path, root))
        if binary:
            paths, options = fs.spark_read_paths(binary)
            if len(paths) == 1 and paths[0] != binary[0]:
                fs.quiet_single_path_probe(spark)
            raw = spark.read.format("binaryFile").options(**options).load(paths).select("path", "content")
            frames.append(
                raw.mapInArrow(
                    lambda batches, root=root, spec=spec: parse_binary_batches(
                        batches, root, spec.source, spec.format, default_source, max_bytes
                    ),
                    spark_schema(RAW_SCHEMA),
                )
            )
        if parquet:
            parquet_frames, parquet_problems = _parquet_frames(
                spark, parquet, root, spec, default_source, max_bytes, counted
            )
            frames += parquet_frames
            problems += [
                (path, root, spec, length, reason, detail) for path, length, reason, detail in parquet_problems
            ]
        if counted is not None:  # files quarantined whole, parquet ones included
            counted.others.update(relative_locator(entry[0], root) for entry in problems[first_problem:])
    if problems:
        rows = [
            {
                **{name: None for name in RAW_SCHEMA.names},
                "source": spec.source or default_source,
                "path": relative_locator(path, root),
                "offset": 0,
                "raw_bytes": length,
                "quarantine": reason,
                "detail": detail,
            }
            for path, root, spec, length, reason, detail in problems
        ]
        frames.append(spark.createDataFrame(rows, schema=spark_schema(RAW_SCHEMA)))
    records = frames[0]
    for frame in frames[1:]:
        records = records.unionByName(frame)
    derived = derived_id(F.col("source"), F.col("path"), F.col("offset"))
    records = records.withColumn("id_given", F.col("id").isNotNull()).withColumn("id", F.coalesce("id", derived))
    return records, listing
