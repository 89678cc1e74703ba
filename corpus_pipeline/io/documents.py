"""The one reader every stage after ``clean`` uses for its ``--input``.

An input is either a previous stage's output directory (it has ``_SUCCESS`` and ``kept/``: its kept
documents are read) or parquet files/directories/globs with the document columns
(:data:`corpus_pipeline.schema.DOCUMENT_COLUMNS`). Extra columns (stats added by earlier stages) are kept.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from corpus_pipeline.errors import InputError
from corpus_pipeline.io import fs
from corpus_pipeline.schema import DOCUMENT_COLUMNS


def resolve_document_path(spark: SparkSession, path: str) -> str:
    """``path/kept`` for a finished stage output, ``path`` itself otherwise; an unfinished stage is an error."""
    kept = fs.join(path, "kept")
    if fs.is_dir(spark, kept):
        if not fs.exists(spark, fs.join(path, "_SUCCESS")):
            raise InputError(f"{path} is a stage output without _SUCCESS: the stage did not finish")
        return kept
    return path


def read_documents(spark: SparkSession, paths: list[str]) -> DataFrame:
    """Documents from stage outputs or parquet; fails naming the path when a document column is missing."""
    if not paths:
        raise InputError("no input given")
    frames = []
    for path in paths:
        frame = spark.read.parquet(resolve_document_path(spark, path))
        missing = [column for column in DOCUMENT_COLUMNS if column not in frame.columns]
        if missing:
            raise InputError(f"{path}: not documents, missing column(s) {', '.join(missing)}")
        frames.append(frame)
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame, allowMissingColumns=True)
    return result


def input_bytes(spark: SparkSession, paths: list[str]) -> int:
    """Total size of the files :func:`read_documents` reads for ``paths``."""
    return sum(size for path in paths for _, size in fs.list_files(spark, resolve_document_path(spark, path)))
