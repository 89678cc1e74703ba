"""``corpus-pipeline run`` resumes: a killed driver costs only the interrupted stage, and the result is the same.

Every run here is the real command in its own process (local[2]): a reference run, a run whose whole
process group (driver, JVM, Python workers) is killed with SIGKILL while ``quality`` writes, the same
command again, then ``--from dedup`` and ``--force``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from corpus_eval.demo import build_demo_corpus
from tests.pipeline_outputs import cli_command, cli_env, run_cli, run_outputs, statuses

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    base = tmp_path_factory.mktemp("resume")
    build_demo_corpus(base / "raw", size_mb=0.4, seed=3)
    reference = base / "reference"
    stdout = run_cli(cli_command(base / "raw", reference))
    assert set(statuses(stdout).values()) == {"ran"}
    return base, run_outputs(reference)


def kill_while_writing(command: list[str], staging, timeout: float = 600) -> None:
    """Start ``command``; SIGKILL its process group as soon as ``staging`` exists (the stage is writing)."""
    process = subprocess.Popen(
        command, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + timeout
        while not staging.exists():
            assert process.poll() is None, f"the run ended ({process.returncode}) before {staging} appeared"
            assert time.monotonic() < deadline, f"{staging} did not appear in {timeout} s"
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


def test_a_killed_driver_resumes_at_the_interrupted_stage_with_identical_output(corpus):
    base, reference = corpus
    out = base / "killed"
    command = cli_command(base / "raw", out)
    kill_while_writing(command, out / ".quality.incomplete")
    assert (out / "filter" / "_SUCCESS").exists() and not (out / "quality" / "_SUCCESS").exists()
    assert not (out / "quality").exists()  # only the hidden staging folder was being written

    resumed = run_cli(command)
    assert statuses(resumed) == {"clean": "reused", "filter": "reused", "quality": "ran", "dedup": "ran", "pack": "ran"}
    assert run_outputs(out) == reference
    assert not (out / ".quality.incomplete").exists()

    kept_files = sorted((out / "dedup" / "kept").glob("*.parquet"))
    again = run_cli(command)
    assert set(statuses(again).values()) == {"reused"}
    assert sorted((out / "dedup" / "kept").glob("*.parquet")) == kept_files  # nothing rewritten

    shared = base / "shared-posix" / "pack"  # --pack-output: the shards elsewhere, the report still finds them
    from_dedup = run_cli(command + ["--from", "dedup", "--pack-output", str(shared)])
    assert statuses(from_dedup) == {
        "clean": "reused",
        "filter": "reused",
        "quality": "reused",
        "dedup": "ran",
        "pack": "ran",
    }
    assert {path.name: path.read_bytes() for path in (shared / "shards").iterdir()} == {
        path.name: path.read_bytes() for path in (out / "pack" / "shards").iterdir()
    }
    run_record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_record["outputs"]["pack"] == str(shared)
    assert (
        sum(json.loads((out / "report.json").read_text(encoding="utf-8"))["tokens"].values())
        == reference["manifest"]["tokens"]
    )
    forced = run_cli(command + ["--force"])
    assert set(statuses(forced).values()) == {"ran"}
    assert run_outputs(out) == reference


def test_from_needs_the_earlier_stages_committed(corpus, tmp_path):
    base, _ = corpus
    done = subprocess.run(
        cli_command(base / "raw", tmp_path / "empty", "--from", "quality"),
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2
    assert f"--from quality: {tmp_path / 'empty' / 'clean'} has no _SUCCESS, so clean must run first" in done.stderr


def test_pack_output_must_be_posix_and_is_checked_before_any_stage(corpus, tmp_path):
    base, _ = corpus
    done = subprocess.run(
        cli_command(base / "raw", tmp_path / "run", "--pack-output", "hdfs://namenode/corpus/pack"),
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2 and "needs a local or shared (NFS, Lustre) path, not hdfs://" in done.stderr
    assert not (tmp_path / "run" / "clean").exists()
