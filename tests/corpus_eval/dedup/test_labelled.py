"""Tests of the labelled near-duplicate corpus (``corpus_eval.dedup.labelled``) on the real data."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from corpus_eval.dedup.exact_jaccard import document_shingles, jaccard, similar_pairs
from corpus_eval.dedup.labelled import (
    CONTENT_EDITS,
    CORPUS_SCHEMA,
    LABEL_ORDER,
    LABEL_SCHEMA,
    SOURCES,
    base_pool,
    build_labelled_corpus,
    chunk_paragraphs,
    document_id,
    sentence_pools,
    split_sentences,
    synthesize,
)
from corpus_pipeline.dedup.normalize import normalize_for_hashing
from tests.conftest import REPO_ROOT

SIZE_MB = 1.0
SEED = 0
TEN_K_SIZE_MB = 25.0  # about 10,400 documents with seed 0
FORMAT_EDITS = {"repunctuate", "whitespace"}
SCRIPT_EDITS = {"s2t", "t2s"}


def read_corpus(out_dir: Path) -> tuple[list[dict], dict[str, dict]]:
    docs = pq.read_table(out_dir / "documents").to_pylist()
    labels = {row["id"]: row for row in pq.read_table(out_dir / "labels.parquet").to_pylist()}
    return docs, labels


def edits_of(label: dict) -> set[str]:
    return set(label["edit"].split("+"))


@pytest.fixture(scope="module")
def corpus(shared_data, tmp_path_factory) -> tuple[Path, dict]:
    out_dir = tmp_path_factory.mktemp("labelled")
    return out_dir, build_labelled_corpus(shared_data, out_dir, SIZE_MB, seed=SEED)


@pytest.fixture(scope="module")
def rows(corpus) -> tuple[list[dict], dict[str, dict]]:
    return read_corpus(corpus[0])


# --- helpers that need no data --------------------------------------------------------------------


def test_split_sentences_keeps_every_character():
    paragraph = "他说：“走吧。”我们就走了！真的吗？是的．好；没有结尾"
    sentences = split_sentences(paragraph)
    assert sentences == ["他说：“走吧。”", "我们就走了！", "真的吗？", "是的．", "好；", "没有结尾"]
    assert "".join(sentences) == paragraph


def test_chunk_paragraphs_stay_in_order_and_within_bounds():
    rng = random.Random(1)
    paragraphs = [f"第{i}段。" + "字" * rng.randint(20, 400) + "。" for i in range(400)]
    pieces = chunk_paragraphs(rng, paragraphs, 300, 3000)
    assert [p for piece in pieces for p in piece] == paragraphs
    sizes = [sum(map(len, piece)) for piece in pieces]
    assert min(sizes[:-1]) >= 300 and max(sizes) <= 3000 + 1500


def test_document_ids_are_unique_and_do_not_sort_by_number():
    ids = [document_id(number, key=12345) for number in range(100_000)]
    assert len(set(ids)) == len(ids) and all(len(i) == 16 for i in ids)
    assert ids[:50] != sorted(ids[:50])


# --- a small corpus -------------------------------------------------------------------------------


def test_manifest_matches_the_files(corpus, rows):
    out_dir, manifest = corpus
    docs, labels = rows
    assert json.loads((out_dir / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest["documents"] == len(docs) == len(labels)
    text_bytes = sum(len(doc["text"].encode("utf-8")) for doc in docs)
    assert manifest["text_bytes"] == text_bytes
    assert SIZE_MB * 1e6 <= text_bytes < SIZE_MB * 1e6 + 60_000  # stops after the family reaching the size
    assert manifest["parts"] == len(list((out_dir / "documents").glob("part-*.parquet")))
    assert manifest["variants"] == sum(label["edit"] != "original" for label in labels.values())


def test_schema(corpus):
    out_dir, _ = corpus
    assert pq.read_schema(out_dir / "documents" / "part-00000.parquet").remove_metadata() == CORPUS_SCHEMA
    assert pq.read_schema(out_dir / "labels.parquet").remove_metadata() == LABEL_SCHEMA


def test_ids_unique_and_labelled(rows):
    docs, labels = rows
    ids = [doc["id"] for doc in docs]
    assert len(set(ids)) == len(ids)
    assert set(ids) == set(labels)


def test_quality_score_null_for_about_half(rows):
    docs, _ = rows
    scores = [doc["quality_score"] for doc in docs]
    present = [s for s in scores if s is not None]
    assert 0.4 <= 1 - len(present) / len(scores) <= 0.6
    assert all(0.0 <= s <= 1.0 for s in present) and len(set(present)) > len(present) // 2


def test_families_have_one_original_and_parents_inside(rows):
    docs, labels = rows
    originals = Counter(label["family"] for label in labels.values() if label["edit"] == "original")
    assert set(originals.values()) == {1}
    assert set(originals) == {label["family"] for label in labels.values()}
    for label in labels.values():
        if label["edit"] == "original":
            assert label["family"] == label["id"] and label["parent"] is None
        else:
            parent = labels[label["parent"]]
            assert parent["family"] == label["family"] and parent["id"] != label["id"]
            assert parent["origin"] == label["origin"]
    duplicated = {label["family"] for label in labels.values() if label["edit"] != "original"}
    assert 0.2 <= len(duplicated) / len(originals) <= 0.35


def test_edit_labels_are_known(rows):
    _, labels = rows
    order = ["original", "exact_copy", *LABEL_ORDER]
    for label in labels.values():
        parts = label["edit"].split("+")
        assert set(parts) <= set(order) and parts == sorted(parts, key=order.index)
        assert len(parts) == 1 or not {"original", "exact_copy"} & set(parts)


def test_sources_and_cross_source_copies(rows):
    docs, labels = rows
    source = {doc["id"]: doc["source"] for doc in docs}
    assert set(source.values()) == set(SOURCES)
    variants = [label for label in labels.values() if label["edit"] != "original"]
    moved = sum(source[label["id"]] != source[label["family"]] for label in variants)
    assert 0.2 <= moved / len(variants) <= 0.5


def test_copies_without_content_edits_hash_like_their_parent(rows):
    docs, labels = rows
    text = {doc["id"]: doc["text"] for doc in docs}
    checked = Counter()
    for label in labels.values():
        edits = edits_of(label)
        parent = label["parent"]
        if edits == {"exact_copy"}:
            assert text[label["id"]] == text[parent]
            checked["exact"] += 1
        elif edits <= FORMAT_EDITS:
            assert text[label["id"]] != text[parent]
            assert normalize_for_hashing(text[label["id"]]) == normalize_for_hashing(text[parent])
            checked["format"] += 1
        elif edits <= FORMAT_EDITS | SCRIPT_EDITS:
            a, b = document_shingles([text[label["id"]], text[parent]])
            assert jaccard(a, b) >= 0.9
            checked["script"] += 1
    assert min(checked.values()) >= 5 and len(checked) == 3


def test_near_copies_fall_on_both_sides_of_0_8(rows):
    docs, labels = rows
    text = {doc["id"]: doc["text"] for doc in docs}
    near = [label for label in labels.values() if edits_of(label) & set(CONTENT_EDITS)]
    similarity = np.array([jaccard(*document_shingles([text[label["id"]], text[label["parent"]]])) for label in near])
    assert ((0.7 <= similarity) & (similarity < 0.8)).sum() >= 5
    assert ((0.8 <= similarity) & (similarity < 0.9)).sum() >= 5
    assert (similarity < 0.6).mean() < 0.15 and (similarity == 1.0).mean() < 0.05


def test_same_seed_writes_identical_files_in_another_process(shared_data, corpus, tmp_path):
    out_dir, _ = corpus
    command = [
        sys.executable,
        "-m",
        "corpus_eval.dedup.labelled",
        "--shared-data",
        str(shared_data),
        "--out",
        str(tmp_path),
        "--size-mb",
        str(SIZE_MB),
        "--seed",
        str(SEED),
    ]
    summary = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO_ROOT).stdout)
    assert summary["documents"] == json.loads((out_dir / "manifest.json").read_text())["documents"]
    written = sorted(p.relative_to(out_dir) for p in out_dir.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for path in written:
        assert (out_dir / path).read_bytes() == (tmp_path / path).read_bytes(), path


def test_other_seed_other_corpus_and_smaller_size_is_a_prefix(shared_data, rows, tmp_path):
    docs, _ = rows
    build_labelled_corpus(shared_data, tmp_path / "other", SIZE_MB / 2, seed=SEED + 1)
    other_docs, _ = read_corpus(tmp_path / "other")
    assert not {doc["id"] for doc in other_docs} & {doc["id"] for doc in docs}
    build_labelled_corpus(shared_data, tmp_path / "half", SIZE_MB / 2, seed=SEED)
    half_docs, _ = read_corpus(tmp_path / "half")
    by_id = {doc["id"]: doc for doc in docs}
    assert len(half_docs) < len(docs) and all(by_id[doc["id"]] == doc for doc in half_docs)


# --- beyond the real text: synthetic documents ----------------------------------------------------


def test_synthetic_documents_keep_the_pool_lengths_and_are_distinct(shared_data):
    pool = base_pool(shared_data.resolve(), 0)
    sentences = sentence_pools(pool)
    rng = random.Random(1)
    synthetic, templates = [], []
    for _ in range(1000):
        template = pool[rng.randrange(len(pool))]
        synthetic.append(synthesize(rng, template, sentences[(template.source, template.traditional)]))
        templates.append(template)
    for source in SOURCES:
        pairs = [
            (len("\n".join(made.paragraphs)), len("\n".join(template.paragraphs)))
            for made, template in zip(synthetic, templates)
            if made.source == source
        ]
        made_chars, template_chars = np.sum(pairs, axis=0)
        assert abs(made_chars / template_chars - 1) < 0.03, source
    assert all(doc.origin == "synthetic" for doc in synthetic)
    assert similar_pairs(document_shingles("\n".join(doc.paragraphs) for doc in synthetic), 0.3) == []


# --- a 10k-document corpus ------------------------------------------------------------------------


def test_ten_thousand_documents_hold_pairs_on_both_sides_of_0_8(shared_data, tmp_path):
    manifest = build_labelled_corpus(shared_data, tmp_path, TEN_K_SIZE_MB, seed=0)
    docs, labels = read_corpus(tmp_path)
    assert manifest["documents"] == len(docs) >= 10_000
    assert {part for label in labels.values() for part in label["edit"].split("+")} == set(LABEL_ORDER) | {
        "original",
        "exact_copy",
    }
    duplicated = {label["family"] for label in labels.values() if label["edit"] != "original"}
    members = [doc["text"] for doc in docs if labels[doc["id"]]["family"] in duplicated]
    similarity = np.array([pair[2] for pair in similar_pairs(document_shingles(members), 0.6)])
    assert (similarity >= 0.8).sum() >= 3000
    assert (similarity < 0.8).sum() >= 1000
