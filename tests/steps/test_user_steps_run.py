"""A user-defined step in a real ``corpus-pipeline run`` (its own process, local mode): it removes documents with
its own reason in clean and in quality, quarantines the document it fails on, and a misspelled step is a
one-line error before Spark starts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pyarrow.parquet as pq
import pytest
import yaml

from corpus_eval.demo import build_demo_corpus
from corpus_pipeline.io.resources import resource_dir
from tests.pipeline_outputs import cli_env

pytestmark = pytest.mark.spark

ARTICLE = (
    "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。"
    "专家表示，消费和投资共同发力，是经济稳定增长的重要原因，下一阶段政策将继续保持连续性。"
) * 3
STEPS = textwrap.dedent('''
    """A user's steps: drop lorem ipsum pages in clean, drop documents that mention a banned word in quality."""

    def drop_lorem(doc):
        if "BOOM" in doc["text"]:
            raise RuntimeError("cannot judge this one")
        return "lorem_ipsum" if "Lorem ipsum" in doc["text"] else None

    def drop_banned(doc):
        assert doc["quality_score"] is not None  # the stage's own columns come with the document
        return "banned_word" if "禁词" in doc["text"] else None
''')


def recipe_with(path, first: str, second: str):
    data = yaml.safe_load((resource_dir("rules") / "recipes" / "default.yaml").read_text(encoding="utf-8"))
    for name in ("web", "default"):
        steps = data["sources"][name]["steps"]
        steps.insert(steps.index("normalize") + 1, {"python": first})
        steps.insert(steps.index("perplexity") + 1, {"python": second})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    base = tmp_path_factory.mktemp("user-steps")
    (base / "my_steps.py").write_text(STEPS, encoding="utf-8")
    build_demo_corpus(base / "raw", size_mb=0.2, seed=5)
    docs = [
        {"id": "lorem-1", "text": "Lorem ipsum dolor sit amet\n" + ARTICLE},
        {"id": "lorem-2", "text": ARTICLE + "\nLorem ipsum"},
        {"id": "boom", "text": ARTICLE + "BOOM"},
        {"id": "banned", "text": ARTICLE + "这里有一个禁词。"},
        {"id": "fine", "text": ARTICLE},
    ]
    (base / "raw" / "extra").mkdir()
    (base / "raw" / "extra" / "docs.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
    )
    return base


def run(workdir, recipe, out):
    command = [
        sys.executable,
        "-m",
        "corpus_pipeline",
        "run",
        "--master",
        "local[2]",
        "--sample",
        "20",
        "--recipe",
        str(recipe),
        "--output",
        str(out),
        "--input",
        f"web={workdir / 'raw' / 'web'}",
        f"web={workdir / 'raw' / 'extra'}",
    ]
    return subprocess.run(command, env=cli_env(), cwd=workdir, capture_output=True, text=True, timeout=900)


def test_user_steps_remove_documents_in_a_real_run(workdir):
    out = workdir / "out"
    done = run(workdir, recipe_with(workdir / "r.yaml", "my_steps:drop_lorem", "my_steps:drop_banned"), out)
    assert done.returncode == 0, done.stderr[-3000:]
    clean = json.loads((out / "clean" / "stats.json").read_text(encoding="utf-8"))
    assert clean["removed"]["lorem_ipsum"]["documents"] == 2
    assert clean["quarantined"]["step_error"]["documents"] == 1
    removed = {row["id"]: row["reason"] for row in pq.read_table(out / "clean" / "removed").to_pylist()}
    assert removed["lorem-1"] == removed["lorem-2"] == "lorem_ipsum"
    [quarantined] = [row for row in pq.read_table(out / "clean" / "quarantine").to_pylist() if row["id"] == "boom"]
    assert quarantined["reason"] == "step_error"
    assert quarantined["detail"] == "my_steps:drop_lorem: raised RuntimeError: cannot judge this one"
    quality = {row["id"]: row["reason"] for row in pq.read_table(out / "quality" / "removed").to_pylist()}
    assert quality.get("banned") == "banned_word"
    kept = {row["id"] for row in pq.read_table(out / "dedup" / "kept").to_pylist()}
    assert "fine" in kept and not {"lorem-1", "lorem-2", "boom", "banned"} & kept
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["reasons"]["clean"]["lorem_ipsum"]["documents"] == 2
    assert {doc["id"] for doc in report["samples"]["quality"]["banned_word"]} == {"banned"}


def test_a_misspelled_step_is_one_line_before_spark_starts(workdir):
    out = workdir / "misspelled"
    done = run(workdir, recipe_with(workdir / "bad.yaml", "my_steps:drop_lorme", "my_stepz:drop_banned"), out)
    assert done.returncode == 2
    assert done.stderr.strip() == "python step my_steps:drop_lorme: module my_steps has no attribute 'drop_lorme'"
    assert not out.exists()
