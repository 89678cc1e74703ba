import json

from corpus_eval.ground_truth import score


def row(reason, expected, ad_lines=0, truth_ad_lines=0, text="", dup=0, truth_dup=0):
    meta = json.dumps(
        {"truth": {"expected_clean": expected, "ad_lines": truth_ad_lines, "duplicated_paragraphs": truth_dup}}
    )
    return {"reason": reason, "meta": meta, "ad_lines": ad_lines, "dup_paragraphs": dup, "text": text}


AD = "加微信abc123领取内部资料，名额有限先到先得"  # one of the demo's ad-line templates, filled
PARAGRAPH = "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五。"


def test_precision_and_recall_per_reason():
    rows = [
        row(None, "kept"),
        row("too_short", "too_short"),
        row("too_short", "kept"),
        row(None, "too_short"),
        row("ad_keywords", "ad_keywords"),
        {"reason": None, "meta": None},
    ]
    result = score(rows)
    assert result["documents_scored"] == 5
    assert result["reasons"]["too_short"] == {
        "predicted": 2,
        "expected": 2,
        "agree": 1,
        "precision": 0.5,
        "recall": 0.5,
    }
    assert result["reasons"]["ad_keywords"]["precision"] == 1.0
    assert result["reasons"]["kept"] == {"predicted": 2, "expected": 2, "agree": 1, "precision": 0.5, "recall": 0.5}


def test_line_rules_precision_of_the_rule_and_recall_of_the_stage():
    rows = [
        row(None, "kept", ad_lines=2, truth_ad_lines=1, text="正文"),  # the rule removed it (and one more)
        row(None, "kept", ad_lines=0, truth_ad_lines=1, text="正文"),  # another step removed it
        row(None, "kept", ad_lines=0, truth_ad_lines=1, text=f"正文\n{AD}\n结尾"),  # it is still there
        row("too_short", "kept", ad_lines=5, truth_ad_lines=0),
    ]
    assert score(rows)["line_rules"]["ad_lines"] == {
        "predicted": 2,
        "expected": 3,
        "agree": 1,
        "removed_by_stage": 2,
        "precision": 0.5,
        "recall": 0.6667,
    }


def test_duplicated_paragraph_still_in_the_text_counts_against_recall():
    rows = [
        row(None, "kept", dup=1, truth_dup=1, text=PARAGRAPH),
        row(None, "kept", dup=0, truth_dup=1, text=f"{PARAGRAPH}\n短句\n{PARAGRAPH}"),
    ]
    assert score(rows)["line_rules"]["dup_paragraphs"] == {
        "predicted": 1,
        "expected": 2,
        "agree": 1,
        "removed_by_stage": 1,
        "precision": 1.0,
        "recall": 0.5,
    }


def test_remaining_ad_lines_match_templates_by_their_chinese_characters():
    from corpus_eval.ground_truth import _ad_line_patterns, remaining_ad_lines

    patterns = _ad_line_patterns()
    assert remaining_ad_lines(f"{AD}\n普通的一行文字", patterns) == 1
    assert remaining_ad_lines("加 微信 xyz 领取 内部资料 名额有限 先到先得", patterns) == 1
    assert remaining_ad_lines("国家统计局今天发布数据\n普通的一行文字", patterns) == 0


def _doc(doc_id, truth_of, reason=None, duplicate_of=None):
    return {
        "id": doc_id,
        "meta": json.dumps({"truth": {"duplicate_of": truth_of}}),
        "reason": reason,
        "duplicate_of": duplicate_of,
    }


def test_dedup_scores_count_groups_not_which_copy_was_kept():
    from corpus_eval.ground_truth import score_dedup

    rows = [
        _doc("a", None),
        _doc("a1", "a", "near_duplicate", "a2"),
        _doc("a2", "a1"),  # chain a <- a1 <- a2; a2 kept
        _doc("a3", "a", "exact_duplicate", "a"),
        _doc("b", None),
        _doc("b1", "b"),  # missed: b1 should have gone
        _doc("c", None, "near_duplicate", "b"),  # a false positive: c is no copy of b
        {"id": "x", "meta": json.dumps({}), "reason": None, "duplicate_of": None},  # no truth: not scored
    ]
    assert score_dedup(rows) == {
        "documents_scored": 7,
        "groups": 2,
        "predicted": 3,
        "expected": 4,
        "agree": 2,
        "precision": round(2 / 3, 4),
        "recall": 0.5,
    }
    assert score_dedup([{"id": "x", "meta": "{}"}]) is None
