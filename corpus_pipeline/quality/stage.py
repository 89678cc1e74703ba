"""The quality stage as a Spark job: a GPT-3-style quality classifier (Brown et al. 2020, Appendix A) and
KenLM perplexity (CCNet, Wenzek et al. 2020).

Sources with the ``perplexity`` step get a ``perplexity`` column and a ``ppl_bucket``: ``head``, ``middle`` or
``tail`` by the recipe's percentiles of perplexity over all scored documents of this run (Spark's
``approxQuantile``; the cutoffs go to ``stats.json``). With ``perplexity.max_perplexity`` set, documents above
it are removed as ``high_perplexity``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline.classify.model import distribute, load_model_spec
from corpus_pipeline.io.documents import read_documents
from corpus_pipeline.perplexity import model as lm
from corpus_pipeline.quality.batch import QUALITY_COLUMNS, QualityPlan, quality_columns
from corpus_pipeline.recipe import Recipe, RecipeError
from corpus_pipeline.rules.pii import PII_TYPES, PiiConfig, load_pii_rules
from corpus_pipeline.stage.base import Stage
from corpus_pipeline.stage.frame import annotate_documents, run_stats, source_steps
from corpus_pipeline.stage.output import write_stage_output
from corpus_pipeline.stage.stats import StageStats
from corpus_pipeline.steps.user import (
    check_python_steps,
    python_steps_by_stage,
    ship_python_steps,
    sources_sha256,
    targets_by_source,
)


class QualityStage(Stage):
    name = "quality"
    help = "GPT-3-style quality classifier (keep by threshold or Pareto), KenLM perplexity, PII masking"

    def plan(self, recipe: Recipe, options: Mapping[str, Any] | None = None) -> QualityPlan:
        """Load and check the quality and KenLM models on the driver (no Spark needed): bad files fail here."""
        config = recipe.quality
        spec = None
        if recipe.uses_step("quality"):
            spec = load_model_spec(recipe.models_path(config.model), "quality", config.threshold)
        lm_spec = None
        if recipe.uses_step("perplexity"):
            lm_spec = lm.load_lm_spec(recipe.models_path(recipe.perplexity.model))
        check_python_steps(recipe)
        return QualityPlan(
            pii=load_pii_config(recipe) if recipe.uses_step("mask_pii") else None,
            model=spec,
            config=config,
            lm=lm_spec,
            perplexity=recipe.perplexity,
            source_steps=source_steps(recipe),
            default_steps=recipe.steps_for("default"),
            python_steps=python_steps_by_stage(recipe, self.name),
        )

    def resources(self, plan: QualityPlan) -> dict[str, str | None]:
        return {
            "quality_model": plan.model.sha256 if plan.model else None,
            "kenlm_model": plan.lm.sha256 if plan.lm else None,
            "pii": pii_fingerprint(plan.pii) if plan.pii else None,
            **sources_sha256(plan.python_steps),
        }

    def write(
        self, spark: SparkSession, inputs: list[str], output: str, recipe: Recipe, plan: QualityPlan
    ) -> StageStats:
        ship_python_steps(spark, plan.python_steps)
        if plan.model is not None:
            distribute(spark, plan.model)
        if plan.lm is not None:
            lm.distribute(spark, plan.lm)
        documents = read_documents(spark, inputs)
        result, kept_columns = annotate_documents(
            documents,
            lambda batch: quality_columns(batch, plan),
            QUALITY_COLUMNS,
            targets_by_source(plan.python_steps),
            frozenset(plan.source_steps),
        )
        scored = result.persist() if plan.lm is not None else result  # read twice: percentiles, then the write
        try:
            result, buckets = with_perplexity_buckets(scored, plan)
            config = plan.config
            extra = {
                **run_stats(spark, recipe, inputs),
                "quality_model": plan.model.stats() if plan.model else None,
                "keep_rule": {
                    "mode": config.mode,
                    "threshold": plan.model.threshold if plan.model else None,
                    "pareto_alpha": config.pareto_alpha,
                    "seed": config.seed,
                },
                "perplexity": buckets,
            }
            extra["pii"] = {"types": sorted(plan.pii.types), "placeholder": plan.pii.placeholder} if plan.pii else None
            return write_stage_output(
                spark,
                result,
                output,
                self.name,
                [*kept_columns, "ppl_bucket"],
                extra,
                detail_counts=pii_counts if plan.pii else None,
            )
        finally:
            if plan.lm is not None:
                scored.unpersist()


def load_pii_config(recipe: Recipe) -> PiiConfig:
    """The ``mask_pii`` settings with the recipe's rule lists, read on the driver (a missing list fails here)."""
    config = recipe.pii
    try:
        rules = load_pii_rules(recipe.rules_path(config.rules))
    except (OSError, ValueError) as error:
        raise RecipeError(f"pii.rules: {error}") from None
    return PiiConfig(types=frozenset(config.types), placeholder=config.placeholder, rules=rules)


def pii_fingerprint(config: PiiConfig) -> str:
    """A fingerprint of what ``mask_pii`` masks: types, placeholder and every rule list."""
    rules = {key: sorted(value) for key, value in vars(config.rules).items()} if config.rules else None
    canonical = json.dumps([sorted(config.types), config.placeholder, rules], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def pii_counts(result: DataFrame) -> dict[str, Any]:
    """Masked values per source and type, and documents with any (``stats.json`` -> ``pii_masked``)."""
    fields = [F.col(f"pii_masked.{kind}") for kind in PII_TYPES]
    any_masked = sum(fields[1:], fields[0]) > 0
    rows = (
        result.where(F.col("pii_masked").isNotNull())
        .groupBy("source")
        .agg(
            F.sum(any_masked.cast("long")).alias("documents"),
            *[F.sum(field).alias(kind) for field, kind in zip(fields, PII_TYPES)],
        )
        .collect()
    )
    sources = {
        row["source"] or "": {
            "documents": int(row["documents"] or 0),
            "values": {kind: int(row[kind] or 0) for kind in PII_TYPES},
        }
        for row in sorted(rows, key=lambda r: r["source"] or "")
    }
    return {
        "pii_masked": {
            "documents": sum(entry["documents"] for entry in sources.values()),
            "values": {kind: sum(entry["values"][kind] for entry in sources.values()) for kind in PII_TYPES},
            "sources": sources,
        }
    }


def with_perplexity_buckets(scored: DataFrame, plan: QualityPlan) -> tuple[DataFrame, dict[str, Any]]:
    """Add ``ppl_bucket`` from the percentiles of ``perplexity``; returns the frame and what stats.json records."""
    config = plan.perplexity
    head, middle = config.bucket_percentiles
    cutoffs: list[float] = []
    if plan.lm is not None:
        cutoffs = scored.where(F.col("perplexity").isNotNull()).approxQuantile(
            "perplexity", [head / 100, middle / 100], config.quantile_error
        )
    ppl = F.col("perplexity")
    bucket = F.lit(None).cast("string")
    if len(cutoffs) == 2:
        bucket = (
            F.when(ppl.isNull(), None)
            .when(ppl <= cutoffs[0], "head")
            .when(ppl <= cutoffs[1], "middle")
            .otherwise("tail")
        )
    result = scored.withColumn("ppl_bucket", bucket)
    counts = {}
    if plan.lm is not None:
        counts = {
            row["ppl_bucket"]: row["count"]
            for row in result.where(ppl.isNotNull()).groupBy("ppl_bucket").count().collect()
        }
    stats = {
        "model": plan.lm.stats() if plan.lm else None,
        "bucket_percentiles": [head, middle],
        "cutoffs": cutoffs or None,
        "max_perplexity": config.max_perplexity,
        "scored": sum(counts.values()),
        "buckets": {name: counts.get(name, 0) for name in ("head", "middle", "tail")},
    }
    return result, stats


STAGE = QualityStage()
