"""Check that Megatron-LM itself reads our shards: megatron.core's IndexedDataset against ours.

Needs ``megatron-core`` and ``torch`` (not project dependencies), e.g. in a scratch venv:

    python3.11 -m venv /tmp/mc && /tmp/mc/bin/pip install torch==2.13.0 numpy
    /tmp/mc/bin/pip install --no-deps megatron-core==0.16.1 && /tmp/mc/bin/pip install packaging
    PYTHONPATH=. /tmp/mc/bin/python bench/megatron_compat.py out/demo/pack

For every shard in the manifest it opens the pair with ``megatron.core.datasets.indexed_dataset.IndexedDataset``
and compares dtype, sequence lengths, document indices and every sequence's tokens with
``corpus_pipeline.pack.indexed.IndexedDataset``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def main(pack_dir: str) -> int:
    from megatron.core.datasets.indexed_dataset import IndexedDataset as MegatronIndexedDataset

    from corpus_pipeline.pack.indexed import IndexedDataset

    manifest = json.loads((Path(pack_dir) / "manifest.json").read_text(encoding="utf-8"))
    sequences = tokens = 0
    for shard in manifest["shards"]:
        prefix = str(Path(pack_dir) / shard["prefix"])
        theirs = MegatronIndexedDataset(prefix, mmap=True)
        with IndexedDataset(prefix) as ours:
            assert theirs.index.dtype == ours.dtype.type, (theirs.index.dtype, ours.dtype)
            assert np.array_equal(theirs.sequence_lengths, ours.lengths)
            assert np.array_equal(theirs.document_indices, ours.document_indices)
            assert len(theirs) == len(ours) == shard["documents"]
            for number in range(len(ours)):
                assert np.array_equal(theirs[number], ours[number])
            sequences += len(ours)
            tokens += ours.num_tokens
    print(
        f"megatron.core IndexedDataset read {len(manifest['shards'])} shards, {sequences} documents, "
        f"{tokens} tokens: identical to corpus_pipeline's reader"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
