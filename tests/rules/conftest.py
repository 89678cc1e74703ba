import pytest

from corpus_pipeline.clean.document import compiled_rules
from corpus_pipeline.recipe import load_recipe
from corpus_pipeline.rules.ruledata import load_clean_rules


@pytest.fixture(scope="session")
def recipe():
    return load_recipe()


@pytest.fixture(scope="session")
def rules(recipe):
    return compiled_rules(load_clean_rules(recipe), recipe.clean)
