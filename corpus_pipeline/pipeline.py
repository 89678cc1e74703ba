"""``corpus-pipeline run``: every stage in order in one Spark session, then the report.

``OUTPUT/clean``, ``OUTPUT/filter``, ``OUTPUT/quality``, ``OUTPUT/dedup`` and ``OUTPUT/pack`` are the stages'
outputs, each read by the next; ``OUTPUT/run.json`` records the inputs, the recipe and each stage's summary;
``OUTPUT/report.html`` and ``OUTPUT/report.json`` come last. Every model, tokenizer and rule file is checked
before Spark starts, so a bad recipe fails in seconds, not after the first stage.

Re-running the same command resumes: each stage output is committed by rename with its fingerprint in
``_SUCCESS`` (:mod:`corpus_pipeline.stage_commit`), and a stage whose committed fingerprint matches is
reused. A run killed in the middle of a stage starts again at that stage.

Before any stage runs, every output the run replaces is checked (:func:`~corpus_pipeline.output_safety.
check_run_outputs`: no input overwritten, nothing foreign replaced without ``--overwrite``), and the run folder's
lock (``PARENT/.OUTPUT.lock``) is held to the end, so two runs into one folder never interleave.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.errors import InputError
from corpus_pipeline.fingerprint import MARKER, code_version, fingerprint_for, read_marker
from corpus_pipeline.io import fs
from corpus_pipeline.recipe import InputSpec, Recipe
from corpus_pipeline.output_lock import output_lock
from corpus_pipeline.output_safety import HadoopView, check_run_outputs, current_policy
from corpus_pipeline.stage_commit import check_writable, commit_stage

STAGES = ("clean", "filter", "quality", "dedup", "pack")


def prepare_plans(recipe: Recipe, tokenizer: str | None = None) -> dict[str, Any]:
    """Every stage's worker plan, built (and so checked) on the driver before any job runs."""
    from corpus_pipeline.dedup.stage import dedup_plan
    from corpus_pipeline.filter.stage import filter_plan
    from corpus_pipeline.pack.stage import pack_plan
    from corpus_pipeline.quality.stage import quality_plan
    from corpus_pipeline.rules.ruledata import load_clean_rules

    return {"clean": load_clean_rules(recipe), "filter": filter_plan(recipe), "quality": quality_plan(recipe),
            "dedup": dedup_plan(recipe), "pack": pack_plan(recipe, tokenizer)}


def summary(stage: str, stats: dict[str, Any]) -> dict[str, Any]:
    """What run.json keeps of a stage's stats."""
    if stage == "pack":
        return {"documents": stats["documents"]["in"], "tokens": stats["tokens"], "shards": stats["shards"],
                "seconds": stats["seconds"]}
    docs = stats["documents"]
    return {"in": docs["in"], "kept": docs["kept"], "removed": docs["removed"], "quarantined": docs["quarantined"],
            "seconds": stats["seconds"]}


def _writers() -> dict[str, Callable[..., dict[str, Any]]]:
    from corpus_pipeline.clean.stage import write_clean
    from corpus_pipeline.dedup.stage import write_dedup
    from corpus_pipeline.filter.stage import write_filter
    from corpus_pipeline.pack.stage import write_pack
    from corpus_pipeline.quality.stage import write_quality

    return {"clean": write_clean, "filter": write_filter, "quality": write_quality, "dedup": write_dedup,
            "pack": write_pack}


def check_start(start: str | None) -> None:
    if start is not None and start not in STAGES:
        raise InputError(f"--from {start}: not a stage; the stages are {', '.join(STAGES)}")


def run_pipeline(spark: SparkSession, inputs: list[InputSpec], output: str, recipe: Recipe,
                 plans: dict[str, Any], echo: Callable[[str], None] = print, start: str | None = None,
                 force: bool = False, pack_output: str | None = None) -> dict[str, Any]:
    """Run clean → filter → quality → dedup → pack into ``output``; returns (and writes) ``run.json``.

    Pack writes to ``pack_output`` when given (its shards need a local or shared POSIX path, while the other
    stages can write to HDFS or S3), else to ``output/pack``.

    A stage whose output is committed with the fingerprint it would write now is reused, not run. ``force``
    runs every stage. ``start`` runs that stage and every later one, and reuses the committed outputs of the
    stages before it whatever their fingerprint (say, after a recipe change that only affects ``start``).
    """
    from corpus_pipeline.pack.stage import local_output

    check_start(start)
    outputs = {stage: fs.join(output, stage) for stage in STAGES}
    if pack_output:
        outputs["pack"] = pack_output
    local_output(spark, outputs["pack"])  # fails now, not after the other stages, if pack cannot write there
    policy = current_policy()
    check_run_outputs(HadoopView(spark), output, [spec.path for spec in inputs], STAGES, pack_output,
                      policy.overwrite)
    if policy.overwrite and fs.exists(spark, output) and not fs.is_dir(spark, output):
        fs.delete(spark, output)  # --overwrite: a file where the run folder goes
    check_writable(spark, output)
    with output_lock(spark, output, break_lock=policy.break_lock, echo=echo):
        return _run_stages(spark, inputs, output, recipe, plans, outputs, echo, start, force)


def _run_stages(spark: SparkSession, inputs: list[InputSpec], output: str, recipe: Recipe, plans: dict[str, Any],
                outputs: dict[str, str], echo: Callable[[str], None], start: str | None,
                force: bool) -> dict[str, Any]:
    writers = _writers()
    started = time.time()
    record: dict[str, Any] = {"inputs": [spec.model_dump() for spec in inputs], "recipe_sha256": recipe.sha256(),
                              "code_version": code_version(), "outputs": outputs, "stages": {}}
    previous: str | None = None
    for index, stage in enumerate(STAGES):
        stage_dir = outputs[stage]
        stage_inputs = list(inputs) if stage == "clean" else [previous]
        fingerprint = fingerprint_for(spark, stage, stage_inputs, recipe, plans[stage])
        marker = read_marker(spark, stage_dir)
        committed = marker is not None and marker.get("fingerprint") == fingerprint["fingerprint"]
        before_start = start is not None and index < STAGES.index(start)
        if before_start and marker is None:
            raise InputError(f"--from {start}: {stage_dir} has no {MARKER}, so {stage} must run first "
                             f"(run without --from)")
        rerun = force or (start is not None and not before_start)
        if not rerun and (committed or before_start):
            stats = json.loads(fs.read_text(spark, fs.join(stage_dir, "stats.json")))
            status = "reused" if committed else "reused (--from; fingerprint differs)"
        else:
            plan = plans[stage]
            stats = commit_stage(spark, stage_dir, fingerprint,
                                 lambda staging: writers[stage](spark, stage_inputs, staging, recipe, plan),
                                 stage_inputs)
            status = "ran"
        record["stages"][stage] = {"status": status, **summary(stage, stats),
                                   "fingerprint": fingerprint["fingerprint"]}
        echo(f"{stage}: " + ", ".join(f"{key} {value}" for key, value in record["stages"][stage].items()
                                      if key != "fingerprint"))
        previous = stage_dir
    record["seconds"] = round(time.time() - started, 3)
    fs.write_text(spark, fs.join(output, "run.json"), json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return record
