"""Listing inputs on a Hadoop file system: names that are not URIs, our own outputs, entries that cannot be read."""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

NAMES = [
    "a:b.jsonl",
    "sp ace.jsonl",
    "h#ash.jsonl",
    "pc%20t.jsonl",
    "q?.jsonl",
    "br[1].jsonl",
    "中文.jsonl",
    "a+b.jsonl",
    "cu{r}ly.jsonl",
    "st*ar.jsonl",
    "back\\slash.jsonl",
]


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request, "local[1]")


def names(listing_files) -> list[str]:
    return sorted(uri.rsplit("/", 1)[1] for uri, *_ in listing_files)


@pytest.fixture
def odd_names(tmp_path):
    folder = tmp_path / "odd dir"
    folder.mkdir()
    for name in NAMES:
        (folder / name).write_text(json.dumps({"text": name}) + "\n", encoding="utf-8")
    return folder


def test_names_are_paths_not_uris(spark, odd_names):
    assert names(fs.list_input(spark, str(odd_names)).files) == sorted(NAMES)
    for name in NAMES:  # as a direct input: the file itself, even with glob characters in its name
        assert names(fs.list_input(spark, str(odd_names / name)).files) == [name]
    # a glob over a folder holding 'a:b.jsonl' (Hadoop's globber fails on it)
    assert names(fs.list_input(spark, str(odd_names / "*.jsonl")).files) == sorted(NAMES)
    assert names(fs.list_input(spark, str(odd_names / "a:*")).files) == ["a:b.jsonl"]
    assert names(fs.list_input(spark, str(odd_names) + "/{sp,h}*").files) == ["h#ash.jsonl", "sp ace.jsonl"]
    assert fs.list_input(spark, str(odd_names / "nothing*")).files == []


def test_a_relative_name_with_a_colon_is_a_path(spark):
    # relative to the JVM's working folder; 'a:b.jsonl' is not a URI of scheme 'a'
    assert fs.qualify(spark, "a:b.jsonl") == fs.qualify(spark, "ab.jsonl")[: -len("ab.jsonl")] + "a:b.jsonl"
    assert fs.qualify(spark, "sub:dir/x.jsonl").endswith("/sub:dir/x.jsonl")
    assert fs.exists(spark, "no:such.jsonl") is False
    assert fs.list_input(spark, "no:such.jsonl").files == []
    assert fs.qualify(spark, "file:/tmp/a:b") == "file:/tmp/a:b"


def test_spark_reads_exactly_the_listed_files(spark, odd_names):
    listed = [uri for uri, *_ in fs.list_input(spark, str(odd_names)).files]
    paths, options = fs.spark_read_paths(listed)
    assert options == fs.RAW_LOCAL_OPTIONS  # a local name holds ':'
    rows = spark.read.format("binaryFile").options(**options).load(paths).select("path", F.length("content")).collect()
    assert sorted(row[0] for row in rows) == sorted(listed)
    assert all(row[1] > 0 for row in rows)
    one, _ = fs.spark_read_paths([uri for uri in listed if uri.endswith("br[1].jsonl")])
    assert spark.read.format("binaryFile").load(one).count() == 1


def test_a_path_spark_cannot_read_is_named():
    assert fs.unreadable_by_spark("file:/data/a:b[1].jsonl") is not None
    assert fs.unreadable_by_spark("file:/data/x:y/b*.jsonl") is not None
    assert fs.unreadable_by_spark("file:/data/a:b.jsonl") is None
    assert fs.unreadable_by_spark("hdfs://nn:8020/data/b[1].jsonl") is None  # the port's ':' is not in the path


def write_stage_output(folder, with_marker: bool = True) -> None:
    for part in ("kept", "removed", "quarantine"):
        (folder / part).mkdir(parents=True)
        pq.write_table(pa.table({"id": ["x"], "text": ["已经处理过的文档"]}), folder / part / "part-00000.parquet")
        (folder / part / "_SUCCESS").write_text("")  # Spark's own, empty
    (folder / "stats.json").write_text(json.dumps({"stage": "clean", "documents": {"in": 3}}))
    if with_marker:
        (folder / "_SUCCESS").write_text(json.dumps({"stage": "clean", "fingerprint": "ab" * 32}))


def test_our_outputs_inside_an_input_folder_are_skipped(spark, tmp_path):
    raw = tmp_path / "raw"
    (raw / "news").mkdir(parents=True)
    (raw / "news" / "a.jsonl").write_text('{"text": "正文"}\n')
    write_stage_output(raw / "out")  # a committed stage output
    write_stage_output(raw / "news" / "partial", with_marker=False)  # killed between its rename and _SUCCESS
    (raw / "run1" / "clean").mkdir(parents=True)  # a `corpus-pipeline run` folder
    write_stage_output(raw / "run1" / "filter")
    (raw / "run1" / "run.json").write_text(json.dumps({"inputs": [], "outputs": {}, "stages": {}}))
    (raw / "run1" / "report.html").write_text("<html></html>")
    (raw / ".out2.incomplete" / "kept").mkdir(parents=True)  # a stage writing now
    (raw / ".out2.incomplete" / "kept" / "p.parquet").write_bytes(b"PAR1")
    (raw / "table").mkdir()  # a user's Spark output: its _SUCCESS is empty, so it is data
    pq.write_table(pa.table({"text": ["用户的数据"]}), raw / "table" / "part-0.parquet")
    (raw / "table" / "_SUCCESS").write_text("")
    (raw / "notes").mkdir()  # a stats.json that is not ours
    (raw / "notes" / "stats.json").write_text('{"pages": 3}\n')
    (raw / "notes" / "kept").mkdir()
    (raw / "notes" / "kept" / "k.jsonl").write_text('{"text": "保留"}\n')

    listing = fs.list_input(spark, str(raw))
    relative = sorted(uri.split("/raw/", 1)[1] for uri, *_ in listing.files)
    assert relative == ["news/a.jsonl", "notes/kept/k.jsonl", "notes/stats.json", "table/part-0.parquet"]
    assert sorted(path.split("/raw/", 1)[1] for path in listing.skipped) == ["news/partial", "out", "run1"]
    assert [uri for uri, *_ in fs.list_file_stats(spark, str(raw))] == [uri for uri, *_ in listing.files]


def test_a_stage_output_named_as_the_input_is_read_as_its_kept_documents(spark, tmp_path):
    write_stage_output(tmp_path / "out")
    relative = [uri.split("/out/", 1)[1] for uri, *_ in fs.list_input(spark, str(tmp_path / "out")).files]
    assert relative == ["kept/part-00000.parquet"]


def test_a_run_folder_named_as_the_input_is_refused(spark, tmp_path):
    write_stage_output(tmp_path / "run" / "clean")
    (tmp_path / "run" / "run.json").write_text(json.dumps({"outputs": {}, "stages": {}}))
    with pytest.raises(InputError, match="is the output folder of a `corpus-pipeline run`"):
        fs.list_input(spark, str(tmp_path / "run"))


def test_broken_links_and_unreadable_entries_are_problems_not_silence(spark, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.jsonl").write_text('{"text": "好"}\n')
    (folder / "secret.jsonl").write_text('{"text": "密"}\n')
    os.symlink(folder / "gone.jsonl", folder / "broken.jsonl")
    os.symlink(folder / "loop.jsonl", folder / "loop.jsonl")
    (folder / "locked").mkdir()
    (folder / "locked" / "inner.jsonl").write_text('{"text": "锁"}\n')
    real_access = os.access
    # the tests run as root, whom chmod 000 does not stop: pretend these two are unreadable
    monkeypatch.setattr(
        fs.os,
        "access",
        lambda path, mode: not str(path).endswith(("secret.jsonl", "locked")) and real_access(path, mode),
    )
    listing = fs.list_input(spark, str(folder))
    assert names(listing.files) == ["good.jsonl"]  # locked/inner.jsonl cannot be listed: the folder is the problem
    assert sorted((uri.rsplit("/", 1)[1], reason, detail) for uri, _, reason, detail in listing.problems) == [
        ("broken.jsonl", "unreadable_file", f"broken symbolic link to {folder / 'gone.jsonl'}"),
        ("locked", "unreadable_file", "cannot list the folder: Permission denied"),
        ("loop.jsonl", "unreadable_file", f"broken symbolic link to {folder / 'loop.jsonl'}"),
        ("secret.jsonl", "unreadable_file", "permission denied"),
    ]
    direct = fs.list_input(spark, str(folder / "broken.jsonl"))
    assert direct.files == [] and [p[2] for p in direct.problems] == ["unreadable_file"]
    secret = fs.list_input(spark, str(folder / "secret.jsonl"))
    assert secret.files == [] and [p[3] for p in secret.problems] == ["permission denied"]


def test_links_to_folders_are_followed_once_and_loops_end(spark, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.jsonl").write_text('{"text": "甲"}\n')
    os.symlink("..", folder / "sub" / "up")  # a loop Hadoop's local listing follows for ever
    os.symlink("sub", folder / "a_link_to_sub")  # sorts first, but the real path wins
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.jsonl").write_text('{"text": "乙"}\n')
    os.symlink(elsewhere, folder / "linked")
    os.mkfifo(folder / "pipe.jsonl")
    listing = fs.list_input(spark, str(folder))
    assert sorted(uri.split("/in/", 1)[1] for uri, *_ in listing.files) == ["linked/b.jsonl", "sub/a.jsonl"]
    assert [(uri.rsplit("/", 1)[1], detail) for uri, _, _, detail in listing.problems] == [
        ("pipe.jsonl", "not a regular file (a FIFO, socket or device)")
    ]
