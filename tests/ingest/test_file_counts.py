"""The per-file check of the clean stage's rows against WARC record counts and parquet footer row counts, on small
result frames built by hand (Spark local mode)."""

from __future__ import annotations

import hashlib
import json

import pytest

from corpus_pipeline.clean.batch import RESULT_SCHEMA
from corpus_pipeline.ingest.file_counts import check_file_counts, empty_stats
from corpus_pipeline.ingest.spark_reader import CountedFile, CountedFiles
from corpus_pipeline.recipe import load_recipe
from corpus_pipeline.schema import spark_schema
from corpus_pipeline.stage.stats import ConservationError
from tests.ingest.test_warc import CRAWL, GOOD
from tests.spark_session import module_session

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


def counts(records: int, documents: int, quarantined: int, **skipped: int) -> str:
    return json.dumps({"records": records, "documents": documents, "quarantined": quarantined, "skipped": skipped})


def result(spark, rows: list[tuple[str, str | None]]):
    """A result frame with one row per ``(path, file_counts)``: kept documents."""
    return spark.createDataFrame(
        [
            {
                **{f.name: None for f in RESULT_SCHEMA},
                "outcome": "kept",
                "source": "web",
                "path": path,
                "offset": i,
                "file_counts": carried,
            }
            for i, (path, carried) in enumerate(rows)
        ],
        schema=spark_schema(RESULT_SCHEMA),
    )


def checked(spark, rows, files, others=()):
    frame, stats, cached = check_file_counts(
        spark, result(spark, rows), CountedFiles(files, set(others)), load_recipe()
    )
    try:
        return frame.collect(), stats
    finally:
        cached.unpersist()


def warc(path: str, uri: str | None = None) -> CountedFile:
    return CountedFile(uri or f"file:/in/{path}", path, "web", "warc")


def test_rows_that_match_the_counts_give_the_warc_stats(spark):
    rows = (
        [("a.warc", None)] * 4
        + [("a.warc", counts(7, 3, 2, not_response=2))]
        + [("b.warc", counts(2, 1, 0, not_html=1))]
    )
    out, stats = checked(spark, rows, [warc("a.warc"), warc("b.warc")])
    assert len(out) == 6
    assert stats == {
        **empty_stats(),
        "warc": {
            "files": 2,
            "records": 9,
            "documents": 4,
            "quarantined": 2,
            "skipped": {"not_html": 1, "not_response": 2},
        },
    }


def test_a_row_lost_after_the_parser_fails_the_stage(spark):
    rows = [("a.warc", None)] * 2 + [("a.warc", counts(4, 3, 1))]  # the parser emitted 4 records, 3 rows arrived
    with pytest.raises(
        ConservationError,
        match=r"1 WARC file\(s\) \(a.warc: the stage has 3 rows for 3 documents "
        r"\+ 1 quarantined",
    ):
        checked(spark, rows, [warc("a.warc")])


def test_counts_that_do_not_balance_fail_the_stage(spark):
    with pytest.raises(ConservationError, match="a.warc: the parser counted 5 records but 1 documents"):
        checked(spark, [("a.warc", counts(5, 1, 0, not_response=1))], [warc("a.warc")])


def test_two_carriers_for_one_file_fail_the_stage(spark):
    with pytest.raises(ConservationError, match="2 rows carry counts for 1 files"):
        checked(spark, [("a.warc", counts(1, 1, 0))] * 2, [warc("a.warc")])


def test_a_warc_file_that_gave_no_record_is_counted_again(spark, tmp_path):
    (tmp_path / "skipped only.warc").write_bytes(b"".join(CRAWL[:2]))  # warcinfo and a request
    files = [warc("a.warc"), warc("skipped only.warc", f"file:{tmp_path}/skipped only.warc")]
    out, stats = checked(spark, [("a.warc", counts(1, 1, 0))], files)
    assert len(out) == 1
    assert stats["warc"] == {"files": 2, "records": 3, "documents": 1, "quarantined": 0, "skipped": {"not_response": 2}}


def test_a_warc_file_whose_records_all_vanished_fails_the_stage(spark, tmp_path):
    (tmp_path / "x.warc").write_bytes(b"".join(GOOD))
    with pytest.raises(ConservationError, match="x.warc: the stage has 0 rows, the parser counts 4 records emitted"):
        checked(spark, [], [warc("x.warc", f"file:{tmp_path}/x.warc")])


def test_a_parquet_file_short_of_its_footer_rows_gets_one_quarantine_record(spark):
    files = [
        CountedFile("file:/in/p.parquet", "p.parquet", "pq", "parquet", 10),
        CountedFile("file:/in/ok.parquet", "ok.parquet", "pq", "parquet", 2),
    ]
    out, stats = checked(spark, [("p.parquet", None)] * 6 + [("ok.parquet", None)] * 2, files)
    [added] = [row for row in out if row["outcome"] == "quarantined"]
    assert (added["reason"], added["source"], added["path"], added["offset"]) == (
        "corrupt_parquet",
        "pq",
        "p.parquet",
        10,
    )
    assert added["id"] == hashlib.sha256(b"pq\x00p.parquet\x0010").hexdigest()[:32]
    assert (
        added["detail"] == "6 of the 10 rows its footer counts could be read: a damaged page ended the read of the file"
    )
    assert (added["bytes_in"], added["bytes_out"], added["raw_bytes"]) == (0, 0, 0)
    assert len(out) == 9
    assert stats["parquet"] == {"files": 2, "rows": 12, "damaged_files": 1}


def test_a_path_shared_with_a_file_of_another_kind_is_not_checked(spark):
    rows = [("x.warc", None), ("x.warc", None), ("x.warc", counts(1, 1, 0))]  # two rows of a JSONL file beside
    out, stats = checked(spark, rows, [warc("x.warc")], others={"x.warc"})
    assert len(out) == 3 and stats["unchecked_paths"] == 1 and stats["warc"]["documents"] == 1


def test_files_sharing_a_path_are_checked_together(spark):
    rows = [("x.warc", counts(1, 1, 0)), ("x.warc", counts(2, 1, 0, not_response=1))]
    files = [warc("x.warc", "file:/one/x.warc"), warc("x.warc", "file:/two/x.warc")]
    _, stats = checked(spark, rows, files)
    assert stats["warc"] == {"files": 2, "records": 3, "documents": 2, "quarantined": 0, "skipped": {"not_response": 1}}
    with pytest.raises(ConservationError, match="x.warc: the stage has 3 rows for 2 documents"):
        checked(spark, [*rows, ("x.warc", None)], files)


def test_no_counted_file_costs_nothing(spark):
    frame = result(spark, [("a.jsonl", None)])
    out, stats, cached = check_file_counts(spark, frame, CountedFiles(), load_recipe())
    assert out is frame and cached is None and stats == empty_stats()
    assert not frame.is_cached
