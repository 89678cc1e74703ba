"""The webspam and repetition steps in the filter batch (no Spark): reasons, columns, precedence, recipe sections."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from corpus_pipeline.filter.batch import filter_columns
from corpus_pipeline.filter.stage import STAGE, load_webspam
from corpus_pipeline.recipe import RecipeError, load_recipe, parse_recipe
from corpus_pipeline.rules.repetition import RepetitionConfig
from corpus_pipeline.rules.webspam import WebSpamConfig

GOOD = (
    "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。\n"
    "专家表示，消费和投资共同发力，是经济稳定增长的重要原因。\n"
    "下一阶段，宏观政策将继续保持连续性和稳定性，着力扩大国内需求，推动经济持续回升向好。\n"
    "不少企业负责人认为，市场信心正在恢复，订单明显增加，用工需求也有所上升。\n"
)
CASINO_TITLE = "澳门新葡京官网_百家乐在线开户_真人娱乐平台"
CASINO = (
    GOOD.replace("专家表示", "澳门新葡京娱乐场专家表示") + "百家乐 澳门新葡京 真人视讯 体育投注 网上赌场 注册送彩金\n"
)
WORDS = (
    "春季 花卉 种植 技巧 家庭 园艺 入门 指南 阳台 蔬菜 多肉 养护 方法 大全 盆栽 浇水 施肥 修剪 病虫害 防治 "
    "土壤 选择 光照 温度 湿度 控制 繁殖 扦插 播种 移栽"
).split()
HEADLINES = "\n".join("".join(random.Random(i).sample(WORDS, 4)) for i in range(30))  # a keyword-stuffed list
EMOJI = GOOD.replace("。", "😀😀😀🎉🎉🎉🔥🔥🔥。")


@pytest.fixture(scope="module")
def plan():
    return STAGE.plan(load_recipe())


def columns(plan, rows):
    keys = ("source", "title", "text")
    return filter_columns(
        pa.RecordBatch.from_pylist([{"id": str(i), **dict(zip(keys, row))} for i, row in enumerate(rows)]), plan
    )


def test_spam_and_repetitive_pages_are_removed_with_their_reasons(plan):
    values = columns(
        plan,
        [
            ("web", "经济数据", GOOD),
            ("web", CASINO_TITLE, CASINO),
            ("web", None, HEADLINES),
            ("web", None, EMOJI),
            ("web", "经济数据", GOOD * 3),  # the same paragraphs three times
            ("news", CASINO_TITLE, CASINO),  # news has neither step in the default recipe
        ],
    )
    assert values["reason"] == [None, "gambling", "few_sentence_endings", "symbol_ratio", "repetitive_lines", None]
    assert values["webspam_category"] == [None, "gambling", None, None, None, None]
    score = values["webspam_score"]
    assert score[0] == score[2] == score[3] == 0.0 and score[1] >= 1.0 and score[5] is None


def test_the_first_reason_wins_and_repetition_skips_removed_documents(plan, monkeypatch):
    import corpus_pipeline.filter.batch as batch

    measured = []
    real = batch.stats_for_batch
    monkeypatch.setattr(batch, "stats_for_batch", lambda texts, *a: measured.extend(texts) or real(texts, *a))
    values = columns(plan, [("web", CASINO_TITLE, CASINO * 3), ("web", None, GOOD)])
    assert values["reason"] == ["gambling", None]  # web spam is judged before repetition
    assert measured == [GOOD]


def test_recipe_sections_are_the_rule_defaults_and_validated():
    recipe = load_recipe()
    assert recipe.filter.webspam.scoring == WebSpamConfig() and recipe.filter.repetition == RepetitionConfig()
    assert {"webspam", "repetition"} <= recipe.steps_for("web") & recipe.steps_for("default")
    base = {"sources": {"default": {"steps": []}}}
    with pytest.raises(RecipeError, match="unknown rule.*nope"):
        parse_recipe({**base, "filter": {"repetition": {"rules": ["nope"]}}})
    with pytest.raises(RecipeError, match="unknown category casino"):
        parse_recipe({**base, "filter": {"webspam": {"scoring": {"thresholds": [["casino", 1.0]]}}}})
    with pytest.raises(RecipeError, match="filter.repetition.short_lines.typo"):
        parse_recipe({**base, "filter": {"repetition": {"short_lines": {"typo": 1}}}})
    one = parse_recipe({**base, "filter": {"repetition": {"rules": ["short_lines"], "short_lines": {"min_lines": 3}}}})
    assert one.filter.repetition.rules == ("short_lines",) and one.filter.repetition.short_lines.min_lines == 3


def test_a_missing_lexicon_folder_fails_before_spark(tmp_path):
    recipe = parse_recipe({"sources": {"default": {"steps": ["webspam"]}}, "filter": {"webspam": {"lexicons": "x"}}})
    with pytest.raises(RecipeError, match="filter.webspam: web-spam lexicon folder not found: .*x"):
        load_webspam(recipe)
