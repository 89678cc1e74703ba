"""Per-Arrow-batch work of the dedup stage: hash keys and signatures of documents, similarity of edges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpus_pipeline.dedup.lsh import band_keys
from corpus_pipeline.dedup.minhash import (
    fingerprint_jaccard,
    permutations,
    shingle_fingerprints,
    shingle_hashes,
    signatures,
)
from corpus_pipeline.dedup.normalize import exact_keys, normalize_batch

MAX_SLICE_CHARS = 4_000_000  # characters hashed at once in a worker (~160 MB of arrays)

#: Columns the signature step appends (the text column is dropped).
SIGNATURE_FIELDS = [
    ("exact_key", pa.binary()),
    ("shingles", pa.int64()),
    ("signature", pa.binary()),
    ("band_keys", pa.list_(pa.int64())),
]


@dataclass(frozen=True)
class MinHashParams:
    ngram: int
    num_perm: int
    seed: int
    bands: int
    rows: int
    opencc_config: str
    a: tuple[int, ...]  # the permutations, shipped with the task so workers need not import datasketch
    b: tuple[int, ...]

    @classmethod
    def create(cls, ngram: int, num_perm: int, seed: int, bands: int, rows: int, opencc_config: str) -> MinHashParams:
        a, b = permutations(num_perm, seed)
        return cls(ngram, num_perm, seed, bands, rows, opencc_config, tuple(a.tolist()), tuple(b.tolist()))


def _binary_rows(rows: np.ndarray) -> pa.Array:
    """A binary array with one value per row of a 2-D uint32 array (its little-endian bytes)."""
    width = rows.shape[1] * 4
    offsets = np.arange(rows.shape[0] + 1, dtype=np.int32) * width
    data = np.ascontiguousarray(rows, dtype="<u4").tobytes()
    return pa.Array.from_buffers(pa.binary(), rows.shape[0], [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def signature_batch(batch: pa.RecordBatch, params: MinHashParams) -> pa.RecordBatch:
    """Replace ``text`` by the exact-duplicate key, the MinHash signature and the LSH band keys."""
    code_points, offsets = normalize_batch(batch.column("text").to_pylist(), params.opencc_config)
    hashes, counts = shingle_hashes(code_points, offsets, params.ngram)
    signature = signatures(hashes, counts, np.array(params.a, np.uint32), np.array(params.b, np.uint32))
    keys = band_keys(signature, params.bands, params.rows)
    band_offsets = pa.array(np.arange(len(counts) + 1, dtype=np.int32) * params.bands)
    bands = pa.ListArray.from_arrays(band_offsets, pa.array(keys.ravel()))
    kept = [i for i, name in enumerate(batch.schema.names) if name != "text"]
    arrays = [batch.column(i) for i in kept] + [
        pa.array(exact_keys(code_points, offsets), pa.binary()),
        pa.array(counts.astype(np.int64)),
        _binary_rows(signature),
        bands,
    ]
    fields = [batch.schema.field(i) for i in kept] + [pa.field(name, kind) for name, kind in SIGNATURE_FIELDS]
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))


def row_slices(batch: pa.RecordBatch, max_chars: int, columns: tuple[str, ...] = ("text",)) -> Iterator[pa.RecordBatch]:
    """Consecutive slices of ``batch`` holding at most ``max_chars`` characters in ``columns`` (at least one row).

    Bounds a worker's memory whatever the documents' lengths: the arrays of one slice take ~40 bytes per
    character.
    """
    lengths = sum(
        np.asarray(pc.fill_null(pc.utf8_length(batch.column(name)), 0).to_numpy(zero_copy_only=False))
        for name in columns
    )
    start, total = 0, 0
    for row, length in enumerate(lengths.tolist()):
        if row > start and total + length > max_chars:
            yield batch.slice(start, row - start)
            start, total = row, 0
        total += length
    if start < batch.num_rows or batch.num_rows == 0:
        yield batch.slice(start)


def signatures_of(batches: Iterator[pa.RecordBatch], params: MinHashParams) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        for rows in row_slices(batch, MAX_SLICE_CHARS):
            yield signature_batch(rows, params)


def estimated_jaccard(left: pa.Array, right: pa.Array) -> np.ndarray:
    """Share of equal positions of two columns of equally long signatures."""
    if len(left) == 0:
        return np.zeros(0)
    a = np.frombuffer(b"".join(left.to_pylist()), dtype="<u4").reshape(len(left), -1)
    b = np.frombuffer(b"".join(right.to_pylist()), dtype="<u4").reshape(len(right), -1)
    return (a == b).mean(axis=1)


def _fingerprints(texts: list[str | None], params: MinHashParams) -> list[np.ndarray]:
    values, counts = shingle_fingerprints(*normalize_batch(texts, params.opencc_config), params.ngram)
    return np.split(values, np.cumsum(counts)[:-1]) if len(counts) else []


def exact_similarity(batch: pa.RecordBatch, params: MinHashParams) -> np.ndarray:
    """Jaccard similarity of the shingle sets of ``src_text`` and ``dst_text`` (64-bit shingle fingerprints)."""
    left = _fingerprints(batch.column("src_text").to_pylist(), params)
    right = _fingerprints(batch.column("dst_text").to_pylist(), params)
    return np.array([fingerprint_jaccard(a, b) for a, b in zip(left, right)], dtype=np.float64)


def signature_similarity(batch: pa.RecordBatch, params: MinHashParams) -> np.ndarray:
    """Share of equal positions of ``src_signature`` and ``dst_signature``: the MinHash estimate."""
    return estimated_jaccard(batch.column("src_signature"), batch.column("dst_signature"))


def verified_edges(
    batches: Iterator[pa.RecordBatch], threshold: float, params: MinHashParams, exact: bool
) -> Iterator[pa.RecordBatch]:
    """Keep the ``(src, dst)`` edges whose similarity is at least ``threshold``: exact (texts) or estimated."""
    similarity_of, columns = (exact_similarity, ("src_text", "dst_text")) if exact else (signature_similarity, ())
    for batch in batches:
        for rows in row_slices(batch, MAX_SLICE_CHARS, columns) if exact else [batch]:
            similarity = similarity_of(rows, params)
            keep = pa.array(similarity >= threshold)
            yield pa.RecordBatch.from_arrays(
                [
                    rows.column("src").filter(keep),
                    rows.column("dst").filter(keep),
                    pa.array(similarity, pa.float64()).filter(keep),
                ],
                names=["src", "dst", "similarity"],
            )
