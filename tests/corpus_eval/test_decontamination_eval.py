from __future__ import annotations

import random
import re
import time

import numpy as np

from corpus_eval.decontamination_eval import (
    CLEAN_SOURCES,
    SYNONYMS,
    VARIANTS,
    EvalDoc,
    build_eval_set,
    half,
    load_clean,
    render,
    spliced_docs,
    variant_text,
)
from corpus_pipeline.rules.decontamination import (
    DEFAULT_N,
    BenchmarkItem,
    OverlapRule,
    build_index,
    default_benchmarks,
    load_benchmarks,
)

ITEM = BenchmarkItem(
    "bench",
    "f:1",
    "下列关于我国古代农业发展的说法，正确的是",
    ("精耕细作", "刀耕火种", "男耕女织", "铁犁牛耕"),
    ("A", "B", "C", "D"),
)
_MARKER = re.compile(r"(?:^|\s|[（(])[（(]?[A-D][)）]?[．.、：]?")


def test_half_is_stable_and_balanced():
    assert half("clue:clue-0") == half("clue:clue-0")
    shares = [half(f"k{i}") for i in range(2000)]
    assert 0.45 < shares.count("a") / len(shares) < 0.55


def test_render_layouts():
    rng = random.Random(0)
    seen = set()
    for _ in range(40):
        text = render(ITEM.question, list(ITEM.options), True, rng)
        assert text.startswith(ITEM.question)
        positions = [text.index(option) for option in ITEM.options]
        assert positions == sorted(positions)
        seen.add("\n" in text[len(ITEM.question) + 1 :])
    assert seen == {True, False}  # one option a line, and all in one line
    plain = render(ITEM.question, list(ITEM.options), False, random.Random(1))
    assert not re.search(r"[A-D][．.、：)）]", plain)
    assert render("只有题干", [], True, rng) == "只有题干"


def test_variants():
    rng = random.Random(3)
    exact, _ = variant_text(ITEM, "exact", rng)
    assert ITEM.question in exact and all(o in exact for o in ITEM.options)
    reordered, _ = variant_text(ITEM, "reordered", rng)
    order = sorted(ITEM.options, key=reordered.index)
    assert order != list(ITEM.options) and sorted(order) == sorted(ITEM.options)
    assert variant_text(ITEM, "question_only", rng) == (ITEM.question, None)
    no_letters, _ = variant_text(ITEM, "no_letters", rng)
    assert not re.search(r"[A-D][．.、：)）]", no_letters)
    edited, _ = variant_text(ITEM, "char_edits", rng)
    stem = edited.split("\n")[0].split("A")[0].split("(")[0].split("（")[0]
    assert stem != ITEM.question and abs(len(stem) - len(ITEM.question)) <= 2
    paraphrased, detail = variant_text(ITEM, "paraphrase", rng)
    assert detail == "synonym" and ITEM.question not in paraphrased
    assert any(SYNONYMS[w] in paraphrased for w in SYNONYMS if w in ITEM.question)
    _, fallback = variant_text(BenchmarkItem("b", "x", "甲乙丙丁戊己庚辛", ("子", "丑")), "paraphrase", rng)
    assert fallback == "fallback"


def _carriers() -> list[EvalDoc]:
    docs = []
    for k in range(40):
        text = "\n".join(f"第{k}篇文章的第{p}段，讲述了一些日常生活中的小事情。" for p in range(6))
        key = f"toy:{k}"
        docs.append(EvalDoc(key, text, "toy", half(key), "clean"))
    return docs


def test_spliced_docs_are_deterministic_and_labelled():
    items = [
        BenchmarkItem("bench", f"f:{k}", ITEM.question + f"（第{k}题）", ITEM.options, ITEM.letters) for k in range(30)
    ] + [BenchmarkItem("bench", "f:bare", "这是一道没有选项的题目，请直接作答", ())]
    carriers = _carriers()
    first = spliced_docs(items, carriers, "a", seed=7, per_benchmark=None)
    assert first == spliced_docs(items, carriers, "a", seed=7, per_benchmark=None)
    assert first != spliced_docs(items, carriers, "a", seed=8, per_benchmark=None)
    item_halves = {f"bench/{i.item_id}": half(i.label) for i in items}
    assert {item_halves[d.item_label] for d in first} == {"a"}
    carrier_texts = {c.text for c in carriers if c.half == "a"}
    for doc in first:
        assert doc.label == "spliced" and doc.half == "a" and doc.variant in VARIANTS
        assert doc.source == "toy"
        paragraphs = [p for p in doc.text.split("\n") if p.startswith("第")]
        assert paragraphs and all(any(p in text for text in carrier_texts) for p in paragraphs)
    per_item = {}
    for doc in first:
        per_item.setdefault(doc.item_id, set()).add(doc.variant)
    for item_id, variants in per_item.items():
        expected = set(VARIANTS) - ({"reordered", "no_letters"} if item_id == "f:bare" else set())
        assert variants == expected
    assert len({d.item_id for d in spliced_docs(items, carriers, "a", seed=7, per_benchmark=3)}) == 3


# GNE pages' reference texts take ~7 CPU seconds to derive (corpus_eval.extraction_gold): the bench uses them, the
# tests use the six other clean sources
FAST_SOURCES = tuple(s for s in CLEAN_SOURCES if s != "gne")


def test_real_sets(shared_data):
    clean = load_clean(shared_data, sources=FAST_SOURCES)
    by_source = {s: sum(1 for d in clean if d.source == s) for s in FAST_SOURCES}
    assert by_source["zhwiki"] == 256 and by_source["clue"] == 2500 and by_source["thucnews"] == 1000
    assert by_source["extraction_gold"] == 69 and by_source["trec06c_ham"] >= 7000
    assert 400 <= by_source["novels"] <= 470
    assert all(d.label == "clean" and len(d.text) > 0 for d in clean)
    halves = {d.half for d in clean}
    assert halves == {"a", "b"}
    a, b = load_clean(shared_data, "a", FAST_SOURCES), load_clean(shared_data, "b", FAST_SOURCES)
    assert not {d.id for d in a} & {d.id for d in b} and len(a) + len(b) == len(clean)


def test_real_accuracy(shared_data):
    """The default rule on a sample of half b: at most 0.1% of clean documents removed, at least 95% of spliced
    ones (every variant) removed."""
    start = time.process_time()
    docs = build_eval_set(shared_data, "b", seed=1, per_benchmark=40, clean_sources=FAST_SOURCES)
    items = load_benchmarks(default_benchmarks(shared_data))
    index = build_index(items, DEFAULT_N, OverlapRule())
    removed = np.concatenate(
        [index.match_batch([d.text for d in docs[i : i + 500]]).contaminated for i in range(0, len(docs), 500)]
    )
    clean = np.array([d.label == "clean" for d in docs])
    assert clean.sum() > 5000 and (~clean).sum() >= 400
    assert (removed & clean).sum() <= 0.001 * clean.sum()
    assert (removed & ~clean).sum() >= 0.95 * (~clean).sum()
    assert time.process_time() - start < 60
