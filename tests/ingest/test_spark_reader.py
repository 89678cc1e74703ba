"""The Spark reader's pure parts: Arrow batches of raw records, parquet schema grouping (no Spark session)."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from pyspark.sql import types as T

from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest import spark_reader
from corpus_pipeline.ingest.record import RawRecord
from corpus_pipeline.ingest.spark_reader import (
    RAW_SCHEMA,
    _merge_groups,
    _records_to_batch,
    _row_count,
    _schema_problem,
    common_root,
    parse_binary_batches,
)


def test_a_record_with_a_lone_surrogate_is_quarantined_and_its_batch_kept():
    records = [
        RawRecord(path="a.jsonl", offset=0, raw_bytes=5, text="good"),
        RawRecord(path="a.jsonl", offset=1, raw_bytes=9, id="x", title="t\ud800", text="bad title"),
        RawRecord(path="a.jsonl", offset=2, raw_bytes=6, text="good 2", meta='{"k": "\udfff"}'),
    ]
    batch = _records_to_batch(records, "web", "default")
    assert batch.schema == RAW_SCHEMA
    rows = batch.to_pylist()
    assert [(r["offset"], r["text"], r["quarantine"]) for r in rows] == [
        (0, "good", None),
        (1, None, q.INVALID_UNICODE),
        (2, None, q.INVALID_UNICODE),
    ]
    assert rows[1]["detail"] == "field title holds a lone surrogate U+D800 at character 1"
    assert rows[1]["id"] == "x" and rows[1]["sample"] == "bad title" and rows[1]["raw_bytes"] == 9
    assert rows[2]["detail"].startswith("field meta holds")
    assert {r["source"] for r in rows} == {"web"}


def test_a_clean_batch_is_built_as_it_is():
    records = [RawRecord(path="a", offset=i, raw_bytes=1, text=f"t{i}", source=None) for i in range(3)]
    rows = _records_to_batch(records, None, "default").to_pylist()
    assert [(r["text"], r["source"], r["quarantine"]) for r in rows] == [(f"t{i}", "default", None) for i in range(3)]


def schema(**columns) -> T.StructType:
    return T.StructType([T.StructField(name, kind) for name, kind in columns.items()])


def test_schemas_with_the_same_types_merge_and_differing_types_stay_apart():
    string, long_, integer = T.StringType(), T.LongType(), T.IntegerType()
    groups = _merge_groups(
        [
            schema(id=long_, text=string),
            schema(id=string, text=string, lang=string),
            schema(id=long_, text=string, lang=string),  # joins the first group: lang is new there
            schema(id=integer, text=string),
            schema(text=string, extra=long_),  # no id: joins the first group
        ]
    )
    assert [(sorted(merged.names), members) for merged, members in groups] == [
        (["extra", "id", "lang", "text"], [0, 2, 4]),
        (["id", "lang", "text"], [1]),
        (["id", "text"], [3]),
    ]
    assert all(f.nullable for merged, _ in groups for f in merged.fields)  # a column a file lacks reads as null


def test_column_names_differing_in_case_do_not_merge():
    groups = _merge_groups([schema(text=T.StringType()), schema(Text=T.StringType())])
    assert len(groups) == 2


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ({"text": T.StringType()}, None),
        ({"html": T.BinaryType(), "id": T.LongType()}, None),
        ({"id": T.StringType(), "body": T.StringType()}, "no 'text' or 'html' column (columns: id, body)"),
        ({"text": T.ArrayType(T.StringType())}, "column 'text' is array<string>, not a string"),
        ({"text": T.StringType(), "html": T.LongType()}, "column 'html' is bigint, not a string"),
    ],
)
def test_schema_problem(columns, problem):
    assert _schema_problem(schema(**columns)) == problem


def test_common_root():
    assert common_root(["file:/a/b/c.jsonl", "file:/a/b/d/e.jsonl", "file:/a/b/x:y.jsonl"]) == "file:/a/b"


def binary_batch(files: dict[str, bytes]) -> pa.RecordBatch:
    """binaryFile rows (path, content) as the reader's mapInArrow receives them."""
    return pa.RecordBatch.from_pydict(
        {"path": list(files), "content": list(files.values())},
        schema=pa.schema([("path", pa.string()), ("content", pa.binary())]),
    )


@pytest.mark.parametrize("flush", [1000, 1, 2, 3])
def test_the_last_record_of_each_warc_file_carries_its_counts(monkeypatch, flush):
    from tests.ingest.test_warc import CRAWL, WET, gz_members

    monkeypatch.setattr(spark_reader, "_FLUSH_RECORDS", flush)  # batches cut everywhere, also right after a file
    files = {
        "file:/in/a.warc.gz": gz_members(CRAWL),
        "file:/in/b.jsonl": b'{"text": "x"}\n{"text": "y"}\n',
        "file:/in/c.warc": b"".join(CRAWL[:2]),
        "file:/in/d.warc.wet": b"".join(WET),
    }
    batches = list(parse_binary_batches(iter([binary_batch(files)]), "file:/in", "web", None, "default", 2**20))
    assert all(batch.schema == RAW_SCHEMA for batch in batches)
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert len(rows) == 4 + 2 + 4 and max(batch.num_rows for batch in batches) <= flush
    carried = {row["path"]: json.loads(row["file_counts"]) for row in rows if row["file_counts"]}
    assert carried == {
        "a.warc.gz": {"records": 8, "documents": 4, "quarantined": 0, "skipped": {"not_html": 1, "not_response": 3}},
        "d.warc.wet": {"records": 5, "documents": 2, "quarantined": 2, "skipped": {"not_conversion": 1}},
    }  # c.warc gives no record (a warcinfo and a request), so nothing carries its counts; JSONL has none
    last = {row["path"]: row for row in rows}
    assert last["a.warc.gz"]["file_counts"] and last["d.warc.wet"]["file_counts"]


def test_counts_survive_a_batch_rebuilt_for_a_lone_surrogate():
    records = [
        RawRecord(path="a.warc", offset=0, raw_bytes=1, html="<p>\ud800</p>"),
        RawRecord(path="a.warc", offset=1, raw_bytes=1, html="<p>ok</p>"),
    ]
    rows = _records_to_batch(records, None, "default", [None, '{"records": 2}']).to_pylist()
    assert [(r["quarantine"], r["file_counts"]) for r in rows] == [(q.INVALID_UNICODE, None), (None, '{"records": 2}')]


class _Blocks(list):
    """A stand-in for the Java list of a footer's BlockMetaData (py4j gives toString and size)."""

    def __init__(self, rows: list[int], text: str):
        super().__init__(type("Block", (), {"getRowCount": lambda self, n=n: n})() for n in rows)
        self.text = text

    def toString(self) -> str:  # the Java method
        return self.text

    def size(self) -> int:
        return len(self)


def test_footer_row_count_from_the_block_list_text_or_block_by_block():
    text = "[BlockMetaData{5, 426, rowIndexOffset = 0 [...]}, BlockMetaData{17, 90, rowIndexOffset = 5 [...]}]"
    assert _row_count(_Blocks([5, 17], text)) == 22
    assert _row_count(_Blocks([5, 17], "[RowGroup(5), RowGroup(17)]")) == 22  # a text it does not understand
    assert _row_count(_Blocks([], "[]")) == 0
