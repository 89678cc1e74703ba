import gzip
import json

import numpy as np
import pytest
from datasketch import MinHash

from corpus_pipeline.dedup.minhash import EMPTY, permutations, shingle_hash, shingle_hashes, shingles, signatures
from corpus_pipeline.dedup.normalize import normalize_batch, normalize_for_hashing


def _datasketch(text, n=5, num_perm=128, seed=1):
    minhash = MinHash(num_perm=num_perm, seed=seed, scheme="affine32", hashfunc=shingle_hash)
    grams = shingles(normalize_for_hashing(text), n)
    if grams:
        minhash.update_batch(grams)
    return minhash.hashvalues


def _ours(texts, n=5, num_perm=128, seed=1):
    a, b = permutations(num_perm, seed)
    hashes, counts = shingle_hashes(*normalize_batch(texts), n)
    return signatures(hashes, counts, a, b)


def test_shingles():
    assert shingles("abcdef", 5) == ["abcde", "bcdef"]
    assert shingles("abc", 5) == ["abc"]
    assert shingles("", 5) == []
    assert shingles("abcde", 5) == ["abcde"]


def test_shingle_hashes_equal_scalar_hash():
    texts = ["天下大势分久必合", "ab", "", "abcde", "合久必分"]
    hashes, counts = shingle_hashes(*normalize_batch(texts), 5)
    expected = [shingle_hash(g) for t in texts for g in shingles(normalize_for_hashing(t), 5)]
    assert counts.tolist() == [4, 1, 0, 1, 1]
    assert hashes.tolist() == expected


@pytest.mark.parametrize(("n", "num_perm", "seed"), [(5, 128, 1), (3, 64, 7), (1, 16, 0)])
def test_signatures_equal_datasketch(n, num_perm, seed):
    texts = [
        "這是，一個　ＴＥＳＴ！ Hello 世界。",
        "",
        "ab",
        "abcdef",
        "天下大势，分久必合，合久必分。周末七国分争。",
        "。，",
        "a" * 50,
    ]
    ours = _ours(texts, n, num_perm, seed)
    for row, text in zip(ours, texts):
        assert np.array_equal(row, _datasketch(text, n, num_perm, seed))
    assert (ours[1] == EMPTY).all() and (ours[5] == EMPTY).all()


def test_signatures_equal_datasketch_on_real_text(shared_data):
    with gzip.open(shared_data / "reference" / "zhwiki_cmrc2018_trial.jsonl.gz", "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for _, line in zip(range(60), f)]
    ours = _ours(texts)
    assert all(np.array_equal(row, _datasketch(text)) for row, text in zip(ours, texts))


def test_signature_agreement_estimates_jaccard():
    base = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(2000))
    edited = base[:1800] + "".join(chr(0x4E00 + i) for i in range(200))
    sig = _ours([base, edited])
    sa, sb = set(shingles(base, 5)), set(shingles(edited, 5))
    exact = len(sa & sb) / len(sa | sb)
    assert abs((sig[0] == sig[1]).mean() - exact) < 0.1
