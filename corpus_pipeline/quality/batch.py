"""The quality stage over Arrow batches: score with the quality classifier, keep by threshold or Pareto draw;
score KenLM perplexity and drop documents above the recipe's ``max_perplexity``; then mask personal data.

A document both rules would drop is removed as ``low_quality`` (the classifier is checked first). ``mask_pii``
runs last, on every document of a source with the step (removed ones too: ``removed/`` keeps no personal data
either), so the scores are those of the text as it came; ``pii_masked`` counts the values masked per type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from corpus_pipeline.classify import model as classifier
from corpus_pipeline.classify.model import ModelSpec
from corpus_pipeline.perplexity.model import LMSpec, perplexities
from corpus_pipeline.quality.pareto import pareto_draws, pareto_keep
from corpus_pipeline.recipe import PerplexityConfig, QualityConfig
from corpus_pipeline.rules.pii import PII_TYPES, PiiConfig, compile_pii
from corpus_pipeline.stage.stats import KEPT, REMOVED

#: Values masked per PII type (a struct, not a map: later stages may compare whole rows)
PII_COUNTS = pa.struct([(kind, pa.int32()) for kind in PII_TYPES])
QUALITY_COLUMNS = pa.schema([("quality_score", pa.float64()), ("perplexity", pa.float64()), ("pii_masked", PII_COUNTS)])


@dataclass(frozen=True)
class QualityPlan:
    """What a worker needs (picklable): the models' specs, the keep rules and each source's steps."""

    model: ModelSpec | None  # None when no source runs the quality step
    config: QualityConfig
    lm: LMSpec | None  # None when no source runs the perplexity step
    perplexity: PerplexityConfig
    pii: PiiConfig | None  # None when no source runs the mask_pii step
    source_steps: dict[str, frozenset[str]]  # built once on the driver; looked up per document
    default_steps: frozenset[str]
    python_steps: dict[str, tuple[tuple[str | None, str], ...]] = field(default_factory=dict)

    def steps(self, source: str) -> frozenset[str]:
        return self.source_steps.get(source, self.default_steps)


def keep_mask(ids: list[str], scores: np.ndarray, model: ModelSpec, config: QualityConfig) -> np.ndarray:
    """Which scored documents the recipe's keep rule keeps."""
    if config.mode == "threshold":
        return scores >= model.threshold
    return pareto_keep(scores, pareto_draws(ids, config.seed, config.pareto_alpha))


def quality_columns(batch: pa.RecordBatch, plan: QualityPlan) -> dict[str, list]:
    ids = batch.column("id").to_pylist()
    texts = batch.column("text").to_pylist()
    sources = batch.column("source").to_pylist()
    n = len(ids)
    scored = [i for i in range(n) if "quality" in plan.steps(sources[i])]
    scores: list[float | None] = [None] * n
    ppl: list[float | None] = [None] * n
    reasons: list[str | None] = [None] * n
    if scored:
        values = classifier.score(plan.model, [texts[i] or "" for i in scored])
        kept = keep_mask([ids[i] for i in scored], values, plan.model, plan.config)
        for i, value, keep in zip(scored, values.tolist(), kept.tolist()):
            scores[i] = value
            if not keep:
                reasons[i] = "low_quality"
    measured = [i for i in range(n) if "perplexity" in plan.steps(sources[i])]
    if measured:
        limit = plan.perplexity.max_perplexity
        for i, value in zip(measured, perplexities(plan.lm, [texts[i] for i in measured])):
            ppl[i] = value
            if limit is not None and value is not None and value > limit and reasons[i] is None:
                reasons[i] = "high_perplexity"
    masked: list[dict[str, int] | None] = [None] * n
    new_texts = None
    to_mask = [i for i in range(n) if "mask_pii" in plan.steps(sources[i])]
    if to_mask:
        masker = compile_pii(plan.pii)
        new_texts = list(texts)
        for i in to_mask:
            counts: dict[str, int] = {}
            if texts[i]:
                new_texts[i], counts = masker.mask(texts[i])
            masked[i] = {kind: counts.get(kind, 0) for kind in PII_TYPES}
    out = {
        "quality_score": scores,
        "perplexity": ppl,
        "pii_masked": masked,
        "reason": reasons,
        "outcome": [REMOVED if reason else KEPT for reason in reasons],
    }
    if new_texts is not None:
        out["text"] = new_texts
    return out
