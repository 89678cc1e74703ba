"""Distributions the report draws, from samples of each stage's kept and removed documents (no Spark here).

A stage's sample of ``n`` rows out of ``count`` stands for ``count / n`` documents each; medians of a stage's
input combine its kept and removed samples with those weights.
"""

from __future__ import annotations

import math

import numpy as np

#: metric -> (label, log-scale x axis)
METRICS = {
    "cjk_ratio": ("Chinese character ratio", False),
    "n_chars": ("length (characters)", True),
    "spam_score": ("spam score", False),
    "quality_score": ("quality score", False),
    "perplexity": ("KenLM perplexity", True),
}
BINS = 30


def weighted_median(values: list[float], weights: list[float]) -> float | None:
    """The smallest value at which the cumulative weight reaches half the total."""
    pairs = sorted((v, w) for v, w in zip(values, weights) if v is not None and w > 0 and not math.isnan(v))
    if not pairs:
        return None
    half, running = sum(w for _, w in pairs) / 2, 0.0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]


def bin_edges(values: list[float], log: bool) -> list[float] | None:
    """Shared histogram edges for every series of one metric (log-spaced for lengths and perplexities)."""
    finite = [v for v in values if v is not None and math.isfinite(v) and (v > 0 or not log)]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    if high <= low:
        high = low + (abs(low) or 1.0) * 1e-6 + 1e-9
    if log:
        return np.geomspace(low, high, BINS + 1).tolist()
    return np.linspace(low, high, BINS + 1).tolist()


def distribution_summary(values: list[float | None], edges: list[float] | None) -> dict:
    """Count, percentiles and histogram counts (on ``edges``) of one series."""
    finite = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    if finite.size == 0:
        return {"n": 0}
    p10, p50, p90 = np.percentile(finite, [10, 50, 90]).tolist()
    result = {"n": int(finite.size), "mean": float(finite.mean()), "p10": p10, "p50": p50, "p90": p90}
    if edges is not None:
        clipped = np.clip(finite, edges[0], edges[-1])
        result["histogram"] = np.histogram(clipped, bins=np.array(edges))[0].astype(int).tolist()
    return result


def stage_distributions(kept: dict[str, list], removed: dict[str, list]) -> dict[str, dict]:
    """Per metric, kept and removed summaries on shared edges; metrics absent from both samples are left out."""
    out = {}
    for metric, (_, log) in METRICS.items():
        kept_values, removed_values = kept.get(metric) or [], removed.get(metric) or []
        if not any(v is not None for v in kept_values + removed_values):
            continue
        edges = bin_edges(kept_values + removed_values, log)
        out[metric] = {
            "edges": edges,
            "kept": distribution_summary(kept_values, edges),
            "removed": distribution_summary(removed_values, edges),
        }
    return out


def perplexity_shift(
    kept: list[float | None], removed: list[float | None], kept_count: int, removed_count: int
) -> dict:
    """Median perplexity of the stage's input (weighted), of what it kept and of what it removed."""
    kept = [v for v in kept if v is not None]
    removed = [v for v in removed if v is not None]
    weights = ([kept_count / len(kept)] * len(kept) if kept else []) + (
        [removed_count / len(removed)] * len(removed) if removed else []
    )
    median_in = weighted_median(kept + removed, weights) if kept or removed else None
    median_kept = float(np.median(kept)) if kept else None
    median_removed = float(np.median(removed)) if removed else None
    shift = (median_kept / median_in - 1) if median_in and median_kept is not None else None
    return {"median_in": median_in, "median_kept": median_kept, "median_removed": median_removed, "shift": shift}
