"""Gather everything the report shows from a run directory (``report.json``'s content).

Counts come from the stages' ``stats.json`` (exact). Distributions, perplexity shifts and audit samples come
from a seeded sample of at most ``sample_size`` rows of each stage's ``kept/`` and ``removed/`` (Spark reads
them, so a run on HDFS or of any size works); perplexity is the stage's ``perplexity`` column where present,
else the KenLM model scores the sampled text on the driver. Dedup cluster sizes and ground truth read whole
columns of small tables (the removed duplicates; the demo corpus).
"""

from __future__ import annotations

import json
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline import ground_truth
from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from corpus_pipeline.lm.model import LMSpec, perplexity, worker_model
from corpus_pipeline.report.metrics import METRICS, perplexity_shift, stage_distributions
from corpus_pipeline.rules.document_filters import cjk_ratio

STAGES = ("clean", "filter", "quality", "dedup", "pack")
DOCUMENT_STAGES = STAGES[:-1]
SAMPLE_COLUMNS = ("id", "source", "text", "reason", "meta", *METRICS)
SAMPLES_PER_REASON = 5
SAMPLE_CHARS = 400


def read_json(spark: SparkSession, uri: str) -> dict | None:
    return json.loads(fs.read_text(spark, uri)) if fs.exists(spark, uri) else None


def funnel(stats: dict[str, dict]) -> list[dict]:
    """Documents and bytes in, kept, removed and quarantined per stage, overall and per source."""
    rows = []
    for stage in DOCUMENT_STAGES:
        if stage not in stats:
            continue
        s = stats[stage]

        def counts(part: dict) -> dict:
            docs, size = part["documents"], part["bytes"]
            return {"in": docs["in"], "kept": docs["kept"], "removed": docs["removed"],
                    "quarantined": docs["quarantined"], "bytes_in": size["in"], "bytes_kept": size["kept"]}

        rows.append({"stage": stage, **counts(s),
                     "sources": {name: counts(part) for name, part in sorted(s["sources"].items())}})
    if "pack" in stats:
        p = stats["pack"]
        rows.append({"stage": "pack", "in": p["documents"]["in"], "kept": p["documents"]["packed"], "removed": 0,
                     "quarantined": 0, "bytes_in": p["text_bytes"], "bytes_kept": p["text_bytes"],
                     "tokens": p["tokens"],
                     "sources": {name: {"in": part["documents"], "kept": part["documents"], "removed": 0,
                                        "quarantined": 0, "bytes_in": part["text_bytes"],
                                        "bytes_kept": part["text_bytes"], "tokens": part["tokens"]}
                                 for name, part in sorted(p["sources"].items())}})
    return rows


def reasons(stats: dict[str, dict]) -> dict[str, dict]:
    """Per stage: every removal and quarantine reason with documents, bytes and documents per source."""
    out = {}
    for stage in DOCUMENT_STAGES:
        if stage not in stats:
            continue
        table = {}
        for outcome in ("removed", "quarantined"):
            for reason, counts in sorted(stats[stage][outcome].items()):
                table[reason] = {"outcome": outcome, **counts, "sources": {
                    name: part[outcome][reason]["documents"]
                    for name, part in sorted(stats[stage]["sources"].items()) if reason in part[outcome]}}
        out[stage] = table
    return out


def sample_rows(frame: DataFrame, count: int, size: int, seed: int) -> list[dict]:
    """About ``size`` rows (seeded Bernoulli sample; all rows when ``count <= size``)."""
    if count == 0:
        return []
    columns = [c for c in SAMPLE_COLUMNS if c in frame.columns]
    if count > size:  # a Bernoulli fraction that almost surely draws at least ``size`` rows, then the first by hash
        fraction = min(1.0, (size + 4 * size ** 0.5 + 10) / count)
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
    rows = (frame.where(F.col("reason").isin(reasons)).select("reason", "id", "source", "text")
            .withColumn("rank", rank).where(F.col("rank") <= SAMPLES_PER_REASON).orderBy("reason", "rank").collect())
    out: dict[str, list[dict]] = {reason: [] for reason in reasons}
    for r in rows:
        out[r["reason"]].append({"id": r["id"], "source": r["source"], "chars": len(r["text"] or ""),
                                 "text": (r["text"] or "")[:SAMPLE_CHARS]})
    return out


def dedup_clusters(removed: DataFrame) -> dict:
    """Sizes of the duplicate clusters: the kept document and every document removed as its duplicate."""
    if "duplicate_of" not in removed.columns:
        return {"clusters": 0, "sizes": {}}
    rows = (removed.where(F.col("duplicate_of").isNotNull()).groupBy("duplicate_of").count()
            .groupBy("count").agg(F.count(F.lit(1)).alias("clusters")).collect())
    sizes = {int(r["count"]) + 1: int(r["clusters"]) for r in rows}
    return {"clusters": sum(sizes.values()), "documents_removed": sum((k - 1) * v for k, v in sizes.items()),
            "sizes": {str(k): sizes[k] for k in sorted(sizes)}}


def truth_scores(spark: SparkSession, run: str, samples: dict[str, list[dict]]) -> dict | None:
    """Each rule's precision and recall where the documents carry ground truth (the demo corpus)."""
    if not any('"truth"' in (row.get("meta") or "") for row in samples.get("clean", [])):
        return None
    out = {}
    frames = {part: spark.read.parquet(fs.join(run, "clean", part)) for part in ("kept", "removed")}
    rows = []
    for part, frame in frames.items():
        columns = [c for c in ("reason", "meta", *ground_truth.LINE_RULES) if c in frame.columns]
        rows.extend(row.asDict() for row in frame.select(*columns).collect())
    out["clean"] = ground_truth.score(rows)
    if fs.exists(spark, fs.join(run, "dedup", "_SUCCESS")):
        kept = spark.read.parquet(fs.join(run, "dedup", "kept")).select("id", "meta")
        removed = spark.read.parquet(fs.join(run, "dedup", "removed")).select("id", "meta", "reason", "duplicate_of")
        rows = [r.asDict() for r in kept.collect()] + [r.asDict() for r in removed.collect()]
        out["dedup"] = ground_truth.score_dedup(rows)
    return out


def check_sample_size(size: int) -> None:
    if size < 1:
        raise InputError(f"--sample must be at least 1, got {size}")


def collect(spark: SparkSession, run: str, lm: LMSpec | None, sample_size: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Everything ``report.json`` holds for the run under ``run``."""
    check_sample_size(sample_size)
    outputs = (read_json(spark, fs.join(run, "run.json")) or {}).get("outputs", {})  # pack may be elsewhere
    stats = {stage: s for stage in STAGES
             if (s := read_json(spark, fs.join(outputs.get(stage) or fs.join(run, stage), "stats.json")))}
    if not stats:
        raise InputError(f"{run}: no stage output with stats.json (clean/, filter/, ... )")
    lm_model = worker_model(lm) if lm is not None else None
    report: dict[str, Any] = {"run": run, "stages": list(stats), "sample_size": sample_size, "seed": seed,
                              "lm": lm.stats() if lm else None, "funnel": funnel(stats), "reasons": reasons(stats)}
    distributions, shifts, samples, clean_sample = {}, [], {}, {}
    for stage in DOCUMENT_STAGES:
        if stage not in stats:
            continue
        docs = stats[stage]["documents"]
        parts = {part: spark.read.parquet(fs.join(run, stage, part)) for part in ("kept", "removed")}
        rows = {part: sample_rows(parts[part], docs[part], sample_size, seed) for part in parts}
        if stage == "clean":
            clean_sample = rows
        values = {part: metric_values(rows[part], lm_model) for part in rows}
        distributions[stage] = stage_distributions(values["kept"], values["removed"])
        shift = perplexity_shift(values["kept"]["perplexity"], values["removed"]["perplexity"], docs["kept"],
                                 docs["removed"])
        shifts.append({"stage": stage, "in": docs["in"], "removed_fraction": (docs["removed"] + docs["quarantined"])
                       / docs["in"] if docs["in"] else None, "sampled_kept": len(rows["kept"]),
                       "sampled_removed": len(rows["removed"]), **shift})
        samples[stage] = audit_samples(parts["removed"], report["reasons"][stage])
        if stage == "dedup":
            report["dedup_clusters"] = dedup_clusters(parts["removed"])
    report.update(distributions=distributions, perplexity_shift=shifts, samples=samples)
    report["tokens"] = ({name: part["tokens"] for name, part in sorted(stats["pack"]["sources"].items())}
                        if "pack" in stats else None)
    report["probe"] = read_json(spark, fs.join(run, "probe", "probe.json"))
    report["ground_truth"] = truth_scores(spark, run, {"clean": clean_sample.get("kept", [])
                                                       + clean_sample.get("removed", [])})
    return report
