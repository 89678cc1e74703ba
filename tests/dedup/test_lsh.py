import numpy as np
import pytest
from datasketch import MinHashLSH

from corpus_pipeline.dedup.lsh import band_keys, false_negative_probability, false_positive_probability, optimal_bands


@pytest.mark.parametrize(  # every num_perm and threshold once (each datasketch call integrates for ~10 s)
    ("num_perm", "threshold"), [(64, 0.5), (64, 0.9), (128, 0.7), (128, 0.8), (256, 0.85)]
)
def test_optimal_bands_equal_datasketch(threshold, num_perm):
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    assert optimal_bands(threshold, num_perm) == (lsh.b, lsh.r)


def test_weights_change_the_choice():
    lsh = MinHashLSH(threshold=0.8, num_perm=128, weights=(0.2, 0.8))
    assert optimal_bands(0.8, 128, 0.2, 0.8) == (lsh.b, lsh.r)


def test_probabilities():
    assert false_positive_probability(0.8, 9, 13) == pytest.approx(0.0253, abs=1e-4)
    assert false_negative_probability(0.8, 9, 13) == pytest.approx(0.0333, abs=1e-4)
    assert false_positive_probability(0.0, 9, 13) == 0.0


def test_band_keys_equal_exactly_when_band_values_equal():
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, size=(3, 12), dtype=np.uint64).astype(np.uint32)
    sig[1, :4] = sig[0, :4]  # band 0 shared
    sig[2, 8:] = sig[0, 8:]  # band 2 shared
    keys = band_keys(sig, 3, 4)
    assert keys.dtype == np.int64 and keys.shape == (3, 3)
    assert keys[0, 0] == keys[1, 0] and keys[0, 1] != keys[1, 1] and keys[0, 2] != keys[1, 2]
    assert keys[0, 2] == keys[2, 2] and keys[0, 0] != keys[2, 0]
