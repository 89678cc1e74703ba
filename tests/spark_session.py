"""One local Spark session per test module (start-up takes ~10 s)."""

from __future__ import annotations

import pytest


def module_session(request: pytest.FixtureRequest, master: str = "local[2]"):
    from corpus_pipeline.session import build_session

    spark = build_session(f"tests.{request.module.__name__}", master, {"spark.sql.shuffle.partitions": "4"})
    request.addfinalizer(spark.stop)
    return spark
