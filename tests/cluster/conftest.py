"""Fixtures of the cluster tests: the ``make package`` artifacts, built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from corpus_pipeline import packaging
from corpus_pipeline.io.shipped import file_sha256
from tests.cluster.standalone import SPARK_CLASS
from tests.conftest import REPO_ROOT


def require_spark() -> None:
    """Java and the pip pyspark's spark-class: on CI their absence fails the test, elsewhere java's skips it."""
    missing = [
        what for what, ok in (("java", shutil.which("java")), (str(SPARK_CLASS), SPARK_CLASS.is_file())) if not ok
    ]
    if missing and (os.environ.get("CI") or "java" not in missing):
        pytest.fail(f"standalone cluster test needs {', '.join(missing)}")
    if missing:
        pytest.skip("java is not on PATH")


@pytest.fixture(scope="session")
def dist() -> Path:
    """The full ``make package`` build into build/test-dist (the env is rebuilt only when its stamp differs)."""
    require_spark()
    out = REPO_ROOT / "build" / "test-dist"
    manifest = packaging.build_all(out)
    assert {artifact["name"] for artifact in manifest["artifacts"]} == {
        "corpus_pipeline.zip",
        "env.tar.gz",
        "models.zip",
        "rules.zip",
    }
    for artifact in manifest["artifacts"]:
        assert file_sha256(out / artifact["name"]) == artifact["sha256"]
    assert {"jobs/run.py", "jobs/clean.py", "jobs/pack.py", "jobs/report.py"} <= set(manifest["jobs"])
    assert all((out / job).is_file() for job in manifest["jobs"])
    return out
