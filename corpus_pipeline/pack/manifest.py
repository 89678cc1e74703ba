"""``manifest.json`` of a pack output: its shards, the tokenizer, the recipe and the source mixture.

Shards are listed in packing order: by source, then in the order the documents were read. Each source's
sampling weight is its tokens times its epochs over the sum of that product (PanGu-α Table 4), which is
what the trainer's blended sampler uses. :func:`read_manifest` checks a pack output before it is used;
:func:`iter_documents` decodes every shard back to text, in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from corpus_pipeline.errors import InputError
from corpus_pipeline.pack.indexed import IndexedDataset, IndexedDatasetError, file_sha256

MANIFEST_FILE = "manifest.json"
FORMAT = "megatron-mmap-indexed-dataset"
SHARD_KEYS = ("prefix", "source", "documents", "tokens", "dtype", "bin_sha256", "idx_sha256")


def mixture(shards: list[dict], epochs: dict[str, float]) -> dict[str, dict]:
    """Per source: documents, tokens, shards, epochs and the sampling weight tokens*epochs / total."""
    sources: dict[str, dict] = {}
    for shard in shards:
        entry = sources.setdefault(shard["source"], {"documents": 0, "tokens": 0, "text_bytes": 0, "shards": 0})
        entry["documents"] += shard["documents"]
        entry["tokens"] += shard["tokens"]
        entry["text_bytes"] += shard.get("text_bytes", 0)
        entry["shards"] += 1
    total = sum(entry["tokens"] * epochs.get(name, 1.0) for name, entry in sources.items())
    for name, entry in sources.items():
        entry["epochs"] = epochs.get(name, 1.0)
        entry["weight"] = round(entry["tokens"] * entry["epochs"] / total, 8) if total else 0.0
    return dict(sorted(sources.items()))


def build_manifest(shards: list[dict], tokenizer: dict, recipe_sha256: str, epochs: dict[str, float]) -> dict:
    sources = mixture(shards, epochs)
    return {
        "format": FORMAT,
        "version": 1,
        "order": "by source (name order), then as read: input path, parquet file, row",
        "tokenizer": tokenizer,
        "recipe_sha256": recipe_sha256,
        "documents": sum(shard["documents"] for shard in shards),
        "tokens": sum(shard["tokens"] for shard in shards),
        "sources": sources,
        "shards": shards,
    }


class ManifestError(InputError):
    """A pack output whose manifest or shards do not check out; the message names the file."""


def read_manifest(directory: str | Path, verify_sha256: bool = False) -> dict:
    """The manifest of a pack output, with every shard opened and checked (and hashed, if asked)."""
    directory = Path(directory)
    path = directory / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path}: not found (is {directory} a pack output?)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ManifestError(f"{path}: not valid JSON ({error})") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != 1:
        raise ManifestError(f"{path}: not a version 1 {FORMAT} manifest")
    for shard in manifest["shards"]:
        missing = [key for key in SHARD_KEYS if key not in shard]
        if missing:
            raise ManifestError(f"{path}: shard entry lacks {', '.join(missing)}")
        prefix = directory / shard["prefix"]
        try:
            with IndexedDataset(prefix) as dataset:
                counts = (len(dataset), dataset.num_tokens, dataset.dtype.name)
        except (IndexedDatasetError, FileNotFoundError) as error:
            raise ManifestError(f"{prefix}: {error}") from None
        if counts != (shard["documents"], shard["tokens"], shard["dtype"]):
            raise ManifestError(
                f"{prefix}: holds {counts[0]} documents, {counts[1]} tokens ({counts[2]}); "
                f"the manifest says {shard['documents']}, {shard['tokens']} ({shard['dtype']})"
            )
        if verify_sha256:
            for suffix in ("bin", "idx"):
                if file_sha256(f"{prefix}.{suffix}") != shard[f"{suffix}_sha256"]:
                    raise ManifestError(f"{prefix}.{suffix}: sha256 differs from the manifest's")
    return manifest


def iter_documents(directory: str | Path, tokenizer) -> Iterator[tuple[str, str]]:
    """(source, text) of every packed document, in manifest order; each must end with ``<eod>``."""
    directory = Path(directory)
    for shard in read_manifest(directory)["shards"]:
        prefix = directory / shard["prefix"]
        with IndexedDataset(prefix) as dataset:
            for number in range(len(dataset)):
                tokens = dataset[number]
                if len(tokens) == 0 or int(tokens[-1]) != tokenizer.eod_id:
                    raise ManifestError(f"{prefix}: document {number} does not end with <eod>")
                yield shard["source"], tokenizer.decode(tokens[:-1])
