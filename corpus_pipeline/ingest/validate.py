"""Checks every record must pass before it is a document (shared by the file parsers and parquet input)."""

from __future__ import annotations


def record_problem(text: str | None, html: str | None, raw_bytes: int, max_document_bytes: int) -> str | None:
    """The quarantine reason for a record, or None when it can be cleaned."""
    if raw_bytes > max_document_bytes:
        return "document_too_large"
    payload = text if text is not None else html
    if payload is None or not payload.strip():
        return "missing_text"
    if "\x00" in payload:
        return "nul_bytes"
    return None
