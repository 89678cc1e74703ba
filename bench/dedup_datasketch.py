"""Baseline: single-process near-duplicate removal with datasketch, for comparison with the dedup stage.

1. the documents that take part in dedup (recipe: sources whose steps include ``dedup``) read with pyarrow;
2. :func:`corpus_pipeline.dedup.normalize.normalize_for_hashing`, then
   :func:`corpus_pipeline.dedup.minhash.shingles` (character 5-grams; a text that normalizes to '' is skipped);
3. ``datasketch.MinHash(num_perm=128, seed=1, scheme="affine32")`` (default SHA-1 hashfunc) updated with the
   UTF-8 bytes of the shingles (``update_batch``, in chunks so a huge document stays in bounded memory);
4. ``datasketch.MinHashLSH(threshold=0.8, num_perm=128)`` (its own bands/rows for equal false-positive and
   false-negative weights): insert every document, then query every document; each returned key is a
   candidate pair, taken as a duplicate as is (no check of the signatures unless ``--verify``: then the
   estimated Jaccard similarity of the two MinHashes must reach the threshold);
5. connected components by union-find; one document kept per component by the stage's keep order: source
   priority (recipe), quality score (missing lowest), length, then smallest id and source.

Writes the same JSON as ``dedup_mllib.py``: removed documents (id, source, duplicate_of), pair count, seconds.

    .venv/bin/python bench/dedup_datasketch.py --input DOCS_DIR --output datasketch.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from corpus_eval.dedup.exact_jaccard import components, keep_order

CHUNK = 8192  # shingles per update_batch call: bounds the (shingles x num_perm) matrix datasketch builds


def components_removed(pairs, meta: dict[Any, tuple]) -> list[dict[str, str]]:
    """Every document not kept in its connected component: ``{id, source, duplicate_of}``, sorted.

    ``pairs`` are node pairs; ``meta[node]`` is ``(id, source, priority, quality, length)``. Components and
    the keep order are the evaluation oracle's (:mod:`corpus_eval.dedup.exact_jaccard`).
    """
    index = {node: i for i, node in enumerate(meta)}
    docs = [
        {"id": m[0], "source": m[1], "priority": m[2], "quality_score": m[3], "length": m[4]} for m in meta.values()
    ]
    removed = []
    for group in components(len(docs), [(index[a], index[b]) for a, b in pairs]):
        kept = min(group, key=lambda i: keep_order(docs[i]))
        removed.extend(
            {"id": docs[i]["id"], "source": docs[i]["source"], "duplicate_of": docs[kept]["id"]}
            for i in group
            if i != kept
        )
    return sorted(removed, key=lambda row: (row["source"], row["id"]))


def write_result(path: str, result: dict) -> None:
    """A baseline's result as JSON (folders created)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


def document_paths(inputs: list[str]) -> list[Path]:
    """The parquet files of each input (a finished stage output: its ``kept/``)."""
    files = []
    for name in inputs:
        path = Path(name)
        if (path / "kept").is_dir():
            path = path / "kept"
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.parquet") if not p.name.startswith(("_", "."))))
        else:
            files.append(path)
    if not files:
        raise SystemExit(f"no parquet files under {inputs}")
    return files


def read_documents(inputs: list[str], priorities: dict[str, int], deduplicated: dict[str, bool]):
    """Yield ``(id, source, priority, quality, length, text)`` of the documents that take part in dedup."""
    import pyarrow.parquet as pq

    for path in document_paths(inputs):
        parquet = pq.ParquetFile(path)
        columns = [c for c in ("id", "source", "text", "quality_score") if c in parquet.schema_arrow.names]
        for batch in parquet.iter_batches(batch_size=1000, columns=columns):
            rows = batch.to_pydict()
            qualities = rows.get("quality_score", [None] * batch.num_rows)
            for doc_id, source, text, quality in zip(rows["id"], rows["source"], rows["text"], qualities):
                if not deduplicated.get(source, deduplicated["default"]):
                    continue
                yield (
                    doc_id,
                    source,
                    priorities.get(source, priorities["default"]),
                    None if quality is None else float(quality),
                    len(text) if text is not None else None,
                    text or "",
                )


def run(
    inputs: list[str], recipe_path: str | None, ngram: int, num_perm: int, threshold: float, seed: int, verify: bool
) -> dict:
    from datasketch import MinHash, MinHashLSH

    from corpus_pipeline.dedup.minhash import shingles
    from corpus_pipeline.dedup.normalize import normalize_for_hashing
    from corpus_pipeline.recipe import load_recipe

    recipe = load_recipe(recipe_path)
    priorities = {name: source.priority for name, source in recipe.sources.items()}
    deduplicated = {name: "dedup" in recipe.steps_for(name) for name in recipe.sources}
    opencc = recipe.dedup.opencc_config
    permutations = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    meta: dict[int, tuple] = {}
    sketches: dict[int, Any] = {}
    skipped = 0
    timings = {}
    started = time.perf_counter()
    for doc in read_documents(inputs, priorities, deduplicated):
        grams = shingles(normalize_for_hashing(doc[5], opencc), ngram)
        if not grams:
            skipped += 1
            continue
        sketch = MinHash(num_perm=num_perm, seed=seed, scheme="affine32", permutations=permutations)
        for first in range(0, len(grams), CHUNK):
            sketch.update_batch([gram.encode("utf-8") for gram in grams[first : first + CHUNK]])
        key = len(meta)
        meta[key] = doc[:5]
        sketches[key] = sketch
    timings["sketch"] = time.perf_counter() - started
    started = time.perf_counter()
    for key, sketch in sketches.items():
        lsh.insert(key, sketch, check_duplication=False)
    timings["insert"] = time.perf_counter() - started
    started = time.perf_counter()
    pairs = set()
    for key, sketch in sketches.items():
        for other in lsh.query(sketch):
            if other == key:
                continue
            pair = (key, other) if key < other else (other, key)
            if pair in pairs:
                continue
            if verify and sketch.jaccard(sketches[other]) < threshold:
                continue
            pairs.add(pair)
    timings["query"] = time.perf_counter() - started
    started = time.perf_counter()
    removed = components_removed(pairs, meta)
    timings["components"] = time.perf_counter() - started
    return {
        "documents": len(meta),
        "skipped_empty": skipped,
        "pair_count": len(pairs),
        "removed": removed,
        "bands_rows": [lsh.b, lsh.r],
        "timings": timings,
        "deduplicated_sources": sorted(name for name, on in deduplicated.items() if on),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", nargs="+", required=True, help="documents parquet (dirs/files) or stage outputs")
    parser.add_argument("--output", required=True, help="JSON file written")
    parser.add_argument("--recipe", default=None, help="recipe for source priorities (default: the shipped one)")
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--verify",
        action="store_true",
        help="keep a candidate pair only when the MinHashes' estimated Jaccard reaches the threshold",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    found = run(args.input, args.recipe, args.ngram, args.num_perm, args.threshold, args.seed, args.verify)
    total = time.perf_counter() - started
    result = {
        "contender": "datasketch",
        "input": args.input,
        "params": {
            "ngram": args.ngram,
            "num_perm": args.num_perm,
            "threshold": args.threshold,
            "seed": args.seed,
            "scheme": "affine32",
            "hashfunc": "sha1_hash32",
            "bands_rows": found["bands_rows"],
            "verify": args.verify,
            "deduplicated_sources": found["deduplicated_sources"],
        },
        "documents": found["documents"],
        "skipped_empty": found["skipped_empty"],
        "pair_count": found["pair_count"],
        "removed_count": len(found["removed"]),
        "seconds": {**{k: round(v, 3) for k, v in found["timings"].items()}, "total": round(total, 3)},
        "removed": found["removed"],
    }
    write_result(args.output, result)
    print(
        f"datasketch: {result['documents']} documents, {result['pair_count']} pairs, "
        f"{result['removed_count']} removed ({total:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
