"""Quarantine reasons and the document rules every parser applies before emitting a document."""

from __future__ import annotations

from corpus_pipeline.ingest.record import RawRecord

TRUNCATED_ARCHIVE = "truncated_archive"  # compressed stream or WARC cut short; records before it were emitted
CORRUPT_ARCHIVE = "corrupt_archive"  # compressed stream damaged (bad data, CRC, trailing garbage)
MALFORMED_WARC = "malformed_warc"  # FastWARC could not parse a WARC header
MALFORMED_JSON = "malformed_json"
NOT_JSON_OBJECT = "not_json_object"
MISSING_TEXT = "missing_text"  # a record without non-blank text (jsonl / warc / wet)
EMPTY_FILE = "empty_file"  # a file with nothing but whitespace (any format; the document of text / html)
NUL_BYTES = "nul_bytes"
DOCUMENT_TOO_LARGE = "document_too_large"
UNDECODABLE = "undecodable"
PARSE_ERROR = "parse_error"  # any unexpected exception while reading one record
WARC_LENGTH_MISMATCH = "warc_length_mismatch"  # a WARC record's Content-Length disagrees with where it ends

SAMPLE_CHARS = 200


def sample_of(raw: bytes | str | None) -> str | None:
    """Up to :data:`SAMPLE_CHARS` characters of what was read (bytes are decoded as UTF-8 with replacement)."""
    if raw is None:
        return None
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw[: SAMPLE_CHARS * 4]).decode("utf-8", errors="replace")
    return raw[:SAMPLE_CHARS]


def quarantined(
    path: str, offset: int, reason: str, detail: str, raw_bytes: int, sample: bytes | str | None, **fields
) -> RawRecord:
    """A quarantine record; ``fields`` may carry what is known of the record (``id``, ``url``, ``source``...)."""
    return RawRecord(
        path=path,
        offset=offset,
        raw_bytes=raw_bytes,
        quarantine=reason,
        detail=detail,
        sample=sample_of(sample),
        **fields,
    )


def is_blank(text: str | bytes | None) -> bool:
    """True for None, empty or whitespace-only (stops at the first non-space character, no copy)."""
    return not text or text.isspace()


def nul_problem(body: str) -> str | None:
    """The ``nul_bytes`` detail when the decoded text contains U+0000, else None."""
    nul = body.find("\x00")
    if nul >= 0:
        return f"text contains NUL (U+0000) at character {nul}"
    return None


# Appended for issue 17 (bad input that used to abort a stage):
INVALID_UNICODE = "invalid_unicode"  # a string holds a lone surrogate ("\ud800" escape): no UTF-8 writer takes it
UNREADABLE_FILE = "unreadable_file"  # listed but not readable: a broken symbolic link, no read permission
UNREADABLE_PARQUET = "unreadable_parquet"  # a .parquet file whose footer cannot be read (not parquet, cut short)
INCOMPATIBLE_SCHEMA = "incompatible_schema"  # a parquet file whose columns cannot be read as documents
CORRUPT_PARQUET = "corrupt_parquet"  # a parquet file that gave fewer rows than its footer counts (damaged pages)
UNKNOWN_FORMAT = "unknown_format"  # a file whose extension names no format (and no --format)
FILE_TOO_LARGE = "file_too_large"  # a file (not parquet) larger than one Spark row can hold
