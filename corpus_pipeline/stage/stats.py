"""A stage's ``stats.json``: one typed record, written and read only through this module.

Every stage, pack included, counts its documents and bytes per outcome (``kept``, ``removed``,
``quarantined``), per removal or quarantine reason and per source, checks conservation (every input record
is kept, removed or quarantined, and the written outputs hold exactly those rows) with
:func:`check_conservation`, and writes the result with :func:`write_stats`. What is particular to a stage
(models, cutoffs, the dedup summary, pack's tokens and shards) lives in ``details`` and is written at the top
level of the JSON next to the common keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from corpus_pipeline.errors import InputError

KEPT, REMOVED, QUARANTINED = "kept", "removed", "quarantined"
OUTCOMES = (KEPT, REMOVED, QUARANTINED)
STATS_FILE = "stats.json"
_COMMON = ("stage", "documents", "bytes", "removed", "quarantined", "sources", "conservation", "seconds")


class ConservationError(RuntimeError):
    """The written outputs do not account for every input record."""


def empty_counts() -> dict[str, Any]:
    """Documents and bytes per outcome, with no reason yet."""
    return {
        "documents": {"in": 0, **{o: 0 for o in OUTCOMES}},
        "bytes": {"in": 0, **{o: 0 for o in OUTCOMES}},
        REMOVED: {},
        QUARANTINED: {},
    }


@dataclass
class StageStats:
    """What a stage did: counts per outcome, reason and source, conservation, time and stage details.

    ``documents`` and ``bytes`` map ``in``, ``kept``, ``removed``, ``quarantined`` to counts; ``removed`` and
    ``quarantined`` map each reason to ``{"documents", "bytes"}``; ``sources`` holds the same three per source.
    ``bytes.in`` counts input bytes of every record; ``bytes.kept``/``removed`` the UTF-8 bytes of the text the
    stage wrote, ``bytes.quarantined`` the raw bytes of unreadable records.
    """

    stage: str
    documents: dict[str, int]
    bytes: dict[str, int]
    removed: dict[str, dict[str, int]]
    quarantined: dict[str, dict[str, int]]
    sources: dict[str, dict[str, Any]]
    conservation: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        """Dictionary-style access to every key of the JSON form (``stats["documents"]``, ``stats["dedup"]``)."""
        return self.to_json()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_json().get(key, default)

    def summary(self) -> dict[str, Any]:
        """What ``run.json`` keeps of a stage."""
        docs = self.documents
        return {
            "in": docs["in"],
            "kept": docs[KEPT],
            "removed": docs[REMOVED],
            "quarantined": docs[QUARANTINED],
            "seconds": self.seconds,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "documents": self.documents,
            "bytes": self.bytes,
            REMOVED: self.removed,
            QUARANTINED: self.quarantined,
            "sources": self.sources,
            "conservation": self.conservation,
            **self.details,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], origin: str = "stats.json") -> StageStats:
        missing = [key for key in _COMMON if key not in data]
        if missing:
            raise InputError(f"{origin}: not a stage's stats (missing {', '.join(missing)})")
        return cls(
            **{key: data[key] for key in _COMMON},
            details={key: value for key, value in data.items() if key not in _COMMON},
        )


def count_outcomes(stage: str, rows: Iterable[Mapping[str, Any]]) -> StageStats:
    """Stats from ``(outcome, reason, source, documents, bytes_in, bytes_out)`` aggregates (no conservation yet)."""
    total = empty_counts()
    sources: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["source"] or "", r["outcome"], r["reason"] or "")):
        outcome, reason = row["outcome"], row["reason"]
        if outcome not in OUTCOMES:
            raise ConservationError(f"unknown outcome {outcome!r}")
        docs, bytes_in, bytes_out = int(row["documents"]), int(row["bytes_in"] or 0), int(row["bytes_out"] or 0)
        written = bytes_in if outcome == QUARANTINED else bytes_out
        for counts in (total, sources.setdefault(row["source"] or "", empty_counts())):
            counts["documents"]["in"] += docs
            counts["documents"][outcome] += docs
            counts["bytes"]["in"] += bytes_in
            counts["bytes"][outcome] += written
            if outcome != KEPT:
                per_reason = counts[outcome].setdefault(reason or "unknown", {"documents": 0, "bytes": 0})
                per_reason["documents"] += docs
                per_reason["bytes"] += written
    return StageStats(
        stage=stage,
        documents=total["documents"],
        bytes=total["bytes"],
        removed=total[REMOVED],
        quarantined=total[QUARANTINED],
        sources=sources,
    )


def check_conservation(stats: StageStats, written: Mapping[str, int]) -> StageStats:
    """Compare the stage's counts with the rows found in its written outputs; raise on any gap.

    ``written`` maps each outcome to the rows found where the stage wrote it (pack: the documents in its shards
    as kept, nothing removed or quarantined). On success ``stats.conservation`` records the check.
    """
    docs = stats.documents
    problems = []
    if docs["in"] != sum(docs[o] for o in OUTCOMES):
        problems.append(f"in={docs['in']} but kept+removed+quarantined={sum(docs[o] for o in OUTCOMES)}")
    for outcome in OUTCOMES:
        if written[outcome] != docs[outcome]:
            problems.append(f"{outcome} outputs hold {written[outcome]} rows, expected {docs[outcome]}")
    if problems:
        raise ConservationError(f"{stats.stage}: conservation check failed: " + "; ".join(problems))
    stats.conservation = {"in": docs["in"], "written": sum(written.values()), "ok": True}
    return stats


def write_stats(spark, output: str, stats: StageStats) -> None:
    """``output/stats.json`` through Hadoop's FileSystem (local, HDFS or S3)."""
    from corpus_pipeline.io import fs

    fs.write_text(spark, fs.join(output, STATS_FILE), json.dumps(stats.to_json(), indent=2, ensure_ascii=False) + "\n")


def read_stats(spark, output: str) -> StageStats | None:
    """The stats of the stage output at ``output``; None when it has no ``stats.json``."""
    from corpus_pipeline.io import fs

    path = fs.join(output, STATS_FILE)
    if not fs.exists(spark, path):
        return None
    return StageStats.from_json(json.loads(fs.read_text(spark, path)), path)
