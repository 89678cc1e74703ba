"""Ctrl-C on a real ``corpus-pipeline clean``: one line, exit status 130, no process left, resumable.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group (the driver, the JVM and the Python
workers); ``kill -INT PID`` to the driver alone. Both are tested while the stage writes its staging folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from corpus_eval.demo import build_demo_corpus
from corpus_pipeline.interrupt import INTERRUPTED_MESSAGE
from corpus_pipeline.stage.lock import process_start_time

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    path = tmp_path_factory.mktemp("raw")
    build_demo_corpus(path, size_mb=0.4, seed=5)
    return path


def clean_command(raw, out) -> list[str]:
    return [
        sys.executable,
        "-m",
        "corpus_pipeline",
        "clean",
        "--master",
        "local[2]",
        "--output",
        str(out),
        "--input",
        *(f"{name}={raw / name}" for name in ("web", "news", "reviews")),
    ]


def cli_env() -> dict[str, str]:
    return {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}


def process_tree(root: int) -> dict[tuple[int, int | None], str]:
    """(pid, start time) -> command line of every live descendant of ``root``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    tree, stack = {}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            try:
                with open(f"/proc/{child}/cmdline", "rb") as handle:
                    tree[(child, process_start_time(child))] = (
                        handle.read().replace(b"\0", b" ").decode(errors="replace")
                    )
            except OSError:
                continue
            stack.append(child)
    return tree


def running(pid: int, start: int | None) -> bool:
    """The same process (pid and start time) still exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z" and process_start_time(pid) == start


@pytest.mark.parametrize("target", ["process", "group"])
def test_ctrl_c_is_one_line_status_130_and_the_run_resumes(raw, tmp_path, target):
    out = tmp_path / "clean"
    staging = tmp_path / ".clean.incomplete"
    command = clean_command(raw, out)
    stderr_path = tmp_path / "stderr.txt"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(
            command, env=cli_env(), stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
    tree: dict = {}
    try:
        deadline = time.monotonic() + 600
        while not staging.exists():  # the Spark job is writing
            assert process.poll() is None, f"the stage ended ({process.returncode}) before {staging} appeared"
            assert time.monotonic() < deadline, f"{staging} did not appear in 600 s"
            tree.update(process_tree(process.pid))
            time.sleep(0.05)
        tree.update(process_tree(process.pid))
        if target == "group":
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, signal.SIGINT)
        process.wait(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    stderr = stderr_path.read_text()
    assert process.returncode == 130, stderr[-3000:]
    assert INTERRUPTED_MESSAGE in stderr.splitlines() and "Traceback" not in stderr, stderr[-3000:]
    assert any("java" in line for line in tree.values()), tree  # the JVM was seen, and now:
    deadline = time.monotonic() + 30
    while [pid for pid, start in tree if running(pid, start)] and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: line[:200] for (pid, start), line in tree.items() if running(pid, start)}
    assert left == {}, f"processes of the interrupted run still running: {left}"
    assert not (tmp_path / ".clean.lock").exists() and not (out / "_SUCCESS").exists()
    if target == "process":
        return  # the rerun below is the same after either signal: checked once, after Ctrl-C on a terminal (group)

    again = subprocess.run(command, env=cli_env(), capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert (out / "_SUCCESS").exists() and not staging.exists() and not (tmp_path / ".clean.lock").exists()
