"""Stages after ``clean`` annotate documents: every input column passes through, the stage's columns are added.

:func:`annotate_documents` runs a per-batch function with ``mapInArrow`` and appends what it returns
(``outcome``, ``reason``, ``bytes_in``, ``bytes_out`` and the stage's own columns) to each Arrow batch, giving
the result frame :func:`corpus_pipeline.stage_output.write_stage_output` expects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession

from corpus_pipeline.schema import spark_schema

#: Columns every annotated result carries for the stage writer.
STATUS_SCHEMA = pa.schema([("outcome", pa.string()), ("reason", pa.string()),
                           ("bytes_in", pa.int64()), ("bytes_out", pa.int64())])

BatchAnnotator = Callable[[pa.RecordBatch], dict[str, list | pa.Array]]


def text_bytes(batch: pa.RecordBatch) -> pa.Array:
    """UTF-8 byte length of each document's text (0 for a missing text)."""
    return pc.fill_null(pc.cast(pc.binary_length(batch.column("text")), pa.int64()), 0)


def annotate_documents(documents: DataFrame, annotate: BatchAnnotator, added: pa.Schema) -> tuple[DataFrame, list[str]]:
    """Append ``added`` (plus outcome/reason/bytes) to every row; returns the result and the kept/ columns.

    ``annotate`` gets one Arrow batch and returns the values of ``outcome``, ``reason`` and every ``added``
    column for its rows (bytes are the text's, which these stages do not change). Input columns named like
    an added one (a re-run over an earlier output) are replaced.
    """
    replaced = set(added.names) | set(STATUS_SCHEMA.names)
    passed = [name for name in documents.columns if name not in replaced]
    documents = documents.select(*passed)
    new_fields = list(added) + list(STATUS_SCHEMA)
    output_type = spark_schema(pa.schema(new_fields))
    output_type = documents.schema.__class__(list(documents.schema.fields) + list(output_type.fields))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            values = annotate(batch)
            size = text_bytes(batch)
            values.update(bytes_in=size, bytes_out=size)
            arrays = [value if isinstance(value, pa.Array) else pa.array(value, type=field.type)
                      for field, value in ((f, values[f.name]) for f in new_fields)]
            yield pa.RecordBatch.from_arrays(batch.columns + arrays,
                                             schema=pa.schema(list(batch.schema) + new_fields))

    return documents.mapInArrow(run, output_type), passed + list(added.names)


def source_steps(recipe) -> dict[str, frozenset[str]]:
    """Each named source's steps, for a worker plan (sources the recipe does not name use ``default``)."""
    return {name: recipe.steps_for(name) for name in recipe.sources}


def run_stats(spark: SparkSession, recipe, inputs: list[str]) -> dict:
    """The ``stats.json`` entries every document stage records about its run."""
    from corpus_pipeline.fingerprint import code_version

    return {"inputs": inputs, "recipe_sha256": recipe.sha256(), "code_version": code_version(),
            "master": spark.sparkContext.master}
