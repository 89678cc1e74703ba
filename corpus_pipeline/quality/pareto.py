"""GPT-3's Pareto keep rule (Brown et al. 2020, Appendix A), reproducible per document.

GPT-3 kept a document when ``np.random.pareto(alpha) > 1 - score`` with alpha = 9, so most high-score
documents and a few low-score ones survive. numpy's ``pareto`` draws the Lomax distribution,
``X = U ** (-1 / alpha) - 1`` for uniform ``U`` in (0, 1]; here ``U`` comes from a hash of (seed, document id)
instead of a global random state, so a document gets the same draw in every run, partitioning and order.
P(keep | score) = (2 - score) ** -alpha.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


def uniform_draws(ids: Sequence[str], seed: int) -> np.ndarray:
    """One uniform value in (0, 1] per document id, fixed by (seed, id)."""
    prefix = f"{seed}\x00".encode()
    words = [
        int.from_bytes(hashlib.blake2b(prefix + doc_id.encode("utf-8"), digest_size=8).digest(), "big")
        for doc_id in ids
    ]
    # 53 high bits give every double in (0, 1] exactly: (k + 1) / 2**53.
    return (np.array(words, dtype=np.uint64) >> np.uint64(11)).astype(np.float64) / 2.0**53 + 2.0**-53


def pareto_draws(ids: Sequence[str], seed: int, alpha: float) -> np.ndarray:
    """The Lomax(alpha) draw of each document (what ``np.random.pareto(alpha)`` samples)."""
    return uniform_draws(ids, seed) ** (-1.0 / alpha) - 1.0


def pareto_keep(scores: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """GPT-3's rule: keep where ``draw > 1 - score``."""
    return draws > 1.0 - np.asarray(scores, dtype=np.float64)


def keep_probability(score: float, alpha: float) -> float:
    """P(draw > 1 - score) for a Lomax(alpha) draw: ``(2 - score) ** -alpha``."""
    return float((2.0 - score) ** -alpha)
