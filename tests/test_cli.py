"""The command line: argument shapes, recipe errors before Spark starts, and the spark-submit entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_pipeline.cli import main, parse_input
from corpus_pipeline.packaging import write_jobs

REPO = Path(__file__).resolve().parents[1]


def test_parse_input_with_and_without_source():
    assert parse_input("web=/data/crawl/*.warc.gz").model_dump() == {
        "path": "/data/crawl/*.warc.gz",
        "source": "web",
        "format": None,
    }
    assert parse_input("hdfs://nn:8020/raw/x.jsonl").source is None
    assert parse_input("/data/a=b/x.jsonl").source is None  # '=' inside a path is not a source prefix
    assert parse_input("x.txt", "text").format == "text"


def test_bad_recipe_is_reported_by_key(tmp_path, capsys):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("sources: {default: {steps: [normalize]}}\nclean: {filters: {min_chars: -1}}\n")
    assert main(["clean", "--input", str(tmp_path), "--output", str(tmp_path / "o"), "--recipe", str(recipe)]) == 2
    assert "clean.filters.min_chars" in capsys.readouterr().err


def test_train_classifier_and_document_stages_parse():
    from corpus_pipeline.cli import build_parser

    args = build_parser().parse_args(
        ["train-classifier", "quality", "--pos", "a.jsonl", "b/", "--neg", "c.txt", "--out", "models/q"]
    )
    assert (args.kind, args.pos, args.neg, args.out, args.features) == (
        "quality",
        ["a.jsonl", "b/"],
        ["c.txt"],
        "models/q",
        "chars",
    )
    args = build_parser().parse_args(["filter", "--input", "out/clean", "--output", "out/f", "--lexicon", "x.txt"])
    assert (args.input, args.lexicon) == (["out/clean"], ["x.txt"])
    with pytest.raises(SystemExit):  # a document stage needs --input
        build_parser().parse_args(["quality", "--output", "out/q"])


def test_unknown_category_limit_is_a_one_line_error(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "sources: {default: {steps: [sensitive_words]}}\nfilter: {sensitive: {category_limits: {nosuch: 1}}}\n",
        encoding="utf-8",
    )
    assert (
        main(["filter", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "o"), "--recipe", str(recipe)]) == 2
    )
    assert "category_limits: unknown category nosuch" in capsys.readouterr().err


def test_bad_dedup_recipe_fails_before_spark_starts(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("sources: {default: {steps: [dedup]}}\ndedup: {bands: 20, rows: 20}\n", encoding="utf-8")
    assert main(["dedup", "--input", str(tmp_path), "--output", str(tmp_path / "o"), "--recipe", str(recipe)]) == 2
    assert "bands * rows = 400 exceeds num_perm = 128" in capsys.readouterr().err


def test_unknown_format_rejected_by_argparse(tmp_path):
    with pytest.raises(SystemExit):
        main(["clean", "--input", str(tmp_path), "--output", str(tmp_path / "o"), "--format", "docx"])


@pytest.mark.spark
def test_spark_submit_runs_the_clean_job(tmp_path):
    text = "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，经济运行开局良好。" * 5
    (tmp_path / "in.jsonl").write_text(
        json.dumps({"id": "1", "text": text}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "2", "text": "短"}, ensure_ascii=False)
        + "\n"
    )
    spark_submit = Path(sys.executable).parent / "spark-submit"
    write_jobs(tmp_path / "dist")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    completed = subprocess.run(
        [
            str(spark_submit),
            "--master",
            "local[1]",
            str(tmp_path / "dist" / "jobs" / "clean.py"),
            "--input",
            f"news={tmp_path / 'in.jsonl'}",
            "--output",
            str(tmp_path / "out"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert stats["documents"] == {"in": 2, "kept": 1, "removed": 1, "quarantined": 0}
    assert stats["master"] == "local[1]" and (tmp_path / "out" / "_SUCCESS").exists()


def test_run_checks_every_stage_s_models_before_spark_starts(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("sources: {default: {steps: [normalize, perplexity]}}\nperplexity: {model: missing/lm.klm}\n")
    assert main(["run", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "o"), "--recipe", str(recipe)]) == 2
    assert "lm.klm: KenLM model file not found" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_report_of_a_folder_without_stage_output_is_a_one_line_error(tmp_path, capsys):
    assert main(["report", "--run", str(tmp_path)]) == 2
    assert "no stage output with stats.json" in capsys.readouterr().err
    assert main(["report", "--run", str(tmp_path), "--sample", "0"]) == 2
    assert "--sample must be at least 1" in capsys.readouterr().err


def run_cli_process(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    return subprocess.run(
        [sys.executable, "-m", "corpus_pipeline", *argv], env=env, capture_output=True, text=True, timeout=300, cwd=cwd
    )


def recipe_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("sources: {default: {steps: [normalize]}}\n# café\n".encode("latin-1"))
    return [
        (tmp_path / "missing.yaml", "no such file"),
        (tmp_path, "is a folder, not a YAML file"),
        (latin1, "not UTF-8 text (byte 0xe9 at offset 46)"),
    ]


def test_a_bad_recipe_path_is_one_line_and_status_2(tmp_path, capsys):
    (tmp_path / "in.jsonl").write_text('{"text": "x"}\n')
    for recipe, reason in recipe_cases(tmp_path):
        for command in (
            ["clean", "--input", str(tmp_path / "in.jsonl")],
            ["run", "--input", str(tmp_path)],
            ["filter", "--input", str(tmp_path)],
        ):
            assert main([*command, "--output", str(tmp_path / "o"), "--recipe", str(recipe)]) == 2
            assert capsys.readouterr().err == f"recipe {recipe}: {reason}\n"
        done = run_cli_process(
            "clean", "--input", str(tmp_path / "in.jsonl"), "--output", str(tmp_path / "o"), "--recipe", str(recipe)
        )
        assert done.returncode == 2 and done.stderr == f"recipe {recipe}: {reason}\n", done.stderr[-2000:]
    assert not (tmp_path / "o").exists()


def test_an_output_that_is_the_input_is_refused_and_the_input_kept(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text('{"text": "国家统计局今天发布数据"}\n', encoding="utf-8")
    done = run_cli_process("clean", "--input", "raw/", "--output", "./raw", cwd=tmp_path)
    assert done.returncode == 2
    assert (
        done.stderr == "refusing to write ./raw: it is the input raw/ (it would replace its own input); "
        "choose another output\n"
    )
    assert [path.name for path in raw.iterdir()] == ["a.jsonl"]


def test_outputs_that_would_destroy_data_are_refused_before_spark_starts(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text('{"text": "x"}\n')
    (tmp_path / "notes.txt").write_text("keep me")
    clean = tmp_path / "out" / "clean"
    clean.mkdir(parents=True)
    (clean / "_SUCCESS").write_text(json.dumps({"stage": "clean", "fingerprint": "a" * 64}))
    cases = [
        (["clean", "--input", f"web={raw}", "--output", str(raw / "clean")], "is inside the input"),
        (["clean", "--input", f"{raw}/*.jsonl", "--output", str(raw / "a.jsonl")], "is matched by the input"),
        (["clean", "--input", str(raw), "--output", str(tmp_path / "notes.txt")], "it is an existing file"),
        (["clean", "--input", str(raw), "--output", str(tmp_path)], "contains the input"),
        (["filter", "--input", str(clean), "--output", str(clean)], "it is the input"),
        (["quality", "--input", str(clean), "--output", str(tmp_path / "out")], "contains the input"),
        (["pack", "--input", str(clean), "--output", str(clean / "pack")], "is inside the input"),
        (["run", "--input", str(raw), "--output", str(raw)], "is inside the input"),
        (["run", "--input", str(raw), "--output", str(tmp_path / "run"), "--pack-output", str(raw)], "it is the input"),
        (["run", "--input", str(raw), "--output", str(tmp_path / "notes.txt")], "it is an existing file"),
        (["run", "--input", str(clean), "--output", str(tmp_path / "out")], "is the input"),
    ]
    for argv, expected in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert expected in err and err.startswith("refusing to write ") and err.count("\n") == 1, (argv, err)
    assert (tmp_path / "notes.txt").read_text() == "keep me" and (raw / "a.jsonl").exists()


def test_overwrite_and_break_lock_exist_on_every_stage_command_and_run():
    from corpus_pipeline.cli import build_parser

    for command in ("clean", "filter", "quality", "dedup", "pack", "run"):
        args = build_parser().parse_args([command, "--input", "in", "--output", "out", "--overwrite", "--break-lock"])
        assert args.overwrite and args.break_lock
        assert not build_parser().parse_args([command, "--input", "in", "--output", "out"]).overwrite


def test_plain_out_commands_refuse_a_file_or_an_input(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    notes = str(tmp_path / "notes.txt")
    assert main(["train-kenlm", "--input", str(tmp_path / "in.txt"), "--out", notes]) == 2
    assert capsys.readouterr().err == f"refusing to write {notes}: it is an existing file, not a folder\n"
    assert main(["train-classifier", "spam", "--pos", str(tmp_path), "--neg", notes, "--out", str(tmp_path / "m")]) == 2
    assert "it is inside the input" in capsys.readouterr().err
    assert main(["train-classifier", "spam", "--pos", notes, "--neg", notes, "--out", notes]) == 2
    assert "it is the input" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "keep me"
