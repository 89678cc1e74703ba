"""Megatron indexed-dataset writer and validating reader."""

from __future__ import annotations

import hashlib
import struct

import numpy as np
import pytest

from corpus_pipeline.pack.indexed import (
    IndexedDataset,
    IndexedDatasetError,
    IndexedDatasetWriter,
    file_sha256,
    token_dtype,
)

DOCS = [[5, 6, 7], [], [1], np.array([9, 8, 7, 6], dtype=np.int64), [0, 2]]


def write(prefix, docs, dtype=np.uint16, suffix=".tmp"):
    with IndexedDatasetWriter(prefix, dtype, suffix) as writer:
        for doc in docs:
            writer.add_document(doc)
        return writer.finish()


def test_token_dtype_threshold():
    assert token_dtype(65499) == np.uint16
    assert token_dtype(65500) == np.int32
    assert token_dtype(100) == np.uint16


@pytest.mark.parametrize("dtype", [np.uint16, np.int32])
def test_round_trip(tmp_path, dtype):
    prefix = tmp_path / "shard"
    docs = DOCS + ([[70000, 1]] if dtype == np.int32 else [[65535]])
    stats = write(prefix, docs, dtype)
    n_tokens = sum(len(d) for d in docs)
    itemsize = np.dtype(dtype).itemsize
    assert stats["documents"] == len(docs)
    assert stats["tokens"] == n_tokens
    assert stats["dtype"] == np.dtype(dtype).name
    assert stats["bin_bytes"] == n_tokens * itemsize
    assert stats["idx_bytes"] == 34 + 12 * len(docs) + 8 * (len(docs) + 1)
    with IndexedDataset(prefix) as ds:
        assert ds.dtype == dtype
        assert len(ds) == len(docs)
        assert ds.num_tokens == n_tokens
        assert ds.lengths.tolist() == [len(d) for d in docs]
        assert ds.document_indices.tolist() == list(range(len(docs) + 1))
        assert ds.pointers.tolist() == (np.cumsum([0] + [len(d) for d in docs[:-1]]) * itemsize).tolist()
        for i, doc in enumerate(docs):
            assert ds[i].tolist() == list(doc)
            assert ds[i].dtype == dtype
        assert ds[-1].tolist() == list(docs[-1])
        with pytest.raises(IndexError):
            ds[len(docs)]
        assert ds.tokens().tolist() == [t for d in docs for t in d]


def test_empty_dataset(tmp_path):
    stats = write(tmp_path / "empty", [])
    assert stats["documents"] == 0 and stats["tokens"] == 0 and stats["bin_bytes"] == 0
    with IndexedDataset(tmp_path / "empty") as ds:
        assert len(ds) == 0 and ds.num_tokens == 0 and ds.tokens().size == 0
        assert ds.document_indices.tolist() == [0]


def test_idx_bytes_exact(tmp_path):
    write(tmp_path / "tiny", [[1, 2, 3], [4, 5]])
    expected = (
        b"MMIDIDX\x00\x00"
        + struct.pack("<Q", 1)
        + struct.pack("<B", 8)
        + struct.pack("<Q", 2)
        + struct.pack("<Q", 3)
        + struct.pack("<2i", 3, 2)
        + struct.pack("<2q", 0, 6)
        + struct.pack("<3q", 0, 1, 2)
    )
    assert (tmp_path / "tiny.idx").read_bytes() == expected
    assert (tmp_path / "tiny.bin").read_bytes() == struct.pack("<5H", 1, 2, 3, 4, 5)


def test_sha256_matches_file_bytes(tmp_path):
    stats = write(tmp_path / "s", DOCS)
    for ext in ("bin", "idx"):
        data = (tmp_path / f"s.{ext}").read_bytes()
        assert stats[f"{ext}_sha256"] == hashlib.sha256(data).hexdigest() == file_sha256(tmp_path / f"s.{ext}")
        assert stats[f"{ext}_bytes"] == len(data)


@pytest.mark.parametrize(
    "dtype,tokens",
    [
        (np.uint16, [1, 65536]),
        (np.uint16, [-1]),
        (np.int32, [2**31]),
        (np.int32, np.array([-5])),
        (np.uint16, [1.5]),
        (np.uint16, [[1, 2]]),
    ],
)
def test_invalid_tokens_raise(tmp_path, dtype, tokens):
    with IndexedDatasetWriter(tmp_path / "x", dtype, ".tmp") as writer:
        with pytest.raises(ValueError):
            writer.add_document(tokens)


def test_temp_files_until_finish_and_abort(tmp_path):
    writer = IndexedDatasetWriter(tmp_path / "a", np.uint16, ".part")
    writer.add_document([1, 2])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin.part"]
    writer.abort()
    assert list(tmp_path.iterdir()) == []

    with pytest.raises(RuntimeError, match="boom"):
        with IndexedDatasetWriter(tmp_path / "b", np.uint16, ".part") as writer:
            writer.add_document([1])
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []

    with IndexedDatasetWriter(tmp_path / "d", np.uint16, ".part") as writer:  # no finish(): nothing published
        writer.add_document([1])
    assert list(tmp_path.iterdir()) == []

    write(tmp_path / "c", [[1]], suffix=".part")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.bin", "c.idx"]


def corrupt_idx(data: bytearray) -> dict[str, bytearray]:
    """Corrupted variants of a valid .idx of the documents [[1, 2, 3], [4, 5]]."""

    def patched(offset, value):
        out = bytearray(data)
        out[offset : offset + len(value)] = value
        return out

    lengths, pointers, docs = 34, 34 + 8, 34 + 24
    return {
        "magic": patched(0, b"MMIDIDY"),
        "version": patched(9, struct.pack("<Q", 2)),
        "dtype code": patched(17, b"\x09"),
        "truncated idx": data[:-1],
        "idx too long": data + b"\x00",
        "doc start": patched(docs, struct.pack("<q", 1)),
        "doc end": patched(docs + 16, struct.pack("<q", 1)),
        "doc decreasing": patched(docs + 8, struct.pack("<q", 3)),
        "pointer": patched(pointers + 8, struct.pack("<q", 4)),
        "negative length": patched(lengths, struct.pack("<i", -1)),
        "header cut": data[:20],
        "count": patched(18, struct.pack("<Q", 3)),
    }


@pytest.mark.parametrize(
    "case",
    [
        "magic",
        "version",
        "dtype code",
        "truncated idx",
        "idx too long",
        "doc start",
        "doc end",
        "doc decreasing",
        "pointer",
        "negative length",
        "count",
        "header cut",
    ],
)
def test_corrupt_idx_raises(tmp_path, case):
    prefix = tmp_path / "c"
    write(prefix, [[1, 2, 3], [4, 5]])
    idx = tmp_path / "c.idx"
    idx.write_bytes(corrupt_idx(bytearray(idx.read_bytes()))[case])
    with pytest.raises(IndexedDatasetError, match="c.idx"):
        IndexedDataset(prefix)


@pytest.mark.parametrize("change", [lambda b: b[:-2], lambda b: b[:-1], lambda b: b + b"\x00\x00", lambda b: b""])
def test_bin_size_mismatch_raises(tmp_path, change):
    prefix = tmp_path / "c"
    write(prefix, [[1, 2, 3], [4, 5]])
    bin_path = tmp_path / "c.bin"
    bin_path.write_bytes(change(bin_path.read_bytes()))
    with pytest.raises(IndexedDatasetError, match="c.bin"):
        IndexedDataset(prefix)


def test_writer_rejects_bad_dtype_and_reuse(tmp_path):
    with pytest.raises(ValueError):
        IndexedDatasetWriter(tmp_path / "f", np.float32, ".tmp")
    with pytest.raises(ValueError):
        IndexedDatasetWriter(tmp_path / "f", np.uint16, "")
    writer = IndexedDatasetWriter(tmp_path / "g", np.uint16, ".tmp")
    writer.finish()
    with pytest.raises(RuntimeError):
        writer.add_document([1])
    with pytest.raises(RuntimeError):
        writer.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.bin", "g.idx"]
