"""``corpus-pipeline run``: every stage in order in one Spark session, then the report.

``OUTPUT/clean``, ``OUTPUT/filter``, ``OUTPUT/quality``, ``OUTPUT/dedup`` and ``OUTPUT/pack`` are the stages'
outputs, each read by the next; ``OUTPUT/run.json`` records the inputs, the recipe and each stage's summary;
``OUTPUT/report.html`` and ``OUTPUT/report.json`` come last. Every model, tokenizer and rule file is checked
before Spark starts, so a bad recipe fails in seconds, not after the first stage.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.io import fs
from corpus_pipeline.recipe import InputSpec, Recipe

STAGES = ("clean", "filter", "quality", "dedup", "pack")


def prepare_plans(recipe: Recipe, tokenizer: str | None = None) -> dict[str, Any]:
    """Every stage's worker plan, built (and so checked) on the driver before any job runs."""
    from corpus_pipeline.dedup.stage import dedup_plan
    from corpus_pipeline.filter.stage import filter_plan
    from corpus_pipeline.pack.stage import pack_plan
    from corpus_pipeline.quality.stage import quality_plan

    return {"filter": filter_plan(recipe), "quality": quality_plan(recipe), "dedup": dedup_plan(recipe),
            "pack": pack_plan(recipe, tokenizer)}


def summary(stage: str, stats: dict[str, Any]) -> dict[str, Any]:
    """What run.json keeps of a stage's stats."""
    if stage == "pack":
        return {"documents": stats["documents"]["in"], "tokens": stats["tokens"], "shards": stats["shards"],
                "seconds": stats["seconds"]}
    docs = stats["documents"]
    return {"in": docs["in"], "kept": docs["kept"], "removed": docs["removed"], "quarantined": docs["quarantined"],
            "seconds": stats["seconds"]}


def run_pipeline(spark: SparkSession, inputs: list[InputSpec], output: str, recipe: Recipe,
                 plans: dict[str, Any], echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Run clean → filter → quality → dedup → pack into ``output``; returns (and writes) ``run.json``."""
    from corpus_pipeline.clean.stage import run_clean
    from corpus_pipeline.dedup.stage import run_dedup
    from corpus_pipeline.filter.stage import run_filter
    from corpus_pipeline.pack.stage import run_pack
    from corpus_pipeline.quality.stage import run_quality

    runners = {"filter": run_filter, "quality": run_quality, "dedup": run_dedup, "pack": run_pack}
    started = time.time()
    record: dict[str, Any] = {"inputs": [spec.model_dump() for spec in inputs], "recipe_sha256": recipe.sha256(),
                              "stages": {}}
    previous = None
    for stage in STAGES:
        stage_dir = fs.join(output, stage)
        if stage == "clean":
            stats = run_clean(spark, inputs, stage_dir, recipe)
        else:
            stats = runners[stage](spark, [previous], stage_dir, recipe, plans[stage])
        record["stages"][stage] = summary(stage, stats)
        echo(f"{stage}: " + ", ".join(f"{key} {value}" for key, value in record["stages"][stage].items()))
        previous = stage_dir
    record["seconds"] = round(time.time() - started, 3)
    fs.write_text(spark, fs.join(output, "run.json"), json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return record
