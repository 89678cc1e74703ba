"""The filter stage as a Spark job: domain blocklists, benchmark decontamination, sensitive-word filter and fastText
spam classifier (PanGu-α §3.1.1)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline.classify.model import distribute, load_model_spec
from corpus_pipeline.errors import InputError
from corpus_pipeline.filter import benchmarks
from corpus_pipeline.filter.batch import FILTER_COLUMNS, FilterPlan, filter_columns
from corpus_pipeline.io.documents import read_documents
from corpus_pipeline.recipe import Recipe, RecipeError
from corpus_pipeline.rules.domains import DomainBlocklists, load_blocklists
from corpus_pipeline.rules.sensitive import load_sensitive_lexicon
from corpus_pipeline.rules.webspam import WebSpamLexicon, load_webspam_lexicon
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


def with_extra_lexicons(recipe: Recipe, lexicons: list[str] | tuple[str, ...]) -> Recipe:
    """``recipe`` with ``lexicons`` (files, folders, globs) added to ``filter.sensitive.lexicons``."""
    if not lexicons:
        return recipe
    sensitive = recipe.filter.sensitive.model_copy(
        update={"lexicons": recipe.filter.sensitive.lexicons + tuple(lexicons)}
    )
    return recipe.model_copy(update={"filter": recipe.filter.model_copy(update={"sensitive": sensitive})})


class FilterStage(Stage):
    name = "filter"
    help = (
        "domain blocklists, benchmark decontamination, web-spam and repetition rules, sensitive words, spam classifier"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--lexicon",
            nargs="+",
            default=[],
            metavar="PATH",
            help="extra sensitive-word files, folders or globs (added to the recipe's lexicons)",
        )

    def plan(self, recipe: Recipe, options: Mapping[str, Any] | None = None) -> FilterPlan:
        """Load and check the lexicon and the spam model on the driver (no Spark needed): bad files fail here."""
        recipe = with_extra_lexicons(recipe, (options or {}).get("lexicon") or ())
        config = recipe.filter
        spam = None
        if recipe.uses_step("spam"):
            spam = load_model_spec(recipe.models_path(config.spam.model), "spam", config.spam.threshold)
        lexicon = load_sensitive_lexicon(recipe)
        categories = {category for _, word_categories in lexicon.entries for category in word_categories}
        unknown = sorted(set(config.sensitive.category_limits) - categories)
        if unknown:
            raise RecipeError(
                f"filter.sensitive.category_limits: unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(unknown)}; the lexicon has {', '.join(sorted(categories)) or 'none'}"
            )
        check_python_steps(recipe)
        return FilterPlan(
            blocklists=load_domain_blocklists(recipe) if recipe.uses_step("blocked_domain") else None,
            lexicon=lexicon,
            sensitive=config.sensitive,
            spam=spam,
            source_steps=source_steps(recipe),
            default_steps=recipe.steps_for("default"),
            python_steps=python_steps_by_stage(recipe, self.name),
            benchmarks=benchmarks.plan_benchmarks(recipe) if recipe.uses_step("benchmark_overlap") else None,
            webspam=load_webspam(recipe) if recipe.uses_step("webspam") else None,
            webspam_config=config.webspam.scoring,
            repetition=config.repetition,
        )

    def resources(self, plan: FilterPlan) -> dict[str, str | None]:
        return {
            "domain_blocklists": plan.blocklists.sha256() if plan.blocklists else None,
            "benchmark_index": plan.benchmarks.sha256 if plan.benchmarks else None,
            "webspam_lexicon": plan.webspam.sha256 if plan.webspam else None,
            "sensitive_lexicon": plan.lexicon.sha256,
            "spam_model": plan.spam.sha256 if plan.spam else None,
            **sources_sha256(plan.python_steps),
        }

    def write(
        self, spark: SparkSession, inputs: list[str], output: str, recipe: Recipe, plan: FilterPlan
    ) -> StageStats:
        ship_python_steps(spark, plan.python_steps)
        if plan.spam is not None:
            distribute(spark, plan.spam)
        if plan.benchmarks is not None:
            benchmarks.distribute(spark, plan.benchmarks)
        documents = read_documents(spark, inputs)
        result, kept_columns = annotate_documents(
            documents,
            lambda batch: filter_columns(batch, plan),
            FILTER_COLUMNS,
            targets_by_source(plan.python_steps),
            frozenset(plan.source_steps),
        )
        sensitive = plan.sensitive
        extra = {
            **run_stats(spark, recipe, inputs),
            "sensitive_lexicon": {
                "files": list(plan.lexicon.files),
                "words": len(plan.lexicon.entries),
                "sha256": plan.lexicon.sha256,
                "count": sensitive.count,
                "max_hits": sensitive.max_hits,
                "category_limits": dict(sensitive.category_limits),
            },
            "spam_model": plan.spam.stats() if plan.spam else None,
            "domain_blocklists": blocklist_stats(plan.blocklists),
            "benchmarks": plan.benchmarks.benchmarks if plan.benchmarks else None,
            "benchmark_index": plan.benchmarks.summary if plan.benchmarks else None,
            "webspam_lexicon": webspam_stats(plan.webspam),
        }
        return write_stage_output(spark, result, output, self.name, kept_columns, extra, detail_counts=removal_details)


def load_domain_blocklists(recipe: Recipe) -> DomainBlocklists:
    """The recipe's domain lists, read on the driver: a missing or bad file fails here, before Spark starts."""
    config = recipe.filter.domains
    try:
        return load_blocklists(
            [(name, recipe.rules_path(path)) for name, path in config.lists.items()],
            recipe.rules_path(config.allowlist) if config.allowlist else None,
        )
    except (OSError, RecipeError) as error:
        raise RecipeError(f"filter.domains: {error}") from None


def load_webspam(recipe: Recipe) -> WebSpamLexicon:
    """The web-spam lexicon folder, read on the driver: a missing or malformed file fails before Spark starts."""
    try:
        return load_webspam_lexicon(recipe.rules_path(recipe.filter.webspam.lexicons))
    except InputError as error:
        raise RecipeError(f"filter.webspam: {error}") from None


def webspam_stats(lexicon: WebSpamLexicon | None) -> dict[str, Any] | None:
    """What ``stats.json`` records about the web-spam lexicon: its files, hash and entries per category."""
    if lexicon is None:
        return None
    categories = sorted({category for _, category, _ in lexicon.entries})
    return {
        "files": list(lexicon.files),
        "sha256": lexicon.sha256,
        "entries": {category: lexicon.size(category) for category in categories},
        "patterns": len(lexicon.patterns),
    }


def blocklist_stats(lists: DomainBlocklists | None) -> dict[str, Any] | None:
    """What ``stats.json`` records about the lists: entries, entries the allowlist took out, entries skipped."""
    if lists is None:
        return None
    return {
        name: {
            "domains": size,
            "allowlisted": len(lists.removed_by_allowlist.get(name, ())),
            "skipped": len(lists.skipped.get(name, ())),
        }
        for name, size in lists.sizes().items()
    }


TOP_ITEMS = 20


def removal_details(result: DataFrame) -> dict[str, Any]:
    """``stats.json`` counts from one aggregation: ``blocked_domain`` removals per list and source,
    ``benchmark_overlap`` removals per benchmark and source, and the benchmark items found in the most documents
    (at most :data:`TOP_ITEMS`). Its rows are bounded by the lists and the benchmark items, not by the corpus."""
    rows = (
        result.where(F.col("reason").isin("blocked_domain", "benchmark_overlap"))
        .groupBy("reason", "blocked_list", "benchmark", "benchmark_item", "source")
        .agg(F.count(F.lit(1)).alias("documents"))
        .collect()
    )
    blocked: dict[str, dict[str, int]] = {}
    per_benchmark: dict[str, dict[str, int]] = {}
    items: dict[tuple[str, str], int] = {}
    for row in sorted(
        rows, key=lambda r: tuple(str(r[k] or "") for k in ("reason", "blocked_list", "benchmark", "source"))
    ):
        source = row["source"] or ""
        if row["reason"] == "blocked_domain":
            per_source = blocked.setdefault(row["blocked_list"], {})
        else:
            per_source = per_benchmark.setdefault(row["benchmark"], {})
            key = (row["benchmark"], row["benchmark_item"])
            items[key] = items.get(key, 0) + row["documents"]
        per_source[source] = per_source.get(source, 0) + row["documents"]
    top = sorted(items.items(), key=lambda entry: (-entry[1], entry[0]))[:TOP_ITEMS]
    return {
        "blocked_domain": blocked,
        "benchmark_overlap": per_benchmark,
        "benchmark_items_top": [{"benchmark": b, "item": i, "documents": count} for (b, i), count in top],
    }


STAGE = FilterStage()
