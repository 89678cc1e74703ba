"""Random byte-level damage to valid input files, at scale: the reader property of issue 17 for the record.

Two parts, seeded (the generators and the checks are tests/ingest/corruption_cases.py's, the same as the tests'):

* **parser**: ``--cases`` damaged files per format (JSONL, JSONL.gz, WARC plain / per-record gzip / whole-file
  gzip), each read as the Spark reader reads a file (``parse_file``, then the Arrow batch): nothing raises, every
  intact record comes out as a document with its exact text, the records account for the file (JSONL: one per
  non-blank line of what the damaged stream decompresses to, plus one damaged-stream record; WARC: the counts
  balance and match the records emitted);
* **stage**: ``--stage-files`` damaged files per format, parquet included, in one folder, through one clean stage
  (Spark local mode): it must succeed, keep or remove every intact record, and every row written must belong to
  a file, each file being accounted for (``corruption_cases.check_stage``). ``--stage-files 0`` skips it.

Prints a table per part (cases, failures, documents, intact documents, documents out, the commonest quarantine
reasons) and the first failures.

    PYSPARK_PYTHON=$PWD/.venv/bin/python .venv/bin/python bench/corruption_bench.py [--cases 1000] \\
        [--stage-files 100] [--seed 0] [--master local[2]]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ingest import corruption_cases as cases


def parser_part(cases_per_format: int, seed: int) -> int:
    print(f"## parser: {cases_per_format} damaged files per format, seed {seed}\n")
    print("| format | cases | failures | documents | intact | documents out | quarantined (top reasons) | s |")
    print("|---|---|---|---|---|---|---|---|")
    failures = []
    for fmt in [f for f in cases.FORMATS if f != "parquet"]:
        rng = random.Random(f"{seed}-{fmt}")
        started = time.perf_counter()
        reasons: Counter = Counter()
        failed = docs = intact = out = 0
        for index in range(cases_per_format):
            case = cases.make_case(rng, fmt, f"f{index}")
            problems, rows, _ = cases.check_parsed(case)
            if problems:
                failed += 1
                failures.append(f"{case.describe()}: {problems[:3]}")
            docs += len(case.docs)
            intact += len(case.intact)
            out += sum(row["quarantine"] is None for row in rows)
            reasons.update(row["quarantine"] for row in rows if row["quarantine"])
        top = ", ".join(f"{reason} {n}" for reason, n in reasons.most_common(4))
        print(
            f"| {fmt} | {cases_per_format} | {failed} | {docs} | {intact} | {out} | {top} | "
            f"{time.perf_counter() - started:.1f} |"
        )
    for failure in failures[:20]:
        print("   ", failure)
    return len(failures)


def stage_part(files_per_format: int, seed: int, master: str) -> int:
    import pyarrow.dataset as ds

    from corpus_pipeline.recipe import InputSpec, load_recipe
    from corpus_pipeline.session import build_session
    from corpus_pipeline.stage.commit import run_stage

    print(f"\n## stage: {files_per_format} damaged files per format in one folder, one clean run ({master})\n")
    work = Path(tempfile.mkdtemp(prefix="corruption_bench_"))
    try:
        folder = work / "in"
        folder.mkdir()
        rng = random.Random(f"{seed}-stage")
        made = []
        for fmt in cases.FORMATS:
            for index in range(files_per_format):
                case = cases.make_case(rng, fmt, f"{fmt.replace('.', '_')}{index:04d}")
                (folder / case.name).write_bytes(case.data)
                made.append(case)
        spark = build_session("corruption_bench", master, {"spark.sql.shuffle.partitions": "8"})
        try:
            started = time.perf_counter()
            stats = run_stage(
                spark, "clean", [InputSpec(path=str(folder), source="bench")], str(work / "out"), load_recipe()
            )
            seconds = time.perf_counter() - started
        finally:
            spark.stop()
        rows = {
            part: ds.dataset(work / "out" / part, format="parquet").to_table().to_pylist()
            for part in ("kept", "removed", "quarantine")
        }
        problems = cases.check_stage(made, rows, stats, "bench")
        docs = stats["documents"]
        print(
            f"{len(made)} files, stage {seconds:.1f} s: {docs['in']} records in, {docs['kept']} kept, "
            f"{docs['removed']} removed, {docs['quarantined']} quarantined; intact documents "
            f"{sum(len(c.intact) for c in made)} of {sum(len(c.docs) for c in made)}; problems {len(problems)}"
        )
        print("quarantined:", json.dumps({r: v["documents"] for r, v in sorted(stats["quarantined"].items())}))
        print("ingest:", json.dumps(stats["ingest"]))
        for problem in problems[:20]:
            print("   ", problem)
        return len(problems)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="damaged files per format, parser part")
    parser.add_argument("--stage-files", type=int, default=100, help="damaged files per format, stage part")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    failed = parser_part(args.cases, args.seed)
    if args.stage_files:
        failed += stage_part(args.stage_files, args.seed, args.master)
    print(f"\n{'FAILED' if failed else 'ok'}: {failed} failing cases")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
