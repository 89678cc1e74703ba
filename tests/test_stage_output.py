import pytest

from corpus_pipeline.stage_output import ConservationError, check_conservation, summarize

ROWS = [
    {"outcome": "kept", "reason": None, "source": "web", "documents": 5, "bytes_in": 500, "bytes_out": 300},
    {"outcome": "removed", "reason": "too_short", "source": "web", "documents": 2, "bytes_in": 40, "bytes_out": 20},
    {"outcome": "removed", "reason": "too_short", "source": "news", "documents": 1, "bytes_in": 10, "bytes_out": 9},
    {"outcome": "quarantined", "reason": "malformed_json", "source": "news", "documents": 1, "bytes_in": 7,
     "bytes_out": 0},
]


def test_summarize_totals_reasons_and_sources():
    stats = summarize(ROWS)
    assert stats["documents"] == {"in": 9, "kept": 5, "removed": 3, "quarantined": 1}
    assert stats["bytes"] == {"in": 557, "kept": 300, "removed": 29, "quarantined": 7}
    assert stats["removed"] == {"too_short": {"documents": 3, "bytes": 29}}
    assert stats["quarantined"] == {"malformed_json": {"documents": 1, "bytes": 7}}
    assert stats["sources"]["news"]["documents"] == {"in": 2, "kept": 0, "removed": 1, "quarantined": 1}


def test_conservation_ok_and_failures():
    stats = summarize(ROWS)
    assert check_conservation(stats, {"kept": 5, "removed": 3, "quarantined": 1}) == {"in": 9, "written": 9, "ok": True}
    with pytest.raises(ConservationError, match=r"removed/ holds 2 rows, expected 3"):
        check_conservation(stats, {"kept": 5, "removed": 2, "quarantined": 1})


def test_unknown_outcome_rejected():
    with pytest.raises(ConservationError):
        summarize([{**ROWS[0], "outcome": "lost"}])
