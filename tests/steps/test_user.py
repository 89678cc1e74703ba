"""User-defined python: steps, without Spark: resolving, results, errors and where they run in clean."""

from __future__ import annotations

import sys
import textwrap

import pytest

from corpus_pipeline.clean.document import clean_document
from corpus_pipeline.recipe import RecipeError, parse_recipe
from corpus_pipeline.steps import user

LOREM = "Lorem ipsum dolor sit amet。" * 3


@pytest.fixture
def module(tmp_path, monkeypatch):
    (tmp_path / "my_steps.py").write_text(
        textwrap.dedent("""
        def drop_lorem(doc):
            return "lorem_ipsum" if "Lorem ipsum" in doc["text"] else None

        def shout(doc):
            return {"text": doc["text"].replace("好", "很好"), "title": "T"}

        def bad_reason(doc):
            return "Not A Reason"

        def bad_field(doc):
            return {"score": 1}

        def explode(doc):
            raise ValueError("boom")

        NOT_A_FUNCTION = 3
    """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_steps"
    sys.modules.pop("my_steps", None)
    user.worker_function.cache_clear()


def test_results_keep_remove_or_update(module):
    assert user.apply(f"{module}:drop_lorem", {"text": LOREM}) == "lorem_ipsum"
    assert user.apply(f"{module}:drop_lorem", {"text": "好"}) is None
    assert user.apply(f"{module}:shout", {"text": "好"}) == {"text": "很好", "title": "T"}


@pytest.mark.parametrize(
    "function, detail",
    [
        ("bad_reason", "returned reason 'Not A Reason': a reason is snake_case"),
        ("bad_field", "returned unknown field(s) score"),
        ("explode", "raised ValueError: boom"),
    ],
)
def test_bad_results_raise_a_step_error_naming_the_step(module, function, detail):
    with pytest.raises(user.UserStepError) as caught:
        user.apply(f"{module}:{function}", {"text": "x"})
    assert caught.value.detail.startswith(f"{module}:{function}: {detail}")


@pytest.mark.parametrize(
    "target, message",
    [
        ("no_such_module_xyz:f", "python step no_such_module_xyz:f: no module named 'no_such_module_xyz'"),
        ("my_steps:drop_lorme", "python step my_steps:drop_lorme: module my_steps has no attribute 'drop_lorme'"),
        ("my_steps:NOT_A_FUNCTION", "python step my_steps:NOT_A_FUNCTION: NOT_A_FUNCTION is not a function"),
    ],
)
def test_missing_module_or_function_is_a_one_line_recipe_error(module, target, message):
    recipe = parse_recipe({"sources": {"default": {"steps": ["normalize", {"python": target}]}}})
    with pytest.raises(RecipeError) as caught:
        user.check_python_steps(recipe)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_clean_runs_a_python_step_right_after_the_step_it_follows(module, rules):
    steps = frozenset({"normalize", "min_length"})
    text = "Ｌｏｒｅｍ ipsum dolor sit amet。" * 3  # full-width: only after normalize does it read "Lorem"
    before = clean_document(None, text, None, None, steps, rules, ((None, f"{module}:drop_lorem"),))
    after = clean_document(None, text, None, None, steps, rules, (("normalize", f"{module}:drop_lorem"),))
    assert before.reason == "too_short" and after.reason == "lorem_ipsum"
    changed = clean_document("t", "好" * 200, None, None, steps, rules, (("normalize", f"{module}:shout"),))
    assert (changed.reason, changed.text, changed.title) == (None, "很好" * 200, "T")
