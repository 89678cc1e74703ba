"""The filter stage as a Spark job: sensitive-word filter and fastText spam classifier (PanGu-α §3.1.1)."""

from __future__ import annotations

from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.classify.model import distribute, load_model_spec
from corpus_pipeline.filter.batch import FILTER_COLUMNS, FilterPlan, filter_columns
from corpus_pipeline.io.documents import read_documents
from corpus_pipeline.recipe import Recipe, RecipeError
from corpus_pipeline.rules.sensitive import load_sensitive_lexicon
from corpus_pipeline.stage_commit import run_committed
from corpus_pipeline.stage_frame import annotate_documents, run_stats, source_steps
from corpus_pipeline.stage_output import write_stage_output


def filter_plan(recipe: Recipe) -> FilterPlan:
    """Load and check the lexicon and the spam model on the driver (no Spark needed): bad files fail here."""
    config = recipe.filter
    spam = None
    if recipe.uses_step("spam"):
        spam = load_model_spec(recipe.models_path(config.spam.model), "spam", config.spam.threshold)
    lexicon = load_sensitive_lexicon(recipe)
    categories = {category for _, word_categories in lexicon.entries for category in word_categories}
    unknown = sorted(set(config.sensitive.category_limits) - categories)
    if unknown:
        raise RecipeError(f"filter.sensitive.category_limits: unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                          f"{', '.join(unknown)}; the lexicon has {', '.join(sorted(categories)) or 'none'}")
    return FilterPlan(
        lexicon=lexicon, sensitive=config.sensitive, spam=spam,
        source_steps=source_steps(recipe),
        default_steps=recipe.steps_for("default"),
    )


def run_filter(spark: SparkSession, inputs: list[str], output: str, recipe: Recipe,
               plan: FilterPlan | None = None) -> dict[str, Any]:
    """Filter the documents under ``inputs`` into ``output`` (committed); returns the stats of ``stats.json``."""
    return run_committed(spark, "filter", inputs, output, recipe, plan or filter_plan(recipe), write_filter)


def write_filter(spark: SparkSession, inputs: list[str], output: str, recipe: Recipe,
                 plan: FilterPlan) -> dict[str, Any]:
    if plan.spam is not None:
        distribute(spark, plan.spam)
    documents = read_documents(spark, inputs)
    result, kept_columns = annotate_documents(documents, lambda batch: filter_columns(batch, plan), FILTER_COLUMNS)
    sensitive = recipe.filter.sensitive
    extra = {
        **run_stats(spark, recipe, inputs),
        "sensitive_lexicon": {"files": list(plan.lexicon.files), "words": len(plan.lexicon.entries),
                              "sha256": plan.lexicon.sha256, "count": sensitive.count, "max_hits": sensitive.max_hits,
                              "category_limits": dict(sensitive.category_limits)},
        "spam_model": plan.spam.stats() if plan.spam else None,
    }
    return write_stage_output(spark, result, output, "filter", kept_columns, extra)
