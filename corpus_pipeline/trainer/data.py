"""Training windows from a pack output: memory-mapped Megatron shards, blended by source, deterministic.

Each source's shards, in manifest order, form one token stream with ``<eod>`` after every document (as the
pack stage wrote it, CPM §2.2). A stream of ``n`` tokens holds ``(n - 1) // L`` windows of ``L + 1``
tokens (inputs and the targets shifted by one), starting every ``L`` tokens. Sample ``i`` of a run comes
from the source that is furthest behind its share, ``argmax(weight * (i + 1) - drawn)`` (Megatron's blended
dataset), so after any number of samples each source has had its manifest weight to within one sample; a
source's ``k``-th sample is window ``permutation_e[k mod W]`` of a permutation seeded by (seed, source,
epoch ``e = k div W``). The whole sampler state is the count drawn per source: :meth:`state_dict` and
:meth:`load_state_dict` give exact resume.

:func:`evaluation_windows` reads a dev set in order: consecutive windows over all its sources, no sampling.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from corpus_pipeline.errors import InputError
from corpus_pipeline.pack.indexed import IndexedDataset
from corpus_pipeline.pack.manifest import read_manifest


class DataError(InputError):
    """A pack output the trainer cannot use (a source shorter than one window, no source with weight, no dev window)."""


class TokenStream:
    """Shards concatenated into one read-only token sequence."""

    def __init__(self, prefixes: list[Path]) -> None:
        self._datasets = [IndexedDataset(prefix) for prefix in prefixes]
        self._arrays = [dataset.tokens() for dataset in self._datasets]
        self._starts = np.cumsum([0] + [len(array) for array in self._arrays], dtype=np.int64)

    def __len__(self) -> int:
        return int(self._starts[-1])

    def read(self, start: int, stop: int) -> np.ndarray:
        """Tokens ``[start, stop)`` as int64, read across shard boundaries."""
        if not 0 <= start <= stop <= len(self):
            raise IndexError(f"tokens [{start}, {stop}) out of range for a stream of {len(self)}")
        first = int(np.searchsorted(self._starts, start, side="right")) - 1
        pieces, position = [], start
        for number in range(first, len(self._arrays)):
            if position >= stop:
                break
            offset = position - int(self._starts[number])
            take = min(stop, int(self._starts[number + 1])) - position
            pieces.append(self._arrays[number][offset : offset + take])
            position += take
        return np.concatenate(pieces).astype(np.int64) if pieces else np.empty(0, dtype=np.int64)


def _streams(directory: str | Path) -> tuple[dict, dict[str, TokenStream]]:
    directory = Path(directory)
    manifest = read_manifest(directory)
    prefixes: dict[str, list[Path]] = {}
    for shard in manifest["shards"]:
        prefixes.setdefault(shard["source"], []).append(directory / shard["prefix"])
    return manifest, {source: TokenStream(paths) for source, paths in sorted(prefixes.items())}


class BlendedWindows:
    """Deterministic, resumable sampler of ``(inputs, targets)`` windows over a pack output's sources."""

    def __init__(self, directory: str | Path, seq_len: int, seed: int) -> None:
        self.directory, self.seq_len, self.seed = Path(directory), seq_len, seed
        self.manifest, streams = _streams(directory)
        self.sources, self.streams, weights, self.windows = [], [], [], []
        for source, stream in streams.items():
            weight = float(self.manifest["sources"][source]["weight"])
            if weight <= 0:
                continue
            windows = (len(stream) - 1) // seq_len
            if windows < 1:
                raise DataError(
                    f"{directory}: source {source!r} has {len(stream)} tokens, fewer than one "
                    f"window of {seq_len + 1}; lower the window length or drop the source"
                )
            self.sources.append(source)
            self.streams.append(stream)
            weights.append(weight)
            self.windows.append(windows)
        if not self.sources:
            raise DataError(f"{directory}: no source has tokens and a positive weight")
        self.weights = np.asarray(weights) / sum(weights)
        self.drawn = np.zeros(len(self.sources), dtype=np.int64)
        self._permutations: dict[tuple[int, int], np.ndarray] = {}

    @property
    def position(self) -> int:
        """Samples drawn so far."""
        return int(self.drawn.sum())

    def _permutation(self, source: int, epoch: int) -> np.ndarray:
        key = (source, epoch)
        if key not in self._permutations:
            self._permutations = {k: v for k, v in self._permutations.items() if k[0] != source}
            rng = np.random.default_rng([self.seed, source, epoch])
            self._permutations[key] = rng.permutation(self.windows[source])
        return self._permutations[key]

    def _draw(self) -> tuple[int, int]:
        """Advance one sample: (source number, first token of its window)."""
        source = int(np.argmax(self.weights * (self.position + 1) - self.drawn))
        epoch, index = divmod(int(self.drawn[source]), self.windows[source])
        window = int(self._permutation(source, epoch)[index])
        self.drawn[source] += 1
        return source, window * self.seq_len

    def next_window(self) -> tuple[int, np.ndarray]:
        """(source number, ``seq_len + 1`` tokens) of the next sample."""
        source, start = self._draw()
        return source, self.streams[source].read(start, start + self.seq_len + 1)

    def next_batch(self, count: int, keep: slice | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The next ``count`` samples as (inputs, targets), int64 arrays of shape (rows, seq_len); only the
        rows in ``keep`` are read (a DDP rank's share of the global batch), all ``count`` are drawn."""
        drawn = [self._draw() for _ in range(count)]
        rows = np.stack(
            [self.streams[source].read(start, start + self.seq_len + 1) for source, start in drawn[keep or slice(None)]]
        )
        return rows[:, :-1], rows[:, 1:]

    def epochs(self) -> dict[str, float]:
        """How many times each source's windows have been drawn, on average."""
        return {
            source: round(int(drawn) / windows, 4)
            for source, drawn, windows in zip(self.sources, self.drawn, self.windows)
        }

    def state_dict(self) -> dict:
        return {
            "seq_len": self.seq_len,
            "seed": self.seed,
            "sources": list(self.sources),
            "drawn": [int(count) for count in self.drawn],
        }

    def load_state_dict(self, state: dict) -> None:
        mine = (self.seq_len, self.seed, list(self.sources))
        theirs = (state["seq_len"], state["seed"], list(state["sources"]))
        if mine != theirs:
            raise DataError(f"sampler state is for (seq_len, seed, sources) {theirs}, not {mine}")
        self.drawn = np.asarray(state["drawn"], dtype=np.int64)


def evaluation_windows(
    directory: str | Path, seq_len: int, max_tokens: int | None, batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Consecutive windows over every source of a dev set (in name order) until ``max_tokens`` targets."""
    _, streams = _streams(directory)
    rows, budget = [], max_tokens if max_tokens is not None else float("inf")
    for stream in streams.values():
        for start in range(0, len(stream) - seq_len, seq_len):
            if budget < seq_len:
                break
            rows.append(stream.read(start, start + seq_len + 1))
            budget -= seq_len
            if len(rows) == batch_size:
                batch, rows = np.stack(rows), []
                yield batch[:, :-1], batch[:, 1:]
    if rows:
        batch = np.stack(rows)
        yield batch[:, :-1], batch[:, 1:]


def tokenizer_of(directory: str | Path) -> dict:
    """The tokenizer entry of a pack output's manifest (vocabulary size, eod id, sha256)."""
    return read_manifest(directory)["tokenizer"]
