"""The one reader every stage after ``clean`` uses for its ``--input``.

An input is either a previous stage's output directory (it has ``_SUCCESS`` and ``kept/``: its kept
documents are read) or parquet files/directories/globs with the document columns
(:data:`corpus_pipeline.schema.DOCUMENT_COLUMNS`). Extra columns (stats added by earlier stages) are kept.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

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


def read_documents(spark: SparkSession, paths: list[str], with_position: bool = False) -> DataFrame:
    """Documents from stage outputs or parquet; fails naming the path when a document column is missing.

    ``with_position`` adds where each row was read: ``input_index`` (its path's place in ``paths``),
    ``input_file`` and ``input_row`` (row number within that parquet file), which order rows as read.
    """
    if not paths:
        raise InputError("no input given")
    frames = []
    for index, path in enumerate(paths):
        frame = spark.read.parquet(resolve_document_path(spark, path))
        missing = [column for column in DOCUMENT_COLUMNS if column not in frame.columns]
        if missing:
            raise InputError(f"{path}: not documents, missing column(s) {', '.join(missing)}")
        if with_position:
            frame = frame.select(
                "*",
                F.lit(index).alias("input_index"),
                F.col("_metadata.file_path").alias("input_file"),
                F.col("_metadata.row_index").alias("input_row"),
            )
        frames.append(frame)
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame, allowMissingColumns=True)
    return result


def input_bytes(spark: SparkSession, paths: list[str]) -> int:
    """Total size of the files :func:`read_documents` reads for ``paths``."""
    return sum(size for path in paths for _, size in fs.list_files(spark, resolve_document_path(spark, path)))
