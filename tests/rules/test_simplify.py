import json
import re

from corpus_pipeline.rules.simplify import to_simplified


def test_traditional_to_simplified():
    assert to_simplified("國務院召開常務會議，研究經濟發展") == "国务院召开常务会议，研究经济发展"
    assert to_simplified("") == ""


def test_opencc_t2s_test_cases_pass(shared_data):
    """OpenCC's own t2s cases, read from ../shared/data at test time."""
    raw = (shared_data / "traditional" / "opencc_testcases.json").read_text(encoding="utf-8")
    cases = json.loads(re.sub(r",(\s*[}\]])", r"\1", raw))  # the file has trailing commas
    t2s = _cases_for(cases, "t2s")
    assert len(t2s) >= 5
    failures = [
        (source, expected, to_simplified(source)) for source, expected in t2s if to_simplified(source) != expected
    ]
    assert failures == []


def _cases_for(cases, config):
    """(input, expected) pairs of one conversion config from OpenCC's test-case file."""
    found = []
    for case in cases.get("cases", cases if isinstance(cases, list) else []):
        expected = case.get("expected", {})
        if config in expected:
            found.append((case["input"], expected[config]))
    return found
