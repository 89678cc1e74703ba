"""Loading a shipped model: card checks, and clear errors naming the file for missing or corrupt models."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from corpus_pipeline.classify.model import ModelError, file_sha256, load_model_spec, score
from corpus_pipeline.cli import main
from corpus_pipeline.io.resources import resource_dir

DEFAULT_MODELS_DIR = resource_dir("models")
SPAM = DEFAULT_MODELS_DIR / "spam"


@pytest.fixture()
def spam_copy(tmp_path):
    folder = tmp_path / "models" / "spam"
    shutil.copytree(SPAM, folder)
    card = json.loads((folder / "card.json").read_text())
    return folder, folder / card["model_file"]


@pytest.mark.parametrize("kind", ["spam", "quality"])
def test_shipped_models_load_and_match_their_cards(kind):
    card = json.loads((DEFAULT_MODELS_DIR / kind / "card.json").read_text())
    spec = load_model_spec(DEFAULT_MODELS_DIR / kind / card["model_file"], kind)
    assert spec.sha256 == card["sha256"] == file_sha256(DEFAULT_MODELS_DIR / kind / card["model_file"])
    assert spec.threshold == card["threshold"] and spec.score_label == card["score_label"]
    scores = score(spec, ["国家统计局今天发布数据，一季度国内生产总值同比增长。", ""])
    assert scores.dtype == np.float64 and scores.shape == (2,) and ((scores >= 0) & (scores <= 1)).all()


def test_threshold_override_wins_over_the_card(spam_copy):
    _, model = spam_copy
    assert load_model_spec(model, "spam", threshold=0.25).threshold == 0.25


def test_missing_model_file_is_named(spam_copy):
    folder, model = spam_copy
    model.unlink()
    with pytest.raises(ModelError, match=f"{model}: model file not found"):
        load_model_spec(model, "spam")


def test_missing_card_is_named(spam_copy):
    folder, model = spam_copy
    (folder / "card.json").unlink()
    with pytest.raises(ModelError, match=f"{folder / 'card.json'}: model card not found"):
        load_model_spec(model, "spam")


def test_truncated_model_fails_its_checksum(spam_copy):
    _, model = spam_copy
    model.write_bytes(model.read_bytes()[:1000])
    with pytest.raises(ModelError, match=f"{model}: sha256 .* does not match its card"):
        load_model_spec(model, "spam")


def test_garbage_model_with_a_matching_card_cannot_load(spam_copy):
    folder, model = spam_copy
    model.write_bytes(b"not a fastText model at all")
    card = json.loads((folder / "card.json").read_text())
    (folder / "card.json").write_text(json.dumps({**card, "sha256": file_sha256(model)}))
    with pytest.raises(ModelError, match=f"{model}: cannot load fastText model .*wrong file format"):
        load_model_spec(model, "spam")


def test_a_model_of_the_other_kind_is_refused(spam_copy):
    _, model = spam_copy
    with pytest.raises(ModelError, match="a 'spam' model, but the quality step needs a 'quality' model"):
        load_model_spec(model, "quality")


def test_cli_reports_a_corrupt_model_in_one_line_before_spark_starts(spam_copy, tmp_path, capsys):
    folder, model = spam_copy
    model.write_bytes(b"\x00" * 64)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"models_dir: {folder.parent}\nsources:\n  default:\n    steps: [spam]\n", encoding="utf-8")
    code = main(
        ["filter", "--input", str(tmp_path / "nowhere"), "--output", str(tmp_path / "out"), "--recipe", str(recipe)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert str(model) in err and "does not match its card" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
