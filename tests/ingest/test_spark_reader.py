"""The Spark reader's pure parts: Arrow batches of raw records, parquet schema grouping (no Spark session)."""

from __future__ import annotations

import pytest
from pyspark.sql import types as T

from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest.record import RawRecord
from corpus_pipeline.ingest.spark_reader import (
    RAW_SCHEMA,
    _merge_groups,
    _records_to_batch,
    _schema_problem,
    common_root,
)


def test_a_record_with_a_lone_surrogate_is_quarantined_and_its_batch_kept():
    records = [RawRecord(path="a.jsonl", offset=0, raw_bytes=5, text="good"),
               RawRecord(path="a.jsonl", offset=1, raw_bytes=9, id="x", title="t\ud800", text="bad title"),
               RawRecord(path="a.jsonl", offset=2, raw_bytes=6, text="good 2", meta='{"k": "\udfff"}')]
    batch = _records_to_batch(records, "web", "default")
    assert batch.schema == RAW_SCHEMA
    rows = batch.to_pylist()
    assert [(r["offset"], r["text"], r["quarantine"]) for r in rows] == [
        (0, "good", None), (1, None, q.INVALID_UNICODE), (2, None, q.INVALID_UNICODE)]
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
    groups = _merge_groups([
        schema(id=long_, text=string),
        schema(id=string, text=string, lang=string),
        schema(id=long_, text=string, lang=string),  # joins the first group: lang is new there
        schema(id=integer, text=string),
        schema(text=string, extra=long_),  # no id: joins the first group
    ])
    assert [(sorted(merged.names), members) for merged, members in groups] == [
        (["extra", "id", "lang", "text"], [0, 2, 4]), (["id", "lang", "text"], [1]), (["id", "text"], [3])]
    assert all(f.nullable for merged, _ in groups for f in merged.fields)  # a column a file lacks reads as null


def test_column_names_differing_in_case_do_not_merge():
    groups = _merge_groups([schema(text=T.StringType()), schema(Text=T.StringType())])
    assert len(groups) == 2


@pytest.mark.parametrize(("columns", "problem"), [
    ({"text": T.StringType()}, None),
    ({"html": T.BinaryType(), "id": T.LongType()}, None),
    ({"id": T.StringType(), "body": T.StringType()}, "no 'text' or 'html' column (columns: id, body)"),
    ({"text": T.ArrayType(T.StringType())}, "column 'text' is array<string>, not a string"),
    ({"text": T.StringType(), "html": T.LongType()}, "column 'html' is bigint, not a string"),
])
def test_schema_problem(columns, problem):
    assert _schema_problem(schema(**columns)) == problem


def test_common_root():
    assert common_root(["file:/a/b/c.jsonl", "file:/a/b/d/e.jsonl", "file:/a/b/x:y.jsonl"]) == "file:/a/b"
