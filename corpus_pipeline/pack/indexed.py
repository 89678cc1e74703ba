"""Megatron-LM ``MMapIndexedDataset`` file pairs (``prefix.bin`` + ``prefix.idx``): writer and validating reader.

``.bin`` is every sequence's tokens concatenated in one dtype. ``.idx`` (little-endian) is::

    b"MMIDIDX\\x00\\x00"  <Q version=1  <B dtype code  <Q N sequences  <Q D document indices
    int32[N] sequence lengths (tokens)   int64[N] byte offsets into .bin   int64[D] document indices

Each document is written as one sequence, so the document indices are ``[0, 1, ..., N]`` (``D = N + 1``).
The writer streams tokens to a temporary ``.bin`` (keeping only the lengths in memory) and publishes both
files under their final names with ``os.replace`` (``.bin`` first, ``.idx`` last) only in ``finish()``.
"""

from __future__ import annotations

import hashlib
import os
import struct
from array import array
from pathlib import Path

import numpy as np

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
HEADER = struct.Struct("<9sQBQQ")  # magic, version, dtype code, sequence count, document-index count (34 bytes)
DTYPE_CODES = {
    1: np.dtype("u1"),
    2: np.dtype("i1"),
    3: np.dtype("<i2"),
    4: np.dtype("<i4"),
    5: np.dtype("<i8"),
    6: np.dtype("<f8"),
    7: np.dtype("<f4"),
    8: np.dtype("<u2"),
}
_CODE_OF = {dt: code for code, dt in DTYPE_CODES.items()}
UINT16_VOCAB_LIMIT = 65500  # vocabularies smaller than this are stored as uint16, others as int32


class IndexedDatasetError(ValueError):
    """A ``.bin``/``.idx`` pair is malformed; the message names the file and the defect."""


def token_dtype(vocab_size: int) -> np.dtype:
    """Storage dtype for token ids of a vocabulary: uint16 below 65500 entries, int32 otherwise."""
    return np.dtype(np.uint16) if vocab_size < UINT16_VOCAB_LIMIT else np.dtype(np.int32)


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in ``chunk``-byte pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class IndexedDatasetWriter:
    """Write one ``prefix.bin``/``prefix.idx`` pair, one sequence per document, under temporary names.

    Nothing appears under the final names until ``finish()``. As a context manager the temporary files are
    removed when the block raises, or when it ends without ``finish()`` having been called.
    """

    def __init__(self, prefix: str | Path, dtype, temp_suffix: str):
        if not temp_suffix:
            raise ValueError("temp_suffix must be non-empty (temporary names must differ from final ones)")
        self.dtype = np.dtype(dtype).newbyteorder("<")
        if self.dtype.kind not in "iu" or self.dtype not in _CODE_OF:
            raise ValueError(f"token dtype must be an integer type with a Megatron code, got {self.dtype}")
        self._code = _CODE_OF[self.dtype]
        self._max = int(np.iinfo(self.dtype).max)
        self.bin_path, self.idx_path = Path(f"{prefix}.bin"), Path(f"{prefix}.idx")
        self._bin_tmp, self._idx_tmp = Path(f"{self.bin_path}{temp_suffix}"), Path(f"{self.idx_path}{temp_suffix}")
        self._lengths = array("i")  # C int: 4 bytes, as int32 in the .idx
        self._tokens = 0
        self._bin_digest = hashlib.sha256()
        self._bin = open(self._bin_tmp, "wb")
        self._done = False

    def add_document(self, tokens) -> None:
        """Append one document (1-D integer tokens, each within ``[0, dtype max]``) as one sequence."""
        if self._done or self._bin is None:
            raise RuntimeError("writer is already finished or aborted")
        arr = np.asarray(tokens)
        if arr.size == 0:
            arr = np.empty(0, dtype=self.dtype)
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise ValueError(f"tokens must be a 1-D integer sequence, got shape {arr.shape} dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() > self._max):
            raise ValueError(
                f"token ids must lie in [0, {self._max}] for {self.dtype.name}, got [{arr.min()}, {arr.max()}]"
            )
        if arr.size > np.iinfo(np.int32).max:
            raise ValueError(f"document of {arr.size} tokens exceeds the int32 sequence length limit")
        data = arr.astype(self.dtype, copy=False).tobytes()
        self._bin.write(data)
        self._bin_digest.update(data)
        self._lengths.append(arr.size)
        self._tokens += arr.size

    def finish(self) -> dict:
        """Write the ``.idx``, fsync both files, rename them to their final names and return their statistics."""
        if self._done or self._bin is None:
            raise RuntimeError("writer is already finished or aborted")
        try:
            n = len(self._lengths)
            lengths = np.frombuffer(self._lengths, dtype=np.intc).astype("<i4")
            pointers = np.zeros(n, dtype="<i8")
            np.cumsum(lengths[:-1], dtype="<i8", out=pointers[1:])
            pointers *= self.dtype.itemsize
            idx_digest = hashlib.sha256()
            with open(self._idx_tmp, "wb") as idx:
                for part in (
                    HEADER.pack(MAGIC, VERSION, self._code, n, n + 1),
                    lengths.tobytes(),
                    pointers.tobytes(),
                    np.arange(n + 1, dtype="<i8").tobytes(),
                ):
                    idx.write(part)
                    idx_digest.update(part)
                idx.flush()
                os.fsync(idx.fileno())
                idx_bytes = idx.tell()
            self._bin.flush()
            os.fsync(self._bin.fileno())
            bin_bytes = self._bin.tell()
            self._bin.close()
            os.replace(self._bin_tmp, self.bin_path)
            os.replace(self._idx_tmp, self.idx_path)
        except BaseException:
            self.abort()
            raise
        self._done = True
        return {
            "documents": n,
            "tokens": self._tokens,
            "dtype": self.dtype.name,
            "bin_sha256": self._bin_digest.hexdigest(),
            "idx_sha256": idx_digest.hexdigest(),
            "bin_bytes": bin_bytes,
            "idx_bytes": idx_bytes,
        }

    def abort(self) -> None:
        """Close and delete the temporary files (no-op after ``finish()``)."""
        if self._done:
            return
        if self._bin is not None:
            self._bin.close()
            self._bin = None
        for path in (self._bin_tmp, self._idx_tmp):
            path.unlink(missing_ok=True)

    def __enter__(self) -> IndexedDatasetWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()


def _bad(path: Path, what: str) -> IndexedDatasetError:
    return IndexedDatasetError(f"{path}: {what}")


def _map(path: Path, dtype, offset: int, count: int) -> np.ndarray:
    """Read-only memmap of ``count`` items at byte ``offset`` (an empty array when ``count`` is 0)."""
    if count == 0:
        return np.empty(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=(count,))


class IndexedDataset:
    """Read-only, memory-mapped view of a ``prefix.bin``/``prefix.idx`` pair, validated when opened."""

    def __init__(self, prefix: str | Path):
        self.bin_path, self.idx_path = Path(f"{prefix}.bin"), Path(f"{prefix}.idx")
        idx, size = self.idx_path, self.idx_path.stat().st_size
        if size < HEADER.size:
            raise _bad(idx, f"{size} bytes is shorter than the {HEADER.size}-byte header")
        with open(idx, "rb") as f:
            magic, version, code, n, d = HEADER.unpack(f.read(HEADER.size))
        if magic != MAGIC:
            raise _bad(idx, f"bad magic {magic!r} (expected {MAGIC!r})")
        if version != VERSION:
            raise _bad(idx, f"unsupported version {version} (expected {VERSION})")
        if code not in DTYPE_CODES:
            raise _bad(idx, f"unknown dtype code {code}")
        expected = HEADER.size + 12 * n + 8 * d
        if size != expected:
            raise _bad(idx, f"size {size} bytes, expected {expected} for {n} sequences and {d} document indices")
        self._dtype = DTYPE_CODES[code]
        self._lengths = _map(idx, "<i4", HEADER.size, n)
        self._pointers = _map(idx, "<i8", HEADER.size + 4 * n, n)
        self._doc_idx = _map(idx, "<i8", HEADER.size + 12 * n, d)
        docs = self._doc_idx
        if d == 0 or docs[0] != 0 or docs[-1] != n or np.any(np.diff(docs) < 0):
            raise _bad(idx, f"document indices must start at 0, not decrease and end at {n}")
        if n and self._lengths.min() < 0:
            raise _bad(idx, "negative sequence length")
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(self._lengths[:-1], dtype=np.int64, out=starts[1:])
        if not np.array_equal(self._pointers, starts * self._dtype.itemsize):
            raise _bad(idx, "sequence pointers are not the cumulative sequence lengths")
        self._num_tokens = int(self._lengths.sum(dtype=np.int64))
        bin_size, want = self.bin_path.stat().st_size, self._num_tokens * self._dtype.itemsize
        if bin_size != want:
            raise _bad(self.bin_path, f"size {bin_size} bytes, expected {want} ({self._num_tokens} tokens)")
        self._starts = starts
        self._bin = _map(self.bin_path, self._dtype, 0, self._num_tokens)

    dtype = property(lambda self: self._dtype, doc="Token dtype of the ``.bin``.")
    lengths = property(lambda self: self._lengths, doc="int32 tokens per sequence.")
    pointers = property(lambda self: self._pointers, doc="int64 byte offset of each sequence in the ``.bin``.")
    document_indices = property(lambda self: self._doc_idx, doc="int64 first sequence of each document, then N.")
    num_tokens = property(lambda self: self._num_tokens, doc="Total tokens in the ``.bin``.")

    def __len__(self) -> int:
        return len(self._lengths)

    def __getitem__(self, i: int) -> np.ndarray:
        """Tokens of sequence ``i`` (negative indices allowed) as a view into the ``.bin`` memmap."""
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"sequence {i} out of range for {n} sequences")
        start = int(self._starts[i])
        return self._bin[start : start + int(self._lengths[i])]

    def tokens(self) -> np.ndarray:
        """The whole ``.bin`` as a 1-D array."""
        return self._bin

    def close(self) -> None:
        """Drop the memory maps (arrays already handed out stay valid until they are freed)."""
        self._bin = self._lengths = self._pointers = self._doc_idx = self._starts = None

    def __enter__(self) -> IndexedDataset:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
