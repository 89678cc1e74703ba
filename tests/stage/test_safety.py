"""Refusing outputs that would destroy data: inputs, files and foreign folders, compared as normalized paths."""

from __future__ import annotations

import json
import os

import pytest

from corpus_pipeline.stage.safety import (
    LocalView,
    UnsafeOutputError,
    check_plain_output,
    check_run_outputs,
    check_stage_output,
    hadoop_default_fs,
    is_our_run_folder,
    is_our_stage_output,
    local_os_path,
    split_glob,
)

STAGES = ("clean", "filter", "quality", "dedup", "pack")
FINGERPRINT = json.dumps({"stage": "clean", "fingerprint": "a" * 64})


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """``in/`` (two JSONL files and a sub-folder), a file, a foreign folder and a symlink to ``in``; cwd is it."""
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.jsonl").write_text('{"text": "x"}\n')
    (tmp_path / "in" / "sub" / "b.jsonl").write_text('{"text": "y"}\n')
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("keep me too")
    (tmp_path / "link").symlink_to(tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refusal(output: str, inputs: list[str], overwrite: bool = False) -> str | None:
    try:
        check_stage_output(LocalView(), output, inputs, overwrite)
    except UnsafeOutputError as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    "output, source",
    [
        ("in", "in"),
        ("in/", "./in"),
        ("./in", "in/"),
        ("file:{cwd}/in", "in"),
        ("in", "file://" + "{cwd}/in"),
        ("link", "in"),
        ("in", "link/"),
        ("in/../in", "in"),
    ],
)
def test_an_output_equal_to_an_input_is_refused_however_it_is_written(tree, output, source):
    message = refusal(output.format(cwd=tree), [source.format(cwd=tree)])
    assert message is not None and "it is the input" in message and "would replace its own input" in message


@pytest.mark.parametrize(
    "output, source, relation",
    [
        ("in/out", "in", "is inside the input"),
        ("link/out", "in", "is inside the input"),
        ("in/sub/deeper/out", "./in/", "is inside the input"),
        (".", "in", "contains the input"),
        ("file:" + "{cwd}", "link", "contains the input"),
        ("in", "in/sub/b.jsonl", "contains the input"),
    ],
)
def test_an_output_inside_or_around_an_input_is_refused(tree, output, source, relation):
    message = refusal(output.format(cwd=tree), [source])
    assert message is not None and relation in message, message
    assert message.count("\n") == 0


def test_the_staging_sibling_counts_as_written(tree):
    message = refusal("in/../x", ["./.x.incomplete"])
    assert message is not None and "its staging folder" in message


@pytest.mark.parametrize(
    "output, source, expected",
    [
        ("in/a.jsonl", "in/*.jsonl", "is matched by the input"),
        ("in/new.jsonl", "in/*.jsonl", "is matched by the input"),  # a later run's glob would read it
        ("in/x.jsonl/out", "in/*.jsonl", "is inside a path matched by the input"),
        ("in", "in/*.jsonl", "contains the input"),
        (".", "in/*/*.jsonl", "contains the input"),
        ("in/sub", "in/*/*.jsonl", "contains the input"),  # in/sub/b.jsonl exists
        ("in2", "in{,2}", "is matched by the input"),
        ("link/a.jsonl", "in/[a-c].jsonl", "is matched by the input"),
    ],
)
def test_glob_inputs_compare_by_prefix_and_pattern(tree, output, source, expected):
    message = refusal(output, [source])
    assert message is not None and expected in message, message


@pytest.mark.parametrize(
    "output, source",
    [
        ("out", "in/*.jsonl"),
        ("in/out", "in/*.jsonl"),
        ("in/new", "in/*/x"),
        ("in/sub", "in/*/x.jsonl"),
        ("other", "in"),
        ("inx", "in"),
    ],
)
def test_outputs_apart_from_the_input_are_accepted(tree, output, source):
    assert refusal(output, [source], overwrite=True) is None  # (in/sub is a foreign folder: only --overwrite)


def test_an_existing_file_or_foreign_folder_needs_overwrite(tree):
    assert "it is an existing file" in refusal("notes.txt", ["in"])
    message = refusal("mine", ["in"])
    assert "not a corpus-pipeline stage output" in message and "--overwrite" in message
    assert refusal("notes.txt", ["in"], overwrite=True) is None and refusal("mine", ["in"], overwrite=True) is None
    # --overwrite never allows replacing an input
    assert "it is the input" in refusal("in", ["in"], overwrite=True)


def test_our_stage_outputs_are_recognised(tree):
    view = LocalView()
    ours = tree / "out" / "clean"
    (ours / "kept").mkdir(parents=True)
    (ours / "_SUCCESS").write_text(FINGERPRINT)
    (ours / "._SUCCESS.crc").write_text("")
    assert is_our_stage_output(view, view.locate(str(ours))) and refusal(str(ours), ["in"]) is None
    half = tree / "half"  # killed between the rename and _SUCCESS: our layout, no marker yet
    (half / "kept").mkdir(parents=True)
    (half / "stats.json").write_text(json.dumps({"documents": {"in": 1}}))
    assert refusal("half", ["in"]) is None
    spark_output = tree / "spark"  # another Spark job's folder: an empty _SUCCESS and part files
    spark_output.mkdir()
    (spark_output / "_SUCCESS").write_text("")
    (spark_output / "part-00000.parquet").write_bytes(b"PAR1")
    assert "not a corpus-pipeline stage output" in refusal("spark", ["in"])
    (tree / "empty").mkdir()
    (tree / "hidden").mkdir()
    (tree / "hidden" / ".git").mkdir()
    assert refusal("empty", ["in"]) is None and "not a corpus-pipeline" in refusal("hidden", ["in"])


def run_refusal(output: str, inputs: list[str], pack_output: str | None = None, overwrite: bool = False) -> str | None:
    try:
        check_run_outputs(LocalView(), output, inputs, STAGES, pack_output, overwrite)
    except UnsafeOutputError as error:
        return str(error)
    return None


def test_run_checks_every_stage_output_and_its_own_files(tree):
    # make demo's layout: the raw corpus inside the run folder is fine, the run never replaces the folder
    (tree / "demo" / "raw" / "web").mkdir(parents=True)
    assert run_refusal("demo", ["web=demo/raw/web".partition("=")[2]]) is None
    assert "demo/clean: it is inside the input demo" in run_refusal("demo", ["demo"])
    assert "it is inside the input in" in run_refusal("in/run", ["in"])
    assert "it is an existing file, not a run folder" in run_refusal("notes.txt", ["in"])
    assert run_refusal("notes.txt", ["in"], overwrite=True) is None
    # a foreign folder with a file the run would replace
    (tree / "mine" / "report.html").write_text("<p>mine</p>")
    assert "mine/report.html: mine is not a corpus-pipeline run folder" in run_refusal("mine", ["in"])
    (tree / "mine" / "clean").mkdir()
    (tree / "mine" / "clean" / "data.csv").write_text("1")
    assert run_refusal("mine", ["in"], overwrite=True) is None


def test_run_pack_output_must_not_overlap_the_run(tree):
    assert "--pack-output" in run_refusal("run", ["in"], pack_output="run/clean/pack")
    assert "--pack-output" in run_refusal("run", ["in"], pack_output="run/clean")
    assert "contains the run folder" in run_refusal("run/inner", ["in"], pack_output="run")
    assert "contains the input" in run_refusal("run", ["in/sub"], pack_output="in")
    assert run_refusal("run", ["in"], pack_output="shared/pack") is None
    assert run_refusal("run", ["in"], pack_output="run/shards") is None


def test_our_run_folder(tree):
    view = LocalView()
    run = tree / "run"
    run.mkdir()
    (run / ".quality.incomplete").mkdir()
    (run / ".quality.lock").write_text("{}")
    assert is_our_run_folder(view, view.locate("run"), STAGES)  # killed during the first stages
    (run / "notes").write_text("x")
    assert not is_our_run_folder(view, view.locate("run"), STAGES)
    (run / "run.json").write_text(json.dumps({"stages": {}}))
    assert is_our_run_folder(view, view.locate("run"), STAGES)


def test_plain_outputs(tree):
    with pytest.raises(UnsafeOutputError, match="notes.txt: it is an existing file, not a folder"):
        check_plain_output("notes.txt")
    with pytest.raises(UnsafeOutputError, match="it is the input"):
        check_plain_output("in/", ["in"])
    with pytest.raises(UnsafeOutputError, match="it is inside the input"):
        check_plain_output("in/model", [None, "in"])
    check_plain_output(".", ["in"])  # writes named files next to the input: nothing is deleted


def test_demo_outputs(tree):
    from corpus_eval.demo.__main__ import check_demo_output

    with pytest.raises(UnsafeOutputError, match="it holds manifest.json, which the demo corpus would overwrite"):
        (tree / "mine" / "manifest.json").write_text("{}")
        check_demo_output("mine")
    check_demo_output("fresh")
    (tree / "demo").mkdir()
    (tree / "demo" / "manifest.json").write_text(json.dumps({"generator": "x", "seed": 0}))
    check_demo_output("demo")  # a demo corpus is rebuilt in place


def test_split_glob():
    assert split_glob("hdfs://nn:8020/raw/*/x.jsonl") == ("hdfs://nn:8020/raw", ["*", "x.jsonl"])
    assert split_glob("/data/a*.gz") == ("/data", ["a*.gz"])
    assert split_glob("*.jsonl") == (".", ["*.jsonl"])
    assert split_glob("/*") == ("/", ["*"])
    assert split_glob("data/x.jsonl") == ("data/x.jsonl", [])


def test_paths_on_other_file_systems_are_left_to_the_hadoop_view(tree):
    view = LocalView()
    assert view.locate("hdfs://nn/corpus/clean") is None and view.locate("s3a://bucket/x") is None
    assert refusal("hdfs://nn/corpus/clean", ["hdfs://nn/corpus/clean"]) is None  # checked once Spark runs
    assert LocalView(default_fs_local=False).locate("out") is None
    assert LocalView(default_fs_local=False).locate("file:///data/out") is not None
    assert LocalView().locate("a:b.jsonl") == LocalView().locate("./a:b.jsonl")  # a name, not a scheme


def test_default_file_system_before_spark_starts(tmp_path, monkeypatch):
    for variable in ("HADOOP_CONF_DIR", "YARN_CONF_DIR", "SPARK_CONF_DIR", "SPARK_HOME"):
        monkeypatch.delenv(variable, raising=False)
    assert hadoop_default_fs() is None
    assert hadoop_default_fs({"spark.hadoop.fs.defaultFS": "hdfs://nn:8020"}) == "hdfs://nn:8020"
    (tmp_path / "core-site.xml").write_text(
        "<configuration><property><name>fs.defaultFS</name><value>hdfs://cluster</value></property></configuration>"
    )
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))
    assert hadoop_default_fs() == "hdfs://cluster"
    monkeypatch.chdir(tmp_path)
    assert local_os_path("out") is None  # not known to be local: the stage locks it once Spark runs
    assert local_os_path(f"file:{tmp_path}/out") == os.path.join(str(tmp_path), "out")
    assert local_os_path(f"file://{tmp_path}/out") == os.path.join(str(tmp_path), "out")
