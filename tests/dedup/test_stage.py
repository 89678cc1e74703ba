"""The dedup stage end to end in Spark local mode: keep rule, reasons, stats, determinism."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus_pipeline.dedup.stage import dedup_plan
from corpus_pipeline.errors import InputError
from corpus_pipeline.recipe import parse_recipe
from corpus_pipeline.rules.simplify import converter
from corpus_pipeline.stage.commit import run_stage
from tests.conftest import REPO_ROOT
from tests.spark_session import module_session

pytestmark = pytest.mark.spark

POOL = [chr(0x4E00 + i) for i in range(0, 20000, 7)]


def random_text(rng: random.Random, chars: int) -> str:
    sentences = []
    while sum(map(len, sentences)) < chars:
        sentences.append("".join(rng.choice(POOL) for _ in range(rng.randint(15, 40))) + "。")
    return "".join(sentences)


def edited(rng: random.Random, text: str, changes: int) -> str:
    chars = list(text)
    for position in rng.sample(range(len(chars)), changes):
        chars[position] = rng.choice(POOL)
    return "".join(chars)


def recipe_for(**dedup):
    return parse_recipe(
        {
            "sources": {
                "web": {"steps": ["dedup"], "priority": 1},
                "news": {"steps": ["dedup"], "priority": 3},
                "ebook": {"steps": ["dedup"], "priority": 2},
                "archive": {"steps": ["quality"], "priority": 9},  # not deduplicated
                "default": {"steps": ["dedup"], "priority": 0},
            },
            "dedup": dedup,
        }
    )


def write_documents(path, rows, files: int = 1) -> str:
    columns = ["id", "source", "url", "title", "text", "meta", "quality_score"]
    table = pa.table(
        {name: [row.get(name) for row in rows] for name in columns},
        schema=pa.schema([(name, pa.float64() if name == "quality_score" else pa.string()) for name in columns]),
    )
    path.mkdir(parents=True, exist_ok=True)
    step = -(-len(rows) // files)
    for i in range(files):
        pq.write_table(table.slice(i * step, step), path / f"part-{i:03d}.parquet")
    return str(path)


def doc(id_, source, text, quality=None):
    return {
        "id": id_,
        "source": source,
        "text": text,
        "url": f"https://example.com/{id_}",
        "title": id_,
        "meta": "{}",
        "quality_score": quality,
    }


@pytest.fixture(scope="module")
def spark(request):
    return module_session(request)


@pytest.fixture(scope="module")
def scenario():
    rng = random.Random(0)
    base = [random_text(rng, 1200) for _ in range(8)]
    simplified = (
        "天下大势，分久必合，合久必分。周末七国分争，并入于秦。及秦灭之后，楚、汉分争，又并入于汉。"
        "汉朝自高祖斩白蛇而起义，一统天下，后来光武中兴，传至献帝，遂分为三国。"
    ) * 3
    return [
        doc("w1", "web", base[0]),
        doc("n1", "news", base[0]),  # exact; news has the higher priority
        doc("w2", "web", base[1].replace("。", "！")),
        doc("w3", "web", " ".join(base[1])),  # re-punctuated, spaced
        doc("n2", "news", base[1]),
        doc("w4", "web", base[2], 0.4),
        doc("w5", "web", base[2], 0.9),  # the quality score decides
        doc("w6", "web", base[3]),
        doc("w7", "web", base[3]),  # identical: the smaller id
        doc("w8", "web", base[4]),
        doc("w9", "web", edited(rng, base[4], 8)),  # near, same length: smaller id
        doc("e1", "ebook", base[5] + random_text(rng, 40)),
        doc("w10", "web", base[5]),  # near; ebook's priority
        doc("a1", "archive", base[6]),
        doc("a2", "archive", base[6]),  # archive has no dedup step: both kept
        doc("w11", "web", base[6]),  # the only copy among deduplicated sources
        doc("t1", "web", converter("s2t").convert(simplified)),
        doc("s1", "other", simplified),  # script variants
        doc("u1", "web", base[7]),
        doc("w12", "web", base[7][:-30]),  # near; the longer one
        doc("u2", "web", random_text(rng, 50)),
        doc("empty", "web", ""),
    ]


@pytest.fixture(scope="module")
def result(spark, scenario, tmp_path_factory):
    base = tmp_path_factory.mktemp("dedup")
    stats = run_stage(
        spark, "dedup", [write_documents(base / "in", scenario, files=3)], str(base / "out"), recipe_for()
    )
    removed = pq.read_table(base / "out" / "removed").to_pylist()
    kept = pq.read_table(base / "out" / "kept").to_pylist()
    return stats, {r["id"]: (r["reason"], r["duplicate_of"]) for r in removed}, kept, base / "out"


EXPECTED_REMOVED = {
    "w1": ("exact_duplicate", "n1"),
    "w2": ("exact_duplicate", "n2"),
    "w3": ("exact_duplicate", "n2"),
    "w4": ("exact_duplicate", "w5"),
    "w7": ("exact_duplicate", "w6"),
    "w9": ("near_duplicate", "w8"),
    "w10": ("near_duplicate", "e1"),
    "s1": ("exact_duplicate", "t1"),  # t1 is web (priority 1), s1's source is unnamed (default, 0)
    "w12": ("near_duplicate", "u1"),
}


def test_removed_documents_name_the_kept_one(result):
    assert result[1] == EXPECTED_REMOVED


def test_kept_documents_pass_through_unchanged(result, scenario):
    _, _, kept, _ = result
    assert sorted(row["id"] for row in kept) == sorted(d["id"] for d in scenario if d["id"] not in EXPECTED_REMOVED)
    by_id = {d["id"]: d for d in scenario}
    assert all(row == by_id[row["id"]] for row in kept)


def test_stats(result):
    stats, _, _, out = result
    assert stats.to_json() == json.loads((out / "stats.json").read_text(encoding="utf-8"))
    assert (out / "_SUCCESS").exists() and not (out / "_checkpoints").exists()
    assert stats["documents"] == {"in": 22, "kept": 13, "removed": 9, "quarantined": 0}
    dedup = stats["dedup"]
    assert (dedup["bands"], dedup["rows"], dedup["num_perm"], dedup["ngram"]) == (16, 8, 128, 5)
    assert dedup["verify"] == "exact"
    assert dedup["documents"] == 20  # the two archive documents take no part
    assert dedup["exact_groups"] == 14
    assert dedup["removed"] == {"exact_duplicate": {"other": 1, "web": 5}, "near_duplicate": {"web": 3}}
    assert dedup["cluster_sizes"] == {"2": 7, "3": 1}
    assert dedup["verified_edges"] == 3
    assert stats["sources"]["web"]["removed"]["exact_duplicate"]["documents"] == 5


def test_unique_ids_are_required(spark, tmp_path):
    rows = [doc("x", "web", "甲乙丙丁戊" * 40), doc("x", "web", "己庚辛壬癸" * 40)]
    with pytest.raises(InputError, match=r"repeats \(source, id\) pairs, e.g. \(web, x\) x2"):
        run_stage(spark, "dedup", [write_documents(tmp_path / "in", rows)], str(tmp_path / "out"), recipe_for())


def family_corpus(seed: int = 1, families: int = 60) -> list[dict]:
    """Families of near and exact copies across sources, plus unrelated documents."""
    rng = random.Random(seed)
    docs = []
    for family in range(families):
        text = random_text(rng, rng.randint(200, 1500))
        for copy in range(rng.randint(1, 5)):
            variant = text if rng.random() < 0.3 else edited(rng, text, rng.randint(1, len(text) // 60 + 1))
            quality = rng.choice([None, round(rng.random(), 3)])
            docs.append(doc(f"f{family}-{copy}", rng.choice(["web", "news", "ebook", "other"]), variant, quality))
    rng.shuffle(docs)
    return docs


def _decisions(out) -> dict:
    removed = pq.read_table(out / "removed", columns=["id", "duplicate_of", "reason"]).to_pylist()
    return {r["id"]: (r["reason"], r["duplicate_of"]) for r in removed}


def test_same_result_for_any_partitioning(spark, tmp_path):
    docs = family_corpus()
    outputs = []
    for files, partitions in ((1, 1), (7, 13)):  # and below: 7 files, default partitions, local[1]
        inputs = write_documents(tmp_path / f"in{files}", docs, files=files)
        out = tmp_path / f"out{files}"
        run_stage(spark, "dedup", [inputs], str(out), recipe_for(partitions=partitions))
        outputs.append(_decisions(out))
    assert outputs[0] == outputs[1]
    assert sum(reason == "near_duplicate" for reason, _ in outputs[0].values()) > 20
    assert sum(reason == "exact_duplicate" for reason, _ in outputs[0].values()) > 10

    # local[1] in a separate process through the command line gives the same decisions
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(json.dumps(json.loads(recipe_for().model_dump_json())), encoding="utf-8")
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "corpus_pipeline",
            "dedup",
            "--input",
            str(tmp_path / "in7"),
            "--output",
            str(tmp_path / "cli"),
            "--recipe",
            str(recipe),
            "--master",
            "local[1]",
        ],
        check=True,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
    )
    assert _decisions(tmp_path / "cli") == outputs[0]


def test_plan_uses_configured_bands():
    plan = dedup_plan(recipe_for(bands=16, rows=8, threshold=0.7))
    assert (plan.params.bands, plan.params.rows) == (16, 8)
    assert plan.describe()["threshold"] == 0.7


@pytest.mark.parametrize("verify", ["signature", "off"])
def test_other_verify_modes_agree_on_clear_duplicates(spark, scenario, tmp_path, verify):
    out = tmp_path / "out"
    stats = run_stage(spark, "dedup", [write_documents(tmp_path / "in", scenario)], str(out), recipe_for(verify=verify))
    assert _decisions(out) == EXPECTED_REMOVED and stats["dedup"]["verify"] == verify


def test_verification_rejects_loose_candidates(spark, tmp_path):
    rng = random.Random(3)
    text = random_text(rng, 1000)
    half = text[:500] + random_text(rng, 300)[:300]  # shorter than a; Jaccard about 0.4
    docs = [doc("a", "web", text), doc("b", "web", half)]
    inputs = write_documents(tmp_path / "in", docs)
    loose = {"bands": 64, "rows": 1}  # any shared minimum makes a candidate
    for verify, expected in (("exact", {}), ("signature", {}), ("off", {"b": ("near_duplicate", "a")})):
        stats = run_stage(spark, "dedup", [inputs], str(tmp_path / verify), recipe_for(verify=verify, **loose))
        assert stats["dedup"]["candidate_edges"] == 1
        assert _decisions(tmp_path / verify) == expected
