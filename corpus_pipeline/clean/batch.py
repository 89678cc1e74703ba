"""The clean stage over Arrow batches: raw records in, one result row per record out (mapInArrow body).

Rows arrive hash-partitioned by (source, id) and sorted by (source, id, path, offset), so a repeated input
id is seen right after its first occurrence: the later copies are quarantined as ``duplicate_id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from corpus_pipeline.clean.document import CleanedDocument, clean_document, compiled_rules, resume_document
from corpus_pipeline.recipe import CleanConfig
from corpus_pipeline.rules.line_dedup import document_line_keys, site_of
from corpus_pipeline.rules.ruledata import CleanRuleData
from corpus_pipeline.stage.stats import KEPT, QUARANTINED, REMOVED
from corpus_pipeline.steps.user import STEP_ERROR, UserStepError

RESULT_SCHEMA = pa.schema(
    [
        ("outcome", pa.string()),
        ("reason", pa.string()),
        ("id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("author", pa.string()),
        ("date", pa.string()),
        ("text", pa.string()),
        ("meta", pa.string()),
        ("cjk_ratio", pa.float64()),
        ("n_chars", pa.int64()),
        ("nav_lines", pa.int32()),
        ("ad_lines", pa.int32()),
        ("dup_paragraphs", pa.int32()),
        ("dup_lines", pa.int32()),
        ("lang", pa.string()),
        ("lang_score", pa.float64()),
        ("bytes_in", pa.int64()),
        ("bytes_out", pa.int64()),
        ("path", pa.string()),
        ("offset", pa.int64()),
        ("detail", pa.string()),
        ("raw_bytes", pa.int64()),
        ("sample", pa.string()),
        ("file_counts", pa.string()),  # passed through from the raw records (ingest.file_counts checks it)
    ]
)
#: Columns of kept/ and removed/ (removed adds ``reason``).
CLEAN_DOCUMENT_COLUMNS = [
    "id",
    "source",
    "url",
    "title",
    "author",
    "date",
    "text",
    "meta",
    "cjk_ratio",
    "n_chars",
    "nav_lines",
    "ad_lines",
    "dup_paragraphs",
    "dup_lines",
    "lang",
    "lang_score",
]
PENDING = "pending"  # outcome of a document waiting for the line_dedup counts (never written)
#: The first pass's result when the stage deduplicates lines: a pending document's group (clean.line_dedup.scope),
#: its distinct line keys and the bytes of its lines with each key.
FIRST_PASS_SCHEMA = pa.schema(
    list(RESULT_SCHEMA)
    + [
        pa.field("line_group", pa.string()),
        pa.field("line_keys", pa.list_(pa.int64())),
        pa.field("line_bytes", pa.list_(pa.int64())),
    ]
)


@dataclass(frozen=True)
class CleanPlan:
    """What the clean workers need (picklable): the rule files' data, the settings and each source's steps."""

    rules: CleanRuleData
    config: CleanConfig
    source_steps: dict[str, frozenset[str]]
    default_steps: frozenset[str]
    python_steps: dict[str, tuple[tuple[str | None, str], ...]]  # per source; "default" for unnamed sources

    @property
    def dedups_lines(self) -> bool:
        """Whether any source has the line_dedup step (the stage then runs in two passes)."""
        return any("line_dedup" in steps for steps in (*self.source_steps.values(), self.default_steps))

    def steps(self, source: str) -> tuple[frozenset[str], tuple[tuple[str | None, str], ...]]:
        if source in self.source_steps:
            return self.source_steps[source], self.python_steps.get(source, ())
        return self.default_steps, self.python_steps.get("default", ())


def _cleaned_values(cleaned: CleanedDocument) -> dict:
    return {
        "outcome": PENDING if cleaned.pending else REMOVED if cleaned.reason else KEPT,
        "reason": cleaned.reason,
        "title": cleaned.title,
        "author": cleaned.author,
        "date": cleaned.date,
        "text": cleaned.text,
        "url": cleaned.url,
        "meta": cleaned.meta,
        "cjk_ratio": cleaned.cjk_ratio,
        "n_chars": cleaned.n_chars,
        "nav_lines": cleaned.nav_lines,
        "ad_lines": cleaned.ad_lines,
        "dup_paragraphs": cleaned.dup_paragraphs,
        "dup_lines": cleaned.dup_lines,
        "lang": cleaned.lang,
        "lang_score": cleaned.lang_score,
        "bytes_out": len(cleaned.text.encode("utf-8")),
    }


def clean_batches(
    batches: Iterator[pa.RecordBatch], plan: CleanPlan, until_line_dedup: bool = False
) -> Iterator[pa.RecordBatch]:
    """Clean every record; records that ingestion quarantined pass through with their reason.

    With ``until_line_dedup`` (the stage's first pass when a source has the ``line_dedup`` step) a document that
    reaches that step comes out ``pending`` with its line keys (:data:`FIRST_PASS_SCHEMA`).
    """
    rules = compiled_rules(plan.rules, plan.config)
    schema = FIRST_PASS_SCHEMA if until_line_dedup else RESULT_SCHEMA
    previous_key = None
    for batch in batches:
        rows = batch.to_pydict()
        out: dict[str, list] = {name: [] for name in schema.names}
        for i in range(batch.num_rows):
            source, doc_id = rows["source"][i], rows["id"][i]
            text, html, raw_bytes = rows["text"][i], rows["html"][i], rows["raw_bytes"][i] or 0
            problem = rows["quarantine"][i]
            detail = rows["detail"][i]
            if rows["id_given"][i]:
                key = (source, doc_id)
                if problem is None and key == previous_key:
                    problem, detail = "duplicate_id", f"id {doc_id!r} appears more than once in source {source!r}"
                previous_key = key
            values = {
                "id": doc_id,
                "source": source,
                "url": rows["url"][i],
                "meta": rows["meta"][i],
                "path": rows["path"][i],
                "offset": rows["offset"][i],
                "raw_bytes": raw_bytes,
                "bytes_in": raw_bytes,
                "file_counts": rows["file_counts"][i],
            }
            if problem is None:
                steps, python_steps = plan.steps(source)
                try:
                    cleaned = clean_document(
                        rows["title"][i],
                        text,
                        html,
                        values["url"],
                        steps,
                        rules,
                        python_steps,
                        doc_id,
                        source,
                        values["meta"],
                        until_line_dedup,
                    )
                except UserStepError as error:
                    problem, detail = STEP_ERROR, error.detail
            if problem is not None:
                values.update(
                    outcome=QUARANTINED,
                    reason=problem,
                    detail=detail,
                    title=rows["title"][i],
                    sample=rows["sample"][i] or (text or html or "")[:200],
                    bytes_out=0,
                )
            else:
                values.update(_cleaned_values(cleaned))
            for name in schema.names:
                out[name].append(values.get(name))
        if until_line_dedup:
            by_host = plan.config.line_dedup.scope == "host"
            groups = {
                i: site_of(out["url"][i]) if by_host else ""
                for i, outcome in enumerate(out["outcome"])
                if outcome == PENDING
            }
            grouped = [i for i, group in groups.items() if group is not None]
            keyed = document_line_keys([out["text"][i] for i in grouped], plan.config.opencc_config)
            for i, (keys, sizes) in zip(grouped, keyed):
                out["line_group"][i], out["line_keys"][i], out["line_bytes"][i] = groups[i], keys, sizes
        yield pa.RecordBatch.from_pydict(out, schema=schema)


def resume_batches(batches: Iterator[pa.RecordBatch], plan: CleanPlan) -> Iterator[pa.RecordBatch]:
    """The second pass: pending documents lose their repeated lines and finish their steps; the others pass."""
    rules = compiled_rules(plan.rules, plan.config)
    for batch in batches:
        rows = batch.to_pydict()
        out: dict[str, list] = {name: rows[name] for name in RESULT_SCHEMA.names}
        for i, outcome in enumerate(rows["outcome"]):
            if outcome != PENDING:
                continue
            source, doc_id = rows["source"][i], rows["id"][i]
            steps, python_steps = plan.steps(source)
            pending = CleanedDocument(
                title=rows["title"][i],
                text=rows["text"][i],
                reason=None,
                cjk_ratio=rows["cjk_ratio"][i],
                n_chars=rows["n_chars"][i],
                nav_lines=rows["nav_lines"][i],
                dup_paragraphs=rows["dup_paragraphs"][i],
                url=rows["url"][i],
                meta=rows["meta"][i],
                author=rows["author"][i],
                date=rows["date"][i],
            )
            values: dict = {}
            try:
                cleaned = resume_document(
                    pending, frozenset(rows["drop_lines"][i] or ()), steps, rules, python_steps, doc_id, source
                )
                values = _cleaned_values(cleaned)
            except UserStepError as error:
                values = {"outcome": QUARANTINED, "reason": STEP_ERROR, "detail": error.detail, "bytes_out": 0}
                values["sample"] = (rows["text"][i] or "")[:200]
            for name, value in values.items():
                out[name][i] = value
        yield pa.RecordBatch.from_pydict(out, schema=RESULT_SCHEMA)
