import pytest

from corpus_pipeline.report.metrics import (
    BINS,
    bin_edges,
    distribution_summary,
    perplexity_shift,
    stage_distributions,
    weighted_median,
)


def test_weighted_median_weighs_each_sample_by_the_documents_it_stands_for():
    assert weighted_median([1, 2, 3], [1, 1, 1]) == 2
    assert weighted_median([1, 2, 3], [1, 1, 10]) == 3
    assert weighted_median([5, 1], [1, 1]) == 1  # the smallest value reaching half the weight
    assert weighted_median([], []) is None and weighted_median([None, float("nan")], [1, 1]) is None


def test_histograms_share_edges_and_count_every_value():
    edges = bin_edges([1.0, 10.0, 100.0, None], log=True)
    assert len(edges) == BINS + 1 and edges[0] == pytest.approx(1) and edges[-1] == pytest.approx(100)
    summary = distribution_summary([1.0, 10.0, 100.0, None], edges)
    assert summary["n"] == 3 and sum(summary["histogram"]) == 3 and summary["p50"] == 10
    assert bin_edges([0.0, 0.0], log=True) is None  # no positive value for a log axis
    assert distribution_summary([None], edges) == {"n": 0}


def test_metrics_missing_from_a_stage_are_left_out():
    kept = {"cjk_ratio": [0.9, 0.8], "spam_score": [None, None]}
    removed = {"cjk_ratio": [0.1], "spam_score": [None]}
    out = stage_distributions(kept, removed)
    assert list(out) == ["cjk_ratio"]
    assert out["cjk_ratio"]["kept"]["n"] == 2 and out["cjk_ratio"]["removed"]["n"] == 1


def test_perplexity_shift_weighs_kept_and_removed_samples_by_their_counts():
    # 2 kept samples stand for 90 documents, 2 removed for 10: the input's median is a kept value
    shift = perplexity_shift([40.0, 60.0], [500.0, 700.0], kept_count=90, removed_count=10)
    assert shift["median_in"] == 60.0 and shift["median_kept"] == 50.0 and shift["median_removed"] == 600.0
    assert shift["shift"] == pytest.approx(50 / 60 - 1)
    assert perplexity_shift([], [], 0, 0)["shift"] is None
    assert perplexity_shift([10.0], [], 5, 0) == {
        "median_in": 10.0,
        "median_kept": 10.0,
        "median_removed": None,
        "shift": 0.0,
    }
