"""Model files a job ships to its executors: content-addressed names, found again on the worker.

The driver checks a model file, then :func:`distribute` sends it with ``SparkContext.addFile`` under a
name that changes with its content (so a retrained model never meets a stale copy). A worker finds its
copy with :func:`local_copy`; in a plain Python process (no SparkFiles) the driver's path is used.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def distribute(spark, path: str, shipped_name: str) -> None:
    """Send ``path`` to every executor (``--files`` style) as ``shipped_name``."""
    staged = Path(tempfile.gettempdir()) / "corpus_pipeline_models" / shipped_name
    if not staged.exists():
        staged.parent.mkdir(parents=True, exist_ok=True)
        partial = staged.with_suffix(f".{os.getpid()}.part")
        shutil.copyfile(path, partial)
        os.replace(partial, staged)
    spark.sparkContext.addFile(str(staged))


def local_copy(path: str, shipped_name: str) -> str | None:
    """This process's copy of a shipped file: the one Spark shipped, else the driver's path; None if neither."""
    try:
        from pyspark import SparkFiles

        local = SparkFiles.get(shipped_name)
    except Exception:  # no SparkContext files here (e.g. a plain Python process)
        local = path
    if not os.path.isfile(local):
        local = path
    return local if os.path.isfile(local) else None

