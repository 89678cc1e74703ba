"""What two runs of the pipeline must agree on: kept and removed ids per stage, byte-identical shards."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

DOCUMENT_STAGES = ("clean", "filter", "quality", "dedup")


def _ids(folder: Path, columns: list[str]) -> list:
    files = sorted(path for path in folder.rglob("*.parquet") if not path.name.startswith((".", "_")))
    rows = [row for path in files for row in pq.read_table(path, columns=columns).to_pylist()]
    return sorted(tuple(row[column] for column in columns) for row in rows)


def run_outputs(out: Path) -> dict:
    """Per document stage: sorted kept ids and (id, reason) removed; for pack: each shard file's sha256 and
    the manifest without the tokenizer's path (where the tokenizer was read from differs between hosts)."""
    result = {}
    for stage in DOCUMENT_STAGES:
        result[stage] = {
            "kept": _ids(out / stage / "kept", ["source", "id"]),
            "removed": _ids(out / stage / "removed", ["source", "id", "reason"]),
        }
    shards = out / "pack" / "shards"
    result["shards"] = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(shards.iterdir())}
    manifest = json.loads((out / "pack" / "manifest.json").read_text(encoding="utf-8"))
    manifest["tokenizer"].pop("path")
    result["manifest"] = manifest
    return result


def cli_command(raw: Path, out: Path, *extra: str) -> list[str]:
    """``corpus-pipeline run`` over the demo corpus's three sources, two local cores, a small report sample."""
    return [
        sys.executable,
        "-m",
        "corpus_pipeline",
        "run",
        "--master",
        "local[2]",
        "--output",
        str(out),
        "--sample",
        "20",
        "--input",
        *(f"{name}={raw / name}" for name in ("web", "news", "reviews")),
        *extra,
    ]


def cli_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def run_cli(command: list[str], timeout: int = 900, env: dict[str, str] | None = None) -> str:
    """Run to completion (``env`` added to :func:`cli_env`); returns stdout (fails the test with stderr's tail on
    a non-zero exit)."""
    done = subprocess.run(command, env={**cli_env(), **(env or {})}, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def statuses(stdout: str) -> dict[str, str]:
    """``{stage: status}`` from the lines ``run`` prints (``clean: status reused, in 98, ...``)."""
    found = {}
    for line in stdout.splitlines():
        stage, sep, rest = line.partition(": status ")
        if sep:
            found[stage] = rest.split(",")[0]
    return found
