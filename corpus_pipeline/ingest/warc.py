"""WARC ``response`` records with HTML and WET ``conversion`` records, read with FastWARC.

FastWARC does not report damage: on a truncated stream (gzip or plain) it silently stops, or yields the last
record with a short payload, and only a mangled WARC header raises ``OSError``. So decompression happens here
(:mod:`corpus_pipeline.ingest.compression`, which raises on a cut or corrupt stream) through a file-like
adapter, every record's payload length is checked against its ``Content-Length``, and an uncompressed stream
must end with a record's closing blank line: a file cut anywhere gives all complete records, then exactly one
``truncated_archive`` record.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator

from fastwarc.stream_io import BrotliReader, ChunkedReader
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest.compression import ArchiveError, iter_decompressed
from corpus_pipeline.ingest.decode import HTML_HEAD_BYTES, decode_bytes, html_declared_charset
from corpus_pipeline.ingest.record import RawRecord

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_VERSION_LINES = (b"WARC/1.0\r", b"WARC/1.1\r")


class ChunkStream(io.RawIOBase):
    """A read-only file over decompressed chunks; a damaged stream reads as EOF and is remembered in ``error``."""

    def __init__(self, chunks: Iterator[bytes]):
        super().__init__()
        self._chunks = chunks
        self._chunk, self._at = b"", 0
        self.position = 0
        self.tail = b""  # the last (up to 16) bytes read
        self.error: ArchiveError | None = None
        self.exhausted = False

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (at most the rest of the current chunk); all that is left when ``size`` < 0."""
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(1 << 20), b""))
        while self._at >= len(self._chunk):
            if self.exhausted:
                return b""
            try:
                self._chunk, self._at = next(self._chunks), 0
            except StopIteration:
                self.exhausted = True
            except ArchiveError as exc:
                self.exhausted, self.error = True, exc
        out = self._chunk[self._at : self._at + size]
        self._at += len(out)
        self.position += len(out)
        self.tail = (self.tail + out[-16:])[-16:]
        return out

    def readinto(self, buffer) -> int:
        out = self.read(len(buffer))
        buffer[: len(out)] = out
        return len(out)

    def ends_cleanly(self) -> bool:
        """Whether everything was read and it ended with a record's closing blank line (or was empty)."""
        if not self.exhausted or self.error is not None:
            return False
        return self.position == 0 or self.tail.endswith((b"\r\n\r\n", b"\n\n"))

    def cut_in_version_line(self) -> bool:
        """Whether the stream ended inside a record's first line (``WARC/1.0``), where FastWARC raises."""
        last = self.tail.rsplit(b"\n", 1)[-1]
        return self.exhausted and 0 < len(last) < 10 and any(v.startswith(last) for v in _VERSION_LINES)


class _Truncated(Exception):
    def __init__(self, detail: str, raw_bytes: int, sample: bytes | None):
        super().__init__(detail)
        self.detail, self.raw_bytes, self.sample = detail, raw_bytes, sample


def _skip(record: WarcRecord, expected: int) -> None:
    """Skips the rest of the record, checking that all of it was there."""
    got = record.reader.consume() if expected else 0
    if got < expected:
        raise _Truncated(f"record payload ends after {got} of {expected} bytes", got, None)


def _read_payload(record: WarcRecord, expected: int) -> bytes:
    body = record.reader.read()
    if len(body) < expected:
        raise _Truncated(f"record payload ends after {len(body)} of {expected} bytes", len(body), body)
    return body


def _content_decoded(body: bytes, headers, limit: int) -> bytes:
    """The HTTP body without its transfer / content encoding; the raw body if decoding fails (mislabelled)."""
    try:
        if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
            body = ChunkedReader(io.BytesIO(body)).read()
        encoding = (headers.get("Content-Encoding") or "").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            try:
                return zlib.decompressobj(47).decompress(body, limit + 1)  # gzip or zlib header
            except zlib.error:
                return zlib.decompressobj(-15).decompress(body, limit + 1)  # raw deflate
        if encoding == "br":
            return BrotliReader(io.BytesIO(body)).read()
    except (OSError, zlib.error):
        pass
    return body


def _document(record: WarcRecord, fmt: str, path: str, offset: int, limit: int) -> RawRecord | None:
    """The record's document or quarantine record; None for records that are not documents (skipped)."""
    expected = record.content_length
    url = record.headers.get("WARC-Target-URI")
    if fmt == "wet":
        if record.record_type != WarcRecordType.conversion:
            _skip(record, expected)
            return None
        charsets = ()
    else:
        if record.record_type != WarcRecordType.response or not record.is_http:
            _skip(record, expected)
            return None
        record.parse_http(auto_decode="none")
        expected = record.content_length  # the HTTP body after the headers
        status = record.http_headers.status_code if record.http_headers is not None else None
        content_type = (record.http_content_type or "").strip().lower()
        if content_type not in HTML_TYPES or (status is not None and not 200 <= status < 300):
            _skip(record, expected)  # not a document: an image, a redirect, an error page...
            return None
        charsets = (record.http_charset,)
    if expected > limit:
        _skip(record, expected)
        return q.quarantined(path, offset, q.DOCUMENT_TOO_LARGE,
                             f"payload of {expected} bytes > max_document_bytes {limit}", expected, None, url=url)
    raw = _read_payload(record, expected)
    body = raw
    if fmt == "warc":
        body = _content_decoded(raw, record.http_headers, limit)
        charsets += (html_declared_charset(body[:HTML_HEAD_BYTES]),)
        if len(body) > limit:
            return q.quarantined(path, offset, q.DOCUMENT_TOO_LARGE,
                                 f"decoded body of more than {limit} bytes (max_document_bytes)", len(raw), body,
                                 url=url)
    if q.is_blank(body):
        return q.quarantined(path, offset, q.MISSING_TEXT, "empty payload", len(raw), body, url=url)
    decoded = decode_bytes(body, charsets)
    if decoded is None:
        return q.quarantined(path, offset, q.UNDECODABLE, "payload is not valid UTF-8, GB18030, Big5 or its declared "
                             "charset", len(raw), body, url=url)
    text = decoded[0]
    if q.is_blank(text):
        return q.quarantined(path, offset, q.MISSING_TEXT, "payload is only whitespace", len(raw), text, url=url)
    problem = q.nul_problem(text)
    if problem is not None:
        return q.quarantined(path, offset, q.NUL_BYTES, problem, len(raw), text, url=url)
    field = "text" if fmt == "wet" else "html"
    return RawRecord(path=path, offset=offset, raw_bytes=len(raw), url=url, **{field: text})


def _is_fatal(exc: BaseException) -> bool:
    """True for exceptions to let through; FastWARC's Rust panics arrive as a BaseException we must catch."""
    return not isinstance(exc, Exception) and type(exc).__name__ != "PanicException"


def parse_warc(data: bytes, path: str, compression: str | None, limit: int, fmt: str) -> Iterator[RawRecord]:
    """Documents of a WARC (``fmt="warc"``) or WET (``fmt="wet"``) file; offset counts emitted records."""
    stream = ChunkStream(iter_decompressed(data, compression))
    records = iter(ArchiveIterator(stream, parse_http=False, stream_detect=False))
    offset = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except BaseException as exc:
            if _is_fatal(exc):
                raise
            if stream.error is not None:
                yield q.quarantined(path, offset, stream.error.reason, stream.error.detail, 0, None)
            elif stream.cut_in_version_line():
                yield q.quarantined(path, offset, q.TRUNCATED_ARCHIVE, f"WARC stream ends inside a record ({exc})",
                                    0, None)
            else:
                yield q.quarantined(path, offset, q.MALFORMED_WARC, str(exc), 0, None)
            return
        try:
            result = _document(record, fmt, path, offset, limit)
        except _Truncated as cut:  # the stream ended inside this record
            reason, detail = q.TRUNCATED_ARCHIVE, cut.detail
            if stream.error is not None:
                reason, detail = stream.error.reason, f"{stream.error.detail}; {cut.detail}"
            yield q.quarantined(path, offset, reason, detail, cut.raw_bytes, cut.sample)
            return
        except BaseException as exc:
            if _is_fatal(exc):
                raise
            result = q.quarantined(path, offset, q.PARSE_ERROR, f"{type(exc).__name__}: {exc}", 0, None,
                                   url=record.headers.get("WARC-Target-URI"))
        if result is not None:
            yield result
            offset += 1
    if stream.error is not None:
        yield q.quarantined(path, offset, stream.error.reason, stream.error.detail, 0, None)
    elif not stream.ends_cleanly():
        yield q.quarantined(path, offset, q.TRUNCATED_ARCHIVE, "WARC stream ends inside a record", 0, None)
    elif stream.position == 0:
        yield q.quarantined(path, 0, q.EMPTY_FILE, "file is empty", 0, None)
