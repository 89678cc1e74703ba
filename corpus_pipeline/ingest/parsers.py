"""``parse_file``: one input file's bytes to :class:`RawRecord` documents and quarantine records.

Pure Python (the Spark layer reads each file whole and calls :func:`parse_file` per file). Nothing raises out
of a parse: a record that cannot be read becomes a quarantine record (reasons in
:mod:`corpus_pipeline.ingest.quarantine`), a damaged compressed stream ends the file with one
``truncated_archive`` / ``corrupt_archive`` record after every complete record before the damage.

A parsed string may still hold a lone surrogate (a JSON ``"\\ud800"`` escape), which UTF-8 cannot encode: the
writer of a batch passes each record through :func:`encodable` when the batch fails to build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest.compression import read_all
from corpus_pipeline.ingest.decode import HTML_HEAD_BYTES, decode_bytes, html_declared_charset
from corpus_pipeline.ingest.formats import compression_of, strip_compression
from corpus_pipeline.ingest.jsonl import parse_jsonl
from corpus_pipeline.ingest.record import RawRecord
from corpus_pipeline.ingest.warc import WarcCounts, parse_warc

PARSED_FORMATS = ("jsonl", "text", "html", "warc", "wet")  # parquet is read by Spark directly
WARC_FORMATS = ("warc", "wet")  # the formats whose parser fills per-file WarcCounts
MAX_DOCUMENT_BYTES = 8 * 2**20
_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING_FIELDS = ("id", "source", "url", "title", "text", "html", "meta", "path", "detail", "sample")


def _whole_file(data: bytes, path: str, fmt: str, compression: str | None, limit: int) -> RawRecord:
    """The one document of a text or HTML file (offset 0), or its quarantine record."""
    content, size, over_limit, error = read_all(data, compression, limit)
    if error is not None:
        return q.quarantined(path, 0, error.reason, error.detail, size, content)
    if over_limit:
        read = f"{size}" if compression is None else f"more than {limit}"
        return q.quarantined(
            path,
            0,
            q.DOCUMENT_TOO_LARGE,
            f"file of {read} bytes > max_document_bytes {limit}",
            size,
            content[: q.SAMPLE_CHARS * 4],
        )
    if q.is_blank(content):
        return q.quarantined(path, 0, q.EMPTY_FILE, "file is empty or only whitespace", size, content)
    declared = html_declared_charset(content[:HTML_HEAD_BYTES]) if fmt == "html" else None
    decoded = decode_bytes(content, declared)
    if decoded is None:
        return q.quarantined(
            path, 0, q.UNDECODABLE, "file is not valid UTF-8, GB18030, Big5 or its declared charset", size, content
        )
    text = decoded[0]
    if q.is_blank(text):  # e.g. only ideographic spaces, or only a byte-order mark
        return q.quarantined(path, 0, q.EMPTY_FILE, "file is only whitespace", size, text)
    problem = q.nul_problem(text)
    if problem is not None:
        return q.quarantined(path, 0, q.NUL_BYTES, problem, size, text)
    return RawRecord(path=path, offset=0, raw_bytes=size, **{"html" if fmt == "html" else "text": text})


def _guarded(records: Iterator[RawRecord], path: str, counts: WarcCounts | None = None) -> Iterator[RawRecord]:
    """Turns an exception escaping a parser (a bug) into one ``parse_error`` record ending the file (counted as a
    quarantined record in ``counts``, if given)."""
    emitted = 0
    try:
        for record in records:
            yield record
            emitted += 1
    except Exception as exc:  # noqa: BLE001
        if counts is not None:
            counts.records += 1
            counts.quarantined += 1
        yield q.quarantined(path, emitted, q.PARSE_ERROR, f"{type(exc).__name__}: {exc}", 0, None)


def parse_file(
    data: bytes,
    path: str,
    fmt: str,
    *,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    counts: WarcCounts | None = None,
) -> Iterator[RawRecord]:
    """The records of one input file.

    :param data: the file's bytes, as stored (compressed per the path's ``.gz`` / ``.bz2`` / ``.zst`` suffix)
    :param path: the locator written into every record (its suffix also selects the decompression)
    :param fmt: the format from :func:`~corpus_pipeline.ingest.formats.detect_format`, not ``parquet``
    :param max_document_bytes: larger documents (JSONL lines, files, WARC payloads) are quarantined unread
    :param counts: for ``warc`` / ``wet`` (:data:`WARC_FORMATS`), filled with the file's record counts as the
        iterator advances (complete once it is exhausted: records == documents + quarantined + skipped, and
        documents + quarantined == the records yielded); left untouched for other formats
    :raise ValueError: ``fmt`` is not one of :data:`PARSED_FORMATS` (raised at the call, not while iterating)
    """
    if fmt not in PARSED_FORMATS:
        raise ValueError(f"parse_file cannot read format {fmt!r}; expected one of {', '.join(PARSED_FORMATS)}")
    compression = compression_of(path)
    if fmt in WARC_FORMATS:
        return _guarded(parse_warc(data, path, compression, max_document_bytes, fmt, counts=counts), path, counts)
    if fmt == "jsonl":
        records = parse_jsonl(data, path, compression, max_document_bytes, strip_compression(path).endswith(".json"))
    else:
        records = _one(lambda: _whole_file(data, path, fmt, compression, max_document_bytes))
    return _guarded(records, path)


def _one(make) -> Iterator[RawRecord]:
    yield make()


def unencodable_problem(record: RawRecord) -> str | None:
    """The ``invalid_unicode`` detail when a string of ``record`` holds a lone surrogate, else None."""
    for name in _STRING_FIELDS:
        value = getattr(record, name)
        found = _SURROGATE.search(value) if value else None
        if found is not None:
            return f"field {name} holds a lone surrogate U+{ord(found.group()):04X} at character {found.start()}"
    return None


def _visible(value: str | None) -> str | None:
    """``value`` with lone surrogates written as ``\\udXXX`` escapes."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8") if value else value


def encodable(record: RawRecord) -> RawRecord:
    """``record`` when UTF-8 can encode all its strings; else, for a document, its ``invalid_unicode`` quarantine
    record (the sample shows the surrogate as an escape), and for a quarantine record the same with its strings
    escaped."""
    problem = unencodable_problem(record)
    if problem is None:
        return record
    if record.quarantine is not None:
        return replace(record, **{name: _visible(getattr(record, name)) for name in _STRING_FIELDS})
    return q.quarantined(
        _visible(record.path),
        record.offset,
        q.INVALID_UNICODE,
        problem,
        record.raw_bytes,
        _visible(record.text or record.html),
        id=_visible(record.id),
        url=_visible(record.url),
        source=_visible(record.source),
    )
