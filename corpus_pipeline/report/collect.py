"""Gather everything the report shows from a run directory (``report.json``'s content).

The stages are the registered ones (:mod:`corpus_pipeline.stage.registry`), in run order. Counts come from
their ``stats.json`` (exact). Distributions, perplexity shifts and audit samples come from a seeded sample of
at most ``sample_size`` rows of each document stage's ``kept/`` and ``removed/`` (Spark reads them, so a run on
HDFS or of any size works); perplexity is the stage's ``perplexity`` column where present, else the KenLM model
scores the sampled text on the driver. Dedup cluster sizes read the removed duplicates. Where an evaluation
wrote ``RUN/ground_truth.json`` (each rule's precision and recall against labels the documents carry; the
demo corpus has them) and a probe wrote ``RUN/probe/probe.json``, the report shows them too.
"""

from __future__ import annotations

import json
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from corpus_pipeline.perplexity.model import LMSpec, perplexity, worker_model
from corpus_pipeline.report.metrics import METRICS, perplexity_shift, stage_distributions
from corpus_pipeline.rules.document_filters import cjk_ratio
from corpus_pipeline.stage.registry import stages
from corpus_pipeline.stage.stats import StageStats, read_stats

GROUND_TRUTH_FILE = "ground_truth.json"
SAMPLE_COLUMNS = ("id", "source", "text", "reason", "meta", *METRICS)
SAMPLES_PER_REASON = 5
SAMPLE_CHARS = 400


def read_json(spark: SparkSession, uri: str) -> dict | None:
    return json.loads(fs.read_text(spark, uri)) if fs.exists(spark, uri) else None


def funnel(stats: dict[str, StageStats]) -> list[dict]:
    """Documents and bytes in, kept, removed and quarantined per stage, overall and per source; and tokens for a
    stage that counts them (pack)."""
    rows = []
    for stage, s in stats.items():

        def counts(documents: dict, size: dict) -> dict:
            return {
                "in": documents["in"],
                "kept": documents["kept"],
                "removed": documents["removed"],
                "quarantined": documents["quarantined"],
                "bytes_in": size["in"],
                "bytes_kept": size["kept"],
            }

        row = {
            "stage": stage,
            **counts(s.documents, s.bytes),
            "sources": {name: counts(part["documents"], part["bytes"]) for name, part in sorted(s.sources.items())},
        }
        if "tokens" in s.details:
            row["tokens"] = s.details["tokens"]
            for name, part in row["sources"].items():
                part["tokens"] = s.details["mixture"][name]["tokens"]
        rows.append(row)
    return rows


def reasons(stats: dict[str, StageStats]) -> dict[str, dict]:
    """Per stage: every removal and quarantine reason with documents, bytes and documents per source."""
    out = {}
    for stage, s in stats.items():
        table = {}
        for outcome, by_reason in (("removed", s.removed), ("quarantined", s.quarantined)):
            for reason, counts in sorted(by_reason.items()):
                table[reason] = {
                    "outcome": outcome,
                    **counts,
                    "sources": {
                        name: part[outcome][reason]["documents"]
                        for name, part in sorted(s.sources.items())
                        if reason in part[outcome]
                    },
                }
        out[stage] = table
    return out


def sample_rows(frame: DataFrame, count: int, size: int, seed: int) -> list[dict]:
    """About ``size`` rows (seeded Bernoulli sample; all rows when ``count <= size``)."""
    if count == 0:
        return []
    columns = [c for c in SAMPLE_COLUMNS if c in frame.columns]
    if count > size:  # a Bernoulli fraction that almost surely draws at least ``size`` rows, then the first by hash
        fraction = min(1.0, (size + 4 * size**0.5 + 10) / count)
        frame = frame.sample(withReplacement=False, fraction=fraction, seed=seed)
        frame = frame.orderBy(F.xxhash64("id")).limit(size)
    return [row.asDict() for row in frame.select(*columns).collect()]


def metric_values(rows: list[dict], lm_model) -> dict[str, list]:
    """Each metric for each sampled row: the stage's column when it has one, else computed from the text."""
    values: dict[str, list] = {metric: [] for metric in METRICS}
    for row in rows:
        text = row.get("text") or ""
        values["cjk_ratio"].append(row["cjk_ratio"] if row.get("cjk_ratio") is not None else cjk_ratio(text))
        values["n_chars"].append(row["n_chars"] if row.get("n_chars") is not None else len(text))
        values["spam_score"].append(row.get("spam_score"))
        values["quality_score"].append(row.get("quality_score"))
        ppl = row.get("perplexity")
        if ppl is None and lm_model is not None:
            ppl = perplexity(lm_model, text)
        values["perplexity"].append(ppl)
    return values


def audit_samples(frame: DataFrame, stage_reasons: dict[str, dict]) -> dict[str, list[dict]]:
    """For every removal reason, a few removed documents (the first by id hash; one pass over ``removed/``)."""
    from pyspark.sql import Window

    reasons = [reason for reason, counts in stage_reasons.items() if counts["outcome"] == "removed"]
    if not reasons:
        return {}
    rank = F.row_number().over(Window.partitionBy("reason").orderBy(F.xxhash64("id"), "id"))
    rows = (
        frame.where(F.col("reason").isin(reasons))
        .select("reason", "id", "source", "text")
        .withColumn("rank", rank)
        .where(F.col("rank") <= SAMPLES_PER_REASON)
        .orderBy("reason", "rank")
        .collect()
    )
    out: dict[str, list[dict]] = {reason: [] for reason in reasons}
    for r in rows:
        out[r["reason"]].append(
            {
                "id": r["id"],
                "source": r["source"],
                "chars": len(r["text"] or ""),
                "text": (r["text"] or "")[:SAMPLE_CHARS],
            }
        )
    return out


def dedup_clusters(removed: DataFrame) -> dict:
    """Sizes of the duplicate clusters: the kept document and every document removed as its duplicate."""
    if "duplicate_of" not in removed.columns:
        return {"clusters": 0, "sizes": {}}
    rows = (
        removed.where(F.col("duplicate_of").isNotNull())
        .groupBy("duplicate_of")
        .count()
        .groupBy("count")
        .agg(F.count(F.lit(1)).alias("clusters"))
        .collect()
    )
    sizes = {int(r["count"]) + 1: int(r["clusters"]) for r in rows}
    return {
        "clusters": sum(sizes.values()),
        "documents_removed": sum((k - 1) * v for k, v in sizes.items()),
        "sizes": {str(k): sizes[k] for k in sorted(sizes)},
    }


def safety(stats: dict[str, StageStats]) -> dict[str, Any] | None:
    """Domain-blocklist removals per list and source, benchmark-question removals per benchmark and source (with
    the benchmarks checked or missing and the items found most), and the personal data masked per type and source."""
    filtered, quality = stats.get("filter"), stats.get("quality")
    out = {
        "domain_blocklists": filtered.get("domain_blocklists") if filtered else None,
        "blocked_domain": filtered.get("blocked_domain") if filtered else None,
        "benchmarks": filtered.get("benchmarks") if filtered else None,
        "benchmark_overlap": filtered.get("benchmark_overlap") if filtered else None,
        "benchmark_items_top": filtered.get("benchmark_items_top") if filtered else None,
        "pii": quality.get("pii") if quality else None,
        "pii_masked": quality.get("pii_masked") if quality else None,
    }
    return out if any(value is not None for value in out.values()) else None


def check_sample_size(size: int) -> None:
    if size < 1:
        raise InputError(f"--sample must be at least 1, got {size}")


def collect(spark: SparkSession, run: str, lm: LMSpec | None, sample_size: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Everything ``report.json`` holds for the run under ``run``."""
    check_sample_size(sample_size)
    outputs = (read_json(spark, fs.join(run, "run.json")) or {}).get("outputs", {})  # pack may be elsewhere
    stats = {
        stage.name: s
        for stage in stages()
        if (s := read_stats(spark, outputs.get(stage.name) or fs.join(run, stage.name)))
    }
    if not stats:
        raise InputError(f"{run}: no stage output with stats.json (clean/, filter/, ... )")
    lm_model = worker_model(lm) if lm is not None else None
    report: dict[str, Any] = {
        "run": run,
        "stages": list(stats),
        "sample_size": sample_size,
        "seed": seed,
        "lm": lm.stats() if lm else None,
        "funnel": funnel(stats),
        "reasons": reasons(stats),
    }
    distributions, shifts, samples = {}, [], {}
    for stage in stages():
        if stage.name not in stats or not stage.writes_documents:
            continue
        docs = stats[stage.name].documents
        parts = {part: spark.read.parquet(fs.join(run, stage.name, part)) for part in ("kept", "removed")}
        rows = {part: sample_rows(parts[part], docs[part], sample_size, seed) for part in parts}
        values = {part: metric_values(rows[part], lm_model) for part in rows}
        distributions[stage.name] = stage_distributions(values["kept"], values["removed"])
        shift = perplexity_shift(
            values["kept"]["perplexity"], values["removed"]["perplexity"], docs["kept"], docs["removed"]
        )
        shifts.append(
            {
                "stage": stage.name,
                "in": docs["in"],
                "removed_fraction": (docs["removed"] + docs["quarantined"]) / docs["in"] if docs["in"] else None,
                "sampled_kept": len(rows["kept"]),
                "sampled_removed": len(rows["removed"]),
                **shift,
            }
        )
        samples[stage.name] = audit_samples(parts["removed"], report["reasons"][stage.name])
        if "duplicate_of" in parts["removed"].columns:
            report["dedup_clusters"] = dedup_clusters(parts["removed"])
    report.update(distributions=distributions, perplexity_shift=shifts, samples=samples)
    tokens = [row for row in report["funnel"] if "tokens" in row]
    report["tokens"] = {name: part["tokens"] for name, part in tokens[-1]["sources"].items()} if tokens else None
    report["safety"] = safety(stats)
    report["line_dedup"] = stats["clean"].get("line_dedup") if "clean" in stats else None
    report["probe"] = read_json(spark, fs.join(run, "probe", "probe.json"))
    report["ground_truth"] = read_json(spark, fs.join(run, GROUND_TRUTH_FILE))
    return report
