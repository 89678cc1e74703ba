"""End to end: ``train_classifier`` on generated but realistic text, the card, the CLI, scoring."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest

from corpus_eval.training_data.classifiers import write_jsonl_gz
from corpus_pipeline.classify import model as runtime
from corpus_pipeline.classify import train
from corpus_pipeline.classify.scoring import score_texts

SMALL = {"epoch": 5, "bucket": 20_000}
SMALL_Q = {"cutoff": 5_000}
CARD_KEYS = {
    "kind",
    "model_file",
    "sha256",
    "score_label",
    "features",
    "max_chars",
    "threshold",
    "threshold_rule",
    "fasttext",
    "quantized",
    "seed",
    "date",
    "code_version",
    "data",
    "metrics",
    "feature_selection",
    "metrics_positive_class",
    "decision",
    "quantization",
    "labels",
    "size_bytes",
}
METRIC_KEYS = {
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "false_positive_rate",
    "threshold",
    "n_pos",
    "n_neg",
    "true_positives",
    "false_positives",
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, articles, ads):
    folder = tmp_path_factory.mktemp("inputs")
    pos = articles + [articles[0], ""] + [ads[0]]  # a duplicate, an empty text, and a text in both classes
    write_jsonl_gz(folder / "news.jsonl.gz", [{"text": t} for t in pos])
    neg_folder = folder / "ads"
    neg_folder.mkdir()
    write_jsonl_gz(neg_folder / "a.jsonl.gz", [{"text": t} for t in ads[:150]])
    write_jsonl_gz(neg_folder / "b.jsonl.gz", [{"text": t} for t in ads[150:]])
    return folder


@pytest.fixture(scope="module")
def spam(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("spam")
    card = train.train_classifier(
        "spam",
        [str(inputs / "news.jsonl.gz")],
        [str(inputs / "ads")],
        out,
        fasttext_params=SMALL,
        quantize_params=SMALL_Q,
        feature_selection={"chars": {"f1": 1.0}},
    )
    return out, card


def test_card_contents(spam, inputs):
    out, card = spam
    assert CARD_KEYS <= set(card)
    assert json.loads((out / "card.json").read_text(encoding="utf-8")) == card
    model_path = out / card["model_file"]
    assert card["model_file"] == ("model.ftz" if card["quantized"] else "model.bin")
    assert sorted(p.name for p in out.iterdir()) == sorted(["card.json", "README.md", card["model_file"]])
    assert card["sha256"] == hashlib.sha256(model_path.read_bytes()).hexdigest()
    assert (card["kind"], card["score_label"], card["features"], card["max_chars"]) == (
        "spam",
        "__label__drop",
        "chars",
        2000,
    )
    assert card["metrics_positive_class"].startswith("spam")
    assert card["fasttext"]["seed"] == 0 and card["fasttext"]["thread"] == 1 and card["fasttext"]["epoch"] == 5
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", card["date"]) and card["code_version"].startswith("corpus_pipeline ")
    assert card["threshold"] == card["metrics"]["test"]["threshold"] == card["metrics"]["valid"]["threshold"]
    assert "<= 0.01" in card["threshold_rule"]
    assert card["feature_selection"] == {"chars": {"f1": 1.0}}
    for name in ("test", "valid", "unquantized_test"):
        assert METRIC_KEYS <= set(card["metrics"][name])


def test_card_data_section(spam, inputs):
    _, card = spam
    data = card["data"]
    assert [f["path"] for f in data["pos"]] == ["news.jsonl.gz"]  # absolute inputs: file names only
    assert [f["path"] for f in data["neg"]] == ["a.jsonl.gz", "b.jsonl.gz"]
    assert data["pos"][0]["sha256"] == hashlib.sha256((inputs / "news.jsonl.gz").read_bytes()).hexdigest()
    assert [f["documents"] for f in data["pos"] + data["neg"]] == [603, 150, 150]
    assert (data["dedup_removed"], data["empty_removed"], data["in_both_classes_removed"]) == (1, 1, 2)
    assert [f["unique"] for f in data["pos"] + data["neg"]] == [600, 149, 150]
    assert data["split"] == {"train": 719, "valid": 90, "test": 90}
    assert data["split_by_class"]["pos"] == {"train": 480, "valid": 60, "test": 60}
    assert str(inputs) not in json.dumps(card)


def test_metrics_on_held_out_text(spam):
    _, card = spam
    test = card["metrics"]["test"]
    assert (test["n_pos"], test["n_neg"]) == (30, 60)  # positives of the spam metrics are the ads
    assert test["recall"] >= 0.95 and test["false_positive_rate"] <= 0.05 and test["roc_auc"] >= 0.98
    by_file = {f["path"]: f for f in card["metrics"]["test_by_file"]}
    assert by_file["news.jsonl.gz"]["n"] == 60 and by_file["a.jsonl.gz"]["n"] == 15


def test_readme(spam):
    out, card = spam
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# spam classifier")
    assert str(card["threshold"]) in readme and "bash models/build.sh" in readme


def test_runtime_loader_and_scoring(spam, articles, ads):
    out, card = spam
    spec = runtime.load_model_spec(out / card["model_file"], "spam")
    assert (spec.threshold, spec.score_label, spec.features, spec.max_chars) == (
        card["threshold"],
        "__label__drop",
        "chars",
        2000,
    )
    texts = [ads[-1], articles[-1], "", "   ", "zzzz"]
    scores = runtime.score(spec, texts)
    model = runtime.worker_model(spec)
    one_by_one = [score_texts(model, [t], spec.score_label, spec.features, spec.max_chars)[0] for t in texts]
    assert scores.dtype == np.float64 and np.allclose(scores, one_by_one)
    assert scores[0] > card["threshold"] > scores[1]
    assert scores[2] == scores[3] == 0.0  # no token: no prediction
    assert np.all((scores >= 0) & (scores <= 1))
    assert score_texts(model, [], spec.score_label, "chars", 2000).shape == (0,)


def test_same_seed_same_model(spam, inputs, tmp_path):
    _, card = spam
    again = train.train_classifier(
        "spam",
        [str(inputs / "news.jsonl.gz")],
        [str(inputs / "ads")],
        tmp_path,
        fasttext_params=SMALL,
        quantize_params=SMALL_Q,
    )
    assert again["sha256"] == card["sha256"]
    assert again["metrics"]["test"] == card["metrics"]["test"]


def test_quality_through_the_cli(inputs, tmp_path, capsys):
    out = tmp_path / "quality"
    code = train.main(
        [
            "quality",
            "--pos",
            str(inputs / "news.jsonl.gz"),
            "--neg",
            str(inputs / "ads" / "*.gz"),
            "--out",
            str(out),
            "--epoch",
            "5",
            "--seed",
            "1",
            "--max-chars",
            "500",
            "--bucket",
            "20000",
            "--quantize-cutoff",
            "5000",
        ]
    )
    assert code == 0
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert (card["kind"], card["score_label"], card["seed"], card["max_chars"]) == ("quality", "__label__keep", 1, 500)
    assert (card["fasttext"]["bucket"], card["quantization"]["cutoff"]) == (20_000, 5_000)
    assert card["metrics_positive_class"].startswith("high quality")
    assert card["metrics"]["test"]["n_pos"] == 60  # positives are the --pos texts
    assert "F1" in card["threshold_rule"] and card["metrics"]["test"]["f1"] >= 0.95
    assert card["decision"] == "keep the document when score >= threshold"
    assert "quality: " in capsys.readouterr().out


def test_cli_reports_unreadable_input(tmp_path, capsys):
    code = train.main(["spam", "--pos", str(tmp_path / "none.jsonl"), "--neg", str(tmp_path), "--out", str(tmp_path)])
    assert code == 2
    assert "none.jsonl: no such file or directory" in capsys.readouterr().err


def test_one_class_only_is_an_error(inputs, tmp_path):
    with pytest.raises(ValueError, match="both classes"):
        train.train_classifier("spam", [str(inputs / "news.jsonl.gz")], [str(inputs / "news.jsonl.gz")], tmp_path)


def test_arguments():
    import argparse

    parser = argparse.ArgumentParser()
    train.add_train_arguments(parser)
    args = parser.parse_args(["spam", "--pos", "a", "b", "--neg", "c", "--out", "d"])
    assert (args.kind, args.pos, args.neg, args.features, args.max_chars, args.seed) == (
        "spam",
        ["a", "b"],
        ["c"],
        "chars",
        2000,
        0,
    )
    with pytest.raises(SystemExit):
        parser.parse_args(["ham", "--pos", "a", "--neg", "c", "--out", "d"])
