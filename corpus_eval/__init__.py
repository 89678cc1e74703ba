"""Evaluation, demo and training-data code for corpus_pipeline: labelled corpora, oracles, ground-truth scoring,
model training-data builders and benchmarks' data. Nothing in ``corpus_pipeline`` imports this package."""
