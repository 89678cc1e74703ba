"""``corpus-pipeline report --run DIR``: collect, then write ``DIR/report.json`` and ``DIR/report.html``."""

from __future__ import annotations

import json
from typing import Any

from pyspark.sql import SparkSession

from corpus_pipeline.io import fs
from corpus_pipeline.perplexity.model import LMSpec
from corpus_pipeline.report.collect import collect
from corpus_pipeline.report.render import render


def write_report(
    spark: SparkSession, run: str, lm: LMSpec | None, sample_size: int = 2000, seed: int = 0
) -> dict[str, Any]:
    report = collect(spark, run, lm, sample_size, seed)
    fs.write_text(spark, fs.join(run, "report.json"), json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    fs.write_text(spark, fs.join(run, "report.html"), render(report))
    return report
