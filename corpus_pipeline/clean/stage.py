"""The clean stage as a Spark job: ingest, spread the records, clean them Arrow-batched, write the stage."""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.clean.batch import CLEAN_DOCUMENT_COLUMNS, RESULT_SCHEMA, CleanPlan, clean_batches
from corpus_pipeline.ingest.file_counts import check_file_counts
from corpus_pipeline.ingest.spark_reader import CountedFiles, read_raw_records
from corpus_pipeline.recipe import INPUT_FORMATS, InputSpec, Recipe
from corpus_pipeline.rules.ruledata import load_clean_rules
from corpus_pipeline.schema import spark_schema
from corpus_pipeline.stage.base import Stage
from corpus_pipeline.stage.frame import run_stats, source_steps
from corpus_pipeline.stage.output import write_stage_output
from corpus_pipeline.stage.stats import StageStats
from corpus_pipeline.steps.user import check_python_steps, python_steps_by_stage, ship_python_steps, sources_sha256


class CleanStage(Stage):
    name = "clean"
    help = "ingest raw input and apply the rule-based cleaning (PanGu-α §3.1.1)"
    reads_raw_input = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--format", choices=INPUT_FORMATS, help="input format (default: by file extension)")

    def plan(self, recipe: Recipe, options: Mapping[str, Any] | None = None) -> CleanPlan:
        check_python_steps(recipe)
        return CleanPlan(
            rules=load_clean_rules(recipe),
            config=recipe.clean,
            source_steps=source_steps(recipe),
            default_steps=recipe.steps_for("default"),
            python_steps=python_steps_by_stage(recipe, self.name),
        )

    def resources(self, plan: CleanPlan) -> dict[str, str | None]:
        return {"rules": plan.rules.sha256(), **sources_sha256(plan.python_steps)}

    def write(
        self, spark: SparkSession, inputs: list[InputSpec], output: str, recipe: Recipe, plan: CleanPlan
    ) -> StageStats:
        ship_python_steps(spark, plan.python_steps)
        counted = CountedFiles()
        records, listing = read_raw_records(spark, inputs, recipe, counted)
        # Two partitions per core at least, so one slow partition does not leave a core idle.
        partitions = recipe.ingest.partitions or max(
            2 * spark.sparkContext.defaultParallelism,
            math.ceil(listing["estimated_text_bytes"] / recipe.ingest.bytes_per_partition),
        )
        result = (
            records.repartition(partitions, "source", "id")
            .sortWithinPartitions("source", "id", "path", "offset")
            .mapInArrow(lambda batches: clean_batches(batches, plan), spark_schema(RESULT_SCHEMA))
        )
        # per-file WARC record counts and parquet footer row counts checked (result persisted: read once)
        result, ingest, cached = check_file_counts(spark, result, counted, recipe)
        extra = {
            **run_stats(spark, recipe, [spec.model_dump() for spec in inputs]),
            "listing": listing,
            "ingest": ingest,
            "partitions": partitions,
            "rules_sha256": plan.rules.sha256(),
        }
        try:
            return write_stage_output(spark, result, output, self.name, CLEAN_DOCUMENT_COLUMNS, extra)
        finally:
            if cached is not None:
                cached.unpersist()


STAGE = CleanStage()
