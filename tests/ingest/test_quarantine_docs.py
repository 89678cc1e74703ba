"""docs/bad-input.md names every quarantine reason the readers give, with its trigger and what is kept."""

from __future__ import annotations

import re

from corpus_pipeline.ingest import quarantine as q
from tests.conftest import REPO_ROOT

OTHER_REASONS = ("duplicate_id",)  # given by the clean stage itself (corpus_pipeline/clean/batch.py)


def reasons() -> dict[str, str]:
    """Every reason constant of corpus_pipeline.ingest.quarantine (snake_case string values of UPPER names)."""
    return {
        name: value
        for name, value in vars(q).items()
        if name.isupper() and isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", value)
    }


def table_rows() -> dict[str, list[str]]:
    """The reason table of docs/bad-input.md: reason -> its cells (trigger, what is kept)."""
    text = (REPO_ROOT / "docs" / "bad-input.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        found = re.match(r"\| `([a-z_]+)` \|(.*)\|\s*$", line)
        if found:
            rows[found.group(1)] = [cell.strip() for cell in found.group(2).split(" | ")]
    return rows


def test_every_quarantine_reason_has_a_row_with_its_trigger_and_what_is_kept():
    rows = table_rows()
    expected = {*reasons().values(), *OTHER_REASONS}
    assert len(reasons()) >= 19
    assert expected <= set(rows), f"missing from docs/bad-input.md: {sorted(expected - set(rows))}"
    for reason in expected:
        trigger, kept = rows[reason]
        assert len(trigger) > 20 and len(kept) > 10, reason


def test_the_table_names_no_reason_the_code_does_not_give():
    assert set(table_rows()) <= {*reasons().values(), *OTHER_REASONS}
