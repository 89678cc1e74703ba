"""The quality stage as a Spark job: a GPT-3-style quality classifier (Brown et al. 2020, Appendix A)."""

from __future__ import annotations

from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.classify.model import distribute, load_model_spec
from corpus_pipeline.io.documents import read_documents
from corpus_pipeline.quality.batch import QUALITY_COLUMNS, QualityPlan, quality_columns
from corpus_pipeline.recipe import Recipe
from corpus_pipeline.stage_frame import annotate_documents, run_stats, source_steps
from corpus_pipeline.stage_output import write_stage_output


def quality_plan(recipe: Recipe) -> QualityPlan:
    """Load and check the quality model on the driver (no Spark needed): a bad model file fails here."""
    config = recipe.quality
    spec = None
    if recipe.uses_step("quality"):
        spec = load_model_spec(recipe.models_path(config.model), "quality", config.threshold)
    return QualityPlan(model=spec, config=config,
                       source_steps=source_steps(recipe),
                       default_steps=recipe.steps_for("default"))


def run_quality(spark: SparkSession, inputs: list[str], output: str, recipe: Recipe,
                plan: QualityPlan | None = None) -> dict[str, Any]:
    """Score and sample the documents under ``inputs`` into ``output``; returns the stats."""
    plan = plan or quality_plan(recipe)
    if plan.model is not None:
        distribute(spark, plan.model)
    documents = read_documents(spark, inputs)
    result, kept_columns = annotate_documents(documents, lambda batch: quality_columns(batch, plan), QUALITY_COLUMNS)
    config = plan.config
    extra = {
        **run_stats(spark, recipe, inputs),
        "quality_model": plan.model.stats() if plan.model else None,
        "keep_rule": {"mode": config.mode, "threshold": plan.model.threshold if plan.model else None,
                      "pareto_alpha": config.pareto_alpha, "seed": config.seed},
    }
    return write_stage_output(spark, result, output, "quality", kept_columns, extra)
