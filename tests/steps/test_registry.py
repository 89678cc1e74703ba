"""The step registry: every entry resolves, belongs to a registered stage, and recipes follow its order."""

from __future__ import annotations

import pytest

from corpus_pipeline.recipe import RecipeError, load_recipe, parse_recipe
from corpus_pipeline.stage.registry import stage_names
from corpus_pipeline.steps.registry import STEP_NAMES, STEPS, config_type, reasons_of, step


def test_every_step_has_a_function_a_stage_and_a_known_config():
    for spec in STEPS:
        assert callable(spec.load()), spec.name
        assert spec.stage in stage_names(), spec.name
        if spec.kind == "filter":
            assert spec.reasons, spec.name
    assert config_type("strip_navigation").__name__ == "NavigationConfig"
    assert config_type("spam").__name__ == "SpamConfig"
    assert config_type("to_simplified") is None  # a plain setting (clean.opencc_config), not a section


def test_steps_run_in_stage_order():
    order = [stage_names().index(spec.stage) for spec in STEPS]
    assert order == sorted(order)
    assert reasons_of("clean") == ("ad_keywords", "low_cjk_ratio", "too_short", "not_chinese", "title_only")
    assert step("dedup").reasons == ("exact_duplicate", "near_duplicate")


def test_shipped_recipes_list_known_steps_in_order():
    recipe = load_recipe()
    for name, source in recipe.sources.items():
        builtin = [s for s in source.steps if isinstance(s, str)]
        assert builtin == sorted(builtin, key=STEP_NAMES.index), name


@pytest.mark.parametrize(
    "steps, message",
    [
        (["spam", "normalize"], "'normalize' is listed after 'spam', but built-in steps run in this order"),
        (["normalize", "normalize"], "listed twice: normalize"),
        (["normalize", "make_it_better"], r"steps\.1: .*unknown step 'make_it_better'"),
        (["normalize", {"python": "a b:c"}], r"steps\.1: .*written \{python: package\.module:function\}"),
        (["dedup", {"python": "mine.steps:f"}], "follows dedup"),
        (["sensitive_words", {"python": "mine.steps:f"}, "spam"], "runs in the filter stage after its built-in steps"),
    ],
)
def test_recipe_step_lists_are_validated(steps, message):
    with pytest.raises(RecipeError, match=message):
        parse_recipe({"sources": {"default": {"steps": steps}}})


def test_python_steps_know_the_step_they_follow():
    recipe = parse_recipe(
        {
            "sources": {
                "default": {
                    "steps": [
                        {"python": "a:first"},
                        "normalize",
                        {"python": "a:second"},
                        "spam",
                        {"python": "a.b:third"},
                        "dedup",
                    ]
                }
            }
        }
    )
    assert recipe.sources["default"].python_steps() == (
        (None, "a:first"),
        ("normalize", "a:second"),
        ("spam", "a.b:third"),
    )
    assert recipe.steps_for("default") == frozenset({"normalize", "spam", "dedup"})


def test_the_rule_steps_name_the_reasons_their_rules_return():
    from corpus_pipeline.rules import repetition, webspam

    assert step("webspam").reasons == webspam.CATEGORIES
    assert step("repetition").reasons == repetition.REASONS
