"""LSH banding: (bands, rows) for a Jaccard threshold, and one bucket key per band of a signature.

:func:`optimal_bands` minimizes the weighted false-positive plus false-negative probability of the
S-curve ``1 - (1 - s**r)**b``, the same criterion and search as datasketch's ``MinHashLSH``.
"""

from __future__ import annotations

import functools

import numpy as np

_GAUSS_POINTS = 64


def _integral(function, low: float, high: float) -> float:
    if high <= low:
        return 0.0
    nodes, weights = np.polynomial.legendre.leggauss(_GAUSS_POINTS)
    x = (high - low) / 2 * nodes + (high + low) / 2
    return float((high - low) / 2 * np.sum(weights * function(x)))


def false_positive_probability(threshold: float, bands: int, rows: int) -> float:
    """Area under the S-curve below the threshold (pairs less similar than it that still collide)."""
    return _integral(lambda s: 1 - (1 - s**rows) ** bands, 0.0, threshold)


def false_negative_probability(threshold: float, bands: int, rows: int) -> float:
    """Area above the S-curve from the threshold to 1 (pairs at least that similar that never collide)."""
    return _integral(lambda s: (1 - s**rows) ** bands, threshold, 1.0)


@functools.lru_cache(maxsize=64)
def optimal_bands(
    threshold: float, num_perm: int, false_positive_weight: float = 0.5, false_negative_weight: float = 0.5
) -> tuple[int, int]:
    """``(bands, rows)`` with ``bands * rows <= num_perm`` minimizing the weighted error."""
    best, best_error = (0, 0), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            error = false_positive_weight * false_positive_probability(
                threshold, bands, rows
            ) + false_negative_weight * false_negative_probability(threshold, bands, rows)
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One signed 64-bit bucket key per (text, band): a mixed polynomial over the band's ``rows`` values."""
    value = np.zeros((signatures.shape[0], bands), dtype=np.uint64)
    banded = signatures[:, : bands * rows].reshape(signatures.shape[0], bands, rows).astype(np.uint64)
    poly = np.uint64(0x100000001B3)
    for row in range(rows):
        value = value * poly + banded[:, :, row]
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xFF51AFD7ED558CCD)
    value ^= value >> np.uint64(33)
    return value.view(np.int64)
