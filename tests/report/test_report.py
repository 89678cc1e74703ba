"""The whole pipeline on a small demo corpus in one session, then the report: its numbers, its page, its look."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pyarrow.parquet as pq
import pytest

from corpus_eval.demo import build_demo_corpus
from corpus_eval.ground_truth import main as score_ground_truth
from corpus_pipeline.perplexity.model import load_lm_spec
from corpus_pipeline.pipeline import prepare_plans, run_pipeline
from corpus_pipeline.recipe import InputSpec, load_recipe
from corpus_pipeline.report.plots import KEPT_COLOR, REMOVED_COLOR
from corpus_pipeline.report.write import write_report
from corpus_pipeline.stage.registry import stage_names
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

HOSTILE = "<script>alert('x')</script>很短"
PROBE = {
    "preset": "tiny",
    "tokens": 4096,
    "seed": 0,
    "dev": {"evaluated_tokens": 1024},
    "corpora": {
        "raw": {"documents": 10, "corpus_tokens": 9000, "passes": 0.45, "dev_loss": 8.5, "dev_ppl": 4914.77},
        "cleaned": {"documents": 7, "corpus_tokens": 6000, "passes": 0.68, "dev_loss": 8.4, "dev_ppl": 4447.07},
    },
    "ranking": ["cleaned", "raw"],
}


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def run(spark, tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    raw = base / "raw"
    build_demo_corpus(raw, size_mb=0.4, seed=3)
    (raw / "forum").mkdir()
    (raw / "forum" / "posts.jsonl").write_text(json.dumps({"id": "hostile", "text": HOSTILE}) + "\n", encoding="utf-8")
    recipe = load_recipe()
    inputs = [InputSpec(path=str(raw / name), source=name) for name in ("web", "news", "reviews", "forum")]
    out = base / "run"
    record = run_pipeline(spark, inputs, str(out), recipe, prepare_plans(recipe), echo=lambda line: None)
    assert score_ground_truth(["--run", str(out)]) == 0  # the evaluation package writes RUN/ground_truth.json
    (out / "probe").mkdir()
    (out / "probe" / "probe.json").write_text(json.dumps(PROBE), encoding="utf-8")
    report = write_report(
        spark, str(out), load_lm_spec(recipe.models_path(recipe.perplexity.model)), sample_size=40, seed=0
    )
    return out, record, report


def stats(out, stage):
    return json.loads((out / stage / "stats.json").read_text(encoding="utf-8"))


STAGES = stage_names()


def test_run_writes_every_stage_and_a_run_record(run):
    out, record, _ = run
    assert list(record["stages"]) == list(STAGES)
    for stage in STAGES:
        assert (out / stage / "_SUCCESS").exists()
    assert json.loads((out / "run.json").read_text(encoding="utf-8")) == record
    for before, after in zip(STAGES[:3], STAGES[1:4]):  # each stage reads what the one before kept
        assert record["stages"][after]["in"] == record["stages"][before]["kept"]
    assert record["stages"]["pack"]["documents"] == record["stages"]["dedup"]["kept"]


def test_report_json_is_written_and_its_counts_are_the_stages(run):
    out, _, report = run
    assert json.loads((out / "report.json").read_text(encoding="utf-8")) == report
    for row in report["funnel"][:-1]:
        docs = stats(out, row["stage"])["documents"]
        assert (row["in"], row["kept"], row["removed"], row["quarantined"]) == (
            docs["in"],
            docs["kept"],
            docs["removed"],
            docs["quarantined"],
        )
    pack = stats(out, "pack")
    assert report["funnel"][-1]["tokens"] == pack["tokens"] == sum(report["tokens"].values())
    assert report["tokens"] == {name: part["tokens"] for name, part in pack["mixture"].items()}
    for stage, table in report["reasons"].items():
        s = stats(out, stage)
        assert {r: row["documents"] for r, row in table.items()} == {
            r: c["documents"] for outcome in ("removed", "quarantined") for r, c in s[outcome].items()
        }
    assert report["reasons"]["clean"]["low_cjk_ratio"]["sources"]["forum"] == 1


def test_distributions_and_perplexity_shift_come_from_bounded_samples(run):
    out, _, report = run
    clean = report["distributions"]["clean"]
    assert set(clean) == {"cjk_ratio", "n_chars", "perplexity"}  # no spam or quality score before those stages
    assert set(report["distributions"]["quality"]) == {
        "cjk_ratio",
        "n_chars",
        "spam_score",
        "quality_score",
        "perplexity",
    }
    for stage, metrics in report["distributions"].items():
        for metric, data in metrics.items():
            for part in ("kept", "removed"):
                assert data[part].get("n", 0) <= 40
                assert sum(data[part].get("histogram", [])) == data[part].get("n", 0)
    shifts = {row["stage"]: row for row in report["perplexity_shift"]}
    assert list(shifts) == ["clean", "filter", "quality", "dedup"]
    clean_stats = stats(out, "clean")["documents"]
    assert shifts["clean"]["removed_fraction"] == pytest.approx(
        (clean_stats["removed"] + clean_stats["quarantined"]) / clean_stats["in"]
    )
    assert shifts["clean"]["sampled_kept"] == 40 < clean_stats["kept"]  # a sample, not everything
    # what the rules removed reads worse than what they kept, and the kept median drops
    assert shifts["clean"]["median_removed"] > 3 * shifts["clean"]["median_kept"]
    assert shifts["clean"]["shift"] < 0


def test_audit_samples_clusters_ground_truth_and_probe(run):
    out, _, report = run
    for stage, by_reason in report["samples"].items():
        removed = {row["id"]: row["reason"] for row in pq.read_table(out / stage / "removed").to_pylist()}
        assert set(by_reason) == set(stats(out, stage)["removed"])
        for reason, docs in by_reason.items():
            assert 1 <= len(docs) <= 5 and all(removed[d["id"]] == reason and len(d["text"]) <= 400 for d in docs)
    clusters = report["dedup_clusters"]
    assert clusters["documents_removed"] == stats(out, "dedup")["documents"]["removed"] > 0
    truth = report["ground_truth"]
    assert truth["clean"]["documents_scored"] == stats(out, "clean")["documents"]["in"] - 1  # hostile has none
    assert truth["clean"]["reasons"]["too_short"]["precision"] is not None
    assert truth["dedup"]["precision"] >= 0.9 and truth["dedup"]["recall"] >= 0.8
    assert report["probe"] == PROBE


def test_html_is_one_self_contained_page_with_escaped_text(run):
    out, _, report = run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 10
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;很短" in html
    assert "<script" not in html.replace("&lt;script", "")
    assert not re.search(r"""(src|href)=["'](https?:|file:|//)""", html)  # nothing fetched
    assert "4,447.070" in html and "cleaned" in html  # the probe table


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            if os.environ.get("CI"):  # without a CJK font the audit samples would show as empty boxes
                fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
                assert fonts.strip(), "no CJK font installed (.ci/run installs fonts-wqy-zenhei)"
            return shutil.which(name)
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def test_report_renders_in_headless_chromium_with_its_plots(run, tmp_path):
    from PIL import Image

    out, _, _ = run
    shot = tmp_path / "report.png"
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
        "--window-size=1200,4200",
        f"--screenshot={shot}",
        (out / "report.html").as_uri(),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 4200)
    pixels = list(getattr(image, "get_flattened_data", image.getdata)())

    def near(color: str) -> int:
        target = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
        return sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, target)))

    # solid bars of the funnel/reasons/shift plots in the plots' own colours: the SVGs were drawn
    assert near(KEPT_COLOR) > 5000 and near(REMOVED_COLOR) > 2000
    assert sum(1 for p in pixels if p != (255, 255, 255)) > 0.05 * 1200 * 4200  # not a blank page
