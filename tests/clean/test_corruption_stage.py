"""Property at the stage level: one clean run over 144 randomly damaged files of every input format (JSONL, JSONL.gz,
WARC plain / per-record gzip / whole-file gzip, parquet; tests/ingest/corruption_cases.py) in one folder succeeds,
keeps or removes every intact record, and accounts for every row by file.

Every row written has an id derived from (source, file, offset) (no input gives ids), so the rows of each file can
be told apart: a JSONL file must give exactly one row per non-blank line of what its stream decompresses to (plus
one for a damaged stream), a WARC file rows at offsets 0..n-1 (n summed over the files == the parser's documents +
quarantined in stats.json), a parquet file rows at its row indexes (all of them when it is undamaged) and a
``corrupt_parquet`` / ``unreadable_parquet`` record when it is damaged.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pyarrow.dataset as ds
import pytest

from corpus_pipeline.recipe import InputSpec, load_recipe
from corpus_pipeline.stage.commit import run_stage
from tests.ingest import corruption_cases as cases
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

FILES_PER_FORMAT = 24
SOURCE = "mix"


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    folder = tmp_path_factory.mktemp("damaged")
    rng = random.Random("corruption-stage")
    made = []
    for fmt in cases.FORMATS:
        for index in range(FILES_PER_FORMAT):
            tag = f"{fmt.replace('.', '_')}{index:02d}" + (" a:b" if index == 3 else "")  # a name that is no URI
            case = cases.make_case(rng, fmt, tag)
            (folder / case.name).write_bytes(case.data)
            made.append(case)
    return folder, made


@pytest.fixture(scope="module")
def outcome(spark, damaged, tmp_path_factory):
    folder, _ = damaged
    out = tmp_path_factory.mktemp("clean") / "out"
    stats = run_stage(spark, "clean", [InputSpec(path=str(folder), source=SOURCE)], str(out), load_recipe())
    rows = {
        part: ds.dataset(out / part, format="parquet").to_table().to_pylist()
        for part in ("kept", "removed", "quarantine")
    }
    return out, stats, rows


def test_the_stage_succeeds_and_conservation_holds(outcome, damaged):
    out, stats, rows = outcome
    assert (out / "_SUCCESS").exists()
    docs = stats["documents"]
    assert docs["in"] == docs["kept"] + docs["removed"] + docs["quarantined"] == sum(map(len, rows.values()))
    assert stats["conservation"]["ok"] is True
    assert stats["listing"]["files"] == len(damaged[1])
    assert docs["quarantined"] > 0 and docs["kept"] > 0


def test_every_intact_record_is_kept_or_removed_and_every_row_accounted_for(outcome, damaged):
    _, stats, rows = outcome
    problems = cases.check_stage(damaged[1], rows, stats, SOURCE)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:10])
    assert sum(len(case.intact) for case in damaged[1]) > 2 * len(damaged[1])
    assert stats["ingest"]["warc"]["files"] == 3 * FILES_PER_FORMAT


def test_the_check_finds_a_lost_row(outcome, damaged):
    """The stage accounting is not vacuous: without one kept row of an intact record, a problem is reported."""
    _, stats, rows = outcome
    [case] = [c for c in damaged[1] if c.fmt == "jsonl" and c.intact][:1]
    url = case.intact[0].url
    kept = [row for row in rows["kept"] if row["url"] != url]
    assert len(kept) < len(rows["kept"])
    problems = cases.check_stage(damaged[1], {**rows, "kept": kept}, stats, SOURCE)
    assert any(url in problem for problem in problems)
    assert any("rows written" in problem or "stats" in problem for problem in problems)


def test_stats_add_up_by_reason_and_source(outcome):
    out, stats, rows = outcome
    written = json.loads((out / "stats.json").read_text())
    assert written["ingest"] == stats["ingest"]
    quarantined = Counter(row["reason"] for row in rows["quarantine"])
    assert {reason: value["documents"] for reason, value in stats["quarantined"].items()} == dict(quarantined)
    assert stats["sources"][SOURCE]["documents"]["in"] == stats["documents"]["in"]
    assert stats["ingest"]["parquet"]["damaged_files"] == quarantined.get("corrupt_parquet", 0)
