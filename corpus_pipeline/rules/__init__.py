"""Cleaning rules: pure functions over a document's text that return new text or a drop reason.

No module here imports Spark. Word lists and patterns live in the repository's ``rules/`` folder and are
read by :mod:`corpus_pipeline.rules.ruledata`; the functions take compiled rule objects as arguments.
"""
