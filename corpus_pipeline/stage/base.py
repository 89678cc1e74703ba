"""A pipeline stage as one object: its name, how it plans, writes and summarizes.

Everything that runs stages takes them from :mod:`corpus_pipeline.stage.registry`: ``corpus-pipeline run``
and ``--from``, the per-stage sub-commands and their arguments, the spark-submit jobs that ``make package``
writes, the fingerprints and the report. A stage:

1. **plans** on the driver before Spark starts (:meth:`Stage.plan`): reads and checks every rule file and
   model the recipe names, so a bad recipe fails in seconds with one line; the plan is plain picklable data
   that the executors get (models travel by ``addFile`` and load once per worker, never pickled);
2. **writes** its output (:meth:`Stage.write`) into the staging folder it is given, which
   :func:`corpus_pipeline.stage.commit.commit_stage` renames into place and marks with ``_SUCCESS``;
   every input record ends kept, removed (one reason) or quarantined, checked before it returns;
3. **summarizes** (:meth:`Stage.summarize`): its line in ``run.json`` and on the console.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any, ClassVar

from pyspark.sql import SparkSession

from corpus_pipeline.recipe import Recipe
from corpus_pipeline.stage.stats import StageStats


class Stage:
    """Base class of a stage; subclasses set the class attributes and implement :meth:`plan` and :meth:`write`."""

    #: the sub-command and the output folder name in a run
    name: ClassVar[str]
    #: one line for ``--help``
    help: ClassVar[str]
    #: True when the stage reads raw input files (``SOURCE=PATH``), False when it reads documents
    reads_raw_input: ClassVar[bool] = False
    #: True when the stage writes kept/ and removed/ documents (the report samples them)
    writes_documents: ClassVar[bool] = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """The stage's own command-line options (``run`` offers every stage's)."""

    def plan(self, recipe: Recipe, options: Mapping[str, Any]) -> Any:
        """Everything the executors need, read and checked on the driver before Spark starts."""
        raise NotImplementedError(f"stage {self.name} does not plan")

    def check_output(self, spark: SparkSession, output: str) -> None:
        """Fail before any work when the stage cannot write at ``output`` (beyond the generic write check)."""

    def write(self, spark: SparkSession, inputs: list, output: str, recipe: Recipe, plan: Any) -> StageStats:
        """Write the stage's output under ``output`` (a staging folder) and return its stats."""
        raise NotImplementedError(f"stage {self.name} does not write")

    def resources(self, plan: Any) -> dict[str, str | None]:
        """sha256 of the rule and model files ``plan`` was built from: they enter the stage's fingerprint."""
        return {}

    def summarize(self, stats: StageStats) -> dict[str, Any]:
        """The stage's entry in ``run.json``."""
        return stats.summary()

    def describe(self, output: str, stats: StageStats) -> list[str]:
        """What the sub-command prints when the stage is done."""
        docs = stats.documents
        lines = [
            f"{self.name}: {docs['in']} in, {docs['kept']} kept, {docs['removed']} removed, "
            f"{docs['quarantined']} quarantined ({stats.seconds} s)"
        ]
        lines += [f"  removed {reason}: {counts['documents']}" for reason, counts in sorted(stats.removed.items())]
        lines += [
            f"  quarantined {reason}: {counts['documents']}" for reason, counts in sorted(stats.quarantined.items())
        ]
        lines.append(f"  outputs: {output}/kept, {output}/removed, {output}/quarantine; stats: {output}/stats.json")
        return lines
