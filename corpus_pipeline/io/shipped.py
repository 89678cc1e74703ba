"""Model files a job ships to its executors: content-addressed names, found again on the worker.

The driver checks a model file, then :func:`distribute` sends it with ``SparkContext.addFile`` under a
name that changes with its content (so a retrained model never meets a stale copy). A worker finds its
copy with :func:`local_copy`; in a plain Python process (no SparkFiles) the driver's path is used.
"""

from __future__ import annotations

import hashlib
import json
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


def load_once(cache: dict, key: str, path: str, shipped_name: str, load, error: type[Exception], noun: str):
    """What ``load(local_path)`` returns for a shipped file: loaded on first use in this process, then kept."""
    value = cache.get(key)
    if value is None:
        local = local_copy(path, shipped_name)
        if local is None:
            raise error(f"{path}: {noun} not found on this executor (shipped as {shipped_name})")
        value = cache[key] = load(local)
    return value


def read_card(card_path: Path, keys: tuple[str, ...], error: type[Exception], noun: str, missing_hint: str) -> dict:
    """A model's ``card.json`` with at least ``keys``; ``error`` names the file and what is wrong."""
    if not card_path.is_file():
        raise error(f"{card_path}: {noun} card not found ({missing_hint})")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise error(f"{card_path}: {noun} card is not valid JSON ({problem})") from None
    missing = [key for key in keys if key not in card] if isinstance(card, dict) else list(keys)
    if missing:
        raise error(f"{card_path}: {noun} card lacks {', '.join(missing)}")
    return card
