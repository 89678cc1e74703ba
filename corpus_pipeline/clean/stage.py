"""The clean stage as a Spark job: ingest, spread the records, clean them Arrow-batched, write the stage."""

from __future__ import annotations

import math
from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.clean.batch import CLEAN_DOCUMENT_COLUMNS, RESULT_SCHEMA, clean_batches
from corpus_pipeline.fingerprint import code_version
from corpus_pipeline.ingest.spark_reader import read_raw_records
from corpus_pipeline.recipe import InputSpec, Recipe
from corpus_pipeline.rules.ruledata import CleanRuleData, load_clean_rules
from corpus_pipeline.schema import spark_schema
from corpus_pipeline.stage_commit import run_committed
from corpus_pipeline.stage_output import write_stage_output


def run_clean(spark: SparkSession, inputs: list[InputSpec], output: str, recipe: Recipe,
              rule_data: CleanRuleData | None = None) -> dict[str, Any]:
    """Run the clean stage from ``inputs`` into ``output`` (committed); returns the stats of ``stats.json``."""
    return run_committed(spark, "clean", inputs, output, recipe, rule_data or load_clean_rules(recipe), write_clean)


def write_clean(spark: SparkSession, inputs: list[InputSpec], output: str, recipe: Recipe,
                rule_data: CleanRuleData) -> dict[str, Any]:
    records, listing = read_raw_records(spark, inputs, recipe)
    # Two partitions per core at least, so one slow partition does not leave a core idle.
    partitions = recipe.ingest.partitions or max(
        2 * spark.sparkContext.defaultParallelism,
        math.ceil(listing["estimated_text_bytes"] / recipe.ingest.bytes_per_partition),
    )
    source_steps = {name: recipe.steps_for(name) for name in recipe.sources}
    default_steps = recipe.steps_for("default")
    config = recipe.clean
    result = (
        records.repartition(partitions, "source", "id")
        .sortWithinPartitions("source", "id", "path", "offset")
        .mapInArrow(
            lambda batches: clean_batches(batches, rule_data, config, source_steps, default_steps),
            spark_schema(RESULT_SCHEMA),
        )
    )
    extra = {
        "inputs": [spec.model_dump() for spec in inputs],
        "listing": listing,
        "partitions": partitions,
        "recipe_sha256": recipe.sha256(),
        "rules_sha256": rule_data.sha256(),
        "code_version": code_version(),
        "master": spark.sparkContext.master,
    }
    return write_stage_output(spark, result, output, "clean", CLEAN_DOCUMENT_COLUMNS, extra)
