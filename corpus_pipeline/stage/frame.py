"""Stages after ``clean`` annotate documents: every input column passes through, the stage's columns are added.

:func:`annotate_documents` runs a per-batch function with ``mapInArrow`` and appends what it returns
(``outcome``, ``reason``, ``detail``, ``bytes_in``, ``bytes_out`` and the stage's own columns) to each Arrow
batch, giving the result frame :func:`corpus_pipeline.stage.output.write_stage_output` expects. The stage's
user-defined ``python:`` steps run on the same batch after its built-in steps, on the documents still kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from corpus_pipeline.schema import spark_schema
from corpus_pipeline.stage.stats import QUARANTINED, REMOVED
from corpus_pipeline.steps import user

#: Columns every annotated result carries for the stage writer.
STATUS_SCHEMA = pa.schema(
    [
        ("outcome", pa.string()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("bytes_in", pa.int64()),
        ("bytes_out", pa.int64()),
    ]
)

BatchAnnotator = Callable[[pa.RecordBatch], dict[str, list | pa.Array]]
#: Per source ("default" for the sources a recipe does not name): the python steps' targets, in order.
PythonSteps = Mapping[str, tuple[str, ...]]


def text_bytes(batch: pa.RecordBatch) -> pa.Array:
    """UTF-8 byte length of each document's text (0 for a missing text)."""
    return pc.fill_null(pc.cast(pc.binary_length(batch.column("text")), pa.int64()), 0)


def _run_python_steps(
    batch: pa.RecordBatch, values: dict, added: list[str], python_steps: PythonSteps, named_sources: frozenset[str]
) -> pa.RecordBatch:
    """Apply the python steps to the kept rows of ``batch`` (each row also carries the stage's ``added``
    columns): reasons, quarantines and field updates go into ``values``; returns the batch with its changed
    text/title/url/meta columns."""
    sources = batch.column("source").to_pylist()
    targets = [python_steps.get(s if s in named_sources else "default", ()) for s in sources]
    if not any(targets):
        return batch
    reasons, outcomes, details = values["reason"], values["outcome"], values["detail"]
    rows = batch.to_pylist()
    columns = {name: values[name].to_pylist() if isinstance(values[name], pa.Array) else values[name] for name in added}
    for i, row in enumerate(rows):
        row.update((name, column[i]) for name, column in columns.items())
    changed: dict[str, list] = {}
    for i, row in enumerate(rows):
        for target in targets[i]:
            if reasons[i] is not None:
                break
            try:
                result = user.apply(target, row)
            except user.UserStepError as error:
                reasons[i], outcomes[i], details[i] = user.STEP_ERROR, QUARANTINED, error.detail
                break
            if isinstance(result, str):
                reasons[i], outcomes[i] = result, REMOVED
            elif result:
                for key, value in result.items():
                    row[key] = value
                    changed.setdefault(key, [r.get(key) for r in rows])
                    changed[key][i] = value
    for key, column in changed.items():
        index = batch.schema.get_field_index(key)
        batch = batch.set_column(index, batch.schema.field(index), pa.array(column, type=pa.string()))
    return batch


def annotate_documents(
    documents: DataFrame,
    annotate: BatchAnnotator,
    added: pa.Schema,
    python_steps: PythonSteps | None = None,
    named_sources: frozenset[str] = frozenset(),
) -> tuple[DataFrame, list[str]]:
    """Append ``added`` (plus outcome/reason/detail/bytes) to every row; returns the result and kept/ columns.

    ``annotate`` gets one Arrow batch and returns the values of ``outcome``, ``reason`` and every ``added``
    column for its rows, and ``text`` when a step of the stage changed the texts (a mapper). ``python_steps`` (per source, ``default`` for the sources not in ``named_sources``)
    then run on the rows still kept; the bytes out are those of the text as written. Input columns named like
    an added one (a re-run over an earlier output) are replaced.
    """
    replaced = set(added.names) | set(STATUS_SCHEMA.names)
    passed = [name for name in documents.columns if name not in replaced]
    documents = documents.select(*passed)
    new_fields = list(added) + list(STATUS_SCHEMA)
    output_type = spark_schema(pa.schema(new_fields))
    output_type = documents.schema.__class__(list(documents.schema.fields) + list(output_type.fields))
    python_steps = {source: targets for source, targets in (python_steps or {}).items() if targets}

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            values = annotate(batch)
            values.setdefault("detail", [None] * batch.num_rows)
            size = text_bytes(batch)
            new_text = values.pop("text", None)  # a mapper step's new text
            if new_text is not None:
                index = batch.schema.get_field_index("text")
                field = batch.schema.field(index)
                batch = batch.set_column(index, field, pa.array(new_text, type=field.type))
            if python_steps:
                batch = _run_python_steps(batch, values, added.names, python_steps, named_sources)
            changed = python_steps or new_text is not None
            values.update(bytes_in=size, bytes_out=text_bytes(batch) if changed else size)
            arrays = [
                value if isinstance(value, pa.Array) else pa.array(value, type=field.type)
                for field, value in ((f, values[f.name]) for f in new_fields)
            ]
            yield pa.RecordBatch.from_arrays(batch.columns + arrays, schema=pa.schema(list(batch.schema) + new_fields))

    return documents.mapInArrow(run, output_type), passed + list(added.names)


def by_source(values: Mapping[str, object]) -> Column:
    """``values[source]``, or ``values['default']`` for a source the recipe does not name."""
    lookup = F.create_map(*[item for name, value in sorted(values.items()) for item in (F.lit(name), F.lit(value))])
    return F.coalesce(lookup[F.col("source")], F.lit(values["default"]))


def source_steps(recipe) -> dict[str, frozenset[str]]:
    """Each named source's steps, for a worker plan (sources the recipe does not name use ``default``)."""
    return {name: recipe.steps_for(name) for name in recipe.sources}


def run_stats(spark: SparkSession, recipe, inputs: list) -> dict:
    """The ``stats.json`` entries every stage records about its run."""
    from corpus_pipeline.stage.fingerprint import code_version

    return {
        "inputs": inputs,
        "recipe_sha256": recipe.sha256(),
        "code_version": code_version(),
        "master": spark.sparkContext.master,
    }
