import json

from corpus_eval.ground_truth import score


def row(reason, expected, ad_lines=0, truth_ad_lines=0):
    meta = json.dumps({"truth": {"expected_clean": expected, "ad_lines": truth_ad_lines}})
    return {"reason": reason, "meta": meta, "ad_lines": ad_lines, "dup_paragraphs": 0}


def test_precision_and_recall_per_reason():
    rows = [row(None, "kept"), row("too_short", "too_short"), row("too_short", "kept"),
            row(None, "too_short"), row("ad_keywords", "ad_keywords"), {"reason": None, "meta": None}]
    result = score(rows)
    assert result["documents_scored"] == 5
    assert result["reasons"]["too_short"] == {"predicted": 2, "expected": 2, "agree": 1, "precision": 0.5,
                                              "recall": 0.5}
    assert result["reasons"]["ad_keywords"]["precision"] == 1.0
    assert result["reasons"]["kept"] == {"predicted": 2, "expected": 2, "agree": 1, "precision": 0.5, "recall": 0.5}


def test_line_rules_scored_on_counts_of_correctly_kept_documents():
    rows = [row(None, "kept", ad_lines=2, truth_ad_lines=1), row(None, "kept", ad_lines=0, truth_ad_lines=1),
            row("too_short", "kept", ad_lines=5, truth_ad_lines=0)]
    assert score(rows)["line_rules"]["ad_lines"] == {"predicted": 2, "expected": 2, "agree": 1,
                                                     "precision": 0.5, "recall": 0.5}


def _doc(doc_id, truth_of, reason=None, duplicate_of=None):
    return {"id": doc_id, "meta": json.dumps({"truth": {"duplicate_of": truth_of}}), "reason": reason,
            "duplicate_of": duplicate_of}


def test_dedup_scores_count_groups_not_which_copy_was_kept():
    from corpus_eval.ground_truth import score_dedup

    rows = [
        _doc("a", None), _doc("a1", "a", "near_duplicate", "a2"), _doc("a2", "a1"),  # chain a <- a1 <- a2; a2 kept
        _doc("a3", "a", "exact_duplicate", "a"),
        _doc("b", None), _doc("b1", "b"),  # missed: b1 should have gone
        _doc("c", None, "near_duplicate", "b"),  # a false positive: c is no copy of b
        {"id": "x", "meta": json.dumps({}), "reason": None, "duplicate_of": None},  # no truth: not scored
    ]
    assert score_dedup(rows) == {"documents_scored": 7, "groups": 2, "predicted": 3, "expected": 4, "agree": 2,
                                 "precision": round(2 / 3, 4), "recall": 0.5}
    assert score_dedup([{"id": "x", "meta": "{}"}]) is None
