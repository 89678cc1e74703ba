"""The filter stage over Arrow batches: domain blocklists, benchmark questions, web-spam lexicons, repetition
heuristics, sensitive-word hits, then the spam score, per the source's steps.

A document is removed as ``blocked_domain`` when its URL's host (or a parent domain) is on a blocklist, else as
``benchmark_overlap`` when it contains a benchmark question, else as ``gambling``/``porn``/``seo_spam`` when
its web-spam score reaches a category's threshold, else with the first repetition rule it fails
(``repetitive_lines`` ... ``title_stuffing``), else as ``sensitive_words`` when it has too many lexicon hits,
else as ``spam`` when its spam score is above the threshold. The columns of a step are filled for
every document whose source has the step, removed or not, so the removed/ rows show why; sources without the
step get nulls (``blocked_list``/``blocked_host`` are null for a document no list names, ``benchmark``/
``benchmark_item`` for a document that contains no benchmark question).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from corpus_pipeline.classify import model as classifier
from corpus_pipeline.classify.model import ModelSpec
from corpus_pipeline.filter.benchmarks import BenchmarkPlan, match_texts
from corpus_pipeline.recipe import SensitiveConfig
from corpus_pipeline.rules import domains
from corpus_pipeline.rules.domains import DomainBlocklists
from corpus_pipeline.rules.repetition import RepetitionConfig, repetition_reason, stats_for_batch
from corpus_pipeline.rules.sensitive import Lexicon, compiled_matcher, count_hits, hits_used, sensitive_reason
from corpus_pipeline.rules.webspam import WebSpamConfig, WebSpamLexicon, compiled_webspam_rules, webspam_verdict
from corpus_pipeline.stage.stats import KEPT, REMOVED

FILTER_COLUMNS = pa.schema(
    [
        ("blocked_list", pa.string()),
        ("blocked_host", pa.string()),
        ("benchmark", pa.string()),
        ("benchmark_item", pa.string()),
        ("webspam_score", pa.float64()),
        ("webspam_category", pa.string()),
        ("sensitive_hits", pa.int32()),
        ("sensitive_categories", pa.list_(pa.string())),
        ("spam_score", pa.float64()),
    ]
)


@dataclass(frozen=True)
class FilterPlan:
    """Everything a worker needs (picklable): the domain lists, where the benchmark index is, the lexicon, the
    spam model's spec and each source's steps."""

    blocklists: DomainBlocklists | None  # None when no source runs the blocked_domain step
    lexicon: Lexicon
    sensitive: SensitiveConfig
    spam: ModelSpec | None
    source_steps: dict[str, frozenset[str]]  # built once on the driver; looked up per document
    default_steps: frozenset[str]
    python_steps: dict[str, tuple[tuple[str | None, str], ...]] = field(default_factory=dict)
    benchmarks: BenchmarkPlan | None = None  # None when no source runs the benchmark_overlap step
    webspam: WebSpamLexicon | None = None  # None when no source runs the webspam step
    webspam_config: WebSpamConfig = WebSpamConfig()
    repetition: RepetitionConfig = RepetitionConfig()

    def steps(self, source: str) -> frozenset[str]:
        return self.source_steps.get(source, self.default_steps)


def filter_columns(batch: pa.RecordBatch, plan: FilterPlan) -> dict[str, list]:
    texts = [text or "" for text in batch.column("text").to_pylist()]
    sources = batch.column("source").to_pylist()
    steps = [plan.steps(source) for source in sources]
    matcher = compiled_matcher(plan.lexicon)
    n = len(texts)
    hits: list[int | None] = [None] * n
    categories: list[list[str] | None] = [None] * n
    reasons: list[str | None] = [None] * n
    blocked_list: list[str | None] = [None] * n
    blocked_host: list[str | None] = [None] * n
    checked = [i for i in range(n) if "blocked_domain" in steps[i]]
    if checked:
        urls = batch.column("url").to_pylist() if "url" in batch.schema.names else [None] * n
        for i, found in zip(checked, domains.blocked_batch([urls[i] for i in checked], plan.blocklists)):
            if found is not None:
                blocked_list[i], blocked_host[i] = found
                reasons[i] = domains.REASON
    benchmark: list[str | None] = [None] * n
    benchmark_item: list[str | None] = [None] * n
    checked = [i for i in range(n) if "benchmark_overlap" in steps[i]]
    if checked:
        if plan.benchmarks is None:
            raise RuntimeError("a source has the benchmark_overlap step but the job built no benchmark index")
        for i, found in zip(checked, match_texts(plan.benchmarks, [texts[i] for i in checked])):
            if found is not None:
                benchmark[i], benchmark_item[i] = found
                reasons[i] = reasons[i] or "benchmark_overlap"
    webspam_score: list[float | None] = [None] * n
    webspam_category: list[str | None] = [None] * n
    titles = batch.column("title").to_pylist() if "title" in batch.schema.names else [None] * n
    checked = [i for i in range(n) if "webspam" in steps[i]]
    if checked:
        if plan.webspam is None:
            raise RuntimeError("a source has the webspam step but the job loaded no web-spam lexicon")
        rules = compiled_webspam_rules(plan.webspam, plan.webspam_config)
        for i in checked:
            verdict = webspam_verdict(titles[i], texts[i], rules)
            webspam_score[i], webspam_category[i] = round(verdict.score, 4), verdict.category
            reasons[i] = reasons[i] or verdict.reason
    checked = [i for i in range(n) if "repetition" in steps[i] and reasons[i] is None]  # no columns: skip removed
    if checked:
        measured = stats_for_batch([texts[i] for i in checked], [titles[i] for i in checked], plan.repetition)
        for i, stats in zip(checked, measured):
            reasons[i] = repetition_reason(stats, plan.repetition)
    for i, text in enumerate(texts):
        if "sensitive_words" in steps[i]:
            found = count_hits(text, matcher)
            hits[i], categories[i] = hits_used(found, plan.sensitive), list(found.categories)
            reasons[i] = reasons[i] or sensitive_reason(found, plan.sensitive)
    spam_scores: list[float | None] = [None] * n
    scored = [i for i in range(n) if "spam" in steps[i]]
    if scored:
        if plan.spam is None:
            raise RuntimeError("a source has the spam step but the job loaded no spam model")
        values = classifier.score(plan.spam, [texts[i] for i in scored])
        for i, value in zip(scored, values.tolist()):
            spam_scores[i] = value
            if reasons[i] is None and value > plan.spam.threshold:
                reasons[i] = "spam"
    return {
        "blocked_list": blocked_list,
        "blocked_host": blocked_host,
        "benchmark": benchmark,
        "benchmark_item": benchmark_item,
        "webspam_score": webspam_score,
        "webspam_category": webspam_category,
        "sensitive_hits": hits,
        "sensitive_categories": categories,
        "spam_score": spam_scores,
        "reason": reasons,
        "outcome": [REMOVED if reason else KEPT for reason in reasons],
    }
