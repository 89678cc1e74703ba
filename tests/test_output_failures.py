"""A full disk or a read-only output: one clear line, exit status 2, and no ``_SUCCESS`` anywhere.

Each case runs the ``clean`` command in a private mount namespace (``unshare``) with its output on a small
tmpfs, so the disk really fills up; nothing on the machine is touched.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from corpus_eval.demo import build_demo_corpus

pytestmark = pytest.mark.spark


def _namespaces_available() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    if not _namespaces_available():
        if os.environ.get("CI") == "true":
            pytest.fail("unshare -rm (a private mount namespace) is needed for the full-disk tests under CI")
        pytest.skip("unshare -rm is not permitted here")
    path = tmp_path_factory.mktemp("raw")
    build_demo_corpus(path, size_mb=0.4, seed=5)
    return path


def clean_on_tmpfs(raw, mount, mount_options: str, remount_read_only: bool = False) -> tuple[int, str, list[str]]:
    """Run ``clean`` into ``mount/run/clean`` on a fresh tmpfs; returns (exit status, stderr, _SUCCESS files)."""
    mount.mkdir()
    command = [
        sys.executable,
        "-m",
        "corpus_pipeline",
        "clean",
        "--master",
        "local[1]",
        "--output",
        str(mount / "run" / "clean"),
        "--input",
        *(f"{name}={raw / name}" for name in ("web", "news", "reviews")),
    ]
    script = "\n".join(
        [
            f"mount -t tmpfs -o {mount_options} tmpfs {shlex.quote(str(mount))} || exit 90",
            f"mount -o remount,ro {shlex.quote(str(mount))} || exit 91" if remount_read_only else "",
            f"{shlex.join(command)} 2> {shlex.quote(str(mount.parent / 'stderr.txt'))}",
            "status=$?",
            f"find {shlex.quote(str(mount))} -name _SUCCESS > {shlex.quote(str(mount.parent / 'markers.txt'))}",
            "exit $status",
        ]
    )
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], env=env, timeout=600, capture_output=True, text=True)
    assert done.returncode not in (90, 91), done.stderr
    stderr = (mount.parent / "stderr.txt").read_text()
    markers = (mount.parent / "markers.txt").read_text().split()
    return done.returncode, stderr, markers


def test_a_full_disk_is_one_clear_error_and_leaves_no_success(raw, tmp_path):
    status, stderr, markers = clean_on_tmpfs(raw, tmp_path / "small", "size=96k")
    output = tmp_path / "small" / "run" / "clean"
    assert status == 2, stderr[-3000:]
    assert f"cannot write {output}: no space left on device (the stage did not complete; no _SUCCESS written)" in stderr
    assert "Traceback" not in stderr and markers == []


def test_a_read_only_output_fails_before_the_stage_runs(raw, tmp_path):
    status, stderr, markers = clean_on_tmpfs(raw, tmp_path / "ro", "size=4m", remount_read_only=True)
    output = tmp_path / "ro" / "run" / "clean"
    assert status == 2, stderr[-3000:]
    assert f"cannot write {output}: read-only file system" in stderr
    assert "Traceback" not in stderr and markers == []
