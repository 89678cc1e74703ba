"""The README and docs describe what exists: every registered stage, step and removal reason, within size."""

from __future__ import annotations

from pathlib import Path

from corpus_pipeline.stage.registry import stages
from corpus_pipeline.steps.registry import STEPS

REPO = Path(__file__).resolve().parents[1]


def test_readme_is_short_and_its_stage_table_names_every_stage_and_reason():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= 12 * 1024
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines() if line.startswith("| `")}
    for stage in stages():
        assert stage.name in rows, stage.name
        for spec in STEPS:
            if spec.stage == stage.name:
                assert all(f"`{reason}`" in rows[stage.name] for reason in spec.reasons), spec.name
    for link in ("docs/stages.md", "docs/recipes.md", "docs/custom-steps.md", "docs/cluster.md", "bench/RESULTS.md"):
        assert (REPO / link).is_file() and f"]({link})" in readme, link


def test_recipes_doc_lists_every_step_with_its_stage_and_reasons():
    doc = (REPO / "docs" / "recipes.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")}
    for spec in STEPS:
        assert spec.name in rows, spec.name
        assert f"| {spec.stage} |" in rows[spec.name] and f"| {spec.kind} |" in rows[spec.name], spec.name
        assert all(f"`{reason}`" in rows[spec.name] for reason in spec.reasons), spec.name
