import numpy as np
import pyarrow as pa

from corpus_pipeline.dedup.batch import MinHashParams, estimated_jaccard, row_slices, signature_batch
from corpus_pipeline.dedup.minhash import permutations, shingle_hashes, signatures
from corpus_pipeline.dedup.normalize import normalize_batch


def _batch(texts):
    return pa.RecordBatch.from_pydict(
        {"id": [str(i) for i in range(len(texts))], "text": texts},
        schema=pa.schema([("id", pa.string()), ("text", pa.string())]),
    )


def test_row_slices_bound_characters_and_keep_every_row():
    batch = _batch(["a" * 5, "b" * 5, None, "c" * 20, "d" * 3, "e" * 3])
    slices = list(row_slices(batch, 10))
    assert [s.num_rows for s in slices] == [3, 1, 2]  # a+b+None, c alone (longer than the budget), d+e
    assert pa.Table.from_batches(slices).column("text").to_pylist() == batch.column("text").to_pylist()
    assert [s.num_rows for s in row_slices(_batch([]), 10)] == [0]


def test_signature_batch_columns():
    params = MinHashParams.create(ngram=5, num_perm=16, seed=3, bands=4, rows=4, opencc_config="t2s")
    texts = ["天下大勢，分久必合，合久必分", "天下大势分久必合合久必分", "", "短"]
    out = signature_batch(_batch(texts), params)
    assert out.schema.names == ["id", "exact_key", "shingles", "signature", "band_keys"]
    keys = out.column("exact_key").to_pylist()
    assert keys[0] == keys[1] != keys[2] and out.column("shingles").to_pylist() == [8, 8, 0, 1]
    a, b = permutations(16, 3)
    expected = signatures(*shingle_hashes(*normalize_batch(texts), 5), a, b)
    assert [np.frombuffer(v, "<u4").tolist() for v in out.column("signature").to_pylist()] == expected.tolist()
    assert [len(v) for v in out.column("band_keys").to_pylist()] == [4, 4, 4, 4]


def test_estimated_jaccard():
    left = pa.array([np.array([1, 2, 3, 4], "<u4").tobytes(), np.array([1, 1, 1, 1], "<u4").tobytes()])
    right = pa.array([np.array([1, 2, 0, 0], "<u4").tobytes(), np.array([1, 1, 1, 1], "<u4").tobytes()])
    assert estimated_jaccard(left, right).tolist() == [0.5, 1.0]
    assert estimated_jaccard(pa.array([], pa.binary()), pa.array([], pa.binary())).tolist() == []
