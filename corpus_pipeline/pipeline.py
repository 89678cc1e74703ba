"""``corpus-pipeline run``: every registered stage in order in one Spark session, then the report.

``OUTPUT/<stage>`` is each stage's output (:mod:`corpus_pipeline.stage.registry`: clean, filter, quality,
dedup, pack), read by the next; ``OUTPUT/run.json`` records the inputs, the recipe and each stage's summary;
``OUTPUT/report.html`` and ``OUTPUT/report.json`` come last. Every stage plans before Spark starts, so a bad
recipe, rule file or model fails in seconds, not after the first stage.

Re-running the same command resumes: each stage output is committed by rename with its fingerprint in
``_SUCCESS`` (:mod:`corpus_pipeline.stage.commit`), and a stage whose committed fingerprint matches is
reused. A run killed in the middle of a stage starts again at that stage.

Before any stage runs, every output the run replaces is checked (:func:`~corpus_pipeline.stage.safety.
check_run_outputs`: no input overwritten, nothing foreign replaced without ``--overwrite``), and the run folder's
lock (``PARENT/.OUTPUT.lock``) is held to the end, so two runs into one folder never interleave.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from corpus_pipeline.recipe import InputSpec, Recipe
from corpus_pipeline.stage.commit import check_writable, commit_stage
from corpus_pipeline.stage.fingerprint import MARKER, code_version, fingerprint_for, read_marker
from corpus_pipeline.stage.lock import output_lock
from corpus_pipeline.stage.registry import stage_names, stages
from corpus_pipeline.stage.safety import HadoopView, check_run_outputs, current_policy
from corpus_pipeline.stage.stats import read_stats


def prepare_plans(recipe: Recipe, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every stage's worker plan, built (and so checked) on the driver before any job runs."""
    return {stage.name: stage.plan(recipe, options or {}) for stage in stages()}


def check_start(start: str | None) -> None:
    if start is not None and start not in stage_names():
        raise InputError(f"--from {start}: not a stage; the stages are {', '.join(stage_names())}")


def run_pipeline(
    spark: SparkSession,
    inputs: list[InputSpec],
    output: str,
    recipe: Recipe,
    plans: dict[str, Any],
    echo: Callable[[str], None] = print,
    start: str | None = None,
    force: bool = False,
    pack_output: str | None = None,
) -> dict[str, Any]:
    """Run every stage into ``output``; returns (and writes) ``run.json``.

    Pack writes to ``pack_output`` when given (its shards need a local or shared POSIX path, while the other
    stages can write to HDFS or S3), else to ``output/pack``.

    A stage whose output is committed with the fingerprint it would write now is reused, not run. ``force``
    runs every stage. ``start`` runs that stage and every later one, and reuses the committed outputs of the
    stages before it whatever their fingerprint (say, after a recipe change that only affects ``start``).
    """
    check_start(start)
    names = stage_names()
    outputs = {name: fs.join(output, name) for name in names}
    if pack_output:
        outputs["pack"] = pack_output
    for stage in stages():  # fails now, not after the earlier stages, if a stage cannot write there
        stage.check_output(spark, outputs[stage.name])
    policy = current_policy()
    check_run_outputs(HadoopView(spark), output, [spec.path for spec in inputs], names, pack_output, policy.overwrite)
    if policy.overwrite and fs.exists(spark, output) and not fs.is_dir(spark, output):
        fs.delete(spark, output)  # --overwrite: a file where the run folder goes
    check_writable(spark, output)
    with output_lock(spark, output, break_lock=policy.break_lock, echo=echo):
        return _run_stages(spark, inputs, output, recipe, plans, outputs, echo, start, force)


def _run_stages(
    spark: SparkSession,
    inputs: list[InputSpec],
    output: str,
    recipe: Recipe,
    plans: dict[str, Any],
    outputs: dict[str, str],
    echo: Callable[[str], None],
    start: str | None,
    force: bool,
) -> dict[str, Any]:
    names = stage_names()
    started = time.time()
    record: dict[str, Any] = {
        "inputs": [spec.model_dump() for spec in inputs],
        "recipe_sha256": recipe.sha256(),
        "code_version": code_version(),
        "outputs": outputs,
        "stages": {},
    }
    previous: str | None = None
    for index, stage in enumerate(stages()):
        stage_dir = outputs[stage.name]
        stage_inputs = list(inputs) if stage.reads_raw_input else [previous]
        plan = plans[stage.name]
        fingerprint = fingerprint_for(spark, stage, stage_inputs, recipe, plan)
        marker = read_marker(spark, stage_dir)
        committed = marker is not None and marker.get("fingerprint") == fingerprint["fingerprint"]
        before_start = start is not None and index < names.index(start)
        if before_start and marker is None:
            raise InputError(
                f"--from {start}: {stage_dir} has no {MARKER}, so {stage.name} must run first (run without --from)"
            )
        rerun = force or (start is not None and not before_start)
        if not rerun and (committed or before_start):
            stats = read_stats(spark, stage_dir)
            status = "reused" if committed else "reused (--from; fingerprint differs)"
        else:
            stats = commit_stage(
                spark,
                stage_dir,
                fingerprint,
                lambda staging: stage.write(spark, stage_inputs, staging, recipe, plan),
                stage_inputs,
            )
            status = "ran"
        record["stages"][stage.name] = {
            "status": status,
            **stage.summarize(stats),
            "fingerprint": fingerprint["fingerprint"],
        }
        echo(
            f"{stage.name}: "
            + ", ".join(f"{key} {value}" for key, value in record["stages"][stage.name].items() if key != "fingerprint")
        )
        previous = stage_dir
    record["seconds"] = round(time.time() - started, 3)
    fs.write_text(spark, fs.join(output, "run.json"), json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return record
