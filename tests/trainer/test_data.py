from __future__ import annotations

import json

import numpy as np
import pytest

from corpus_pipeline.pack.indexed import IndexedDatasetWriter
from corpus_pipeline.pack.manifest import MANIFEST_FILE, build_manifest
from corpus_pipeline.trainer.data import BlendedWindows, DataError, TokenStream, evaluation_windows

TOKENIZER = {"sha256": "t", "vocab_size": 1000, "eod_id": 2, "dtype": "uint16"}


def _pack(out, sources: dict[str, list[list[int]]], epochs=None):
    """Shards of given token documents: ``sources`` maps a source to its shards, each a flat token list."""
    (out / "shards").mkdir(parents=True)
    shards = []
    for source, shard_tokens in sorted(sources.items()):
        for number, tokens in enumerate(shard_tokens):
            prefix = f"shards/{number:05d}-{source}"
            writer = IndexedDatasetWriter(out / prefix, np.dtype("uint16"), ".tmp")
            writer.add_document(tokens)
            shards.append({"source": source, "prefix": prefix, **writer.finish()})
    manifest = build_manifest(shards, TOKENIZER, "r", epochs or {})
    (out / MANIFEST_FILE).write_text(json.dumps(manifest))
    return out


def test_token_stream_reads_across_shards(tmp_path):
    pack = _pack(tmp_path, {"a": [list(range(10, 15)), list(range(15, 18)), list(range(18, 30))]})
    stream = TokenStream([pack / f"shards/{n:05d}-a" for n in range(3)])
    assert len(stream) == 20
    assert stream.read(3, 19).tolist() == list(range(13, 29))
    assert stream.read(0, 20).dtype == np.int64
    assert stream.read(7, 7).tolist() == []
    with pytest.raises(IndexError):
        stream.read(5, 21)


def test_windows_are_shifted_targets_of_stride_seq_len(tmp_path):
    pack = _pack(tmp_path, {"a": [list(range(100, 141))]})  # 41 tokens: 5 windows of 8 + 1
    sampler = BlendedWindows(pack, seq_len=8, seed=0)
    inputs, targets = sampler.next_batch(5)
    assert inputs.shape == targets.shape == (5, 8)
    assert np.array_equal(inputs[:, 1:], targets[:, :-1])
    assert sorted(int(row[0]) for row in inputs) == [100, 108, 116, 124, 132]  # each window once per epoch
    assert sampler.epochs() == {"a": 1.0}
    second, _ = sampler.next_batch(5)
    assert sorted(int(row[0]) for row in second) == [100, 108, 116, 124, 132]
    assert [int(row[0]) for row in second] != [int(row[0]) for row in inputs]  # epochs reshuffle


def test_blend_follows_manifest_weights_and_is_deterministic(tmp_path):
    # a: 3000 tokens with 2 epochs, b: 1000 tokens -> weights 6/7 and 1/7
    pack = _pack(tmp_path, {"a": [[5] * 3000], "b": [[7] * 1000]}, epochs={"a": 2.0})
    sampler = BlendedWindows(pack, seq_len=10, seed=3)
    drawn = [sampler.next_window()[0] for _ in range(700)]
    assert drawn.count(0) == 600 and drawn.count(1) == 100
    for n in (1, 7, 50, 699):  # within one sample of the weight at every point
        assert abs(drawn[:n].count(1) - n / 7) <= 1
    again = BlendedWindows(pack, seq_len=10, seed=3)
    assert [again.next_window()[0] for _ in range(700)] == drawn


def test_sampler_state_resumes_the_same_sequence(tmp_path):
    pack = _pack(tmp_path, {"a": [list(range(300))], "b": [list(range(400, 600))]})
    whole = BlendedWindows(pack, seq_len=7, seed=1)
    expected = [whole.next_window()[1].tolist() for _ in range(120)]
    first = BlendedWindows(pack, seq_len=7, seed=1)
    got = [first.next_window()[1].tolist() for _ in range(45)]
    state = json.loads(json.dumps(first.state_dict()))
    resumed = BlendedWindows(pack, seq_len=7, seed=1)
    resumed.load_state_dict(state)
    got += [resumed.next_window()[1].tolist() for _ in range(75)]
    assert got == expected
    other_seed = BlendedWindows(pack, seq_len=7, seed=2)
    with pytest.raises(DataError, match="sampler state"):
        other_seed.load_state_dict(state)


def test_a_rank_reads_only_its_rows_of_the_global_batch(tmp_path):
    pack = _pack(tmp_path, {"a": [list(range(300))], "b": [list(range(400, 600))]})
    whole, rank = BlendedWindows(pack, seq_len=7, seed=4), BlendedWindows(pack, seq_len=7, seed=4)
    for _ in range(3):
        all_inputs, all_targets = whole.next_batch(6)
        inputs, targets = rank.next_batch(6, keep=slice(2, 4))
        assert np.array_equal(inputs, all_inputs[2:4]) and np.array_equal(targets, all_targets[2:4])
        assert rank.state_dict() == whole.state_dict()


def test_source_shorter_than_a_window_is_an_error(tmp_path):
    pack = _pack(tmp_path, {"a": [list(range(100))], "small": [[1, 2, 3]]})
    with pytest.raises(DataError, match="'small' has 3 tokens"):
        BlendedWindows(pack, seq_len=8, seed=0)


def test_evaluation_windows_are_consecutive_and_bounded(tmp_path):
    pack = _pack(tmp_path, {"a": [list(range(0, 25))], "b": [list(range(100, 118))]})
    batches = list(evaluation_windows(pack, seq_len=4, max_tokens=None, batch_size=3))
    rows = [row.tolist() for inputs, _ in batches for row in inputs]
    assert rows == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9, 10, 11],
        [12, 13, 14, 15],
        [16, 17, 18, 19],
        [20, 21, 22, 23],
        [100, 101, 102, 103],
        [104, 105, 106, 107],
        [108, 109, 110, 111],
        [112, 113, 114, 115],
    ]
    assert [len(inputs) for inputs, _ in batches] == [3, 3, 3, 1]
    assert batches[0][1][0].tolist() == [1, 2, 3, 4]
    limited = list(evaluation_windows(pack, seq_len=4, max_tokens=9, batch_size=8))
    assert sum(targets.size for _, targets in limited) == 8
