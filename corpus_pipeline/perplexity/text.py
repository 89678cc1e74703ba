"""The token lines a KenLM model sees, in training and in scoring alike (CCNet: normalize identically).

A document is split at line breaks; each non-empty line becomes one KenLM sentence of space-separated tokens
from :func:`corpus_pipeline.classify.features.normalize` and :func:`~corpus_pipeline.classify.features.char_tokens`:
every CJK character, punctuation mark or symbol is a token, a run of Latin letters is one lowercased token
(full-width folded), a run of digits one token with each digit written ``0``. Character tokens suit Chinese
(no segmenter to disagree with, ~6k types) and cost only regular-expression work.
"""

from __future__ import annotations

from collections.abc import Iterator

from corpus_pipeline.classify.features import char_tokens, normalize

#: Tokens KenLM reserves; a text cannot produce them (``<`` and ``>`` are tokens of their own).
RESERVED = ("<s>", "</s>", "<unk>")


def lm_lines(text: str | None) -> Iterator[str]:
    """The KenLM sentences of ``text``: one line of space-separated tokens per non-empty input line."""
    for line in (text or "").splitlines():
        tokens = char_tokens(normalize(line, 0))
        if tokens:
            yield tokens
