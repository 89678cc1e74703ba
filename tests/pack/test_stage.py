"""The pack stage end to end in Spark local mode: order, round trip, manifest, determinism, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus_pipeline.errors import InputError
from corpus_pipeline.pack.indexed import IndexedDataset
from corpus_pipeline.pack.manifest import ManifestError, iter_documents, read_manifest
from corpus_pipeline.pack.stage import pack_plan, shard_name
from corpus_pipeline.packaging import write_jobs
from corpus_pipeline.recipe import load_recipe, parse_recipe
from corpus_pipeline.schema import DOCUMENT_SCHEMA
from corpus_pipeline.stage.commit import run_stage
from corpus_pipeline.tokenizer.model import load_tokenizer
from tests.conftest import REPO_ROOT
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

TEXTS = [
    "人民日报记者报道：今天天气很好。\n第二段 有空格",
    "",
    "English only, with spaces  and\ttabs",
    "▁▂▃▄ reserved symbols",
    "😀 emoji 𧽼 and 龘",
    "新闻" * 300,
    "短",
]


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(REPO_ROOT / "models" / "tokenizer")


def _write_input(directory, files):
    """``files``: lists of (source, text); written as one parquet file each, named in order."""
    directory.mkdir(parents=True)
    for number, rows in enumerate(files):
        columns = {name: [None] * len(rows) for name in DOCUMENT_SCHEMA.names}
        columns["id"] = [f"{number}-{i}" for i in range(len(rows))]
        columns["source"] = [source for source, _ in rows]
        columns["text"] = [text for _, text in rows]
        pq.write_table(pa.table(columns, schema=DOCUMENT_SCHEMA), directory / f"part-{number:05d}.parquet")


def _expected(files):
    """Documents in packing order: by source, then file, then row."""
    rows = [(source, number, row, text) for number, docs in enumerate(files) for row, (source, text) in enumerate(docs)]
    return [(source, text) for source, _, _, text in sorted(rows, key=lambda r: r[:3])]


FILES = [
    [("news", TEXTS[0]), ("web", TEXTS[1]), ("news", TEXTS[2])],
    [("web", TEXTS[3]), ("web", TEXTS[4]), ("ebook", TEXTS[5])],
    [("news", TEXTS[6]), ("web", "最后一篇。"), ("odd source/名", "来源名需要转义")],
]


def _recipe(partitions=None, mixture=None):
    data = {
        "sources": {"default": {"steps": []}, "news": {"steps": []}, "web": {"steps": []}},
        "pack": {"partitions": partitions, "mixture": mixture or {}},
    }
    return parse_recipe(data)


def test_round_trip_in_order_with_manifest(spark, tmp_path, tokenizer):
    _write_input(tmp_path / "in", FILES)
    recipe = _recipe(partitions=3, mixture={"news": {"epochs": 3.0}})
    stats = run_stage(
        spark,
        "pack",
        [str(tmp_path / "in")],
        str(tmp_path / "out"),
        recipe,
        pack_plan(recipe, {"tokenizer": str(REPO_ROOT / "models" / "tokenizer")}),
    )
    assert list(iter_documents(tmp_path / "out", tokenizer)) == _expected(FILES)
    manifest = read_manifest(tmp_path / "out", verify_sha256=True)
    assert manifest["documents"] == stats["documents"]["in"] == stats["documents"]["kept"] == 9
    assert [shard["source"] for shard in manifest["shards"]] == sorted(shard["source"] for shard in manifest["shards"])
    assert manifest["tokenizer"]["dtype"] == "uint16" and manifest["recipe_sha256"] == recipe.sha256()
    sources = manifest["sources"]
    assert set(sources) == {"ebook", "news", "odd source/名", "web"}
    assert sources["news"]["epochs"] == 3.0 and sources["web"]["epochs"] == 1.0
    weighted = {name: entry["tokens"] * entry["epochs"] for name, entry in sources.items()}
    for name, entry in sources.items():
        assert entry["weight"] == pytest.approx(weighted[name] / sum(weighted.values()), abs=1e-8)
    assert sum(entry["documents"] for entry in sources.values()) == 9
    for shard in manifest["shards"]:
        with IndexedDataset(tmp_path / "out" / shard["prefix"]) as dataset:
            assert all(int(dataset[i][-1]) == tokenizer.eod_id for i in range(len(dataset)))
            assert list(dataset.document_indices) == list(range(len(dataset) + 1))
    assert not [p for p in (tmp_path / "out" / "shards").iterdir() if ".tmp-" in p.name]
    assert (tmp_path / "out" / "_SUCCESS").exists()
    written = json.loads((tmp_path / "out" / "stats.json").read_text(encoding="utf-8"))
    assert written["conservation"]["ok"] and written["tokens"] == manifest["tokens"]


def test_shards_do_not_depend_on_input_partitioning(spark, tmp_path, tokenizer):
    _write_input(tmp_path / "a", FILES)
    _write_input(tmp_path / "b", [[row] for rows in FILES for row in rows])  # one file per document
    recipe = _recipe(partitions=2)
    plan = pack_plan(recipe, {"tokenizer": str(REPO_ROOT / "models" / "tokenizer")})
    run_stage(spark, "pack", [str(tmp_path / "a")], str(tmp_path / "out-a"), recipe, plan)
    run_stage(spark, "pack", [str(tmp_path / "a")], str(tmp_path / "out-a2"), recipe, plan)
    run_stage(spark, "pack", [str(tmp_path / "b")], str(tmp_path / "out-b"), recipe, plan)
    first = read_manifest(tmp_path / "out-a")["shards"]
    assert first == read_manifest(tmp_path / "out-a2")["shards"]  # byte-identical shards (sha256) on a rerun
    assert list(iter_documents(tmp_path / "out-b", tokenizer)) == _expected(FILES)


def test_rerun_replaces_the_previous_output(spark, tmp_path):
    _write_input(tmp_path / "in", FILES[:1])
    recipe = _recipe(partitions=1)
    plan = pack_plan(recipe, {"tokenizer": str(REPO_ROOT / "models" / "tokenizer")})
    run_stage(spark, "pack", [str(tmp_path / "in")], str(tmp_path / "out"), recipe, plan)
    (tmp_path / "out" / "shards" / "99999-stale.bin").write_bytes(b"old")  # left in our own earlier output
    run_stage(spark, "pack", [str(tmp_path / "in")], str(tmp_path / "out"), recipe, plan)
    assert sorted(p.name for p in (tmp_path / "out" / "shards").iterdir()) == [
        "00000-news.bin",
        "00000-news.idx",
        "00000-web.bin",
        "00000-web.idx",
    ]


def test_stage_output_directory_is_read_through_kept(spark, tmp_path, tokenizer):
    _write_input(tmp_path / "stage" / "kept", FILES[:2])
    (tmp_path / "stage" / "_SUCCESS").write_text("")
    recipe = _recipe()
    run_stage(
        spark,
        "pack",
        [str(tmp_path / "stage")],
        str(tmp_path / "out"),
        recipe,
        pack_plan(recipe, {"tokenizer": str(REPO_ROOT / "models" / "tokenizer")}),
    )
    assert list(iter_documents(tmp_path / "out", tokenizer)) == _expected(FILES[:2])


def test_manifest_check_catches_a_changed_shard(spark, tmp_path):
    _write_input(tmp_path / "in", FILES[:1])
    recipe = _recipe(partitions=1)
    run_stage(
        spark,
        "pack",
        [str(tmp_path / "in")],
        str(tmp_path / "out"),
        recipe,
        pack_plan(recipe, {"tokenizer": str(REPO_ROOT / "models" / "tokenizer")}),
    )
    bin_path = tmp_path / "out" / "shards" / "00000-news.bin"
    data = bytearray(bin_path.read_bytes())
    data[0] ^= 1
    bin_path.write_bytes(bytes(data))
    read_manifest(tmp_path / "out")  # sizes still agree
    with pytest.raises(ManifestError, match="00000-news.bin: sha256 differs"):
        read_manifest(tmp_path / "out", verify_sha256=True)
    (tmp_path / "out" / "shards" / "00000-news.idx").write_bytes(b"MMIDIDX\x00\x00")
    with pytest.raises(ManifestError, match="00000-news"):
        read_manifest(tmp_path / "out")


def test_non_local_output_is_refused(spark, tmp_path):
    _write_input(tmp_path / "in", FILES[:1])
    recipe = _recipe()
    with pytest.raises(InputError, match="needs a local or shared"):
        run_stage(
            spark,
            "pack",
            [str(tmp_path / "in")],
            "hdfs://namenode:8020/out",
            recipe,
            pack_plan(recipe, {"tokenizer": str(REPO_ROOT / "models" / "tokenizer")}),
        )


def test_shard_names_are_file_name_safe():
    assert shard_name(7, "news") == "00007-news"
    assert shard_name(0, "odd source/名").startswith("00000-odd_source__-")


def test_mixture_naming_an_undefined_source_is_a_recipe_error():
    from corpus_pipeline.recipe import RecipeError

    with pytest.raises(RecipeError, match="pack.mixture names source"):
        _recipe(mixture={"blogs": {"epochs": 1.0}})
    with pytest.raises(RecipeError, match=r"pack.mixture.news.epochs: Input should be greater than 0"):
        _recipe(mixture={"news": {"epochs": 0}})


def test_default_recipe_mixture_sources_exist():
    recipe = load_recipe()
    assert set(recipe.pack.mixture) <= set(recipe.sources)


def test_cli_pack_and_missing_tokenizer(tmp_path):
    _write_input(tmp_path / "in", FILES[:1])
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "corpus_pipeline",
            "pack",
            "--input",
            str(tmp_path / "in"),
            "--output",
            str(tmp_path / "out"),
            "--tokenizer",
            str(tmp_path / "nowhere"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert missing.returncode == 2 and "tokenizer not found" in missing.stderr
    [job] = [path for path in write_jobs(tmp_path / "dist") if path.name == "pack.py"]
    done = subprocess.run(
        [
            sys.executable,
            str(job),
            "--input",
            str(tmp_path / "in"),
            "--output",
            str(tmp_path / "out"),
            "--master",
            "local[1]",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pack: 3 documents" in done.stdout
    assert read_manifest(tmp_path / "out")["documents"] == 3


def test_round_trip_on_real_text(spark, tmp_path, tokenizer, shared_data):
    from corpus_eval.training_data.tokenizer_corpus import reference_documents

    documents = reference_documents(shared_data)[::20]  # ~1.2 MB, every source
    files = [[(doc["source"], doc["text"]) for doc in documents[i::3]] for i in range(3)]
    _write_input(tmp_path / "in", files)
    recipe = _recipe(partitions=2)
    stats = run_stage(
        spark,
        "pack",
        [str(tmp_path / "in")],
        str(tmp_path / "out"),
        recipe,
        pack_plan(recipe, {"tokenizer": str(REPO_ROOT / "models" / "tokenizer")}),
    )
    assert stats["documents"]["kept"] == len(documents) > 400
    assert list(iter_documents(tmp_path / "out", tokenizer)) == _expected(files)
