"""The checks a record must pass to be a document, for records that did not come through the file parsers
(parquet input), with the parsers' own reasons."""

from __future__ import annotations

from corpus_pipeline.ingest.quarantine import DOCUMENT_TOO_LARGE, MISSING_TEXT, NUL_BYTES, is_blank


def record_problem(text: str | None, html: str | None, raw_bytes: int, max_document_bytes: int) -> str | None:
    """The quarantine reason for a record, or None when it can be cleaned."""
    if raw_bytes > max_document_bytes:
        return DOCUMENT_TOO_LARGE
    payload = text if text is not None else html
    if is_blank(payload):
        return MISSING_TEXT
    if "\x00" in payload:
        return NUL_BYTES
    return None
