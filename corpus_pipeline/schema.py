"""The document contract shared by every stage.

A *document* is one row with the columns in :data:`DOCUMENT_COLUMNS`. Every stage reads documents
(see :mod:`corpus_pipeline.io.documents`) and writes ``kept/`` with the same columns plus the stats
columns it adds, ``removed/`` with a ``reason`` column on top, and ``quarantine/`` rows shaped like
:data:`QUARANTINE_SCHEMA` for input it could not read.
"""

from __future__ import annotations

import pyarrow as pa

#: Columns every document carries from ingestion to packing. ``meta`` is a JSON object as a string.
DOCUMENT_COLUMNS = ("id", "source", "url", "title", "text", "meta")

DOCUMENT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("meta", pa.string()),
    ]
)

#: A record the job could not turn into a document, with the reason and where it came from.
QUARANTINE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("path", pa.string()),
        ("offset", pa.int64()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("raw_bytes", pa.int64()),
        ("sample", pa.string()),
    ]
)


def spark_schema(schema: pa.Schema):
    """The Spark ``StructType`` of an Arrow schema (for ``mapInArrow`` return types)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def write_document_rows(rows: list[dict], out_dir, name: str = "part-00000.parquet") -> dict:
    """Write documents (dicts with :data:`DOCUMENT_COLUMNS`) as one parquet file any stage can read;
    returns the counts: documents, per source, text bytes."""
    from collections import Counter
    from pathlib import Path

    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = pa.table({column: [row[column] for row in rows] for column in DOCUMENT_COLUMNS}, schema=DOCUMENT_SCHEMA)
    pq.write_table(table, out_dir / name)
    return {
        "documents": len(rows),
        "sources": dict(sorted(Counter(row["source"] for row in rows).items())),
        "text_bytes": sum(len(row["text"].encode("utf-8")) for row in rows),
    }
