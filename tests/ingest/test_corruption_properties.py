"""Property: random byte-level damage to a valid JSONL, JSONL.gz or WARC file (plain, per-record gzip, whole-file gzip)
never makes the reader raise, never loses an intact record, and the records it gives account for the file.

The cases are seeded (tests/ingest/corruption_cases.py: which records count as intact, what accounting means per
format); each is read as the Spark reader reads a file: ``parse_file``, then the Arrow batch of its records (where
a lone surrogate used to abort the stage). Parquet, read by Spark itself, is damaged in
tests/clean/test_corruption_stage.py; ``bench/corruption_bench.py`` runs thousands of cases.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from corpus_pipeline.ingest import quarantine as q
from tests.ingest import corruption_cases as cases

PARSED = [fmt for fmt in cases.FORMATS if fmt != "parquet"]
CASES_PER_FORMAT = 80


@pytest.mark.parametrize("fmt", PARSED)
def test_damaged_files_never_abort_lose_an_intact_record_or_leave_one_unaccounted(fmt):
    rng = random.Random(f"corruption-{fmt}")
    failures, reasons, damaged = [], Counter(), 0
    for index in range(CASES_PER_FORMAT):
        case = cases.make_case(rng, fmt, f"f{index}")
        problems, rows, _ = cases.check_parsed(case)
        if problems:
            failures.append(f"{case.describe()}: {problems[:3]}")
        reasons.update(row["quarantine"] for row in rows if row["quarantine"])
        damaged += len(case.intact) < len(case.docs)
    assert not failures, f"{len(failures)} of {CASES_PER_FORMAT} cases failed:\n" + "\n".join(failures[:10])
    assert damaged >= CASES_PER_FORMAT // 4  # the damage reaches records, not only bytes between them
    assert reasons, "no damaged record was quarantined"


def test_jsonl_damage_quarantines_with_every_line_reason():
    """Across the JSONL cases, the damage gives the line reasons (a guard that the generator damages what the
    property is about: lone surrogates included)."""
    rng = random.Random("corruption-reasons")
    reasons = Counter()
    for index in range(CASES_PER_FORMAT):
        case = cases.make_case(rng, "jsonl", f"f{index}")
        reasons.update(row["quarantine"] for row in cases.check_parsed(case)[1] if row["quarantine"])
    assert {q.MALFORMED_JSON, q.UNDECODABLE, q.INVALID_UNICODE} <= set(reasons)


def test_the_checker_finds_a_lost_record(monkeypatch):
    """The accounting is not vacuous: a reader that drops one line's record is caught."""
    from corpus_pipeline.ingest import jsonl

    original = jsonl.parse_json_lines

    def lossy(*args, **kwargs):
        return (record for record in original(*args, **kwargs) if record.offset != 2)

    monkeypatch.setattr(jsonl, "parse_json_lines", lossy)
    case = cases.make_case(random.Random(1), "jsonl", "lossy")
    problems, _, _ = cases.check_parsed(case)
    assert any("missing [2]" in problem or "u:lossy:" in problem for problem in problems), problems


def test_an_intact_gzip_prefix_is_delivered_before_the_damage():
    """A flipped bit in the deflate data of a whole-file JSONL.gz: every record the bytes before it decompress to is
    a document (the gzip reader delivers what a failing inflate call decoded before the damaged byte)."""
    rng = random.Random(7)
    plain, docs, _ = cases.jsonl_file(rng, "g")
    compressed = bytearray(cases.gzip.compress(plain * 20, mtime=0))
    at = len(compressed) * 2 // 3
    compressed[at] ^= 0x55
    case = cases.Case("jsonl.gz", "g.jsonl.gz", b"", bytes(compressed), [cases.Op("flip", at)], docs, [])
    expected = cases.expected_records(case)
    problems, rows, _ = cases.check_parsed(case)
    assert not problems
    assert rows[-1]["quarantine"] in cases.ARCHIVE_REASONS
    assert sum(kind == "line" for kind in expected.values()) > len(docs)  # more than one copy of the file came out
