"""The filter stage's batch function without Spark: the blocked_domain step and its columns."""

from __future__ import annotations

import pyarrow as pa
import pytest

from corpus_pipeline.filter.batch import FilterPlan, filter_columns
from corpus_pipeline.filter.stage import STAGE, blocklist_stats
from corpus_pipeline.recipe import RecipeError, load_recipe, parse_recipe
from corpus_pipeline.rules.domains import load_blocklists
from corpus_pipeline.rules.sensitive import load_sensitive_lexicon

TEXT = "国家统计局今天发布数据，一季度国内生产总值同比增长，经济运行开局良好。"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists")
    (folder / "gambling.txt").write_text("# test list\nbet-here.com\n*.lucky-casino.net\n", encoding="utf-8")
    (folder / "porn.txt").write_text("bet-here.com\nadult-site.org\n", encoding="utf-8")
    recipe = load_recipe()
    return FilterPlan(
        blocklists=load_blocklists({"gambling": folder / "gambling.txt", "porn": folder / "porn.txt"}),
        lexicon=load_sensitive_lexicon(recipe),
        sensitive=recipe.filter.sensitive,
        spam=None,
        source_steps={"web": frozenset({"blocked_domain"}), "books": frozenset()},
        default_steps=frozenset({"blocked_domain"}),
    )


def batch(rows):
    return pa.RecordBatch.from_pylist(
        [{"id": str(i), "source": source, "url": url, "text": TEXT} for i, (source, url) in enumerate(rows)]
    )


def test_a_listed_host_or_parent_domain_is_removed_with_the_first_list_naming_it(plan):
    values = filter_columns(
        batch(
            [
                ("web", "https://bet-here.com/a"),
                ("web", "http://m.www.lucky-casino.net:8080/x?y=1"),
                ("web", "https://ADULT-SITE.org./"),
                ("web", "https://example.com/bet-here.com"),
                ("web", None),
                ("books", "https://bet-here.com/a"),
                ("other", "https://bet-here.com/b"),
            ]
        ),
        plan,
    )
    assert values["reason"] == ["blocked_domain"] * 3 + [None, None, None, "blocked_domain"]
    assert values["blocked_list"] == ["gambling", "gambling", "porn", None, None, None, "gambling"]
    assert values["blocked_host"] == [
        "bet-here.com",
        "lucky-casino.net",
        "adult-site.org",
        None,
        None,
        None,
        "bet-here.com",
    ]
    assert values["outcome"] == ["removed"] * 3 + ["kept"] * 3 + ["removed"]


def test_a_batch_without_a_url_column_blocks_nothing(plan):
    rows = pa.RecordBatch.from_pylist([{"id": "1", "source": "web", "text": TEXT}])
    assert filter_columns(rows, plan)["reason"] == [None]


def test_list_stats_and_fingerprint(plan, tmp_path):
    assert blocklist_stats(plan.blocklists) == {
        "gambling": {"domains": 2, "allowlisted": 0, "skipped": 0},
        "porn": {"domains": 2, "allowlisted": 0, "skipped": 0},
    }
    (tmp_path / "one.txt").write_text("bet-here.com\n", encoding="utf-8")
    (tmp_path / "two.txt").write_text("bet-here.com\nother.com\n", encoding="utf-8")
    one, two = load_blocklists({"g": tmp_path / "one.txt"}), load_blocklists({"g": tmp_path / "two.txt"})
    assert one.sha256() != two.sha256() and one.sha256() == load_blocklists({"g": tmp_path / "one.txt"}).sha256()


def test_the_default_lists_load_and_a_missing_list_is_a_recipe_error_before_spark(tmp_path):
    plan = STAGE.plan(load_recipe())
    assert set(plan.blocklists.names) == {"ut1_gambling", "v2fly_porn", "houbb_spam"}
    assert all(size > 1000 for size in plan.blocklists.sizes().values())
    data = load_recipe().model_dump(mode="json")
    data["filter"]["domains"]["lists"] = {"mine": str(tmp_path / "missing.txt")}
    with pytest.raises(RecipeError, match="filter.domains: domain list not found: .*missing.txt"):
        STAGE.plan(parse_recipe(data))


def test_list_names_must_be_snake_case():
    data = load_recipe().model_dump(mode="json")
    data["filter"]["domains"]["lists"] = {"My List": "x.txt"}
    with pytest.raises(RecipeError, match="snake_case"):
        parse_recipe(data)
