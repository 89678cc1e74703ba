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


def test_commit_refuses_an_output_that_would_destroy_an_input_or_foreign_data(spark, tmp_path):
    from corpus_pipeline.stage.safety import UnsafeOutputError, output_policy

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text('{"text": "x"}\n')
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "data.csv").write_text("1,2")
    called = []
    for output, inputs, expected in [
        (raw, [str(raw)], "it is the input"),
        (raw, [f"file://{raw}/"], "it is the input"),
        (raw / "clean", [str(raw)], "is inside the input"),
        (tmp_path, [str(raw / "a.jsonl")], "contains the input"),
        (tmp_path / "notes.txt", [str(raw)], "it is an existing file"),
        (tmp_path / "mine", [str(raw)], "not a corpus-pipeline stage output"),
    ]:
        with pytest.raises(UnsafeOutputError, match=expected):
            commit_stage(spark, str(output), FINGERPRINT, lambda staging: called.append(staging), inputs)
    with output_policy(overwrite=True):  # --overwrite replaces what is not ours, never an input
        with pytest.raises(UnsafeOutputError, match="it is the input"):
            commit_stage(spark, str(raw), FINGERPRINT, lambda staging: called.append(staging), [str(raw)])
        commit_stage(spark, str(tmp_path / "mine"), FINGERPRINT, write_rows(spark, ["a"]), [str(raw)])
        commit_stage(spark, str(tmp_path / "notes.txt"), FINGERPRINT, write_rows(spark, ["b"]), [str(raw)])
    assert called == [] and (raw / "a.jsonl").exists()
    assert kept_ids(spark, tmp_path / "mine") == ["a"] and kept_ids(spark, tmp_path / "notes.txt") == ["b"]


def test_commit_holds_the_output_lock_and_refuses_a_locked_output(spark, tmp_path):
    import os
    import subprocess
    import sys

    from corpus_pipeline.stage.lock import LockedError, owner_record, process_start_time

    output = tmp_path / "clean"
    lock = tmp_path / ".clean.lock"
    seen = []

    def write(staging):
        seen.append(json.loads(lock.read_text())["pid"])
        return write_rows(spark, ["a"])(staging)

    commit_stage(spark, str(output), FINGERPRINT, write)
    assert seen == [os.getpid()] and not lock.exists()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock.write_text(
            json.dumps({**owner_record("x" * 32), "pid": other.pid, "pid_start": process_start_time(other.pid)})
        )
        with pytest.raises(
            LockedError,
            match=rf"{output} is in use by another run: lock {lock} is held by pid "
            rf"{other.pid} on ",
        ):
            commit_stage(spark, str(output), FINGERPRINT, write)
    finally:
        other.kill()
        other.wait()
    assert seen == [os.getpid()] and kept_ids(spark, output) == ["a"]
    commit_stage(spark, str(output), FINGERPRINT, write_rows(spark, ["b"]))  # its owner is gone: taken over
    assert kept_ids(spark, output) == ["b"] and not lock.exists()


def test_the_hadoop_view_places_local_paths_as_python_does(spark, tmp_path):
    import os

    from corpus_pipeline.stage.safety import HadoopView, LocalView

    (tmp_path / "in").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "in")
    relative = os.path.relpath(tmp_path, os.getcwd())  # relative to the JVM's working folder too
    hadoop, local = HadoopView(spark), LocalView()
    for path in (
        f"{relative}/in",
        f"./{relative}/in/",
        f"file:{tmp_path}/in",
        f"file://{tmp_path}/in",
        f"{tmp_path}/link",
        f"{tmp_path}/in/../in/x",
        f"{tmp_path}/missing/y",
    ):
        assert hadoop.locate(path) == local.locate(path), path
    assert hadoop.locate(f"{tmp_path}/link") == hadoop.locate(f"{tmp_path}/in")
    assert hadoop.status(hadoop.locate(f"{tmp_path}/in")) == "dir"
    assert hadoop.status(hadoop.locate(f"{tmp_path}/missing")) == "missing"


def test_the_lock_through_hadoop_s_file_system(spark, tmp_path, monkeypatch):
    """HDFS and S3 locks go through FileSystem.create(path, overwrite=false); exercised here on file: paths."""
    import os
    import subprocess
    import sys
    import time

    from corpus_pipeline.stage import lock as output_lock
    from corpus_pipeline.stage.lock import HadoopStore, LockedError, acquire, owner_record, release

    store = HadoopStore(spark)
    path = f"file://{tmp_path}/.x.lock"
    assert store.create(path, "first") and not store.create(path, "second")
    text, modified = store.read(path)
    assert text == "first" and abs(modified - time.time()) < 120
    store.touch(path)
    store.delete(path)
    assert store.read(path) is None

    monkeypatch.setattr(output_lock, "store_for", lambda spark_, where: (store, f"file://{os.path.abspath(where)}"))
    lock_file = tmp_path / ".out.lock"
    lock = acquire(spark, str(tmp_path / "out"))
    assert json.loads(lock_file.read_text())["token"] == lock.token
    release(lock)
    assert not lock_file.exists()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        lock_file.write_text(json.dumps({**owner_record("z" * 32), "pid": live.pid, "pid_start": None}))
        with pytest.raises(LockedError, match=f"held by pid {live.pid}"):
            acquire(spark, str(tmp_path / "out"))
    finally:
        live.kill()
        live.wait()
    lock_file.write_text(json.dumps({**owner_record("z" * 32), "pid": dead.pid, "pid_start": None}))
    lock = acquire(spark, str(tmp_path / "out"))
    assert f"process {dead.pid} on this host is gone" in lock.took_over
    release(lock)
    assert not lock_file.exists() and not list(tmp_path.glob(".out.lock.stale-*"))
