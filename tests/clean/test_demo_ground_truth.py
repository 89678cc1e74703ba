"""The clean stage on the demo corpus (1 MB, seeded) in Spark, scored against the corpus's ground truth."""

from __future__ import annotations

import json

import pytest

from corpus_eval.demo import build_demo_corpus
from corpus_eval.ground_truth import score_stage_dir
from corpus_pipeline.recipe import InputSpec, load_recipe
from corpus_pipeline.stage.commit import run_stage
from tests.spark_session import module_session

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def scored(request, tmp_path_factory):
    spark = module_session(request)
    raw = tmp_path_factory.mktemp("demo") / "raw"
    manifest = build_demo_corpus(raw, size_mb=1.0, seed=3)
    out = raw.parent / "clean"
    inputs = [InputSpec(path=str(raw / name), source=name) for name in ("web", "news", "reviews")]
    stats = run_stage(spark, "clean", inputs, str(out), load_recipe())
    return manifest, stats, score_stage_dir(out)


def test_every_demo_document_is_accounted_for(scored):
    manifest, stats, result = scored
    assert stats["documents"]["in"] == manifest["documents"] == result["documents_scored"]
    assert stats["documents"]["quarantined"] == 0


@pytest.mark.parametrize("reason", ["kept", "ad_keywords", "too_short", "low_cjk_ratio", "title_only"])
def test_each_rule_precision_and_recall(scored, reason):
    _, _, result = scored
    s = result["reasons"][reason]
    assert s["expected"] > 0
    assert s["precision"] >= 0.95, json.dumps(s)
    assert s["recall"] >= 0.85, json.dumps(s)


def test_duplicated_paragraphs_and_ad_lines(scored):
    _, _, result = scored
    lines = result["line_rules"]
    assert lines["dup_paragraphs"]["precision"] == 1.0 and lines["dup_paragraphs"]["recall"] == 1.0
    assert lines["ad_lines"]["precision"] >= 0.95 and lines["ad_lines"]["recall"] >= 0.75
