"""Real data (the issue's acceptance test): a spam classifier trained on one part of trec06c catches >= 95% of
the spam in another, held-out part while flagging <= 2% of the normal mail."""

from __future__ import annotations

import numpy as np
import pytest

from corpus_pipeline.classify import model as runtime
from corpus_pipeline.classify import train
from corpus_pipeline.classify.training_texts import dedup_key


@pytest.fixture(scope="module")
def trec06c(shared_data, tmp_path_factory):
    ham = str(shared_data / "spam" / "trec06c_ham.jsonl.gz")
    spam = str(shared_data / "spam" / "trec06c_spam.jsonl.gz")
    out = tmp_path_factory.mktemp("trec06c")
    card = train.train_classifier("spam", [ham], [spam], out)
    return ham, spam, out, card


def test_spam_recall_and_false_positive_rate_on_held_out_mail(trec06c):
    ham, spam, out, card = trec06c
    _, splits, _ = train.prepare([ham], [spam], seed=card["seed"])  # the same seeded split as training
    train_keys = {dedup_key(e.text) for e in splits["train"] + splits["valid"]}
    held_out = splits["test"]
    assert not train_keys & {dedup_key(e.text) for e in held_out}  # never trained on, threshold not chosen on it
    spec = runtime.load_model_spec(out / card["model_file"], "spam")
    scores = runtime.score(spec, [e.text for e in held_out])
    is_spam = np.array([not e.positive for e in held_out])
    dropped = scores > spec.threshold
    recall = dropped[is_spam].mean()
    false_positive_rate = dropped[~is_spam].mean()
    assert is_spam.sum() >= 150 and (~is_spam).sum() >= 600
    assert recall >= 0.95, recall
    assert false_positive_rate <= 0.02, false_positive_rate
    assert (recall, false_positive_rate) == pytest.approx(
        (card["metrics"]["test"]["recall"], card["metrics"]["test"]["false_positive_rate"]), abs=1e-6
    )
