"""Tests of the exact all-pairs Jaccard ground truth (``corpus_eval.dedup.exact_jaccard``)."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus_eval.dedup.exact_jaccard import (
    components,
    document_shingles,
    evaluate,
    expected_duplicates,
    ground_truth,
    jaccard,
    keep_order,
    precision_recall,
    similar_pairs,
)

THRESHOLDS = (0.8, 0.5, 1.0, 0.75, 2 / 3, 1 / 3, 0.9, 0.6, 0.05)


def naive_pairs(sets, threshold):
    """The definition: every pair of non-empty sets, Jaccard as one float division."""
    pairs = []
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            a, b = sets[i], sets[j]
            if a and b and len(a & b) / len(a | b) >= threshold:
                pairs.append((i, j, len(a & b) / len(a | b)))
    return pairs


def random_family_sets(rng: random.Random) -> list[frozenset[str]]:
    """Sets over a small vocabulary, many of them small edits of a few seeds (so many pairs are close)."""
    vocabulary = rng.randint(1, 14)
    seeds = [set(rng.sample(range(vocabulary), rng.randint(0, vocabulary))) for _ in range(rng.randint(1, 4))]
    sets = []
    for _ in range(rng.randint(0, 30)):
        members = set(rng.choice(seeds))
        for _ in range(rng.randint(0, 3)):
            if rng.random() < 0.5:
                members.add(rng.randrange(vocabulary))
            elif members:
                members.discard(rng.choice(sorted(members)))
        sets.append(frozenset(f"t{token}" for token in members))
    return sets


def test_matches_the_naive_loop_on_random_sets():
    rng = random.Random(20240601)
    for _ in range(1500):
        sets = random_family_sets(rng)
        threshold = rng.choice(THRESHOLDS + (rng.uniform(0.01, 1.0),))
        assert similar_pairs(sets, threshold) == naive_pairs(sets, threshold)


@pytest.mark.parametrize("token_key", [len, lambda token: 7, lambda token: hash(token) % 5])
def test_colliding_token_keys_cost_time_not_pairs(token_key):
    rng = random.Random(11)
    for _ in range(300):
        sets = random_family_sets(rng)
        threshold = rng.choice(THRESHOLDS)
        assert similar_pairs(sets, threshold, token_key=token_key) == naive_pairs(sets, threshold)


def test_keys_shared_across_sets_only_add_candidates():
    """Keys collide between sets but never inside one: the hashed path runs (no fallback) and stays exact."""
    rng = random.Random(12)
    digit = lambda token: int(token[1:])  # noqa: E731 - the key of "b7" is 7
    for _ in range(300):
        sets = [
            frozenset(f"{rng.choice('ab')}{d}" for d in rng.sample(range(9), rng.randint(0, 9)))
            for _ in range(rng.randint(0, 20))
        ]
        threshold = rng.choice(THRESHOLDS)
        assert similar_pairs(sets, threshold, token_key=digit) == naive_pairs(sets, threshold)
    assert similar_pairs(
        [frozenset({"a1", "a2"}), frozenset({"b1", "b2"}), frozenset({"a1", "a2"})], 0.5, token_key=digit
    ) == [(0, 2, 1.0)]


def test_matches_the_naive_loop_on_shingles_of_edited_texts():
    base = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
    rng = random.Random(5)
    texts = []
    for _ in range(60):
        chars = list(base)
        for _ in range(rng.randint(0, 6)):
            chars[rng.randrange(len(chars))] = rng.choice("天地玄黄宇宙洪荒")
        texts.append("".join(chars[: rng.randint(3, len(chars))]))
    sets = document_shingles(texts, n=3)
    for threshold in (0.8, 0.6, 0.3):
        assert similar_pairs(sets, threshold) == naive_pairs(sets, threshold)


def test_threshold_exactly_hit_is_included():
    four, five = frozenset("abcd"), frozenset("abcde")  # 4/5 = 0.8
    eight, ten = frozenset("abcdefgh"), frozenset("abcdefghij")  # 8/10 = 0.8
    seven, nine = frozenset("ABCDEFG"), frozenset("ABCDEFGHI")  # 7/9 < 0.8
    assert similar_pairs([four, five, eight, ten, seven, nine], 0.8) == [(0, 1, 0.8), (2, 3, 0.8)]
    assert similar_pairs([frozenset("ab"), frozenset("abc")], 2 / 3) == [(0, 1, 2 / 3)]


def test_empty_sets_are_never_similar():
    sets = [frozenset(), frozenset(), frozenset({"x"}), frozenset(), frozenset({"x"})]
    assert similar_pairs(sets, 0.8) == [(2, 4, 1.0)]
    assert similar_pairs([frozenset(), frozenset()], 0.1) == []
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_identical_sets_pair_with_each_other():
    same = frozenset({"春眠", "不觉", "晓处"})
    assert similar_pairs([same, same, frozenset({"other"}), same], 1.0) == [(0, 1, 1.0), (0, 3, 1.0), (1, 3, 1.0)]


def test_no_sets_and_single_set():
    assert similar_pairs([], 0.8) == []
    assert similar_pairs([frozenset({"a"})], 0.8) == []


@pytest.mark.parametrize("threshold", [0.0, -0.5, 1.01])
def test_threshold_outside_zero_one_is_refused(threshold):
    with pytest.raises(ValueError):
        similar_pairs([frozenset({"a"})], threshold)


def test_document_shingles_use_the_hashing_normalization():
    plain, punctuated, traditional, short, empty, missing = document_shingles(
        ["电脑软件", "电脑，软件！", "電腦軟件", "短文", "", None], n=3
    )
    assert plain == frozenset({"电脑软", "脑软件"})
    assert punctuated == plain and traditional == plain
    assert short == frozenset({"短文"})
    assert empty == frozenset() and missing == frozenset()


def doc(doc_id, priority=0, quality=None, text="x", source="web"):
    return {"id": doc_id, "priority": priority, "quality_score": quality, "text": text, "source": source}


def test_keep_order_priority_then_quality_then_length_then_id_then_source():
    ranked = [
        doc("z", priority=4, quality=None, text="a"),
        doc("y", priority=3, quality=0.9, text="a"),
        doc("x", priority=3, quality=0.2, text="aaaa"),
        doc("w", priority=3, quality=0.2, text="aaa"),
        doc("b", priority=3, quality=None, text="aaaaaaaa"),
        doc("c", priority=3, quality=None, text="aaaaaaa"),
        doc("d", priority=3, quality=None, text="aaaaaaa", source="news"),
        doc("d", priority=3, quality=None, text="aaaaaaa", source="web"),
    ]
    shuffled = list(ranked)
    random.Random(3).shuffle(shuffled)
    assert sorted(shuffled, key=keep_order) == ranked


def test_quality_zero_ranks_above_missing_quality():
    assert keep_order(doc("b", quality=0.0)) < keep_order(doc("a", quality=None))


def test_components_chain_through_intermediate_documents():
    assert sorted(map(sorted, components(7, [(0, 1), (1, 2), (4, 5), (5, 4), (2, 2)]))) == [[0, 1, 2], [4, 5]]


def test_expected_duplicates_keep_one_per_component():
    docs = [
        doc("a", priority=1, quality=0.5),
        doc("b", priority=3, quality=None),  # kept: the highest priority of its chain a-b-c
        doc("c", priority=1, quality=0.9),
        doc("d", priority=0, text="short"),
        doc("e", priority=0, text="longer text"),  # kept in d-e
        doc("f", priority=2),  # alone
    ]
    pairs = [(0, 1, 0.85), (1, 2, 0.81), (3, 4, 1.0)]  # a and c are not similar themselves
    assert expected_duplicates(docs, pairs) == {"a": "b", "c": "b", "d": "e"}
    assert expected_duplicates(docs, []) == {}


@pytest.mark.parametrize(
    ("predicted", "expected", "result"),
    [
        (set(), set(), (1.0, 1.0)),
        (set(), {"a"}, (1.0, 0.0)),
        ({"a"}, set(), (0.0, 1.0)),
        ({"a", "b", "c"}, {"a", "b", "d", "e"}, (2 / 3, 0.5)),
        ({"a"}, {"a"}, (1.0, 1.0)),
    ],
)
def test_precision_recall(predicted, expected, result):
    assert precision_recall(predicted, expected) == result


def small_corpus() -> pa.Table:
    base = "人民日报评论员文章指出各地要把群众的冷暖放在心上切实解决实际困难"
    rows = [
        ("n1", "news", base, 0.4),
        ("w1", "web", base.replace("群众", "群眾") + "。", None),  # script and punctuation only: same shingles
        ("w2", "web", base[:-3], 0.9),  # a prefix: Jaccard 24/27 shingles
        ("r1", "reviews", "完全不同的一条评论内容而且足够长可以形成很多片段", 0.1),
        ("e1", "encyclopedia", "", None),
    ]
    return pa.table(
        {
            "id": [r[0] for r in rows],
            "source": [r[1] for r in rows],
            "text": [r[2] for r in rows],
            "quality_score": pa.array([r[3] for r in rows], pa.float64()),
        }
    )


PRIORITIES = {"news": 3, "web": 1, "reviews": 0, "default": 0}


def test_ground_truth_and_evaluate_on_a_table():
    truth = ground_truth(small_corpus(), PRIORITIES)
    assert [(i, j) for i, j, _ in truth.pairs] == [(0, 1), (0, 2), (1, 2)]
    assert truth.removed == {"w1": "n1", "w2": "n1"}
    result = evaluate(small_corpus(), {"w1", "r1"}, PRIORITIES)
    assert {
        key: result[key]
        for key in (
            "documents",
            "similar_pairs",
            "expected_removed",
            "predicted_removed",
            "true_positives",
            "false_positives",
            "false_negatives",
        )
    } == {
        "documents": 5,
        "similar_pairs": 3,
        "expected_removed": 2,
        "predicted_removed": 2,
        "true_positives": 1,
        "false_positives": 1,
        "false_negatives": 1,
    }
    assert (result["precision"], result["recall"]) == (0.5, 0.5)
    assert result["false_positive_examples"] == ["r1"] and result["false_negative_examples"] == ["w2"]


def test_evaluate_reads_a_parquet_folder_and_checks_kept_ids(tmp_path):
    table = small_corpus()
    pq.write_table(table.slice(0, 2), tmp_path / "part-00000.parquet")
    pq.write_table(table.slice(2), tmp_path / "part-00001.parquet")
    result = evaluate(tmp_path, {"w1": "n1", "w2": "w1"}, PRIORITIES)
    assert (result["precision"], result["recall"], result["same_kept"]) == (1.0, 1.0, 0.5)


def test_unknown_source_gets_the_default_priority():
    table = pa.table({"id": ["a", "b"], "source": ["forum", "web"], "text": ["同一段文字内容"] * 2})
    assert ground_truth(table, {"web": 1, "default": 2}).removed == {"b": "a"}
    assert ground_truth(table, {"web": 1}).removed == {"a": "b"}
