"""JSON Lines (and ``.json`` arrays) of ``{text | html, id?, url?, title?, source?, ...}`` objects.

Lines are split from the decompressed stream chunk by chunk; each line is size-checked before it is decoded
(strict UTF-8, else GB18030 / Big5 detection) and parsed, so one oversized or broken line costs nothing more
than skipping it. A file in UTF-16 or UTF-32 (BOM, or their NUL pattern) is transcoded to UTF-8 as it streams,
before the lines are split. Fields other than the known ones go to ``meta`` as a JSON string.

A JSON string may hold a lone surrogate (``"\\ud800"``), which no UTF-8 writer (Arrow, parquet) accepts; the
records are returned as parsed and :func:`corpus_pipeline.ingest.parsers.encodable` quarantines such a record as
``invalid_unicode`` where they are written (only when writing a batch fails, so the check costs nothing else).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from corpus_pipeline.ingest import quarantine as q
from corpus_pipeline.ingest.compression import ArchiveError, iter_decompressed
from corpus_pipeline.ingest.decode import (
    WIDE_SNIFF_BYTES,
    LineDecoder,
    bom_encoding,
    decode_bytes,
    sniff_wide_encoding,
    transcoder,
)
from corpus_pipeline.ingest.record import RawRecord

KNOWN_FIELDS = frozenset({"text", "html", "id", "url", "title", "source"})
_HEAD_BYTES = q.SAMPLE_CHARS * 4
_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}
_UNDECODABLE = "line is not valid UTF-8, GB18030 or Big5"


def _dumps(value: Any) -> str:
    """``value`` as JSON text; NaN and ±Infinity (which Python's parser accepts, JSON does not) as strings."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, sort_keys=True, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _as_str(value: Any) -> str | None:
    """A field as a string: numbers (ids) via ``str``, other non-strings as JSON; NaN and ±Infinity are None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _dumps(value)


def _key(value: Any) -> str | None:
    """An ``id`` or ``source`` field: None when absent, blank, NaN or ±Infinity (the id is then derived)."""
    text = _as_str(value)
    return None if q.is_blank(text) else text


def record_from_value(value: Any, path: str, offset: int, raw_bytes: int, raw: str) -> RawRecord:
    """A document from one parsed JSON value, or its quarantine record (``raw`` is the source, for samples)."""
    if not isinstance(value, dict):
        kind = _JSON_TYPES.get(type(value), type(value).__name__)
        return q.quarantined(path, offset, q.NOT_JSON_OBJECT, f"expected a JSON object, got {kind}", raw_bytes, raw)
    fields = {name: _as_str(value.get(name)) for name in ("url", "title")}
    fields.update((name, _key(value.get(name))) for name in ("id", "source"))
    text, html = value.get("text"), value.get("html")
    if isinstance(text, str) and not q.is_blank(text):
        body = {"text": text}
    elif isinstance(html, str) and not q.is_blank(html):
        body = {"html": html}
    else:
        return q.quarantined(
            path,
            offset,
            q.MISSING_TEXT,
            "no non-empty 'text' or 'html' string",
            raw_bytes,
            raw,
            id=fields["id"],
            url=fields["url"],
            source=fields["source"],
        )
    problem = q.nul_problem(next(iter(body.values())))
    if problem is not None:
        return q.quarantined(
            path,
            offset,
            q.NUL_BYTES,
            problem,
            raw_bytes,
            raw,
            id=fields["id"],
            url=fields["url"],
            source=fields["source"],
        )
    rest = {key: val for key, val in value.items() if key not in KNOWN_FIELDS}
    meta = _dumps(rest) if rest else None
    return RawRecord(path=path, offset=offset, raw_bytes=raw_bytes, meta=meta, **fields, **body)


class _Oversize:
    """A line longer than the limit: only its size and first bytes were kept."""

    __slots__ = ("size", "head")

    def __init__(self, size: int, head: bytes):
        self.size, self.head = size, head


class _LineSplitter:
    """Splits chunks into lines; a line growing past ``limit`` bytes is counted, not kept."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.head: bytes | None = None  # set once the pending line is oversize

    def _add(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.head is None:
            self.parts.append(piece)
            if self.size > self.limit:
                self.head = b"".join(self.parts)[:_HEAD_BYTES]
                self.parts = []

    def _take(self) -> bytes | _Oversize:
        line = _Oversize(self.size, self.head) if self.head is not None else b"".join(self.parts)
        self.parts, self.size, self.head = [], 0, None
        return line

    def feed(self, chunk: bytes) -> list[bytes | _Oversize]:
        lines: list[Any] = chunk.split(b"\n")
        last = lines.pop()
        if lines and self.size:
            self._add(lines[0])
            lines[0] = self._take()
        if last:
            self._add(last)
        return lines

    def pending(self) -> tuple[int, bytes]:
        """Size and first bytes of the unfinished last line."""
        return self.size, self.head if self.head is not None else b"".join(self.parts)[:_HEAD_BYTES]

    def finish(self) -> list[bytes | _Oversize]:
        return [self._take()] if self.size else []


def _parse_line(
    line: bytes | _Oversize, path: str, offset: int, limit: int, decoder: LineDecoder, undecodable: str = _UNDECODABLE
) -> RawRecord:
    if type(line) is _Oversize:
        return q.quarantined(
            path,
            offset,
            q.DOCUMENT_TOO_LARGE,
            f"line of more than {limit} bytes (max_document_bytes)",
            line.size,
            line.head,
        )
    size = len(line)
    if size > limit:
        return q.quarantined(
            path, offset, q.DOCUMENT_TOO_LARGE, f"line of {size} bytes > max_document_bytes {limit}", size, line
        )
    decoded = decoder.decode(line)
    if decoded is None:
        return q.quarantined(path, offset, q.UNDECODABLE, undecodable, size, line)
    text = decoded[0]
    if offset == 0 and text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(text)
    except ValueError as exc:
        return q.quarantined(path, offset, q.MALFORMED_JSON, str(exc), size, text)
    return record_from_value(value, path, offset, size, text)


def _safe(parse, path: str, offset: int, raw_bytes: int, raw) -> RawRecord:
    try:
        return parse()
    except Exception as exc:  # noqa: BLE001 - one bad record never stops the file
        return q.quarantined(path, offset, q.PARSE_ERROR, f"{type(exc).__name__}: {exc}", raw_bytes, raw)


def parse_json_lines(
    chunks: Iterable[bytes], path: str, limit: int, transcoded_from: str | None = None
) -> Iterator[RawRecord]:
    """One record per non-blank line of the decompressed ``chunks``; offset = 0-based line number.

    :param transcoded_from: the file's encoding when ``chunks`` are its UTF-8 transcoding (lines are then only
        decoded as UTF-8: bytes the transcoding could not read are the line's ``undecodable`` record)
    """
    splitter = _LineSplitter(limit)
    decoder = LineDecoder(()) if transcoded_from else LineDecoder()
    undecodable = f"line is not valid {transcoded_from.upper()}" if transcoded_from else _UNDECODABLE
    lineno, seen, total = 0, False, 0

    def handle(lines):
        nonlocal lineno, seen
        for line in lines:
            offset, lineno = lineno, lineno + 1
            if type(line) is bytes and (not line or line.isspace()):
                continue
            seen = True
            size = line.size if type(line) is _Oversize else len(line)
            yield _safe(
                lambda: _parse_line(line, path, offset, limit, decoder, undecodable),
                path,
                offset,
                size,
                line.head if type(line) is _Oversize else line,
            )

    try:
        for chunk in chunks:
            total += len(chunk)
            yield from handle(splitter.feed(chunk))
    except ArchiveError as exc:
        size, head = splitter.pending()
        yield q.quarantined(path, lineno, exc.reason, exc.detail, size, head)
        return
    yield from handle(splitter.finish())
    if not seen:
        yield q.quarantined(path, 0, q.EMPTY_FILE, "file has no non-blank line", total, None)


def _array_items(text: str) -> Iterator[tuple[str, Any]]:
    """``(source text, value)`` of each element of the JSON array in ``text``.

    :raise json.JSONDecodeError: where the text stops being a valid array (``pos`` says where)
    """
    decoder = json.JSONDecoder()
    pos = _JSON_WS.match(text, text.index("[") + 1).end()
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            value, end = decoder.raw_decode(text, pos)
            yield text[pos:end], value
            pos = _JSON_WS.match(text, end).end()
            if text.startswith(",", pos):
                pos = _JSON_WS.match(text, pos + 1).end()
            elif text.startswith("]", pos):
                pos += 1
                break
            else:
                raise json.JSONDecodeError("Expecting ',' or ']'", text, pos)
    if not q.is_blank(text[pos:]):
        raise json.JSONDecodeError("Extra data after the array", text, pos)


def parse_json_array(
    chunks: Iterable[bytes], path: str, limit: int, transcoded_from: str | None = None
) -> Iterator[RawRecord]:
    """A ``.json`` file holding one array of objects; offset = index in the array.

    The whole file is decoded and parsed at once (no streaming JSON parser in the stdlib), element by element so
    that the elements before a broken or truncated spot are kept.

    :param transcoded_from: as for :func:`parse_json_lines` (the UTF-8 transcoding is then decoded as UTF-8 only)
    """
    parts, error = [], None
    try:
        for chunk in chunks:
            parts.append(chunk)
    except ArchiveError as exc:
        error = exc
    data = b"".join(parts)
    decoded = decode_bytes(data, candidates=("utf-8",)) if transcoded_from else decode_bytes(data)
    if decoded is None:
        expected = transcoded_from.upper() if transcoded_from else "UTF-8, GB18030 or Big5"
        yield (
            error_record(error, path, 0, data)
            if error
            else q.quarantined(path, 0, q.UNDECODABLE, f"file is not valid {expected}", len(data), data)
        )
        return
    text, index = decoded[0], 0
    try:
        for raw, value in _array_items(text):
            raw_bytes = len(raw.encode("utf-8"))
            if raw_bytes > limit:
                yield q.quarantined(
                    path,
                    index,
                    q.DOCUMENT_TOO_LARGE,
                    f"element of {raw_bytes} bytes > max_document_bytes {limit}",
                    raw_bytes,
                    raw,
                )
            else:
                yield _safe(lambda: record_from_value(value, path, index, raw_bytes, raw), path, index, raw_bytes, raw)
            index += 1
    except json.JSONDecodeError as exc:
        rest = text[exc.pos :]
        yield (
            error_record(error, path, index, rest)
            if error
            else q.quarantined(path, index, q.MALFORMED_JSON, str(exc), len(rest.encode("utf-8")), rest)
        )
        return
    if error is not None:
        yield error_record(error, path, index, None)


def error_record(error: ArchiveError, path: str, offset: int, raw: bytes | str | None) -> RawRecord:
    """The quarantine record of a damaged compressed stream, with what was read of the record it cut."""
    size = 0 if raw is None else len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8"))
    return q.quarantined(path, offset, error.reason, error.detail, size, raw)


def parse_jsonl(data: bytes, path: str, compression: str | None, limit: int, allow_array: bool) -> Iterator[RawRecord]:
    """JSON Lines, or (``allow_array``: a ``.json`` file) a JSON array when the first non-space byte is ``[``.

    A file in UTF-16 or UTF-32 (:func:`~corpus_pipeline.ingest.decode.sniff_wide_encoding` on its first
    decompressed bytes) is read through its UTF-8 transcoding; a BOM is trusted even when the text after it is
    implausible (its lines then fail one by one, not split at every 0x0A byte).
    """
    chunks = iter_decompressed(data, compression)
    head, size = [], 0
    try:
        for chunk in chunks:
            head.append(chunk)
            size += len(chunk)
            if size >= WIDE_SNIFF_BYTES:
                break
    except ArchiveError as exc:  # damaged within the first bytes: the parsers report it after what was read
        chunks = _raise_after((), exc)
    first = b"".join(head)[:WIDE_SNIFF_BYTES]
    wide = sniff_wide_encoding(first) or bom_encoding(first)
    stream: Iterator[bytes] = itertools.chain(head, chunks)
    if wide is not None:
        stream = transcoder(stream, wide)
    if allow_array:
        head = []
        try:
            for chunk in stream:  # find the first non-space byte
                head.append(chunk)
                stripped = chunk.lstrip(b" \t\r\n")
                if stripped.startswith(b"\xef\xbb\xbf"):
                    stripped = stripped[3:].lstrip(b" \t\r\n")
                if stripped:
                    if stripped.startswith(b"["):
                        yield from parse_json_array(itertools.chain(head, stream), path, limit, wide)
                        return
                    break
        except ArchiveError as exc:  # damaged before any content: the line parser reports it
            stream = _raise_after((), exc)
        stream = itertools.chain(head, stream)
    yield from parse_json_lines(stream, path, limit, wide)


def _raise_after(chunks: Iterable[bytes], exc: ArchiveError) -> Iterator[bytes]:
    yield from chunks
    raise exc
