"""corpus-pipeline export: a stage output's documents loaded back with the real 🤗 datasets library."""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus_pipeline.errors import InputError
from corpus_pipeline.export import ExportOptions, export_documents
from tests.spark_session import module_session

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")  # read before datasets is imported: no hub access, ever
os.environ.setdefault("HF_HUB_OFFLINE", "1")
datasets = pytest.importorskip("datasets")
pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def stage_output(tmp_path_factory):
    """A stage output's kept/ (two parquet files) and removed/, with meta of varying fields and a score column."""
    root = tmp_path_factory.mktemp("stage")
    rows = [
        {
            "id": f"d{i:03d}",
            "source": "web" if i % 3 else "news",
            "url": f"http://example.cn/{i}.html" if i % 2 else None,
            "title": f"标题{i}",
            "text": f"第{i}篇文档的正文内容。\n第二段，编号{i}。",
            "meta": json.dumps({"crawl": "2024-10", "depth": i % 4, **({"tags": ["a", "b"]} if i % 5 == 0 else {})}),
            "quality_score": i / 100,
        }
        for i in range(60)
    ]
    for part, chunk in (("kept", rows[:50]), ("removed", rows[50:])):
        (root / part).mkdir()
        for k, piece in enumerate((chunk[: len(chunk) // 2], chunk[len(chunk) // 2 :])):
            table = pa.Table.from_pylist(piece)
            if part == "removed":
                table = table.append_column("reason", pa.array(["too_short"] * len(piece)))
            pq.write_table(table, root / part / f"part-{k}.parquet")
    (root / "_SUCCESS").write_text("")
    return root, rows


def _load(kind: str, folder, pattern: str, tmp_path):
    return datasets.load_dataset(
        kind, data_files=str(folder / pattern), split="train", cache_dir=str(tmp_path / "hf-cache")
    )


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_datasets_loads_the_export_with_the_same_rows_text_and_nested_meta(spark, stage_output, tmp_path, fmt):
    root, rows = stage_output
    out = tmp_path / "export"
    record = export_documents(spark, str(root), str(out), ExportOptions(format=fmt, shard_mb=0.0005))
    assert record["documents"] == 50 and record["shards"] > 1 and (out / "_SUCCESS").exists()
    assert json.loads((out / "export.json").read_text())["documents"] == 50
    loaded = _load("json" if fmt == "jsonl" else "parquet", out, record["files"], tmp_path)
    assert loaded.num_rows == 50
    by_id = {row["id"]: row for row in loaded}
    expected = {row["id"]: row for row in rows[:50]}
    assert {i: r["text"] for i, r in by_id.items()} == {i: r["text"] for i, r in expected.items()}
    assert by_id["d010"]["meta"] == {"crawl": "2024-10", "depth": 2, "tags": ["a", "b"]}
    assert by_id["d011"]["meta"]["tags"] is None and by_id["d011"]["url"] == "http://example.cn/11.html"
    assert by_id["d012"]["quality_score"] == pytest.approx(0.12)
    assert [row["id"] for row in loaded] == sorted(expected, key=lambda i: (expected[i]["source"], i))


def test_dolma_layout_of_the_removed_part_and_an_existing_output_refused(spark, stage_output, tmp_path):
    root, rows = stage_output
    out = tmp_path / "dolma"
    options = ExportOptions(part="removed", layout="dolma")
    record = export_documents(spark, str(root), str(out), options)
    loaded = _load("json", out, record["files"], tmp_path)
    assert set(loaded.column_names) == {"id", "text", "source", "added", "metadata"}
    assert loaded.num_rows == 10
    # datasets reads the ISO 8601 time as a timestamp (UTC)
    assert {added.isoformat() for added in loaded["added"]} == {record["added"].removesuffix("+00:00")}
    first = next(row for row in loaded if row["id"] == "d050")
    assert first["text"] == rows[50]["text"] and first["metadata"]["reason"] == "too_short"
    assert first["metadata"]["meta"]["depth"] == 2 and first["metadata"]["title"] == "标题50"
    with pytest.raises(InputError, match="exists"):
        export_documents(spark, str(root), str(out), options)
    export_documents(spark, str(root), str(out), ExportOptions(part="removed", format="parquet"), overwrite=True)
    assert json.loads((out / "export.json").read_text())["format"] == "parquet"


def test_the_command_line_takes_the_export_options():
    from corpus_pipeline.cli import COMMANDS, build_parser, export_command

    args = build_parser().parse_args(
        ["export", "--input", "run/dedup", "--output", "out", "--layout", "dolma", "--format", "parquet"]
    )
    assert (args.part, args.format, args.layout, args.shard_mb, args.overwrite) == (
        "kept",
        "parquet",
        "dolma",
        256.0,
        False,
    )
    assert COMMANDS[args.command] == (export_command, True)  # a Spark command: spark-submit gets jobs/export.py
    with pytest.raises(InputError, match="shard-mb"):
        ExportOptions(shard_mb=0)
