"""The benchmark_overlap step without Spark: its recipe section, the index plan (built once, reused, keyed by
content), missing benchmark files, and the filter batch's columns and reasons."""

from __future__ import annotations

import json
from dataclasses import asdict

import pyarrow as pa
import pytest
import yaml

from corpus_pipeline.filter import benchmarks
from corpus_pipeline.filter.batch import FilterPlan, filter_columns
from corpus_pipeline.filter.stage import STAGE
from corpus_pipeline.io.resources import resource_dir
from corpus_pipeline.recipe import RecipeError, load_recipe, parse_recipe
from corpus_pipeline.rules import decontamination as D
from corpus_pipeline.rules.domains import load_blocklists
from corpus_pipeline.rules.sensitive import load_sensitive_lexicon

ARTICLE = "国家统计局今天发布数据，一季度国内生产总值同比增长，经济运行开局良好，消费和投资共同发力。" * 3
ITEMS = [
    {"id": "q1", "question": "下列哪一项是光合作用的主要产物之一", "options": ["葡萄糖", "二氧化碳", "氮气", "甲烷"]},
    {"id": "q2", "question": "唐代诗人李白被后人尊称为什么", "options": ["诗圣", "诗仙", "诗魔", "诗佛"]},
]


def recipe_for(data_dir, **decontamination):
    config = {
        "data_dir": str(data_dir),
        "benchmarks": [
            {
                "name": "mini",
                "path": "mini.jsonl",
                "question_field": "question",
                "option_fields": ["options"],
                "id_field": "id",
            }
        ],
        **decontamination,
    }
    return parse_recipe(
        {
            "sources": {
                "web": {"steps": ["blocked_domain", "benchmark_overlap"]},
                "books": {"steps": []},
                "default": {"steps": ["benchmark_overlap"]},
            },
            "filter": {"decontamination": config},
        }
    )


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmarks, "_cache_root", lambda: tmp_path / "cache")
    (tmp_path / "mini.jsonl").write_text(
        "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in ITEMS), encoding="utf-8"
    )
    return tmp_path


def filter_plan(recipe, blocklists=None):
    return FilterPlan(
        blocklists=blocklists,
        lexicon=load_sensitive_lexicon(load_recipe()),
        sensitive=recipe.filter.sensitive,
        spam=None,
        source_steps={name: recipe.steps_for(name) for name in recipe.sources},
        default_steps=recipe.steps_for("default"),
        benchmarks=benchmarks.plan_benchmarks(recipe),
    )


def lettered(item) -> str:
    return item["question"] + "\n" + "\n".join(f"{'ABCD'[i]}. {o}" for i, o in enumerate(item["options"]))


def test_a_document_holding_a_question_is_removed_with_its_benchmark_and_item(data_dir, tmp_path):
    (tmp_path / "list.txt").write_text("casino.example\n", encoding="utf-8")
    plan = filter_plan(recipe_for(data_dir), load_blocklists({"gambling": tmp_path / "list.txt"}))
    q1, q2 = ITEMS
    reordered = q2["question"] + "（　）" + "；".join(reversed(q2["options"]))
    rows = [
        ("web", None, ARTICLE + lettered(q1) + ARTICLE),
        ("web", None, ARTICLE + reordered),
        ("web", None, ARTICLE),
        ("web", "https://casino.example/1", ARTICLE + lettered(q1)),  # blocked first: one reason per document
        ("books", None, lettered(q1)),  # no benchmark_overlap step for books
        ("other", None, q1["question"] + "？"),  # default steps; the question alone, unedited
        ("other", None, "光合作用的产物"),  # too little of the item
    ]
    batch = pa.RecordBatch.from_pylist(
        [{"id": str(i), "source": s, "url": u, "text": t} for i, (s, u, t) in enumerate(rows)]
    )
    values = filter_columns(batch, plan)
    assert values["reason"] == [
        "benchmark_overlap",
        "benchmark_overlap",
        None,
        "blocked_domain",
        None,
        "benchmark_overlap",
        None,
    ]
    assert values["benchmark"] == ["mini", "mini", None, "mini", None, "mini", None]
    assert values["benchmark_item"] == ["mini:q1", "mini:q2", None, "mini:q1", None, "mini:q1", None]
    assert values["outcome"] == ["removed", "removed", "kept", "removed", "kept", "removed", "kept"]


def test_matching_in_small_chunks_gives_the_same_answers(data_dir):
    plan = benchmarks.plan_benchmarks(recipe_for(data_dir))
    texts = [ARTICLE, ARTICLE + lettered(ITEMS[0]), "", lettered(ITEMS[1]) + ARTICLE, ARTICLE * 5]
    whole = benchmarks.match_texts(plan, texts)
    assert whole == [None, ("mini", "mini:q1"), None, ("mini", "mini:q2"), None]
    assert benchmarks.match_texts(plan, texts, chunk_chars=1) == whole


def test_the_index_is_built_once_and_keyed_by_content_and_settings(data_dir):
    first = benchmarks.plan_benchmarks(recipe_for(data_dir))
    assert first.benchmarks == {"mini": {"path": str(data_dir / "mini.jsonl"), "files": 1, "items": 2}}
    assert first.summary["items"] == 2 and first.summary["n"] == 6
    stamp = (benchmarks.Path(first.folder) / "index.json").stat().st_mtime_ns
    again = benchmarks.plan_benchmarks(recipe_for(data_dir))
    assert again == first and (benchmarks.Path(first.folder) / "index.json").stat().st_mtime_ns == stamp
    assert benchmarks.plan_benchmarks(recipe_for(data_dir, ngram=8)).sha256 != first.sha256
    assert benchmarks.plan_benchmarks(recipe_for(data_dir, option_evidence=3)).sha256 != first.sha256
    (data_dir / "mini.jsonl").write_text(json.dumps(ITEMS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    changed = benchmarks.plan_benchmarks(recipe_for(data_dir))
    assert changed.sha256 != first.sha256 and changed.summary["items"] == 1


def test_missing_benchmark_files_stop_the_job_or_are_skipped_with_a_warning(data_dir, capsys):
    broken = {"benchmarks": [{"name": "gone", "path": "nowhere/*.jsonl"}]}
    with pytest.raises(RecipeError, match=r"benchmark gone: no jsonl files match .*nowhere"):
        benchmarks.plan_benchmarks(recipe_for(data_dir, **broken))
    plan = benchmarks.plan_benchmarks(recipe_for(data_dir, missing="warn", **broken))
    assert "warning: benchmark gone: no jsonl files match" in capsys.readouterr().err
    assert plan.benchmarks == {"gone": {"path": str(data_dir / "nowhere" / "*.jsonl"), "missing": True, "items": 0}}
    assert benchmarks.match_texts(plan, [lettered(ITEMS[0])]) == [None]


def test_a_bad_benchmark_file_is_a_recipe_error_before_spark_starts(data_dir):
    (data_dir / "mini.jsonl").write_text('{"text": "no question field"}\n', encoding="utf-8")
    with pytest.raises(RecipeError, match="no question field 'question'"):
        STAGE.plan(recipe_for(data_dir), {})


def test_recipe_section_validation():
    with pytest.raises(RecipeError, match="benchmark names must be unique: a"):
        parse_recipe(
            {
                "sources": {"default": {"steps": []}},
                "filter": {"decontamination": {"benchmarks": [{"name": "a", "path": "x"}, {"name": "a", "path": "y"}]}},
            }
        )
    with pytest.raises(RecipeError, match="filter.decontamination.ngram"):
        parse_recipe({"sources": {"default": {"steps": []}}, "filter": {"decontamination": {"ngram": 1}}})
    with pytest.raises(RecipeError, match=r"filter.decontamination.benchmarks.0.name"):
        parse_recipe(
            {
                "sources": {"default": {"steps": []}},
                "filter": {"decontamination": {"benchmarks": [{"name": "a b", "path": "x"}]}},
            }
        )


def test_the_default_recipe_checks_every_source_against_cmmlu_and_gaokao_bench_with_the_measured_rule():
    recipe = load_recipe()
    assert all("benchmark_overlap" in recipe.steps_for(source) for source in recipe.sources)
    config = recipe.filter.decontamination
    assert config.missing == "warn"
    assert benchmarks.Path(config.data_dir) == (resource_dir("rules").parent.parent / "shared" / "data").resolve()
    assert benchmarks.benchmark_specs(config) == list(D.default_benchmarks(config.data_dir))
    assert asdict(benchmarks.overlap_rule(config)) == asdict(D.OverlapRule()) and config.ngram == D.DEFAULT_N
    raw = yaml.safe_load((resource_dir("rules") / "recipes" / "default.yaml").read_text(encoding="utf-8"))
    assert raw["filter"]["decontamination"]["data_dir"] == "../../../shared/data"  # relative to the recipe file
