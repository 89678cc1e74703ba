"""Binary-classification metrics and threshold selection, in plain numpy.

``y`` holds the true classes as booleans (``True``: the positive class of the metric, e.g. spam for the spam
model, high quality for the quality model) and ``scores`` the model's score for that class. A document is
predicted positive when ``score > threshold`` (``inclusive=False``, the spam rule: drop when the score exceeds
the threshold) or ``score >= threshold`` (``inclusive=True``, the quality rule: keep when the score reaches it).

Conventions for empty denominators: precision is 0.0 when nothing is predicted positive, recall 0.0 when there
is no positive, the false-positive rate 0.0 when there is no negative, F1 0.0 when precision + recall is 0, and
ROC-AUC is NaN unless both classes are present.
"""

from __future__ import annotations

import numpy as np


def _arrays(y, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=bool)
    scores = np.asarray(scores, dtype=np.float64)
    if y.shape != scores.shape or y.ndim != 1:
        raise ValueError(f"y and scores must be 1-d and of the same length, got {y.shape} and {scores.shape}")
    return y, scores


def predict(scores, threshold: float, inclusive: bool = False) -> np.ndarray:
    """Predicted positives: ``scores > threshold`` (or ``>=`` when ``inclusive``)."""
    scores = np.asarray(scores, dtype=np.float64)
    return scores >= threshold if inclusive else scores > threshold


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def binary_metrics(y, scores, threshold: float, inclusive: bool = False) -> dict:
    """Precision, recall, F1, false-positive rate and ROC-AUC of ``scores`` at ``threshold``, with the counts."""
    y, scores = _arrays(y, scores)
    predicted = predict(scores, threshold, inclusive)
    tp = int(np.sum(predicted & y))
    fp = int(np.sum(predicted & ~y))
    n_pos = int(y.sum())
    n_neg = int(y.size - n_pos)
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, n_pos)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "false_positive_rate": _ratio(fp, n_neg),
        "roc_auc": roc_auc(y, scores),
        "threshold": float(threshold),
        "n_pos": n_pos,
        "n_neg": n_neg,
        "true_positives": tp,
        "false_positives": fp,
    }


def average_ranks(values) -> np.ndarray:
    """1-based ranks of ``values`` in ascending order; tied values share the mean of their ranks."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], values.size]  # exclusive
    mean_rank = (starts + ends + 1) / 2.0  # mean of the 1-based ranks starts+1 .. ends
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def roc_auc(y, scores) -> float:
    """Area under the ROC curve (Mann-Whitney U over average ranks: a tie counts one half)."""
    y, scores = _arrays(y, scores)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    u = average_ranks(scores)[y].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def _gap_below(scores: np.ndarray, value: float) -> float:
    """Midway between ``value`` and the next lower score (``value`` itself when no score is lower)."""
    lower = scores[scores < value]
    return float((value + lower.max()) / 2) if lower.size else float(value)


def threshold_max_recall_at_fpr(y, scores, max_fpr: float) -> float:
    """A threshold (rule ``score > threshold``) with the highest recall among those whose false-positive rate is
    at most ``max_fpr``, and among these the fewest false positives, placed midway in the gap below the lowest
    positive it still catches (a margin on both sides).

    With ``k = floor(max_fpr * negatives)`` false positives allowed, the lowest admissible threshold is the
    (k+1)-th highest negative score: at most ``k`` negatives score above it. The positives above it are the
    most any admissible threshold catches; every threshold from there up to (not including) the lowest of them
    catches the same positives, and the midpoint of that lowest positive score and the next lower score of any
    document is returned. With no negatives, or when all may be false positives, every positive is caught."""
    y, scores = _arrays(y, scores)
    negatives = np.sort(scores[~y])[::-1]
    allowed = int(np.floor(max_fpr * negatives.size + 1e-9))
    if allowed < negatives.size:
        floor = float(negatives[allowed])
    else:  # every document may be predicted positive
        floor = float(scores.min()) - 1.0 if scores.size else -1.0
    caught = scores[y & (scores > floor)]
    if caught.size == 0 or not np.any(scores < caught.min()):
        return floor
    return _gap_below(scores, float(caught.min()))


def threshold_fewest_fp_at_recall(y, scores, min_recall: float) -> float:
    """A threshold (rule ``score > threshold``) with the fewest false positives among those catching at least
    ``min_recall`` of the positives: midway in the gap below the lowest positive score it must catch.

    With ``need = ceil(min_recall * positives)``, the ``need``-th highest positive score must be caught; any
    higher threshold catches fewer positives, any lower one no fewer false positives. NaN without positives."""
    y, scores = _arrays(y, scores)
    positives = np.sort(scores[y])[::-1]
    if positives.size == 0:
        return float("nan")
    need = max(1, int(np.ceil(min_recall * positives.size - 1e-9)))
    return _gap_below(scores, float(positives[need - 1]))


def threshold_max_f1(y, scores) -> float:
    """A threshold (rule ``score >= threshold``) with the highest F1 over all cut points between observed scores
    (among equal F1 the one keeping fewest documents), placed midway between the lowest score it keeps and the
    next lower score. NaN when there is no positive."""
    y, scores = _arrays(y, scores)
    n_pos = int(y.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-scores, kind="mergesort")
    sorted_scores, sorted_y = scores[order], y[order]
    tp = np.cumsum(sorted_y)
    predicted = np.arange(1, y.size + 1)
    last_of_value = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]  # ties are predicted together
    tp, predicted, candidates = tp[last_of_value], predicted[last_of_value], sorted_scores[last_of_value]
    f1 = 2 * tp / (predicted + n_pos)
    return _gap_below(scores, float(candidates[int(np.argmax(f1))]))
