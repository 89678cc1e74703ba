"""The peak-RSS sampler of the benchmarks: sums a process tree and splits it into JVM and Python workers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from proc_memory import PeakRSS, descendants, rss_kb, run_measured  # noqa: E402

HOLD = "import sys, time; block = bytearray({mb} * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep({s})"


def test_rss_of_self_and_of_a_missing_process():
    assert rss_kb(os.getpid()) > 1000
    assert rss_kb(2**22 + 12345) == 0


def test_descendants_include_grandchildren():
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import time; time.sleep(3)'])"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        for _ in range(50):
            found = descendants(proc.pid)
            if found:
                break
            subprocess.run(["sleep", "0.1"])
        assert len(found) == 1
        assert descendants(found[0]) == []
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_tree_peak_splits_jvm_and_workers(tmp_path):
    # driver (python, 40 MB) -> "java" (python under that name, 60 MB) -> worker (python, 120 MB)
    java = tmp_path / "java"
    java.symlink_to(sys.executable)
    worker = HOLD.format(mb=120, s=2)
    jvm = textwrap.dedent(f"""
        import subprocess, sys
        {HOLD.format(mb=60, s=0)}
        subprocess.run([{sys.executable!r}, "-c", {worker!r}], check=True)
    """)
    driver = textwrap.dedent(f"""
        import subprocess
        {HOLD.format(mb=40, s=0)}
        subprocess.run([{str(java)!r}, "-c", {jvm!r}], check=True)
    """)
    measured = run_measured([sys.executable, "-c", driver], interval=0.05)
    peaks = measured.peaks
    assert measured.returncode == 0 and peaks["samples"] > 0
    assert peaks["max_processes"] == 3
    assert 120 <= peaks["python_workers_mb"] < 200
    assert 60 <= peaks["jvm_mb"] < 120
    assert 40 <= peaks["driver_mb"] < 100
    assert peaks["tree_mb"] >= 220
    # each peak is rounded to 0.1 MB on its own, so their sum may fall short of the rounded tree by 0.15
    assert peaks["tree_mb"] <= peaks["driver_mb"] + peaks["jvm_mb"] + peaks["python_workers_mb"] + 0.2


def test_failure_raises_with_output():
    with pytest.raises(subprocess.CalledProcessError) as error:
        run_measured([sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(3)"])
    assert error.value.returncode == 3 and "boom" in error.value.stderr


def test_context_manager_around_popen():
    proc = subprocess.Popen([sys.executable, "-c", HOLD.format(mb=50, s=1)])
    with PeakRSS(proc.pid, interval=0.05) as peak:
        proc.wait()
    assert peak.result()["tree_mb"] >= 50


def test_a_jvm_child_that_has_not_exec_d_is_not_counted(tmp_path):
    # A JVM spawning a process: the clone shares the JVM's memory until it execs, so its RSS is the JVM's.
    # Stand-in: a copy of the interpreter named java that forks and holds the child without exec.
    java = tmp_path / "java"
    java.write_bytes(Path(os.path.realpath(sys.executable)).read_bytes())
    java.chmod(0o755)
    code = textwrap.dedent(f"""
        import os, time
        {HOLD.format(mb=150, s=0)}
        child = os.fork()
        if child == 0:
            time.sleep(1.5)
            os._exit(0)
        os.waitpid(child, 0)
    """)
    measured = run_measured([str(java), "-c", code], interval=0.05)
    peaks = measured.peaks
    # the root is the "JVM" here; its forked child (java, no exec) would double the tree if counted
    assert peaks["driver_mb"] >= 150
    assert peaks["tree_mb"] < 1.5 * peaks["driver_mb"]
    assert peaks["max_processes"] == 1


def test_timeout_stops_the_whole_group():
    code = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"
    )
    with pytest.raises(subprocess.TimeoutExpired):
        run_measured([sys.executable, "-c", code], timeout=1.5)
    measured = run_measured([sys.executable, "-c", code], timeout=1.5, check=False)
    assert measured.timed_out and measured.returncode != 0
