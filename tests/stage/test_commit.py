"""Committing stage outputs by rename: complete or absent, never half-written with ``_SUCCESS``."""

from __future__ import annotations

import json

import pytest

from corpus_pipeline.stage.commit import OutputError, commit_stage, staging_path, write_failure
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

FINGERPRINT = {"stage": "test", "fingerprint": "a" * 64}


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request, "local[1]")


def write_rows(spark, rows):
    def write(staging):
        spark.createDataFrame([(row,) for row in rows], "id string").write.parquet(staging + "/kept")
        return {"rows": len(rows)}
    return write


def kept_ids(spark, output):
    return sorted(row.id for row in spark.read.parquet(str(output / "kept")).collect())


def test_staging_is_a_hidden_sibling():
    assert staging_path("hdfs://nn/runs/r1/clean") == "hdfs://nn/runs/r1/.clean.incomplete"
    assert staging_path("/data/out/") == "/data/.out.incomplete"
    assert staging_path("out") == "./.out.incomplete"


def test_commit_moves_the_output_into_place_and_writes_the_fingerprint_last(spark, tmp_path):
    output = tmp_path / "run" / "clean"
    stats = commit_stage(spark, str(output), FINGERPRINT, write_rows(spark, ["a", "b"]))
    assert stats == {"rows": 2} and kept_ids(spark, output) == ["a", "b"]
    assert json.loads((output / "_SUCCESS").read_text()) == FINGERPRINT
    assert not (tmp_path / "run" / ".clean.incomplete").exists()
    # a second commit replaces the output entirely
    commit_stage(spark, str(output), {**FINGERPRINT, "fingerprint": "b" * 64}, write_rows(spark, ["c"]))
    assert kept_ids(spark, output) == ["c"] and json.loads((output / "_SUCCESS").read_text())["fingerprint"] == "b" * 64


def test_a_failing_stage_leaves_the_committed_output_alone_and_no_staging(spark, tmp_path):
    output = tmp_path / "clean"
    commit_stage(spark, str(output), FINGERPRINT, write_rows(spark, ["a"]))

    def fails_halfway(staging):
        write_rows(spark, ["x", "y"])(staging)
        raise RuntimeError("executor lost")

    with pytest.raises(RuntimeError, match="executor lost"):
        commit_stage(spark, str(output), {**FINGERPRINT, "fingerprint": "c" * 64}, fails_halfway)
    assert kept_ids(spark, output) == ["a"] and json.loads((output / "_SUCCESS").read_text()) == FINGERPRINT
    assert not (tmp_path / ".clean.incomplete").exists()


def test_leftovers_of_a_killed_run_are_removed_before_writing(spark, tmp_path):
    output = tmp_path / "dedup"
    leftover = tmp_path / ".dedup.incomplete" / "kept"
    leftover.mkdir(parents=True)
    (leftover / "part-00099.parquet").write_bytes(b"half a file")
    commit_stage(spark, str(output), FINGERPRINT, write_rows(spark, ["a"]))
    assert not (output / "kept" / "part-00099.parquet").exists() and kept_ids(spark, output) == ["a"]


def test_an_output_below_a_file_is_a_clear_error_before_any_work(spark, tmp_path):
    (tmp_path / "file").write_text("")
    called = []
    for output in (tmp_path / "file" / "out", tmp_path / "file" / "sub" / "out"):
        with pytest.raises(OutputError, match=rf"cannot write {output}: a parent of the path is a file, not a folder"):
            commit_stage(spark, str(output), FINGERPRINT, lambda staging: called.append(staging))
    assert called == []


def test_write_failures_are_told_apart_from_job_failures():
    full = RuntimeError("Task failed: OSError: [Errno 28] No space left on device")
    assert write_failure(full, "/out/.pack.incomplete") == "no space left on device"
    denied = RuntimeError("java.nio.file.AccessDeniedException: /out/.clean.incomplete/kept/part-0")
    assert write_failure(denied, "/out/.clean.incomplete") == "permission denied"
    unreadable_input = RuntimeError("java.io.FileNotFoundException: /in/a.jsonl (Permission denied)")
    assert write_failure(unreadable_input, "/out/.clean.incomplete") is None
    try:
        try:
            raise OSError("Read-only file system")
        except OSError as cause:
            raise RuntimeError("job aborted") from cause
    except RuntimeError as chained:
        assert write_failure(chained, "/out/.x.incomplete") == "read-only file system"
    assert write_failure(RuntimeError("division by zero"), "/out/.x.incomplete") is None
