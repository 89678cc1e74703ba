"""The ``benchmark_overlap`` step's index: built on the driver before Spark starts, shipped to every executor.

:func:`plan_benchmarks` reads the recipe's benchmark files (``filter.decontamination``), builds the n-gram index
of :mod:`corpus_pipeline.rules.decontamination` and saves it into a content-addressed folder (the key covers
every benchmark file's SHA-256, the n-gram size and the rule), so a later run with the same benchmarks reuses it
without reading them again. :func:`distribute` sends that folder's zip with ``SparkContext.addArchive`` (Spark
ships a local folder with ``addFile`` only in local mode); each executor gets it unpacked, and each Python worker
memory-maps it once (:func:`worker_index`) and matches whole Arrow batches
(:func:`match_texts`). The plan that travels to the workers holds names and paths only, never the arrays.

A benchmark whose files are missing stops the job before Spark starts (``missing: error``) or is skipped with a
warning on stderr and ``"missing": PATH`` in ``stats.json`` and the report (``missing: warn``: the default
recipe, whose benchmarks live in the shared data folder of a checkout).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus_pipeline.io.shipped import file_sha256
from corpus_pipeline.recipe import DecontaminationConfig, Recipe, RecipeError
from corpus_pipeline.rules import decontamination as D

SHIPPED_PREFIX = "benchmark-index-"
CHUNK_CHARS = 1 << 22


@dataclass(frozen=True)
class BenchmarkPlan:
    """What a worker needs to find the index (picklable, small) and what ``stats.json`` says about it."""

    folder: str  # the driver's copy
    shipped_name: str  # the folder's name; its zip is shipped as an archive (SparkFiles: <name>.zip)
    sha256: str  # the content key
    summary: dict[str, Any]  # index summary: items per benchmark, n-grams, bytes, the rule
    benchmarks: dict[str, dict[str, Any]]  # name -> {path, files, items} or {path, missing}


def benchmark_specs(config: DecontaminationConfig) -> list[D.BenchmarkSpec]:
    """The recipe's benchmarks as specs, relative paths resolved against ``data_dir``."""
    base = Path(config.data_dir) if config.data_dir else Path.cwd()
    return [
        D.BenchmarkSpec(
            name=entry.name,
            path=entry.path if Path(entry.path).is_absolute() else str(base / entry.path),
            format=entry.format,
            question_field=entry.question_field,
            option_fields=entry.option_fields,
            id_field=entry.id_field,
            items_path=entry.items_path,
        )
        for entry in config.benchmarks
    ]


def overlap_rule(config: DecontaminationConfig) -> D.OverlapRule:
    return D.OverlapRule(
        fraction=config.fraction,
        question_fraction=config.question_fraction,
        min_question_chars=config.min_question_chars,
        min_ngrams=config.min_ngrams,
        stem_evidence=config.stem_evidence,
        option_evidence=config.option_evidence,
    )


def _cache_root() -> Path:
    return Path(tempfile.gettempdir()) / "corpus_pipeline_models"


def plan_benchmarks(recipe: Recipe) -> BenchmarkPlan:
    """Read the benchmarks and build (or reuse) their index on the driver; bad files fail here as RecipeError."""
    config = recipe.filter.decontamination
    found: list[tuple[D.BenchmarkSpec, list[Path]]] = []
    benchmarks: dict[str, dict[str, Any]] = {}
    for spec in benchmark_specs(config):
        try:
            files = spec.files()
        except RecipeError:
            if config.missing == "error":
                raise RecipeError(
                    f"filter.decontamination: benchmark {spec.name}: no {spec.format} files match {spec.path}"
                ) from None
            print(
                f"warning: benchmark {spec.name}: no {spec.format} files match {spec.path}; documents are not "
                "checked against it (filter.decontamination.missing: warn)",
                file=sys.stderr,
            )
            benchmarks[spec.name] = {"path": spec.path, "missing": True}
            continue
        found.append((spec, files))
        benchmarks[spec.name] = {"path": spec.path, "files": len(files)}
    rule = overlap_rule(config)
    key = hashlib.sha256(
        json.dumps(
            {
                "version": D.INDEX_VERSION,
                "n": config.ngram,
                "max_items_per_ngram": config.max_items_per_ngram,
                "rule": asdict(rule),
                "benchmarks": [
                    {**asdict(spec), "path": None, "files": [[path.name, file_sha256(path)] for path in files]}
                    for spec, files in found
                ],
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    shipped_name = f"{SHIPPED_PREFIX}{key[:24]}"
    folder = _cache_root() / shipped_name
    if not (folder / "index.json").is_file():
        try:
            items = D.load_benchmarks([spec for spec, _ in found])
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise RecipeError(f"filter.decontamination: {error}") from None
        index = D.build_index(items, n=config.ngram, rule=rule, max_items_per_ngram=config.max_items_per_ngram)
        partial = folder.with_name(f"{shipped_name}.{os.getpid()}.part")
        shutil.rmtree(partial, ignore_errors=True)
        index.save(partial)
        try:
            os.replace(partial, folder)
        except OSError:  # another process saved the same index first
            shutil.rmtree(partial, ignore_errors=True)
    archive = folder.with_name(f"{shipped_name}.zip")
    if not archive.is_file():  # what executors get: Spark ships a local folder only in local mode, a file anywhere
        partial = folder.with_name(f"{shipped_name}.{os.getpid()}.zip.part")
        shutil.make_archive(str(partial), "zip", root_dir=folder)
        os.replace(f"{partial}.zip", archive)
    summary = {**D.worker_index(folder).summary(), "rule": asdict(rule), "sha256": key}
    for name, count in summary["items_per_benchmark"].items():
        benchmarks[name]["items"] = count
    for entry in benchmarks.values():
        entry.setdefault("items", 0)
    return BenchmarkPlan(str(folder), shipped_name, key, summary, benchmarks)


def distribute(spark, plan: BenchmarkPlan) -> None:
    """Send the index to every executor: the folder's zip, which Spark unpacks beside each executor's files."""
    spark.sparkContext.addArchive(f"{plan.folder}.zip")


def worker_index(plan: BenchmarkPlan) -> D.BenchmarkIndex:
    """This process's index: the copy Spark shipped, else the driver's folder (a plain Python process)."""
    try:
        from pyspark import SparkFiles

        local = SparkFiles.get(f"{plan.shipped_name}.zip")  # the folder the archive was unpacked into
    except Exception:  # no SparkContext files here
        local = plan.folder
    if not os.path.isfile(os.path.join(local, "index.json")):
        local = plan.folder
    return D.worker_index(local)


def match_texts(plan: BenchmarkPlan, texts: list[str], chunk_chars: int = CHUNK_CHARS) -> list[tuple[str, str] | None]:
    """Per text: ``(benchmark, item id)`` of the benchmark question it contains, or None. Texts are matched in
    chunks of about ``chunk_chars`` characters, so a worker's memory follows the chunk, not the Arrow batch
    (the matcher holds ~20 bytes per character of a chunk)."""
    index = worker_index(plan)
    out: list[tuple[str, str] | None] = [None] * len(texts)
    if len(index) == 0:
        return out
    start = 0
    while start < len(texts):
        stop, size = start, 0
        while stop < len(texts) and (stop == start or size + len(texts[stop]) <= chunk_chars):
            size += len(texts[stop])
            stop += 1
        for i, match in enumerate(index.match(texts[start:stop]), start):
            if match is not None:
                out[i] = (match.benchmark, match.item_id)
        start = stop
    return out
