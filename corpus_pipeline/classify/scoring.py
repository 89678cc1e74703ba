"""Scoring texts with a trained fastText model, batched, exactly as the model was trained."""

from __future__ import annotations

import numpy as np

from corpus_pipeline.classify.features import fasttext_line

# fastText reports exp(log(p + 1e-5)) as the probability p
_OFFSET = 1e-5


def score_texts(model, texts: list[str], score_label: str, features: str, max_chars: int) -> np.ndarray:
    """Probability of ``score_label`` for each text (float64, in [0, 1]) from one batched
    ``model.predict(lines, k=-1)`` over the texts' token lines (:func:`.features.fasttext_line`).

    A text without any token (empty, or only whitespace) is not sent to fastText and scores 0.0: not spam, not
    high quality. (fastText would score its end-of-line token alone, a constant.) Tokens the model never saw
    are ignored by fastText, as in training."""
    lines = [fasttext_line(text, features, max_chars) for text in texts]
    scores = np.zeros(len(lines), dtype=np.float64)
    present = [i for i, line in enumerate(lines) if line]
    if not present:
        return scores
    all_labels, all_probs = model.predict([lines[i] for i in present], k=-1)
    for i, labels, probs in zip(present, all_labels, all_probs):
        for label, prob in zip(labels, probs):
            if label == score_label:
                scores[i] = prob - _OFFSET
                break
    return np.clip(scores, 0.0, 1.0)
