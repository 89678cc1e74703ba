import json

from corpus_pipeline.ground_truth import score


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
