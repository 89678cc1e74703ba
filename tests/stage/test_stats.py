import json

import pytest

from corpus_pipeline.errors import InputError
from corpus_pipeline.stage.stats import ConservationError, StageStats, check_conservation, count_outcomes

ROWS = [
    {"outcome": "kept", "reason": None, "source": "web", "documents": 5, "bytes_in": 500, "bytes_out": 300},
    {"outcome": "removed", "reason": "too_short", "source": "web", "documents": 2, "bytes_in": 40, "bytes_out": 20},
    {"outcome": "removed", "reason": "too_short", "source": "news", "documents": 1, "bytes_in": 10, "bytes_out": 9},
    {
        "outcome": "quarantined",
        "reason": "malformed_json",
        "source": "news",
        "documents": 1,
        "bytes_in": 7,
        "bytes_out": 0,
    },
]


def test_count_outcomes_totals_reasons_and_sources():
    stats = count_outcomes("clean", ROWS)
    assert stats.stage == "clean"
    assert stats.documents == {"in": 9, "kept": 5, "removed": 3, "quarantined": 1}
    assert stats.bytes == {"in": 557, "kept": 300, "removed": 29, "quarantined": 7}
    assert stats.removed == {"too_short": {"documents": 3, "bytes": 29}}
    assert stats.quarantined == {"malformed_json": {"documents": 1, "bytes": 7}}
    assert stats.sources["news"]["documents"] == {"in": 2, "kept": 0, "removed": 1, "quarantined": 1}


def test_conservation_ok_and_failures():
    stats = count_outcomes("clean", ROWS)
    check_conservation(stats, {"kept": 5, "removed": 3, "quarantined": 1})
    assert stats.conservation == {"in": 9, "written": 9, "ok": True}
    with pytest.raises(ConservationError, match=r"removed outputs hold 2 rows, expected 3"):
        check_conservation(stats, {"kept": 5, "removed": 2, "quarantined": 1})


def test_unknown_outcome_rejected():
    with pytest.raises(ConservationError):
        count_outcomes("clean", [{**ROWS[0], "outcome": "lost"}])


def test_json_round_trip_keeps_stage_details_at_the_top_level():
    stats = count_outcomes("dedup", ROWS)
    check_conservation(stats, {"kept": 5, "removed": 3, "quarantined": 1})
    stats.details = {"dedup": {"bands": 16}, "recipe_sha256": "ab"}
    stats.seconds = 1.5
    data = json.loads(json.dumps(stats.to_json()))
    assert data["dedup"] == {"bands": 16} and data["seconds"] == 1.5 and data["documents"]["in"] == 9
    assert StageStats.from_json(data) == stats
    assert stats["dedup"]["bands"] == 16 and stats.summary() == {
        "in": 9,
        "kept": 5,
        "removed": 3,
        "quarantined": 1,
        "seconds": 1.5,
    }
    with pytest.raises(InputError, match="missing conservation"):
        StageStats.from_json({key: value for key, value in data.items() if key != "conservation"})
