"""What a stage output was made from: its fingerprint, stored in the output's ``_SUCCESS``.

A fingerprint hashes the stage name, a fingerprint of each input, the recipe's sha256, the sha256 of every
rule and model file the stage reads, and the code version (package version + a hash of the library's
source). An input that is a committed stage output is represented by *its* fingerprint, so a change at any
stage changes every fingerprint downstream; any other input by the paths, sizes and modification times of
its files. ``corpus-pipeline run`` skips a stage whose ``_SUCCESS`` holds the fingerprint it would write.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.io import fs

MARKER = "_SUCCESS"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """``0.1.0+<12 hex>``: the package version and a hash of every ``.py`` file of the library.

    Read through importlib.resources, so the library zipped for ``--py-files`` hashes like the checkout.
    """
    from corpus_pipeline import __version__

    digest = hashlib.sha256()

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda item: item.name):
            if child.is_dir() and child.name != "__pycache__":
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".py"):
                digest.update(f"{prefix}{child.name}\0".encode())
                digest.update(child.read_bytes())

    walk(files("corpus_pipeline"), "")
    return f"{__version__}+{digest.hexdigest()[:12]}"


def read_marker(spark: SparkSession, output: str) -> dict[str, Any] | None:
    """The fingerprint record in ``output/_SUCCESS``; ``{}`` for an empty marker, None when there is none."""
    marker = fs.join(output, MARKER)
    if not fs.exists(spark, marker):
        return None
    text = fs.read_text(spark, marker).strip()
    try:
        record = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return record if isinstance(record, dict) else {}


def input_fingerprint(spark: SparkSession, path: str, spec: dict[str, Any] | None = None) -> str:
    """A committed stage output's fingerprint, else a hash of ``spec`` and the files under ``path``."""
    record = read_marker(spark, path)
    if record and "fingerprint" in record:
        return record["fingerprint"]
    listing = fs.list_file_stats(spark, path)
    return _digest({"spec": spec, "files": listing})


def stage_fingerprint(stage: str, inputs: list[str], recipe_sha256: str, resources: dict[str, Any]) -> dict[str, Any]:
    """The record a committed output's ``_SUCCESS`` holds; ``fingerprint`` hashes all the rest."""
    body = {
        "stage": stage,
        "inputs": inputs,
        "recipe_sha256": recipe_sha256,
        "resources": resources,
        "code_version": code_version(),
    }
    return {**body, "fingerprint": _digest(body)}


def fingerprint_for(spark: SparkSession, stage, inputs: list, recipe, plan: Any) -> dict[str, Any]:
    """The fingerprint ``stage`` (a :class:`~corpus_pipeline.stage.base.Stage`) would write for ``inputs``
    (paths, or raw input specs) and ``recipe``; ``plan`` names the rule and model files it read."""
    if stage.reads_raw_input:
        input_prints = [input_fingerprint(spark, spec.path, spec.model_dump()) for spec in inputs]
    else:
        input_prints = [input_fingerprint(spark, path) for path in inputs]
    return stage_fingerprint(stage.name, input_prints, recipe.sha256(), stage.resources(plan))
