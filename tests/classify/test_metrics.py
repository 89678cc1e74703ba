"""Metrics against hand-computed values and a brute-force pair-counting ROC-AUC."""

from __future__ import annotations

import math

import numpy as np
import pytest

from corpus_pipeline.classify import metrics

# positives at 0, 1, 4; negatives at 2, 3, 5
Y = [True, True, False, False, True, False]
S = [0.9, 0.4, 0.35, 0.8, 0.6, 0.1]


def brute_force_auc(y, scores) -> float:
    pos = [s for t, s in zip(y, scores) if t]
    neg = [s for t, s in zip(y, scores) if not t]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def test_binary_metrics_by_hand():
    m = metrics.binary_metrics(Y, S, 0.5)  # predicted: 0.9, 0.8, 0.6 -> TP 2 (0.9, 0.6), FP 1 (0.8)
    assert m["true_positives"] == 2 and m["false_positives"] == 1
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["false_positive_rate"] == pytest.approx(1 / 3)
    assert m["roc_auc"] == pytest.approx(7 / 9)  # 0.9 beats 3 negatives, 0.4 and 0.6 beat 2 each
    assert (m["threshold"], m["n_pos"], m["n_neg"]) == (0.5, 3, 3)


def test_inclusive_threshold():
    exclusive = metrics.binary_metrics(Y, S, 0.4)
    inclusive = metrics.binary_metrics(Y, S, 0.4, inclusive=True)
    assert (exclusive["true_positives"], inclusive["true_positives"]) == (2, 3)
    assert inclusive["precision"] == pytest.approx(3 / 4) and inclusive["recall"] == 1.0
    assert inclusive["f1"] == pytest.approx(6 / 7)
    assert list(metrics.predict([0.4, 0.5], 0.4)) == [False, True]
    assert list(metrics.predict([0.4, 0.5], 0.4, inclusive=True)) == [True, True]


def test_empty_denominators():
    nothing = metrics.binary_metrics([True, False], [0.1, 0.2], 0.9)
    assert (nothing["precision"], nothing["recall"], nothing["f1"], nothing["false_positive_rate"]) == (0, 0, 0, 0)
    only_positive = metrics.binary_metrics([True, True], [0.1, 0.9], 0.5)
    assert only_positive["false_positive_rate"] == 0.0 and math.isnan(only_positive["roc_auc"])
    assert math.isnan(metrics.roc_auc([False, False], [0.1, 0.2]))


def test_average_ranks_share_ties():
    assert list(metrics.average_ranks([0.5, 0.5, 0.7, 0.2])) == [2.5, 2.5, 4.0, 1.0]
    assert list(metrics.average_ranks([3, 3, 3])) == [2.0, 2.0, 2.0]
    assert list(metrics.average_ranks([])) == []


def test_auc_ties_count_half():
    # pos 0.5 vs neg 0.5: 1/2, vs neg 0.2: 1; pos 0.7 beats both -> 3.5 / 4
    assert metrics.roc_auc([True, False, True, False], [0.5, 0.5, 0.7, 0.2]) == 0.875
    assert metrics.roc_auc([True, False], [0.3, 0.3]) == 0.5
    assert metrics.roc_auc([True, False], [0.1, 0.9]) == 0.0


@pytest.mark.parametrize("seed", range(20))
def test_auc_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    y = rng.random(n) < 0.4
    y[0], y[1] = True, False
    scores = np.round(rng.random(n), 1)  # many ties
    assert metrics.roc_auc(y, scores) == pytest.approx(brute_force_auc(y, scores), abs=1e-12)


def test_threshold_max_recall_at_fpr_by_hand():
    # negatives 0.8, 0.35, 0.1. No false positive allowed: the threshold must be >= 0.8, which catches only 0.9;
    # the result lies midway between 0.9 and the next lower score 0.8
    assert metrics.threshold_max_recall_at_fpr(Y, S, 0.0) == pytest.approx(0.85)
    # one false positive allowed (1/3 <= 0.34): every positive is caught from 0.35 up; midway 0.4 / 0.35
    assert metrics.threshold_max_recall_at_fpr(Y, S, 0.34) == pytest.approx(0.375)
    m = metrics.binary_metrics(Y, S, 0.375)
    assert m["recall"] == 1.0 and m["false_positive_rate"] == pytest.approx(1 / 3)
    assert metrics.threshold_max_recall_at_fpr(Y, S, 1.0) == pytest.approx(0.375)


def test_threshold_max_recall_at_fpr_keeps_the_rate():
    rng = np.random.default_rng(7)
    y = rng.random(500) < 0.3
    scores = np.clip(rng.normal(np.where(y, 0.7, 0.3), 0.2), 0, 1)
    for max_fpr in (0.0, 0.01, 0.05, 0.2):
        t = metrics.threshold_max_recall_at_fpr(y, scores, max_fpr)
        m = metrics.binary_metrics(y, scores, t)
        assert m["false_positive_rate"] <= max_fpr
        best = max(
            metrics.binary_metrics(y, scores, c)["recall"]
            for c in np.r_[scores, -1.0]
            if metrics.binary_metrics(y, scores, c)["false_positive_rate"] <= max_fpr
        )
        assert m["recall"] == best


def test_threshold_max_recall_without_negatives():
    assert metrics.threshold_max_recall_at_fpr([True, True], [0.2, 0.6], 0.01) == pytest.approx(-0.8)  # all caught
    assert metrics.threshold_max_recall_at_fpr([False, False], [0.2, 0.6], 0.0) == 0.6


def test_threshold_max_f1_by_hand():
    # descending: 0.9 T, 0.8 F, 0.6 T, 0.4 T, 0.35 F, 0.1 F -> F1 = 2TP/(kept+3): .5, .4, .667, .857, .75, .667
    assert metrics.threshold_max_f1(Y, S) == pytest.approx(0.375)  # keeps 0.4 and above; midway to 0.35
    # tied scores are kept together; equal F1 (2/3 at 0.9 and at 0.5) -> the higher threshold
    assert metrics.threshold_max_f1([True, False, False, True], [0.9, 0.5, 0.5, 0.5]) == pytest.approx(0.7)
    assert metrics.threshold_max_f1([True, False, True], [0.5, 0.5, 0.2]) == 0.2  # nothing lower
    assert math.isnan(metrics.threshold_max_f1([False], [0.3]))


def test_shape_errors():
    with pytest.raises(ValueError, match="same length"):
        metrics.binary_metrics([True], [0.1, 0.2], 0.5)


def test_fewest_false_positives_at_a_recall():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
    s = np.array([0.9, 0.8, 0.6, 0.2, 0.7, 0.5, 0.3, 0.1])
    # 3 of 4 positives (0.75) need the 0.6 one: threshold midway to the next lower score, 0.5.
    assert metrics.threshold_fewest_fp_at_recall(y, s, 0.75) == pytest.approx(0.55)
    assert metrics.binary_metrics(y, s, 0.55)["false_positive_rate"] == 0.25
    # 0.76 needs all four: below 0.2, above 0.1.
    assert metrics.threshold_fewest_fp_at_recall(y, s, 0.76) == pytest.approx(0.15)
    assert metrics.threshold_fewest_fp_at_recall(y, s, 0.5) == pytest.approx(0.75)
    assert np.isnan(metrics.threshold_fewest_fp_at_recall(~y & False, s, 0.5))
