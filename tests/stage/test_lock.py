"""The output lock: atomic create, the owner named in the refusal, stale locks taken over safely, nesting."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from corpus_pipeline.stage import lock as output_lock
from corpus_pipeline.stage.lock import (
    LocalStore,
    LockedError,
    acquire,
    lock_path,
    owner_record,
    process_alive,
    process_start_time,
    release,
    stale_reason,
)
from corpus_pipeline.stage.lock import output_lock as lock_output


@pytest.fixture
def sleeper():
    """A live process that is not this one (a lock held by another process on this host)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield process
    process.kill()
    process.wait()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def write_lock(path, **fields) -> None:
    record = {**owner_record("t" * 32), **fields}
    path.write_text(json.dumps(record))


def test_lock_path_is_a_hidden_sibling():
    assert lock_path("hdfs://nn/runs/r1/clean") == "hdfs://nn/runs/r1/.clean.lock"
    assert lock_path("/data/out/") == "/data/.out.lock"
    assert lock_path("/out") == "/.out.lock"
    assert lock_path("out") == ".out.lock"


def test_the_lock_holds_its_owner_and_is_removed_on_success_and_failure(tmp_path):
    output = tmp_path / "clean"
    lock_file = tmp_path / ".clean.lock"
    with lock_output(None, str(output)) as lock:
        record = json.loads(lock_file.read_text())
        assert (record["pid"], record["host"], record["token"]) == (os.getpid(), socket.gethostname(), lock.token)
        assert record["pid_start"] == process_start_time(os.getpid()) and record["started"]
    assert not lock_file.exists()
    with pytest.raises(RuntimeError, match="stage failed"):
        with lock_output(None, str(output)):
            raise RuntimeError("stage failed")
    assert not lock_file.exists()
    with pytest.raises(KeyboardInterrupt):
        with lock_output(None, str(output)):
            raise KeyboardInterrupt
    assert not lock_file.exists()


def test_a_live_owner_is_named_and_honoured(tmp_path, sleeper):
    lock_file = tmp_path / ".clean.lock"
    write_lock(
        lock_file,
        pid=sleeper.pid,
        pid_start=process_start_time(sleeper.pid),
        user="alice",
        started="2026-01-01T00:00:00+00:00",
    )
    with pytest.raises(LockedError) as refused:
        acquire(None, str(tmp_path / "clean"))
    message = str(refused.value)
    assert (
        f"lock {lock_file} is held by pid {sleeper.pid} on {socket.gethostname()} (user alice) since "
        f"2026-01-01T00:00:00+00:00"
        in message
        and "--break-lock" in message
        and "\n" not in message
    )
    assert json.loads(lock_file.read_text())["pid"] == sleeper.pid  # untouched
    lock = acquire(None, str(tmp_path / "clean"), break_lock=True)
    assert "--break-lock" in lock.took_over and json.loads(lock_file.read_text())["token"] == lock.token
    release(lock)
    assert not lock_file.exists()


def test_a_dead_owner_s_lock_is_taken_over(tmp_path, capsys):
    lock_file = tmp_path / ".clean.lock"
    pid = dead_pid()
    write_lock(lock_file, pid=pid, pid_start=None)
    with lock_output(None, str(tmp_path / "clean"), echo=print) as lock:
        assert json.loads(lock_file.read_text())["token"] == lock.token
        assert f"process {pid} on this host is gone" in lock.took_over
    assert f"took over the lock {lock_file} from pid {pid}" in capsys.readouterr().out
    assert not lock_file.exists() and list(tmp_path.iterdir()) == []  # nothing left aside


def test_a_reused_pid_is_not_mistaken_for_the_owner(sleeper):
    start = process_start_time(sleeper.pid)
    if start is None:
        pytest.skip("no /proc here")
    assert process_alive(sleeper.pid, start) and not process_alive(sleeper.pid, start + 1)
    record = {"host": socket.gethostname(), "pid": sleeper.pid, "pid_start": start + 1}
    assert "is gone" in stale_reason(record, time.time(), time.time(), 600)


def test_another_host_s_lock_is_honoured_until_its_heartbeat_is_old():
    now = time.time()
    record = {"host": "elsewhere.example", "pid": 1}
    assert stale_reason(record, now - 30, now, 600) is None
    assert stale_reason(record, now - 601, now, 600) == "no heartbeat from elsewhere.example for 601 s"
    assert stale_reason(None, now - 5, now, 600) is None  # being written: not yet
    assert stale_reason(None, now - 31, now, 600) == "unreadable lock file"


def test_the_stale_time_is_configurable(tmp_path, monkeypatch):
    lock_file = tmp_path / ".clean.lock"
    write_lock(lock_file, host="elsewhere.example", pid=1)
    old = time.time() - 120
    os.utime(lock_file, (old, old))
    with pytest.raises(LockedError, match="held by pid 1 on elsewhere.example"):
        acquire(None, str(tmp_path / "clean"))
    monkeypatch.setenv(output_lock.STALE_ENV, "60")
    release(acquire(None, str(tmp_path / "clean")))
    monkeypatch.setenv(output_lock.STALE_ENV, "soon")
    with pytest.raises(Exception, match="expected a number of seconds"):
        acquire(None, str(tmp_path / "clean"))


def test_taking_over_gives_back_a_lock_that_changed_hands_meanwhile(tmp_path, monkeypatch, sleeper):
    """B judged a dead owner's lock stale; before B moves it aside, A takes it over. B must give A's lock back."""
    lock_file = tmp_path / ".clean.lock"
    write_lock(lock_file, pid=dead_pid(), pid_start=None)
    real_rename = LocalStore.rename
    swapped = []

    def rename(self, source, target):
        if not swapped and source == str(lock_file):  # A's takeover happens between B's read and B's rename
            swapped.append(True)
            write_lock(lock_file, pid=sleeper.pid, pid_start=process_start_time(sleeper.pid), token="a" * 32)
        return real_rename(self, source, target)

    monkeypatch.setattr(LocalStore, "rename", rename)
    with pytest.raises(LockedError, match=f"held by pid {sleeper.pid}"):
        acquire(None, str(tmp_path / "clean"))
    assert json.loads(lock_file.read_text())["token"] == "a" * 32  # A still holds it
    assert [path.name for path in tmp_path.iterdir()] == [".clean.lock"]


def test_only_one_of_two_takeovers_wins(tmp_path):
    store = LocalStore(str(tmp_path))
    (tmp_path / ".x.lock").write_text("stale")
    assert store.rename(str(tmp_path / ".x.lock"), str(tmp_path / "a"))
    assert not store.rename(str(tmp_path / ".x.lock"), str(tmp_path / "b"))  # the other's rename fails
    assert store.create(str(tmp_path / ".x.lock"), "mine") and not store.create(str(tmp_path / ".x.lock"), "theirs")
    (tmp_path / "c").write_text("c")
    assert not store.rename(str(tmp_path / "a"), str(tmp_path / "c"))  # never replaces
    assert (tmp_path / "c").read_text() == "c"


def test_nested_locks_and_release_of_a_broken_lock(tmp_path):
    output = str(tmp_path / "run")
    lock_file = tmp_path / ".run.lock"
    with lock_output(None, output) as outer:
        with lock_output(None, output) as inner:  # the CLI locked before Spark; the stage locks again
            assert inner is outer and outer.depth == 2
        assert lock_file.exists()
        write_lock(lock_file, token="b" * 32)  # someone broke our lock with --break-lock
    assert json.loads(lock_file.read_text())["token"] == "b" * 32  # theirs is left alone


@pytest.mark.spark
def test_two_real_runs_into_one_output_and_a_stale_lock(tmp_path):
    """A stale lock left by a dead pid is taken over; a second run while the first holds the lock stops at once
    with one line naming the lock and its owner; the lock is gone after the first run succeeds."""
    from corpus_eval.demo import build_demo_corpus

    raw = tmp_path / "raw"
    build_demo_corpus(raw, size_mb=0.2, seed=7)
    out = tmp_path / "clean"
    lock_file = tmp_path / ".clean.lock"
    dead = dead_pid()
    write_lock(lock_file, pid=dead, pid_start=None)
    command = [
        sys.executable,
        "-m",
        "corpus_pipeline",
        "clean",
        "--master",
        "local[1]",
        "--output",
        str(out),
        "--input",
        *(f"{name}={raw / name}" for name in ("web", "news", "reviews")),
    ]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    first_err = tmp_path / "first.txt"
    with open(first_err, "w") as stderr:
        first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 300
        while True:  # the first run took over the stale lock (before its Spark session starts)
            assert first.poll() is None, first_err.read_text()[-3000:]
            assert time.monotonic() < deadline
            try:
                if json.loads(lock_file.read_text())["pid"] == first.pid:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert first.poll() is None, "the first run ended before the second one checked the lock"
        assert second.returncode == 2 and "Traceback" not in second.stderr
        assert second.stderr.startswith(
            f"{out} is in use by another run: lock {lock_file} is held by pid {first.pid} on {socket.gethostname()}"
        )
        assert second.stderr.count("\n") == 1 and "--break-lock" in second.stderr
        assert first.wait(timeout=900) == 0, first_err.read_text()[-3000:]
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert f"took over the lock {lock_file} from pid {dead}" in first_err.read_text()
    assert (out / "_SUCCESS").exists() and not lock_file.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clean", "first.txt", "raw"]
