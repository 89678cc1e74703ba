"""Dedup quality on a labelled corpus of >= 10,000 real documents with realistic edits (``../shared/data``).

The reference is brute-force exact Jaccard over the same shingles (threshold 0.8): every pair of documents
whose 5-gram sets are at least 0.8 similar, clustered, one kept per cluster by the same keep order. The
removed documents of the dedup stage must match it with precision and recall >= 0.95 each.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from corpus_eval.dedup.exact_jaccard import ground_truth, score
from corpus_eval.dedup.labelled import build_labelled_corpus
from corpus_pipeline.recipe import load_recipe
from corpus_pipeline.stage.commit import run_stage
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

SIZE_MB = 25  # 10,481 documents with seed 0


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def corpus(shared_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("labelled")
    manifest = build_labelled_corpus(shared_data, out, SIZE_MB, seed=0)
    assert manifest["documents"] >= 10_000
    return out / "documents"


def test_precision_and_recall_against_exact_jaccard(spark, corpus, tmp_path):
    recipe = load_recipe()
    stats = run_stage(spark, "dedup", [str(corpus)], str(tmp_path / "out"), recipe)
    removed = pq.read_table(tmp_path / "out" / "removed", columns=["id", "duplicate_of"]).to_pylist()
    truth = ground_truth(corpus, {name: source.priority for name, source in recipe.sources.items()})
    result = score(truth, {row["id"]: row["duplicate_of"] for row in removed})
    assert result["documents"] >= 10_000 and result["expected_removed"] > 1_000
    assert result["precision"] >= 0.95, result
    assert result["recall"] >= 0.95, result
    assert stats["documents"]["removed"] == result["predicted_removed"]
