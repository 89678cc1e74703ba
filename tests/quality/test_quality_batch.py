"""The quality stage's batch function without Spark: the mask_pii step, its text and counts."""

from __future__ import annotations

import pyarrow as pa
import pytest

from corpus_pipeline.quality.batch import QualityPlan, quality_columns
from corpus_pipeline.quality.stage import STAGE, pii_fingerprint
from corpus_pipeline.recipe import RecipeError, load_recipe, parse_recipe
from corpus_pipeline.rules.pii import PII_TYPES, PiiConfig

NOTICE = "报名请联系王老师，电话 13812345678，或发邮件至 wang@example.com；订单号 2023120312345678901。"


def plan(types=PII_TYPES, placeholder="<PII:{type}>"):
    recipe = load_recipe()
    return QualityPlan(
        model=None,
        config=recipe.quality,
        lm=None,
        perplexity=recipe.perplexity,
        pii=PiiConfig(types=frozenset(types), placeholder=placeholder),
        source_steps={"books": frozenset()},
        default_steps=frozenset({"mask_pii"}),
    )


def batch(rows):
    return pa.RecordBatch.from_pylist(
        [{"id": str(i), "source": source, "text": text} for i, (source, text) in enumerate(rows)]
    )


def test_mask_pii_replaces_values_counts_them_and_removes_nothing():
    values = quality_columns(batch([("web", NOTICE), ("web", "没有个人信息的一句话。"), ("books", NOTICE)]), plan())
    assert values["text"] == [
        "报名请联系王老师，电话 <PII:MOBILE>，或发邮件至 <PII:EMAIL>；订单号 2023120312345678901。",
        "没有个人信息的一句话。",
        NOTICE,  # a source without the step keeps its text
    ]
    assert values["pii_masked"] == [
        {**dict.fromkeys(PII_TYPES, 0), "MOBILE": 1, "EMAIL": 1},
        dict.fromkeys(PII_TYPES, 0),
        None,
    ]
    assert values["reason"] == [None, None, None] and values["outcome"] == ["kept"] * 3


def test_types_and_placeholder_come_from_the_config():
    values = quality_columns(batch([("web", NOTICE)]), plan(types=("EMAIL",), placeholder="[{type}]"))
    assert values["text"] == ["报名请联系王老师，电话 13812345678，或发邮件至 [EMAIL]；订单号 2023120312345678901。"]


def test_without_the_step_the_text_is_not_returned():
    no_step = QualityPlan(**{**vars(plan()), "default_steps": frozenset()})
    assert "text" not in quality_columns(batch([("web", NOTICE)]), no_step)


def test_recipe_settings_are_checked_and_fingerprinted(tmp_path):
    data = load_recipe().model_dump(mode="json")
    data["pii"]["placeholder"] = "<{kind}>"
    with pytest.raises(RecipeError, match="placeholder"):
        parse_recipe(data)
    data = load_recipe().model_dump(mode="json")
    data["pii"]["types"] = ["ID", "PASSPORT"]
    with pytest.raises(RecipeError, match="pii.types"):
        parse_recipe(data)
    default = STAGE.plan(load_recipe())
    assert default.pii.types == frozenset(PII_TYPES) and default.pii.rules is not None
    data = load_recipe().model_dump(mode="json")
    data["pii"]["types"] = ["ID"]
    assert pii_fingerprint(STAGE.plan(parse_recipe(data)).pii) != pii_fingerprint(default.pii)
    data["pii"]["rules"] = str(tmp_path)
    with pytest.raises(RecipeError, match="pii.rules"):
        STAGE.plan(parse_recipe(data))
