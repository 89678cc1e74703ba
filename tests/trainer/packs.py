"""Pack outputs for trainer tests, written without Spark: the shipped tokenizer's tokens in Megatron shards
with a manifest, as the pack stage lays them out (one shard per source)."""

from __future__ import annotations

import json
from pathlib import Path

from corpus_pipeline.pack.indexed import IndexedDatasetWriter, token_dtype
from corpus_pipeline.pack.manifest import MANIFEST_FILE, build_manifest
from corpus_pipeline.tokenizer.model import load_tokenizer, load_tokenizer_spec
from tests.conftest import REPO_ROOT

TOKENIZER_DIR = REPO_ROOT / "models" / "tokenizer"


def shipped_tokenizer():
    return load_tokenizer(TOKENIZER_DIR)


def write_pack(out: Path, documents: dict[str, list[str]], epochs: dict[str, float] | None = None) -> Path:
    """``documents``: texts per source; returns ``out`` holding ``shards/`` and ``manifest.json``."""
    spec = load_tokenizer_spec(TOKENIZER_DIR)
    tokenizer = shipped_tokenizer()
    dtype = token_dtype(spec.vocab_size)
    (out / "shards").mkdir(parents=True, exist_ok=True)
    shards = []
    for number, (source, texts) in enumerate(sorted(documents.items())):
        prefix = f"shards/{number:05d}-{source}"
        writer = IndexedDatasetWriter(out / prefix, dtype, ".tmp-0")
        for tokens in tokenizer.encode_batch(texts):
            writer.add_document(tokens + [tokenizer.eod_id])
        shards.append(
            {
                "partition": number,
                "source": source,
                "prefix": prefix,
                "text_bytes": sum(len(text.encode("utf-8")) for text in texts),
                **writer.finish(),
            }
        )
    manifest = build_manifest(shards, {**spec.stats(), "dtype": dtype.name}, "test", epochs or {})
    (out / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    return out
