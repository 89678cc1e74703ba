"""The clean stage as a Spark job: ingest, spread the records, clean them Arrow-batched, write the stage."""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession

from corpus_pipeline.clean import line_dedup
from corpus_pipeline.clean.batch import (
    CLEAN_DOCUMENT_COLUMNS,
    FIRST_PASS_SCHEMA,
    RESULT_SCHEMA,
    CleanPlan,
    clean_batches,
    resume_batches,
)
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
        ordered = records.repartition(partitions, "source", "id").sortWithinPartitions("source", "id", "path", "offset")
        persisted: list[DataFrame] = []
        cached = None
        previous_partitions = spark.conf.get("spark.sql.shuffle.partitions")
        try:
            lines_summary = None
            if plan.dedups_lines:
                # the line counts and the join shuffle as many partitions as the documents have, not Spark's 200
                spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
                first = ordered.mapInArrow(
                    lambda batches: clean_batches(batches, plan, until_line_dedup=True),
                    spark_schema(FIRST_PASS_SCHEMA),
                )
                result, lines_summary = self._dedup_lines(first, recipe, plan, persisted)
            else:
                result = ordered.mapInArrow(lambda batches: clean_batches(batches, plan), spark_schema(RESULT_SCHEMA))
            # per-file WARC record counts and parquet footer row counts checked (result persisted: read once)
            result, ingest, cached = check_file_counts(spark, result, counted, recipe)
            extra = {
                **run_stats(spark, recipe, [spec.model_dump() for spec in inputs]),
                "listing": listing,
                "ingest": ingest,
                "partitions": partitions,
                "rules_sha256": plan.rules.sha256(),
            }
            if lines_summary is not None:
                extra["line_dedup"] = lines_summary
            return write_stage_output(spark, result, output, self.name, CLEAN_DOCUMENT_COLUMNS, extra)
        finally:
            spark.conf.set("spark.sql.shuffle.partitions", previous_partitions)
            for frame in [cached, *persisted]:
                if frame is not None:
                    frame.unpersist()

    @staticmethod
    def _dedup_lines(
        first: DataFrame, recipe: Recipe, plan: CleanPlan, persisted: list[DataFrame]
    ) -> tuple[DataFrame, dict[str, Any]]:
        """The second pass over the first's result: the documents' repeated lines counted and dropped
        (:mod:`corpus_pipeline.clean.line_dedup`), then their remaining steps. The first pass's result and the
        line frames that the summary and the join both read are persisted (added to ``persisted``)."""

        def persist(frame: DataFrame) -> DataFrame:
            persisted.append(frame.persist(StorageLevel.MEMORY_AND_DISK))
            return persisted[-1]

        lines_plan = line_dedup.LineDedupPlan(
            config=plan.config.line_dedup,
            priorities={name: source.priority for name, source in recipe.sources.items()},
            opencc_config=plan.config.opencc_config,
        )
        first = persist(first)
        lines = persist(line_dedup.document_lines(first, lines_plan))
        frequent = persist(line_dedup.frequent_lines(lines, lines_plan.config))
        dropped = persist(line_dedup.dropped_lines(lines, frequent, lines_plan.config))
        summary = line_dedup.summary(first, lines, frequent, dropped, lines_plan)
        joined = first.join(line_dedup.drop_lists(dropped), ["source", "id"], "left")
        result = joined.mapInArrow(lambda batches: resume_batches(batches, plan), spark_schema(RESULT_SCHEMA))
        return result, summary


STAGE = CleanStage()
