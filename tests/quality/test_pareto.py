"""GPT-3's Pareto keep rule: the draws follow numpy's pareto (Lomax) law and are fixed per document id."""

from __future__ import annotations

import numpy as np
import pytest

from corpus_pipeline.quality.pareto import keep_probability, pareto_draws, pareto_keep, uniform_draws

IDS = [f"doc-{i}" for i in range(200_000)]


def test_draws_are_fixed_by_seed_and_id_not_by_order():
    draws = pareto_draws(IDS[:1000], seed=0, alpha=9.0)
    assert np.array_equal(pareto_draws(IDS[:1000][::-1], seed=0, alpha=9.0), draws[::-1])
    assert np.array_equal(pareto_draws(IDS[500:1000], seed=0, alpha=9.0), draws[500:])
    assert not np.array_equal(pareto_draws(IDS[:1000], seed=1, alpha=9.0), draws)


def test_uniform_draws_stay_in_the_half_open_unit_interval():
    u = uniform_draws(IDS, seed=0)
    assert u.min() > 0.0 and u.max() <= 1.0
    assert abs(u.mean() - 0.5) < 0.003  # 200k draws: standard error 0.00065
    counts, _ = np.histogram(u, bins=10, range=(0, 1))
    assert counts.min() > 19_000 and counts.max() < 21_000


def test_draws_follow_numpys_pareto_law():
    """Same mean (1 / (alpha - 1)) and quantiles as np.random.pareto(9)."""
    ours = pareto_draws(IDS, seed=0, alpha=9.0)
    numpys = np.random.default_rng(0).pareto(9.0, size=len(IDS))
    assert ours.min() >= 0.0
    assert abs(ours.mean() - 1 / 8) < 0.003
    for q in (0.1, 0.5, 0.9, 0.99):
        exact = (1 - q) ** (-1 / 9) - 1
        assert np.quantile(ours, q) == pytest.approx(exact, rel=0.03)
        assert np.quantile(numpys, q) == pytest.approx(exact, rel=0.03)


@pytest.mark.parametrize("score", [0.0, 0.3, 0.6, 0.9, 0.97])
def test_keep_rate_matches_the_closed_form(score):
    draws = pareto_draws(IDS, seed=3, alpha=9.0)
    kept = pareto_keep(np.full(len(IDS), score), draws).mean()
    expected = keep_probability(score, 9.0)
    assert expected == pytest.approx((2 - score) ** -9)
    assert abs(kept - expected) < 4 * np.sqrt(expected * (1 - expected) / len(IDS)) + 1e-4


def test_a_perfect_score_is_always_kept():
    draws = pareto_draws(IDS[:10_000], seed=0, alpha=9.0)
    assert pareto_keep(np.ones(10_000), draws).all()
    assert keep_probability(1.0, 9.0) == 1.0
