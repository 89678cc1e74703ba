"""Exact ground truth for dedup evaluation: every pair of documents whose shingle sets have Jaccard >= t.

No MinHash and no approximation: :func:`similar_pairs` returns exactly the pairs a naive loop over all
pairs returns (``len(a & b) / len(a | b) >= threshold``, the same float expression), only faster. It is
the all-pairs set-similarity join with *prefix filtering* (Chaudhuri et al. 2006; Xiao et al., PPJoin,
WWW 2008):

* Tokens (shingles) are ranked by ascending global frequency, and each set is sorted by that rank.
* Two sets ``x``, ``y`` with ``J(x, y) >= t`` share at least ``ceil(t * |y|)`` tokens, so their first
  common token lies within the first ``|y| - ceil(t * |y|) + 1`` tokens of each (the *prefix*). Only pairs
  sharing a prefix token become candidates; ranking rare tokens first keeps those lists short.
* Length filter: ``t * |y| <= |x| <= |y| / t``. Positional filter: with the first common token at 0-based
  positions ``i`` and ``j``, the overlap is at most ``1 + min(|x| - i - 1, |y| - j - 1)``, which must reach
  ``ceil(t / (1 + t) * (|x| + |y|))``.
* Every surviving candidate is verified with the exact set intersection.

The filters use a threshold a hair lower than ``t`` (:data:`FILTER_SLACK`), so float rounding can only
let more candidates through, never fewer. Empty sets are never similar to anything (the Jaccard similarity
of two empty sets is undefined; an empty document has nothing to deduplicate on), so they are skipped.

The rest of the module turns pairs into the expected dedup decisions: :func:`expected_duplicates` (connected
components, the best document of each kept) and :func:`precision_recall` / :func:`evaluate` to score a
prediction against them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from corpus_pipeline.dedup.minhash import shingles
from corpus_pipeline.dedup.normalize import normalize_for_hashing

FILTER_SLACK = 1e-9  # the filters use threshold - FILTER_SLACK; the verification uses the threshold itself
ShingleSet = Set[str]
Pair = tuple[int, int, float]


# --- exact all-pairs join -------------------------------------------------------------------------


def jaccard(a: ShingleSet, b: ShingleSet) -> float:
    """Exact Jaccard similarity; 0.0 when either set is empty."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def similar_pairs(
    shingle_sets: Sequence[ShingleSet], threshold: float = 0.8, token_key: Callable[[str], int] = hash
) -> list[Pair]:
    """All ``(i, j, jaccard)`` with ``i < j`` and exact Jaccard ``>= threshold``, sorted by ``(i, j)``.

    ``threshold`` must be in ``(0, 1]``. Empty sets are skipped (never similar, not even to each other).
    ``token_key`` (an int64 per token) only steers the candidate search; see :func:`_ranked_tokens`.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    sizes, ranks = _ranked_tokens(shingle_sets, token_key)
    first, second = _candidates(sizes, ranks, threshold - FILTER_SLACK)
    return _verified(shingle_sets, first, second, threshold)


def _ranked_tokens(
    shingle_sets: Sequence[ShingleSet], token_key: Callable[[str], int]
) -> tuple[np.ndarray, np.ndarray]:
    """Set sizes, and every set's tokens as global ranks (rarest first), sets back to back, each sorted.

    Tokens are identified by ``token_key`` (Python's string hash: no dictionary of millions of strings).
    Two distinct tokens with the same key in *different* sets only make extra candidates: each set keeps
    its size and the overlap of two sets can only grow, so no similar pair is lost, and every candidate is
    verified on the strings. Two in the *same* set would shrink it, so then exact ids are used instead.
    """
    sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    total = int(sizes.sum())
    keys = np.fromiter(map(token_key, itertools.chain.from_iterable(shingle_sets)), dtype=np.int64, count=total)
    ranks = _sorted_ranks(keys, sizes)
    if ranks is None:
        vocabulary: dict[str, int] = {}
        exact_ids = np.fromiter(
            map(vocabulary.setdefault, itertools.chain.from_iterable(shingle_sets), itertools.count()),
            dtype=np.int64,
            count=total,
        )
        ranks = _sorted_ranks(exact_ids, sizes)
    return sizes, ranks


def _sorted_ranks(keys: np.ndarray, sizes: np.ndarray) -> np.ndarray | None:
    """Each set's token ranks (ascending key frequency, then key), sorted; None if a set repeats a key."""
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    rank_of_key = np.empty(len(counts), dtype=np.int64)
    rank_of_key[np.lexsort((np.arange(len(counts)), counts))] = np.arange(len(counts))
    offsets = np.repeat(np.arange(len(sizes), dtype=np.int64) * len(counts), sizes)
    ordered = np.sort(offsets + rank_of_key[inverse.reshape(-1)])  # by set, then rank
    if np.any(ordered[1:] == ordered[:-1]):
        return None
    return ordered - offsets


def _min_overlap(value: np.ndarray | float) -> np.ndarray:
    """Smallest integer overlap that can reach ``value`` (a real-valued lower bound)."""
    return np.ceil(np.asarray(value, dtype=np.float64) - FILTER_SLACK).astype(np.int64)


def _candidates(sizes: np.ndarray, ranks: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs ``(first, second)``, ``first < second``, passing prefix, length and positional filters."""
    token, doc, pos = _prefix_entries(sizes, ranks, threshold)
    size = sizes[doc]
    width = int(sizes.max(initial=0)) + 1
    sorted_key = token * width + size  # ascending: entries are sorted by token, then size
    largest_partner = np.minimum(np.floor(size / threshold + FILTER_SLACK).astype(np.int64), width - 1)
    end = np.searchsorted(sorted_key, token * width + largest_partner, side="right")
    left, right = _expand_pairs(end - np.arange(len(token)) - 1)  # same token, partner size within the bound
    a, b = doc[left], doc[right]
    first, second = np.minimum(a, b), np.maximum(a, b)
    _, first_seen = np.unique(first * len(sizes) + second, return_index=True)  # the pair's first common token
    swap = (a > b)[first_seen]
    pos_a, pos_b = pos[left][first_seen], pos[right][first_seen]
    first, second = first[first_seen], second[first_seen]
    passes = _positional_bound(
        sizes[first], sizes[second], np.where(swap, pos_b, pos_a), np.where(swap, pos_a, pos_b), threshold
    )
    return first[passes], second[passes]


def _prefix_entries(
    sizes: np.ndarray, ranks: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(token, set, position)`` of the tokens in each set's prefix, sorted by token, set size, set."""
    owner = np.repeat(np.arange(len(sizes)), sizes)
    position = np.arange(len(ranks)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    prefix = sizes - _min_overlap(threshold * sizes) + 1
    keep = position < prefix[owner]
    token, doc, pos = ranks[keep], owner[keep], position[keep]
    order = np.lexsort((doc, sizes[doc], token))
    return token[order], doc[order], pos[order]


def _positional_bound(
    size_x: np.ndarray, size_y: np.ndarray, pos_x: np.ndarray, pos_y: np.ndarray, threshold: float
) -> np.ndarray:
    """Whether the overlap left after the first common token (at ``pos_x``, ``pos_y``) can still suffice."""
    bound = 1 + np.minimum(size_x - pos_x - 1, size_y - pos_y - 1)
    return bound >= _min_overlap(threshold / (1 + threshold) * (size_x + size_y))


def _expand_pairs(partners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entry ``i`` paired with entries ``i + 1 .. i + partners[i]``: the two index arrays."""
    partners = np.maximum(partners, 0)
    total = int(partners.sum())
    left = np.repeat(np.arange(len(partners)), partners)
    offsets = np.arange(total) - np.repeat(np.cumsum(partners) - partners, partners)
    return left, left + 1 + offsets


def _verified(
    shingle_sets: Sequence[ShingleSet], first: np.ndarray, second: np.ndarray, threshold: float
) -> list[Pair]:
    pairs = []
    for i, j in zip(first.tolist(), second.tolist()):
        a, b = shingle_sets[i], shingle_sets[j]
        inter = len(a & b)
        similarity = inter / (len(a) + len(b) - inter)
        if similarity >= threshold:
            pairs.append((i, j, similarity))
    pairs.sort()
    return pairs


def document_shingles(texts: Iterable[str | None], n: int = 5) -> list[frozenset[str]]:
    """The shingle set of each text: ``n`` code points of :func:`normalize_for_hashing` (reference path)."""
    return [frozenset(shingles(normalize_for_hashing(text), n)) if text else frozenset() for text in texts]


# --- expected decisions and scores ----------------------------------------------------------------


def keep_order(doc: Mapping[str, Any]) -> tuple:
    """Sort key of the keep order (smallest = kept): higher ``priority``, higher ``quality_score`` (None
    lowest), longer ``text`` (code points; or the doc's ``length`` when given), smaller ``id``, smaller ``source``."""
    quality = doc.get("quality_score")
    length = doc["length"] if "length" in doc else len(doc.get("text") or "")
    return (
        -(doc["priority"] or 0),
        quality is None,
        -(quality or 0.0),
        -(length or 0),
        doc["id"],
        doc.get("source") or "",
    )


def components(count: int, pairs: Iterable[Pair | tuple[int, int]]) -> list[list[int]]:
    """Connected components with two or more members of the graph on ``range(count)`` (union-find)."""
    parent = list(range(count))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for pair in pairs:
        a, b = root(pair[0]), root(pair[1])
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for node in range(count):
        members.setdefault(root(node), []).append(node)
    return [group for group in members.values() if len(group) > 1]


def expected_duplicates(docs: Sequence[Mapping[str, Any]], pairs: Iterable[Pair | tuple[int, int]]) -> dict[str, str]:
    """``{removed id: kept id}``: in each connected component of the similarity graph (``pairs`` index
    ``docs``) every document but the first in :func:`keep_order` is removed in favour of that one.

    Each doc needs ``id`` and ``priority`` (its source's priority); ``quality_score``, ``text`` and
    ``source`` are used when present.
    """
    removed: dict[str, str] = {}
    for group in components(len(docs), pairs):
        kept = min(group, key=lambda index: keep_order(docs[index]))
        removed.update((docs[index]["id"], docs[kept]["id"]) for index in group if index != kept)
    return removed


def precision_recall(predicted: Set[str], expected: Set[str]) -> tuple[float, float]:
    """Precision and recall of the removed ids. Nothing predicted: precision 1.0 (no false removal);
    nothing expected: recall 1.0 (nothing missed)."""
    hits = len(set(predicted) & set(expected))
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(expected) if expected else 1.0
    return precision, recall


@dataclass(frozen=True)
class GroundTruth:
    """The exact answer for one corpus: its documents, similar pairs and expected removals."""

    docs: list[dict[str, Any]]
    pairs: list[Pair]
    removed: dict[str, str]  # removed id -> kept id
    threshold: float
    ngram: int


def read_documents(documents: str | Path | pa.Table) -> pa.Table:
    """The ``id``, ``source``, ``text`` and (when present) ``quality_score`` columns of a parquet
    file or folder of parquet files, or of a table."""
    table = documents if isinstance(documents, pa.Table) else pq.read_table(Path(documents))
    columns = [name for name in ("id", "source", "text", "quality_score") if name in table.column_names]
    return table.select(columns)


def ground_truth(
    documents: str | Path | pa.Table, priorities: Mapping[str, int], n: int = 5, threshold: float = 0.8
) -> GroundTruth:
    """Exact similar pairs and expected removals of a corpus. A source missing from ``priorities`` gets
    ``priorities['default']`` (0 when absent too)."""
    docs = read_documents(documents).to_pylist()
    fallback = priorities.get("default", 0)
    for doc in docs:
        doc["priority"] = priorities.get(doc.get("source"), fallback)
    pairs = similar_pairs(document_shingles([doc["text"] for doc in docs], n), threshold)
    return GroundTruth(docs=docs, pairs=pairs, removed=expected_duplicates(docs, pairs), threshold=threshold, ngram=n)


def score(truth: GroundTruth, predicted: Set[str] | Mapping[str, str], examples: int = 20) -> dict[str, Any]:
    """Precision/recall of ``predicted`` removed ids (or ``{removed: kept}``) against ``truth``."""
    expected = set(truth.removed)
    removed = set(predicted)
    precision, recall = precision_recall(removed, expected)
    result: dict[str, Any] = {
        "documents": len(truth.docs),
        "similar_pairs": len(truth.pairs),
        "threshold": truth.threshold,
        "ngram": truth.ngram,
        "expected_removed": len(expected),
        "predicted_removed": len(removed),
        "true_positives": len(removed & expected),
        "false_positives": len(removed - expected),
        "false_negatives": len(expected - removed),
        "precision": precision,
        "recall": recall,
        "false_positive_examples": sorted(removed - expected)[:examples],
        "false_negative_examples": sorted(expected - removed)[:examples],
    }
    if isinstance(predicted, Mapping):
        both = removed & expected
        same = sum(1 for doc_id in both if predicted[doc_id] == truth.removed[doc_id])
        result["same_kept"] = same / len(both) if both else 1.0
    return result


def evaluate(
    documents: str | Path | pa.Table,
    predicted_removed: Set[str] | Mapping[str, str],
    priorities: Mapping[str, int],
    n: int = 5,
    threshold: float = 0.8,
) -> dict[str, Any]:
    """Score a dedup prediction against the exact ground truth of ``documents`` (see :func:`score`)."""
    return score(ground_truth(documents, priorities, n, threshold), predicted_removed)
