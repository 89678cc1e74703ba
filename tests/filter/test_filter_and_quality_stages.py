"""The filter and quality stages end to end in Spark local mode, on documents written as parquet."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus_pipeline.classify.model import load_model_spec, score
from corpus_pipeline.quality.pareto import pareto_draws, pareto_keep
from corpus_pipeline.recipe import parse_recipe
from corpus_pipeline.schema import DOCUMENT_SCHEMA
from corpus_pipeline.stage.commit import run_stage
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

ARTICLE = (
    "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。"
    "专家表示，消费和投资共同发力，是经济稳定增长的重要原因，下一阶段政策将继续保持连续性。"
    "分析人士认为，各项措施落地见效以后，全年经济增长目标有望顺利实现，市场信心持续增强。"
)
AD = "\n".join(
    [
        "【限时特价】全场商品一律五折，全国包邮，货到付款！",
        "点击链接立即购买，前一百名下单再送精美礼品一份。",
        "诚招各地代理加盟，月入过万不是梦，零投资零风险。",
        "详情请加微信 shop8888 或致电 13912345678 咨询。",
        "机会难得，欲购从速，错过今天再等一年！",
    ]
    * 3
)
LEXICON = {"gambling": ["百家乐", "六合彩", "赌球网站"], "fraud": ["代开发票", "六合彩"]}


def with_words(words: list[str]) -> str:
    """The article with ``words`` put between its sentences."""
    sentences = ARTICLE.split("。")
    return "。".join(s + (words[i] if i < len(words) else "") for i, s in enumerate(sentences)) + "".join(
        words[len(sentences) :]
    )


DOCS = [  # id, source, text, expected filter outcome
    ("normal", "web", ARTICLE, None),
    ("three-hits", "web", with_words(["百家乐", "百家乐", "六合彩"]), None),
    ("four-hits", "web", with_words(["百家乐", "百家乐", "六合彩", "赌球网站"]), "sensitive_words"),
    ("ad", "web", AD, "spam"),
    ("news-four-hits", "news", with_words(["代开发票"] * 4), "sensitive_words"),
    ("news-ad", "news", AD, None),  # news has no spam step
    ("wiki-four-hits", "encyclopedia", with_words(["百家乐"] * 5), None),  # encyclopedia: dedup only
    ("one-fraud", "web", with_words(["代开发票"]), None),
]


def recipe_for(lexicon_dir, **changes):
    data = {
        "sources": {
            "web": {"steps": ["sensitive_words", "spam", "quality"]},
            "news": {"steps": ["sensitive_words"]},
            "encyclopedia": {"steps": ["dedup"]},
            "default": {"steps": ["sensitive_words", "spam", "quality"]},
        },
        "filter": {"sensitive": {"lexicons": [str(lexicon_dir)]}},
    }
    for key, value in changes.items():
        data[key] = {**data.get(key, {}), **value}
    return parse_recipe(data)


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def lexicon_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lexicon")
    for category, words in LEXICON.items():
        (folder / f"{category}.txt").write_text("# test lexicon\n" + "\n".join(words) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("documents")
    columns = list(
        zip(
            *[
                (doc_id, source, None, None, text, json.dumps({"n": i}))
                for i, (doc_id, source, text, _) in enumerate(DOCS)
            ]
        )
    )
    table = pa.table(dict(zip(DOCUMENT_SCHEMA.names, columns)), schema=DOCUMENT_SCHEMA)
    table = table.append_column("n_chars", pa.array([len(t) for t in table.column("text").to_pylist()]))
    pq.write_table(table.slice(0, 4), folder / "part-0.parquet")
    pq.write_table(table.slice(4), folder / "part-1.parquet")
    return folder


def read(output, name):
    return {row["id"]: row for row in pq.read_table(output / name).to_pylist()}


@pytest.fixture(scope="module")
def filtered(spark, lexicon_dir, documents, tmp_path_factory):
    output = tmp_path_factory.mktemp("filter") / "out"
    stats = run_stage(spark, "filter", [str(documents)], str(output), recipe_for(lexicon_dir))
    return output, stats


def test_every_document_is_kept_or_removed_for_the_expected_reason(filtered):
    output, stats = filtered
    kept, removed = read(output, "kept"), read(output, "removed")
    assert {doc_id: row["reason"] for doc_id, row in removed.items()} == {
        doc_id: reason for doc_id, _, _, reason in DOCS if reason
    }
    assert set(kept) == {doc_id for doc_id, _, _, reason in DOCS if reason is None}
    assert stats["documents"] == {"in": 8, "kept": 5, "removed": 3, "quarantined": 0}
    assert stats["removed"]["sensitive_words"]["documents"] == 2
    assert stats["conservation"]["ok"] and (output / "_SUCCESS").exists()
    assert pq.read_table(output / "quarantine").num_rows == 0


def test_hits_and_categories_are_columns_next_to_the_input_ones(filtered):
    output, _ = filtered
    rows = {**read(output, "kept"), **read(output, "removed")}
    assert [
        rows[d]["sensitive_hits"] for d in ("normal", "three-hits", "four-hits", "news-four-hits", "one-fraud")
    ] == [0, 3, 4, 4, 1]
    assert rows["three-hits"]["sensitive_categories"] == ["fraud", "gambling"]  # 六合彩 is in both files
    assert rows["one-fraud"]["sensitive_categories"] == ["fraud"]
    assert rows["wiki-four-hits"]["sensitive_hits"] is None  # encyclopedia has no sensitive_words step
    assert rows["normal"]["n_chars"] == len(ARTICLE) and json.loads(rows["ad"]["meta"]) == {"n": 3}


def test_spam_scores_are_the_models_scores_and_only_where_the_step_runs(filtered, recipe):
    output, stats = filtered
    rows = {**read(output, "kept"), **read(output, "removed")}
    spec = load_model_spec(recipe.models_path(recipe.filter.spam.model), "spam")
    web = [d for d, source, _, _ in DOCS if source == "web"]
    expected = score(spec, [rows[d]["text"] for d in web])
    assert [rows[d]["spam_score"] for d in web] == pytest.approx(expected.tolist(), abs=1e-9)
    assert rows["ad"]["spam_score"] > spec.threshold > rows["normal"]["spam_score"]
    assert rows["news-ad"]["spam_score"] is None and rows["wiki-four-hits"]["spam_score"] is None
    assert stats["spam_model"]["sha256"] == spec.sha256 and stats["spam_model"]["threshold"] == spec.threshold
    assert (
        len(stats["sensitive_lexicon"]["sha256"]) == 64 and stats["sensitive_lexicon"]["words"] == 4
    )  # 六合彩 is in both files


def test_category_limit_and_distinct_counting(spark, lexicon_dir, documents, tmp_path):
    recipe = recipe_for(
        lexicon_dir,
        filter={"sensitive": {"lexicons": [str(lexicon_dir)], "count": "distinct", "category_limits": {"fraud": 0}}},
    )
    run_stage(spark, "filter", [str(documents)], str(tmp_path / "out"), recipe)
    removed = read(tmp_path / "out", "removed")
    # Distinct words: four-hits has 3, not above max_hits; but 六合彩 and 代开发票 are fraud words and any
    # fraud word exceeds that category's limit of 0. wiki-four-hits has no sensitive_words step.
    assert {d: r["reason"] for d, r in removed.items()} == {
        "three-hits": "sensitive_words",
        "four-hits": "sensitive_words",
        "news-four-hits": "sensitive_words",
        "one-fraud": "sensitive_words",
        "ad": "spam",
    }
    assert removed["news-four-hits"]["sensitive_hits"] == 1 and removed["four-hits"]["sensitive_hits"] == 3


def test_quality_threshold_mode_keeps_scores_at_or_above_it(spark, lexicon_dir, filtered, tmp_path):
    output, _ = filtered
    recipe = recipe_for(lexicon_dir, quality={"mode": "threshold", "threshold": 0.5})
    stats = run_stage(spark, "quality", [str(output)], str(tmp_path / "q"), recipe)
    kept, removed = read(tmp_path / "q", "kept"), read(tmp_path / "q", "removed")
    assert stats["documents"]["in"] == 5 and stats["keep_rule"]["threshold"] == 0.5
    for doc_id, row in {**kept, **removed}.items():
        if doc_id in ("news-ad", "wiki-four-hits"):  # news and encyclopedia have no quality step
            assert row["quality_score"] is None and doc_id in kept
        else:
            assert (row["quality_score"] >= 0.5) == (doc_id in kept)
            assert row["spam_score"] is not None  # the filter stage's columns travel on
    assert all(row["reason"] == "low_quality" for row in removed.values())


def test_quality_pareto_mode_is_reproducible_across_partitionings(spark, lexicon_dir, documents, tmp_path):
    recipe = recipe_for(lexicon_dir, quality={"mode": "pareto", "seed": 7})
    many = spark.read.parquet(str(documents))
    many = many.unionByName(
        many.selectExpr(
            "concat(id, '-', cast(n_chars as string)) as id", "source", "url", "title", "text", "meta", "n_chars"
        )
    )
    one, four = tmp_path / "one", tmp_path / "four"
    many.coalesce(1).write.parquet(str(one))
    many.repartition(4).write.parquet(str(four))
    run_stage(spark, "quality", [str(one)], str(tmp_path / "q1"), recipe)
    run_stage(spark, "quality", [str(four)], str(tmp_path / "q4"), recipe)
    kept_1, kept_4 = read(tmp_path / "q1", "kept"), read(tmp_path / "q4", "kept")
    assert set(kept_1) == set(kept_4)
    rows = {**kept_1, **read(tmp_path / "q1", "removed")}
    scored = sorted(d for d, r in rows.items() if r["quality_score"] is not None)
    keep = pareto_keep(np.array([rows[d]["quality_score"] for d in scored]), pareto_draws(scored, 7, 9.0))
    assert {d for d, k in zip(scored, keep) if k} == {d for d in scored if d in kept_1}


def test_a_category_limit_for_a_category_no_lexicon_has_is_an_error(lexicon_dir):
    from corpus_pipeline.filter.stage import STAGE
    from corpus_pipeline.recipe import RecipeError

    recipe = recipe_for(
        lexicon_dir, filter={"sensitive": {"lexicons": [str(lexicon_dir)], "category_limits": {"gamblng": 1}}}
    )
    with pytest.raises(RecipeError, match="category_limits: unknown category gamblng; the lexicon has fraud, gambling"):
        STAGE.plan(recipe, {})


def test_perplexity_step_scores_buckets_and_filters_where_it_runs(spark, lexicon_dir, documents, tmp_path):
    from corpus_pipeline.perplexity.model import load_lm_spec, perplexities

    base = recipe_for(lexicon_dir)
    spec = load_lm_spec(base.models_path(base.perplexity.model))
    scored = [(d, text) for d, source, text, _ in DOCS if source in ("web", "news")]
    expected = dict(zip([d for d, _ in scored], perplexities(spec, [t for _, t in scored])))
    limit = float(np.median(list(expected.values())))
    recipe = parse_recipe(
        {
            "sources": {
                "web": {"steps": ["quality", "perplexity"]},
                "news": {"steps": ["perplexity"]},
                "encyclopedia": {"steps": ["dedup"]},
                "default": {"steps": ["quality", "perplexity"]},
            },
            "quality": {"threshold": 0.0},
            "perplexity": {"max_perplexity": limit, "bucket_percentiles": [25, 75]},
        }
    )
    stats = run_stage(spark, "quality", [str(documents)], str(tmp_path / "q"), recipe)
    kept, removed = read(tmp_path / "q", "kept"), read(tmp_path / "q", "removed")
    rows = {**kept, **removed}
    assert {d: r["perplexity"] for d, r in rows.items() if r["perplexity"] is not None} == pytest.approx(expected)
    assert rows["wiki-four-hits"]["perplexity"] is None and rows["wiki-four-hits"]["ppl_bucket"] is None
    assert {d: r["reason"] for d, r in removed.items()} == {
        d: "high_perplexity" for d, p in expected.items() if p > limit
    }
    head, middle = stats["perplexity"]["cutoffs"]
    values = sorted(expected.values())
    assert head in values and middle in values and head < middle  # exact percentiles of 7 values
    for doc_id, ppl in expected.items():
        assert rows[doc_id]["ppl_bucket"] == ("head" if ppl <= head else "middle" if ppl <= middle else "tail")
    assert stats["perplexity"]["scored"] == 7 == sum(stats["perplexity"]["buckets"].values())
    assert stats["perplexity"]["model"]["sha256"] == spec.sha256 and stats["perplexity"]["max_perplexity"] == limit
