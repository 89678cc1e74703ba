"""WARC ``response`` records with HTML and WET ``conversion`` records, framed here record by record.

**Framing.** This module cuts the decompressed stream into records itself (FastWARC only decodes chunked / Brotli
HTTP bodies). A record is a header block (a version line ``WARC/1.0`` or ``WARC/1.1``, the pre-standard ``WARC/0.17``
/ ``WARC/0.18`` also accepted, ``Name: value`` lines, a blank line; CRLF or bare LF line ends), ``Content-Length``
bytes of payload and a closing blank line (``CRLF CRLF``, or ``LF LF`` after an LF header); further line breaks
between records are skipped. A valid header has a numeric ``Content-Length`` and a ``WARC-Type``.

A record's declared length is believed when the closing follows its payload *and* is confirmed: after it (and any
line breaks) comes a valid WARC header, a gzip member start of a per-record ``.warc.gz``, a damage point or the end
of the stream. A closing that is not confirmed is still believed unless a record starts inside the payload (a
valid header whose own record is closed and confirmed: a WARC record merely quoted in a page is not one); what
follows it is then quarantined up to the next record. Otherwise the record's real end is searched for after its
payload start: the next valid WARC header at any offset, or in a per-record ``.warc.gz`` (every record so far
started a gzip member) the next gzip member start. Text such as ``WARC/1.0`` inside a payload therefore never
splits a record whose ``Content-Length`` is right, and every record after a bad one is read.

**Damaged gzip.** Each gzip member is inflated on its own: a damaged member (bad data, failed CRC, a member that
does not end before the next one, bytes that are not a member) is skipped and reading resumes at the next member
that starts a WARC record. What the damaged member gave before the damage is framed as usual; the record it
cuts, or the record of a per-record member whose check failed, is quarantined with the decompression error, or,
when the damage lost only whole records, one record stands for it. A damaged whole-file gzip stream is read up
to the damage (a failed CRC is only found at the stream's end: what was read before cannot be judged).

**What is quarantined** (one quarantine record per bad record; every good record before and after it is kept):

* ``malformed_warc``: a header block that is not a valid WARC header (bad version line, a line that is not
  ``Name: value``, no or non-numeric ``Content-Length``, no ``WARC-Type``, no blank line within
  :data:`MAX_HEADER_BYTES`), or bytes between records that are no record, up to the next record. A damaged header
  that still has a numeric ``Content-Length`` is framed by it when that agrees with what follows.
* ``warc_length_mismatch``: a valid header whose ``Content-Length`` disagrees with where the record ends (no
  closing after the declared payload, a record found inside it, or the next record found further on); the
  quarantine covers the bytes up to the next record.
* ``truncated_archive``: the file (or its compressed stream) ends inside a record: exactly one, the last record.
* ``corrupt_archive``: a damaged gzip member or compressed stream, as above.
* the document reasons of :mod:`corpus_pipeline.ingest.quarantine` for a well-framed response / conversion.

One ambiguity is decided for the record: a ``Content-Length`` too small by chance ending on a blank line inside
the payload gives a document cut there (its tail is quarantined as ``malformed_warc``), so that a record followed
by a damaged header or stray bytes is kept.

**Counts.** ``parse_warc(..., counts=WarcCounts())`` fills per-file counts as the iterator advances (complete once
it is exhausted): ``records`` (every record or quarantined span found) == ``documents`` + ``quarantined`` + the
sum of ``skipped`` (records that are not documents, by kind: :data:`SKIP_KINDS`).
"""

from __future__ import annotations

import io
import re
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from fastwarc.stream_io import BrotliReader, ChunkedReader

from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest.compression import CHUNK_BYTES, ArchiveError, iter_decompressed, skip_zero_padding
from corpus_pipeline.ingest.decode import HTML_HEAD_BYTES, decode_bytes, html_declared_charset
from corpus_pipeline.ingest.record import RawRecord

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAX_HEADER_BYTES = 1 << 16  # a WARC header block (Common Crawl's are < 2 KiB)
MAX_HTTP_HEADER_BYTES = 1 << 16  # the HTTP header block of a response record
HOLD_BYTES = 1 << 25  # payloads up to this (or max_document_bytes + MAX_HTTP_HEADER_BYTES) are held in memory
RETAIN_BYTES = 1 << 26  # a larger payload is streamed: this much after a record found inside it is kept to judge it

SKIP_NOT_RESPONSE = "not_response"  # warc: warcinfo, request, metadata, resource, revisit... records
SKIP_NOT_CONVERSION = "not_conversion"  # wet: any record but a conversion
SKIP_NOT_HTTP = "not_http"  # a response record that holds no HTTP response (Content-Type, status line)
SKIP_NOT_HTML = "not_html"  # an HTTP response whose Content-Type is not HTML / XHTML
SKIP_NOT_2XX = "not_2xx"  # an HTML response with a status outside 200-299
SKIP_KINDS = (SKIP_NOT_RESPONSE, SKIP_NOT_CONVERSION, SKIP_NOT_HTTP, SKIP_NOT_HTML, SKIP_NOT_2XX)

_VERSION_LINE = re.compile(rb"WARC/(?:1\.[01]|0\.1[78])\r?\n")
_VERSIONS = (b"WARC/1.0\r\n", b"WARC/1.1\r\n", b"WARC/0.17\r\n", b"WARC/0.18\r\n")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_NEWLINES = re.compile(rb"[\r\n]*")
_FIELD_LINES = re.compile(rb"(?:(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+:|[ \t])[^\n]*\n)*")
_FIELD_NAMES = (b"\nwarc-type:", b"\ncontent-length:", b"\nwarc-target-uri:", b"\ncontent-type:")
_STATUS = re.compile(rb"HTTP/[0-9.]+[ \t]+([0-9]{3})(?=[ \t\r\n]|$)")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_PIECE_MIN, _PIECE_MAX = 1 << 14, 1 << 20
_SALVAGE_STEP = 32
# a CRC / length check fails at a member's end, however far before it the damage is: nothing of the failing call
# is salvaged then (what was delivered before it cannot be recalled: a damaged whole-file .gz is read up to there)
_CHECK_ERRORS = ("incorrect data check", "incorrect length check")
_FLUSH_BYTES = 1 << 23
_SAMPLE_BYTES = q.SAMPLE_CHARS * 4
_DATA, _MEMBER, _DAMAGE, _END = range(4)


@dataclass
class WarcCounts:
    """Per-file record counts filled by :func:`parse_warc` (complete once its iterator is exhausted).

    ``records`` counts every WARC record found and every span quarantined in a record's place; each is exactly
    one of: a document emitted (``documents``), a quarantine record emitted (``quarantined``, which includes
    ``empty_file`` and the damaged-stream records), or a record that is not a document (``skipped``, by kind).
    """

    records: int = 0
    documents: int = 0
    quarantined: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def balanced(self) -> bool:
        """The conservation invariant: every record found is a document, a quarantine record or skipped."""
        return self.records == self.documents + self.quarantined + self.skipped_total

    def add(self, other: WarcCounts) -> None:
        """Adds another file's counts to these (for per-source or per-stage totals)."""
        self.records += other.records
        self.documents += other.documents
        self.quarantined += other.quarantined
        for kind, n in other.skipped.items():
            self.skipped[kind] = self.skipped.get(kind, 0) + n

    def as_dict(self) -> dict:
        """A JSON-ready copy: ``{"records", "documents", "quarantined", "skipped": {kind: n}}``."""
        return {
            "records": self.records,
            "documents": self.documents,
            "quarantined": self.quarantined,
            "skipped": dict(sorted(self.skipped.items())),
        }


# ---------------------------------------------------------------- decompression with gzip member boundaries


def _next_member(data: bytes, start: int) -> int | None:
    """The offset of the next gzip member at or after ``start`` that begins with a WARC record, or None."""
    view = memoryview(data)
    at = data.find(_GZIP_MAGIC, start)
    while at >= 0:
        try:
            head = zlib.decompressobj(31).decompress(view[at : at + (1 << 16)], 24)
        except zlib.error:
            head = b""
        if head.lstrip(b"\r\n").startswith(b"WARC/"):
            return at
        at = data.find(_GZIP_MAGIC, at + 1)
    return None


def _damaged(data: bytes, at: int, detail: str, in_member: bool) -> Iterator[tuple[int, object]]:
    """A ``_DAMAGE`` event ``(error, where reading resumes, whether the damage is in the member just read)`` when a
    later gzip member can be read, else the ``_END`` event ending the stream."""
    resume = _next_member(data, at)
    if resume is None:
        yield _END, ArchiveError(q.CORRUPT_ARCHIVE, detail)
    else:
        yield (
            _DAMAGE,
            (
                ArchiveError(q.CORRUPT_ARCHIVE, f"{detail}; reading resumes at the gzip member at byte {resume}"),
                resume,
                in_member,
            ),
        )


def _inflate(inflater, piece) -> Iterator[bytes]:
    """The output of one piece of input, at most CHUNK_BYTES at a time (a gzip bomb is read bounded)."""
    while True:
        out = inflater.decompress(piece, CHUNK_BYTES)
        if out:
            yield out
        if inflater.eof:
            return
        piece = inflater.unconsumed_tail
        if not piece and len(out) < CHUNK_BYTES:
            return


def _salvage(view: memoryview, start: int, good_until: int, bad_until: int, delivered: int) -> Iterator[tuple]:
    """The output a failing decompression call dropped: the member at ``start`` is inflated again, the input before
    ``good_until`` in large pieces, then in small steps until the error; bytes after ``delivered`` are yielded."""
    inflater = zlib.decompressobj(31)
    produced, at = 0, start
    try:
        while at < bad_until and not inflater.eof:
            stop = min(at + _PIECE_MAX, good_until) if at < good_until else min(at + _SALVAGE_STEP, bad_until)
            for out in _inflate(inflater, view[at:stop]):
                if produced + len(out) > delivered:
                    yield _DATA, out[max(delivered - produced, 0) :]
                    delivered = produced + len(out)
                produced += len(out)
            at = stop
    except zlib.error:
        return


def _gzip_events(data: bytes) -> Iterator[tuple[int, object]]:
    """The decompressed chunks of a gzip file (``_DATA``), a ``_MEMBER`` before each member, a ``_DAMAGE`` where a
    damaged member is skipped and an ``_END`` error if the stream ends damaged. Zero padding is allowed."""
    view = memoryview(data)
    size, pos = len(data), 0
    while pos < size:
        if data[pos] == 0:
            pos = skip_zero_padding(data, pos)
            if pos == size:
                return
        if not data.startswith(_GZIP_MAGIC, pos):
            if size - pos < len(_GZIP_MAGIC) and _GZIP_MAGIC.startswith(data[pos:]):
                yield _END, ArchiveError(q.TRUNCATED_ARCHIVE, f"gzip: file ends inside a member header at byte {pos}")
                return
            for event in _damaged(data, pos + 1, f"gzip: the bytes at {pos} are not a gzip member", False):
                yield event
                if event[0] == _END:
                    return
                pos = event[1][1]
            continue
        start = pos
        yield _MEMBER, None
        inflater = zlib.decompressobj(31)
        step, delivered, piece_start = _PIECE_MIN, 0, pos
        try:
            while not inflater.eof and pos < size:
                piece_start = pos
                piece = view[pos : pos + step]
                pos += len(piece)
                step = min(step * 2, _PIECE_MAX)
                for out in _inflate(inflater, piece):
                    delivered += len(out)
                    yield _DATA, out
        except zlib.error as exc:
            if not any(check in str(exc) for check in _CHECK_ERRORS):  # the damage is near where it was found
                yield from _salvage(view, start, piece_start, pos, delivered)
            for event in _damaged(data, start + 1, f"gzip: {exc} in the member at byte {start}", True):
                yield event
                if event[0] == _END:
                    return
                pos = event[1][1]
            continue
        if inflater.eof:
            pos -= len(inflater.unused_data)
            continue
        # the file ends inside this member: cut short, or a damaged header made it swallow the members after it
        resume = _next_member(data, start + 1)
        if resume is None:
            yield (
                _END,
                ArchiveError(
                    q.TRUNCATED_ARCHIVE, "gzip: Compressed file ended before the end-of-stream marker was reached"
                ),
            )
            return
        yield (
            _DAMAGE,
            (
                ArchiveError(
                    q.CORRUPT_ARCHIVE,
                    f"gzip: the member at byte {start} does not end before the gzip member at byte {resume}",
                ),
                resume,
                True,
            ),
        )
        pos = resume


def _events(data: bytes, compression: str | None) -> Iterator[tuple[int, object]]:
    """The decompressed stream as events: ``(_DATA, bytes)``, ``(_MEMBER, None)`` before each gzip member,
    ``(_DAMAGE, (error, resume offset, in member))`` and a last ``(_END, error)`` if the stream ends damaged."""
    if not data:
        return
    if compression is None or compression == "gzip" and data.startswith(b"WARC/"):  # a plain WARC named .gz
        yield _DATA, data
    elif compression == "gzip":
        yield from _gzip_events(data)
    else:
        try:
            for chunk in iter_decompressed(data, compression):
                yield _DATA, chunk
        except ArchiveError as exc:
            yield _END, exc


class _Window:
    """A sliding window over the decompressed stream, addressed by stream offsets.

    Bytes before ``keep`` may be dropped when more is read. ``members`` holds the gzip member starts and
    ``marks`` the ``(offset, ArchiveError, offset where the damaged member's output began)`` damage points not yet
    passed; ``error`` is the damage that ended the stream (None once reported).
    """

    def __init__(self, events: Iterator[tuple[int, object]]):
        self._events = events
        self.buf = b""
        self.base = 0  # stream offset of buf[0]
        self.end = 0  # stream offset after buf
        self.total = 0  # bytes read from the stream
        self.keep = 0
        self.done = False
        self.error: ArchiveError | None = None
        self.members: deque[int] = deque()
        self.marks: deque[tuple[int, ArchiveError, int]] = deque()
        self._member = 0  # where the current gzip member's output began

    def _pull(self) -> bytes | None:
        for kind, value in self._events:
            if kind == _DATA:
                self.total += len(value)
                return value
            if kind == _MEMBER:
                self.members.append(self.total)
                self._member = self.total
            elif kind == _DAMAGE:
                self.marks.append((self.total, value[0], self._member if value[2] else self.total))
            else:
                self.error = value
        self.done = True
        return None

    def _append(self, parts: list[bytes]) -> None:
        cut = min(max(self.keep - self.base, 0), len(self.buf))
        if cut == len(self.buf) and len(parts) == 1:
            self.buf = parts[0]
        else:
            self.buf = b"".join([self.buf[cut:], *parts])
        self.base += cut
        self.end = self.base + len(self.buf)

    def ensure(self, upto: int, cap: int | None = None) -> bool:
        """Reads until the window reaches ``upto`` (False if the stream ends first, or would hold over ``cap``)."""
        parts, pending = [], 0
        while self.total < upto and not self.done:
            if cap is not None and self.total - max(self.keep, self.base) > cap:
                break
            chunk = self._pull()
            if chunk is not None:
                parts.append(chunk)
                pending += len(chunk)
                if pending >= _FLUSH_BYTES:
                    self._append(parts)
                    parts, pending = [], 0
        if parts:
            self._append(parts)
        return self.end >= upto

    def more(self) -> bool:
        """Reads one more chunk; False at the end of the stream."""
        chunk = self._pull()
        if chunk is None:
            return False
        self._append([chunk])
        return True

    def get(self, start: int, stop: int) -> bytes:
        return self.buf[start - self.base : stop - self.base]

    def first_mark(self, at: int) -> int | None:
        for offset, _, _ in self.marks:
            if offset >= at:
                return offset
        return None

    def first_member(self, at: int) -> int | None:
        for offset in self.members:
            if offset >= at:
                return offset
        return None

    def member_starts_at(self, pos: int) -> bool:
        while self.members and self.members[0] < pos:
            self.members.popleft()
        return bool(self.members) and self.members[0] == pos


# ---------------------------------------------------------------- framing


@dataclass(slots=True)
class _Header:
    start: int
    end: int  # after the blank line (after the first line when not header-like)
    length: int | None  # Content-Length
    warc_type: bytes | None  # lower-cased; the fields this module reads, None when absent
    url: bytes | None
    content_type: bytes | None  # lower-cased
    problem: str | None  # why this is not a valid WARC header; None for a valid one
    first_line_end: int
    header_like: bool = True
    crlf: bool = True  # its lines end with CRLF (the payload's closing is then CRLF CRLF, else LF LF)


@dataclass(slots=True)
class _Unit:
    """A framed record (``reason`` None: payload at ``header.end``..+length) or a span to quarantine."""

    start: int
    stop: int
    header: _Header | None
    reason: str | None = None
    detail: str | None = None
    held: bool = True  # the payload is in the window (else ``sample`` holds its first bytes)
    sample: bytes | None = None
    raw_bytes: int = 0


_EOF_CUT = object()  # the stream ends inside what looks like a header
_MARK_CUT = object()  # a damage mark cuts what looks like a header


def _parse_fields(buf: bytes, start: int, stop: int) -> tuple[bytes | None, ...]:
    """``(WARC-Type, Content-Length, WARC-Target-URI, Content-Type)`` of the ``Name: value`` lines in
    ``buf[start:stop]`` (which follow a line break and end with one), stripped, the types lower-cased, None when
    absent; the first of repeated fields wins, a second different ``Content-Length`` makes it unreadable."""
    low = buf[start - 1 : stop].lower()
    values: list[bytes | None] = []
    for name in _FIELD_NAMES:
        found = low.find(name)
        if found < 0:
            values.append(None)
            continue
        found += len(name)
        end = low.find(b"\n", found)
        values.append(
            (buf[start - 1 + found : start - 1 + end] if name == b"\nwarc-target-uri:" else low[found:end]).strip()
        )
        if name == b"\ncontent-length:":
            again = low.find(name, found)
            if again >= 0 and low[again + len(name) : low.find(b"\n", again + 1)].strip() != values[-1]:
                values[-1] = b"two different values"
    return tuple(values)


class _Framer:
    """Cuts a :class:`_Window` into :class:`_Unit` records and quarantined spans (see the module docstring)."""

    def __init__(self, window: _Window, gzip: bool, hold: int):
        self.w = window
        self.gzip = gzip
        self.hold = hold
        self.member_aligned = False  # a record after the first started a gzip member...
        self.off_member = False  # ...and none started inside one
        self.next_header: _Header | None = None  # the valid header a closing check read after a payload

    @property
    def aligned(self) -> bool:
        """Whether the file is a per-record ``.warc.gz`` (gzip member starts are the record boundaries)."""
        return self.member_aligned and not self.off_member

    # -- headers

    def read_header(self, pos: int, strict: bool):
        """The header block at ``pos``: a :class:`_Header`, ``_EOF_CUT`` / ``_MARK_CUT`` (cut in a plausible
        header), or None when ``strict`` and it is not a valid WARC header (unreadable headers are not None when
        not strict: a :class:`_Header` with ``problem``). Reads no further than the header's valid lines."""
        w = self.w
        if not w.marks:  # the usual case: the whole header is in the window
            buf, i = w.buf, pos - w.base
            found = _VERSION_LINE.match(buf, i)
            if found:
                lines_end = _FIELD_LINES.match(buf, found.end(), i + MAX_HEADER_BYTES).end()
                blank = 2 if buf.startswith(b"\r\n", lines_end) else 1 if buf.startswith(b"\n", lines_end) else 0
                if blank:
                    base = w.base
                    return self._header(
                        pos, True, base + found.end(), base + lines_end, base + lines_end + blank, strict
                    )
        w.ensure(pos + 12)
        mark = w.first_mark(pos + 1)
        hard = pos + MAX_HEADER_BYTES if mark is None else min(mark, pos + MAX_HEADER_BYTES)
        i = pos - w.base
        found = _VERSION_LINE.match(w.buf, i, min(hard, w.end) - w.base)
        if found:
            line_end = w.base + found.end()
        else:
            available = w.get(pos, min(hard, w.end, pos + 12))
            short = len(available) < 11 and (w.done or hard - pos < 11)
            if short and any(v.startswith(available) for v in _VERSIONS):
                return _MARK_CUT if mark is not None and mark - pos < 12 else _EOF_CUT
            if strict:
                return None
            newline = -1
            while newline < 0:
                newline = w.buf.find(b"\n", pos - w.base, min(hard, w.end) - w.base)
                if newline < 0 and (min(hard, w.end) >= hard or not w.more()):
                    line = w.get(pos, min(pos + 60, w.end))
                    return _Header(
                        pos, min(hard, w.end), None, None, None, None, f"not a WARC record: {line!r}...", w.end, False
                    )
            line_end = w.base + newline + 1
        while True:
            mark = w.first_mark(pos + 1)
            hard = pos + MAX_HEADER_BYTES if mark is None else min(mark, pos + MAX_HEADER_BYTES)
            buf, base = w.buf, w.base
            lim = min(hard, w.end) - base
            lines_end = _FIELD_LINES.match(buf, line_end - base, lim).end()
            blank = 2 if buf.startswith(b"\r\n", lines_end, lim) else 1 if buf.startswith(b"\n", lines_end, lim) else 0
            if blank:
                return self._header(pos, bool(found), line_end, base + lines_end, base + lines_end + blank, strict)
            if buf.find(b"\n", lines_end, lim) >= 0:  # a whole line that is neither a field nor blank
                return None if strict else self._not_header(pos, line_end)
            if lim + base >= hard:
                if mark is not None and lim + base == mark:
                    return _MARK_CUT if found or not strict else None
                return (
                    None
                    if strict
                    else self._not_header(
                        pos, line_end, f"no blank line ends the header within {MAX_HEADER_BYTES} bytes"
                    )
                )
            if not w.more():
                return _EOF_CUT if found else (None if strict else self._not_header(pos, line_end))

    def _header(self, pos: int, version_ok: bool, line_end: int, lines_end: int, block_end: int, strict: bool):
        """The header at ``pos``: first line up to ``line_end``, valid ``Name: value`` lines up to ``lines_end``,
        then the blank line up to ``block_end`` (stream offsets in the window)."""
        w = self.w
        buf, base = w.buf, w.base
        first = line_end - base
        warc_type, declared, url, content_type = _parse_fields(buf, first, lines_end - base)
        problem, length = None, None
        if declared is None:
            problem = "no Content-Length header"
        elif not declared.isdigit() or len(declared) > 18:
            problem = f"Content-Length {declared.decode('utf-8', 'replace')!r} is not a number"
        else:
            length = int(declared)
        if warc_type is None:
            problem = problem or "no WARC-Type header"
        if not version_ok:
            line = buf[pos - base : min(first, pos - base + 60)].rstrip(b"\r\n")
            problem = f"first line {line!r} is not a WARC version line (WARC/1.0 or WARC/1.1)"
        if strict and problem is not None:
            return None
        return _Header(
            pos,
            block_end,
            length,
            warc_type,
            url,
            content_type,
            problem,
            line_end,
            crlf=buf[first - 2 : first] == b"\r\n",
        )

    def _not_header(self, pos: int, line_end: int, why: str | None = None) -> _Header:
        """An unreadable header block at ``pos`` (its first line ends at ``line_end``): not framable."""
        line = self.w.get(pos, min(line_end, pos + 60)).rstrip(b"\r\n")
        detail = why or "a header line is not 'Name: value'"
        if not _VERSION_LINE.match(self.w.get(pos, line_end) or b"-"):
            detail = f"not a WARC record: first line {line!r}"
        return _Header(pos, line_end, None, None, None, None, f"invalid WARC header ({detail})", line_end, False)

    # -- boundaries

    def skip_newlines(self, at: int) -> int:
        w = self.w
        while True:
            at = w.base + _NEWLINES.match(w.buf, at - w.base, w.end - w.base).end()
            if at < w.end or not w.more():
                return at

    def boundary(self, start: int, stop: int | None = None) -> tuple[str, int] | None:
        """The first record boundary at or after ``start`` (and before ``stop``): ``("mark", offset)`` for a
        damage point, ``("member", offset)`` for a gzip member start in a per-record ``.warc.gz``, ``("header",
        offset)`` for a valid WARC header elsewhere; None if the stream (or ``stop``) comes first. Releases the
        window up to where it has searched."""
        w = self.w
        at = start
        aligned = self.aligned
        while True:
            known = None
            mark = w.first_mark(start)
            if mark is not None and mark <= w.end:
                known = ("mark", mark)
            if aligned:
                member = w.first_member(start)
                if member is not None and member <= w.end and (known is None or member < known[1]):
                    known = ("member", member)
            lim = w.end if known is None else known[1]
            if stop is not None:
                lim = min(lim, stop)
            if not aligned:
                while at < lim:
                    candidate = w.buf.find(b"WARC/", at - w.base, lim - w.base)
                    if candidate < 0:
                        break
                    candidate += w.base
                    if isinstance(self.read_header(candidate, strict=True), _Header):
                        return "header", candidate
                    at = candidate + 1
                at = max(at, lim - 4)
            else:  # only member starts and damage points are boundaries: nothing to keep
                at = max(at, lim)
            if known is not None and (stop is None or known[1] < stop):
                return known
            if stop is not None and w.end >= stop:
                return None
            w.keep = max(w.keep, min(at, lim) - 8)
            if not w.more():
                mark = w.first_mark(start)
                if mark is not None and (stop is None or mark < stop):
                    return "mark", mark
                return None

    def closing(self, end: int, crlf: bool) -> tuple[int, bool] | None:
        """``(where the next record may start, confirmed)`` if a payload ending at ``end`` is closed, else None.

        The closing is ``CRLF CRLF`` after a header with CRLF line ends, ``LF LF`` after one with LF line ends (the
        other one is taken only when confirmed); more line breaks may follow. Confirmed: then comes a valid WARC
        header (kept for the next record), a gzip member start in a per-record ``.warc.gz``, a damage point or the
        end of the stream. A closing followed by anything else is not confirmed.
        """
        w = self.w
        if end + 5 > w.end:
            w.ensure(end + 5)
        buf, j = w.buf, end - w.base
        own, other = (b"\r\n\r\n", b"\n\n") if crlf else (b"\n\n", b"\r\n\r\n")
        if end <= w.end and buf.startswith(own, j):
            expected, after = True, end + len(own)
        elif end <= w.end and buf.startswith(other, j):
            expected, after = False, end + len(other)
        else:
            return None
        if after >= w.end or buf[after - w.base] in b"\r\n":
            after = self.skip_newlines(after)
        if after >= w.end:  # the end of the stream
            return after, True
        if w.marks and w.first_mark(end) == after or self.gzip and self.aligned and w.first_member(end) == after:
            return after, True
        header = self.read_header(after, strict=True)
        if header is not None:
            if isinstance(header, _Header):
                self.next_header = header
            return after, True
        return (after, False) if expected else None

    def confirmed_boundary(self, start: int, stop: int) -> tuple[str, int] | None:
        """The first boundary in [start, stop) that is a damage mark, a gzip member start of a per-record
        ``.warc.gz`` or a valid WARC header whose own record is closed and confirmed: a WARC record quoted in a
        payload is not one. Releases the window up to where it has searched, like :meth:`boundary`."""
        at = start
        while True:
            found = self.boundary(at, stop=stop)
            if found is None or found[0] != "header":
                return found
            header = self.read_header(found[1], strict=True)
            closed = self.closing(header.end + header.length, header.crlf) if header.length <= RETAIN_BYTES else None
            self.next_header = None
            if closed is not None and closed[1]:
                return found
            at = found[1] + 1

    # -- records

    def frame(self, pos: int, header: _Header) -> _Unit:
        """The unit of a header with a numeric Content-Length: the record if its length agrees with what
        follows, else the bytes up to the next boundary (or the end) to quarantine."""
        w = self.w
        end = header.end + header.length
        if header.length <= self.hold:
            if end + 4 > w.end:
                w.ensure(end + 4)
            mark = w.first_mark(pos + 1) if w.marks else None
            closed = self.closing(end, header.crlf) if mark is None or mark >= end + 4 else None
            if closed is not None and closed[1]:
                return self.accepted(pos, header, closed[0])
            sample = w.get(header.end, min(end, w.end, header.end + _SAMPLE_BYTES))
            if closed is not None:
                # an unconfirmed closing is believed unless a record starts inside the payload (the window holds
                # the whole payload, so this search releases nothing)
                inside = self.confirmed_boundary(header.end, end)
                if inside is None:
                    return self.accepted(pos, header, closed[0])
                return self.misframed(pos, header, inside, sample)
            return self.misframed(pos, header, self.boundary(header.end), sample)
        # a payload too large to hold: stream through it, looking for a record boundary inside
        w.ensure(header.end + MAX_HTTP_HEADER_BYTES)
        head = w.get(header.end, min(end, header.end + MAX_HTTP_HEADER_BYTES))
        found = self.confirmed_boundary(header.end, end)
        if found is None:
            w.keep = max(w.keep, min(end, w.total) - 8)
            w.ensure(end + 4)
            mark = w.first_mark(pos + 1)
            closed = self.closing(end, header.crlf) if mark is None or mark >= end + 4 else None
            if closed is not None:
                return self.accepted(pos, header, closed[0], head)
            return self.misframed(pos, header, self.boundary(end), head)
        if found[0] == "mark":
            return self.cut(pos, header)
        inside = found[1]
        w.keep = inside
        if w.ensure(end + 4, cap=RETAIN_BYTES):
            mark = w.first_mark(inside)
            closed = self.closing(end, header.crlf) if mark is None or mark >= end + 4 else None
            if closed is not None and closed[1]:  # the header inside was payload text
                return self.accepted(pos, header, closed[0], head)
        self.next_header = None
        return self.misframed(pos, header, found, head)

    def accepted(self, pos: int, header: _Header, after: int, head: bytes | None = None) -> _Unit:
        """A well-framed record, unless a damaged gzip member holding it ends right after it: a damaged member's
        content is suspect (its CRC failed, or it was read up to the damage), so that record is quarantined."""
        marks = self.w.marks
        if marks and marks[0][0] <= after and marks[0][2] <= pos:
            self.next_header = None
            return self.cut(pos, header, "is in the damaged member")
        return _Unit(pos, after, header, held=head is None, sample=head, raw_bytes=header.length)

    def cut(self, pos: int, header: _Header | None, how: str = "is cut short by it") -> _Unit:
        """The unit from ``pos`` to the first damage mark after it, which it reports (and consumes)."""
        offset, error, _ = self.w.marks.popleft()  # marks at or before pos were reported as their own records
        sample = self.w.get(pos, min(offset, pos + _SAMPLE_BYTES))
        return _Unit(
            pos,
            offset,
            header,
            error.reason,
            f"{error.detail}; the record at byte {pos} {how}",
            sample=sample,
            raw_bytes=offset - pos,
        )

    def misframed(self, pos: int, header: _Header, found: tuple[str, int] | None, sample: bytes) -> _Unit:
        """The unit of a record whose declared length disagrees with the stream, up to ``found``."""
        w = self.w
        end = header.end + header.length
        length = header.length
        if found is not None and found[0] == "mark":
            unit = self.cut(pos, header)
            unit.sample = sample
            return unit
        if found is None:
            stop = w.end
            got = stop - header.end
            if end + 4 > stop:
                reason = q.TRUNCATED_ARCHIVE
                detail = (
                    f"record payload ends after {max(got, 0)} of {length} bytes"
                    if got < length
                    else "WARC stream ends inside a record's closing CRLF CRLF"
                )
            else:
                reason = q.WARC_LENGTH_MISMATCH
                detail = (
                    f"Content-Length {length} but no CRLF CRLF follows the payload and no WARC record "
                    f"follows in the {got} bytes after the header"
                )
        else:
            stop = found[1]
            got = stop - header.end
            if w.base <= stop - 4 and w.get(stop - 4, stop) == b"\r\n\r\n":
                got -= 4
            reason = q.WARC_LENGTH_MISMATCH
            detail = (
                f"Content-Length {length} disagrees with the record's end: the next WARC record starts after "
                f"{got} bytes of payload"
            )
        if header.problem is not None:
            reason, detail = (
                (q.MALFORMED_WARC, f"{header.problem}; {detail}") if reason != q.TRUNCATED_ARCHIVE else (reason, detail)
            )
        return _Unit(pos, stop, header, reason, detail, sample=sample, raw_bytes=max(got, 0))

    def units(self) -> Iterator[_Unit]:
        """Every record and quarantined span of the stream, in order."""
        w = self.w
        pos, seen = 0, False
        while True:
            if pos >= w.end or w.buf[pos - w.base] in b"\r\n":
                pos = self.skip_newlines(pos)
            w.keep = pos
            while w.marks and w.marks[0][0] <= pos:  # damage that cut no record in progress: one record lost
                _, error, _ = w.marks.popleft()
                seen = True
                yield _Unit(pos, pos, None, error.reason, error.detail)
            if pos >= w.end and not w.ensure(pos + 1):
                if w.error is not None:
                    yield _Unit(pos, pos, None, w.error.reason, w.error.detail)
                    w.error = None
                elif not seen:
                    detail = "file is empty" if w.total == 0 else "file holds no WARC record, only line breaks"
                    yield _Unit(0, w.total, None, q.EMPTY_FILE, detail)
                return
            seen = True
            unit = self._unit_at(pos)
            if self.gzip and unit.reason is None:
                self._note_start(pos)
            if unit.reason is not None and w.error is not None and unit.stop >= w.end and w.done:
                unit.reason, unit.detail = w.error.reason, f"{w.error.detail}; {unit.detail}"
                w.error = None
            yield unit
            pos = max(unit.stop, pos + 1)

    def _note_start(self, pos: int) -> None:
        if self.w.member_starts_at(pos):
            self.member_aligned = self.member_aligned or pos > 0
        else:
            self.off_member = True

    def _unit_at(self, pos: int) -> _Unit:
        w = self.w
        header = self.next_header
        self.next_header = None
        if header is None or header.start != pos:
            header = self.read_header(pos, strict=False)
        if header is _EOF_CUT:
            return _Unit(
                pos,
                w.end,
                None,
                q.TRUNCATED_ARCHIVE,
                "WARC stream ends inside a record header",
                sample=w.get(pos, min(w.end, pos + _SAMPLE_BYTES)),
                raw_bytes=w.end - pos,
            )
        if header is _MARK_CUT:
            return self.cut(pos, None)
        if header.problem is None:
            return self.frame(pos, header)
        sample = w.get(pos, min(w.end, pos + _SAMPLE_BYTES))
        if header.header_like and header.length is not None:  # a damaged header that still gives a length
            inside = self.valid_header_in(pos + 1, header.first_line_end)
            if inside is None:
                unit = self.frame(pos, header)
                if unit.reason is None:
                    unit.reason, unit.detail = q.MALFORMED_WARC, header.problem
                    unit.sample, unit.raw_bytes = sample, unit.stop - pos
                return unit
            found: tuple[str, int] | None = ("header", inside)
        else:
            found = self.boundary(pos + 1)
        if found is not None and found[0] == "mark":
            unit = self.cut(pos, header)
            unit.detail = f"{unit.detail} ({header.problem})"
            return unit
        stop = w.end if found is None else found[1]
        detail = header.problem
        if found is not None and found[1] < header.first_line_end:  # bytes before a header: not part of it
            detail = f"{found[1] - pos} bytes before a WARC record are not a record: {sample[: found[1] - pos][:60]!r}"
            header = None
        return _Unit(pos, stop, header, q.MALFORMED_WARC, detail, sample=sample[: stop - pos], raw_bytes=stop - pos)

    def valid_header_in(self, start: int, stop: int) -> int | None:
        """The offset of the first valid WARC header starting in [start, stop), or None."""
        w = self.w
        at = start
        while at < stop:
            found = w.buf.find(b"WARC/", at - w.base, stop - w.base)
            if found < 0:
                return None
            found += w.base
            if isinstance(self.read_header(found, strict=True), _Header):
                return found
            at = found + 1
        return None


# ---------------------------------------------------------------- records to documents


def _text(value: bytes | None) -> str | None:
    return value.decode("utf-8", "replace") if value else None


def _http_head(data: bytes, start: int, stop: int, total_stop: int):
    """``(status, media type, charset, transfer-encoding, content-encoding, body start)`` of the HTTP response in
    ``data[start:stop]`` (a payload ending at ``total_stop``); None if it does not start with a status line."""
    if not data.startswith(b"HTTP/", start):
        return None
    blank = _BLANK_LINE.search(data, start, min(stop, start + MAX_HTTP_HEADER_BYTES))
    if blank is not None:
        head_end, body_start = blank.start() + 1, blank.end()
    elif total_stop - start <= MAX_HTTP_HEADER_BYTES:
        head_end = body_start = total_stop  # headers only, no body
    else:
        return None
    status_match = _STATUS.match(data, start, head_end)
    status = int(status_match.group(1)) if status_match else None
    low = data[start:head_end].lower()

    def header(name: bytes) -> bytes:
        found = low.find(name)
        if found < 0:
            return b""
        found += len(name)
        end = low.find(b"\n", found)
        return low[found : end if end >= 0 else len(low)].strip()

    media, _, params = header(b"\ncontent-type:").decode("latin-1").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
            break
    return (
        status,
        media.strip(),
        charset,
        header(b"\ntransfer-encoding:").decode("latin-1"),
        header(b"\ncontent-encoding:").decode("latin-1"),
        body_start,
    )


def _content_decoded(body: bytes, transfer_encoding: str, content_encoding: str, limit: int) -> bytes:
    """The HTTP body without its transfer / content encoding; the raw body if decoding fails (mislabelled)."""
    try:
        if "chunked" in transfer_encoding.lower():
            body = ChunkedReader(io.BytesIO(body)).read()
        encoding = content_encoding.strip().lower()
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


def _record_result(
    unit: _Unit, window: _Window, fmt: str, path: str, offset: int, limit: int
) -> tuple[str, RawRecord | None]:
    """``("document", record)``, ``("quarantined", record)`` or ``(skip kind, None)`` for a framed record."""
    header = unit.header
    warc_type = header.warc_type
    if fmt == "wet":
        if warc_type != b"conversion":
            return SKIP_NOT_CONVERSION, None
    elif warc_type != b"response":
        return SKIP_NOT_RESPONSE, None
    url = _text(header.url)
    start, stop = header.end, header.end + header.length
    data, base = (window.buf, window.base) if unit.held else (unit.sample, header.end)
    charsets: tuple[str | None, ...] = ()
    if fmt == "wet":
        body_start = start
    else:
        if not (header.content_type or b"").startswith(b"application/http"):
            return SKIP_NOT_HTTP, None
        http = _http_head(data, start - base, min(stop, base + len(data)) - base, stop - base)
        if http is None:
            return SKIP_NOT_HTTP, None
        status, media, charset, transfer_encoding, content_encoding, body_start = http
        body_start += base
        if media not in HTML_TYPES:
            return SKIP_NOT_HTML, None
        if status is not None and not 200 <= status < 300:
            return SKIP_NOT_2XX, None
        charsets = (charset,)
    expected = stop - body_start
    if expected > limit:
        return "quarantined", q.quarantined(
            path,
            offset,
            q.DOCUMENT_TOO_LARGE,
            f"payload of {expected} bytes > max_document_bytes {limit}",
            expected,
            None,
            url=url,
        )
    raw = data[body_start - base : stop - base]
    body = raw
    if fmt == "warc":
        body = _content_decoded(raw, transfer_encoding, content_encoding, limit)
        charsets += (html_declared_charset(body[:HTML_HEAD_BYTES]),)
        if len(body) > limit:
            return "quarantined", q.quarantined(
                path,
                offset,
                q.DOCUMENT_TOO_LARGE,
                f"decoded body of more than {limit} bytes (max_document_bytes)",
                len(raw),
                body,
                url=url,
            )
    if q.is_blank(body):
        return "quarantined", q.quarantined(path, offset, q.MISSING_TEXT, "empty payload", len(raw), body, url=url)
    decoded = decode_bytes(body, charsets)
    if decoded is None:
        return "quarantined", q.quarantined(
            path,
            offset,
            q.UNDECODABLE,
            "payload is not valid UTF-8, GB18030, Big5 or its declared charset",
            len(raw),
            body,
            url=url,
        )
    text = decoded[0]
    if q.is_blank(text):
        return "quarantined", q.quarantined(
            path, offset, q.MISSING_TEXT, "payload is only whitespace", len(raw), text, url=url
        )
    problem = q.nul_problem(text)
    if problem is not None:
        return "quarantined", q.quarantined(path, offset, q.NUL_BYTES, problem, len(raw), text, url=url)
    field_name = "text" if fmt == "wet" else "html"
    return "document", RawRecord(path=path, offset=offset, raw_bytes=len(raw), url=url, **{field_name: text})


def parse_warc(
    data: bytes, path: str, compression: str | None, limit: int, fmt: str, counts: WarcCounts | None = None
) -> Iterator[RawRecord]:
    """Documents and quarantine records of a WARC (``fmt="warc"``) or WET (``fmt="wet"``) file; ``offset`` counts
    emitted records. Never raises for bad input. ``counts``, if given, is filled as the iterator advances (see
    :class:`WarcCounts`)."""
    counts = counts if counts is not None else WarcCounts()
    window = _Window(_events(data, compression))
    framer = _Framer(window, compression == "gzip", max(HOLD_BYTES, limit + MAX_HTTP_HEADER_BYTES + 1))
    offset = 0
    units = framer.units()
    while True:
        try:
            unit = next(units)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - a framing bug: report it and stop reading this file
            counts.records += 1
            counts.quarantined += 1
            yield q.quarantined(path, offset, q.PARSE_ERROR, f"{type(exc).__name__}: {exc}", 0, None)
            return
        counts.records += 1
        url = _text(unit.header.url) if unit.header is not None else None
        if unit.reason is not None:
            counts.quarantined += 1
            yield q.quarantined(path, offset, unit.reason, unit.detail, unit.raw_bytes, unit.sample, url=url or None)
            offset += 1
            continue
        try:
            kind, result = _record_result(unit, window, fmt, path, offset, limit)
        except Exception as exc:  # noqa: BLE001 - e.g. a decoder bug on one payload
            kind, result = (
                "quarantined",
                q.quarantined(path, offset, q.PARSE_ERROR, f"{type(exc).__name__}: {exc}", 0, None, url=url),
            )
        if result is None:
            counts.skipped[kind] = counts.skipped.get(kind, 0) + 1
            continue
        if kind == "document":
            counts.documents += 1
        else:
            counts.quarantined += 1
        yield result
        offset += 1
