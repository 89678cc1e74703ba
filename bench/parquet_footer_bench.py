"""What reading parquet inputs file by file costs: footers on the driver, schema groups, the native read.

Writes ``--files`` small parquet files (``--schemas`` distinct schemas: ids of different types and different
extra columns, which the clean stage must read as separate groups or merge), then times, in Spark local mode:

* ``footers``: the driver reading every file's footer (threads; what the clean stage does before reading);
* ``stage read``: :func:`read_raw_records` plus a count of its rows (footers, grouping, native reads, union);
* ``plain read``: ``spark.read.parquet(*files).count()`` with Spark's own single-schema inference (what the
  stage did before; it fails when the files' types differ, so it is timed on the files of one schema).

    .venv/bin/python bench/parquet_footer_bench.py [--files 2000] [--schemas 4] [--rows 20] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

from corpus_pipeline.ingest.spark_reader import _footers, read_raw_records
from corpus_pipeline.recipe import InputSpec, load_recipe
from corpus_pipeline.session import build_session

TEXT = "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。"


def _table(index: int, schemas: int, rows: int) -> pa.Table:
    kind = index % schemas
    ids = [f"{index}-{row}" for row in range(rows)]
    columns = {
        "id": pa.array([hash(i) % 10**9 for i in ids], pa.int64() if kind % 2 else pa.int32())
        if kind < 2
        else pa.array(ids),
        "text": [f"{TEXT}{i}" for i in ids],
    }
    for extra in range(kind):
        columns[f"extra{extra}"] = [extra] * rows
    return pa.table(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--schemas", type=int, default=4)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    spark = build_session("parquet_footer_bench", args.master)
    with tempfile.TemporaryDirectory() as folder:
        uris = []
        for index in range(args.files):
            path = os.path.join(folder, f"s{index % args.schemas}", f"part-{index:06d}.parquet")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            pq.write_table(_table(index, args.schemas, args.rows), path)
            uris.append("file:" + path)
        recipe = load_recipe()

        def best(run) -> float:
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
            return min(times)

        footers = best(lambda: _footers(spark, uris))
        records = read_raw_records(spark, [InputSpec(path=folder, source="bench")], recipe)[0]
        assert records.count() == args.files * args.rows
        stage = best(lambda: read_raw_records(spark, [InputSpec(path=folder, source="bench")], recipe)[0].count())
        same = uris[:: args.schemas]
        plain = best(lambda: spark.read.parquet(*same).count())
        one = [InputSpec(path=f"{folder}/s0", source="bench")]
        stage_same = best(lambda: read_raw_records(spark, one, recipe)[0].count())
    print(
        f"{args.files} files, {args.schemas} schemas, {args.rows} rows each, master {args.master}, best of {args.runs}"
    )
    print(f"footers:    {footers:6.2f} s  ({footers / args.files * 1000:.2f} ms a file)")
    print(f"stage read: {stage:6.2f} s  (all {args.files} files: listing, footers, {args.schemas} groups, count)")
    print(f"plain read: {plain:6.2f} s  (spark.read.parquet of the {len(same)} files of one schema, count)")
    print(f"stage read of those {len(same)} files: {stage_same:6.2f} s")


if __name__ == "__main__":
    main()
